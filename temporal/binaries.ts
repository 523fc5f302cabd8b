import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config/paths';

/** The binaries scripts/provision-temporal.sh links under .tools/bin, when it could. */
const toolsBin = path.join(projectRoot, '.tools', 'bin');

function provided(name: string): string | undefined {
  const file = path.join(toolsBin, name);
  return fs.existsSync(file) ? file : undefined;
}

export const temporalCliPath = () => provided('temporal');
export const temporalTestServerPath = () => provided('temporal-test-server');

/** For TestWorkflowEnvironment: the provided binary, or the SDK's own download where there is none. */
export function executable(file: string | undefined) {
  return file ? { type: 'existing-path' as const, path: file } : undefined;
}
