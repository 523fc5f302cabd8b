import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** The folder of the official ISO 20022 schemas (PyPI's sepaxml, provisioned by scripts/provision-sepa.sh). */
export const sepaSchemas = () =>
  execFileSync('bash', [path.join(root, 'scripts/provision-sepa.sh')], { encoding: 'utf8' }).trim();

/** xmllint's verdict on a document against an official schema: ok, or what it says is wrong. */
export function validateAgainst(schema: string, xml: string): { ok: boolean; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sepa-'));
  const file = path.join(dir, 'file.xml');
  fs.writeFileSync(file, xml);
  const run = spawnSync('xmllint', ['--noout', '--schema', path.join(sepaSchemas(), schema), file], {
    encoding: 'utf8',
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}
