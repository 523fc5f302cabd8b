import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';

/**
 * Recorded histories are stored as the proto's own plain-object form (enum names, longs and bytes as
 * strings) and read back with the same library: the SDK's protojson helpers break under Jest when
 * npm installs several copies of protobufjs.
 */
const History = temporal.api.history.v1.History;
const asStrings = { longs: String, enums: String, bytes: String, defaults: false };

export function historyToPlainJson(history: temporal.api.history.v1.IHistory): object {
  return History.toObject(History.fromObject(history), asStrings);
}

/** Every history under dir, named by its path there without .json (v1/happy-path…). */
export function loadHistories(dir: string): { workflowId: string; history: temporal.api.history.v1.History }[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      workflowId: f
        .replace(/\.json$/, '')
        .split(path.sep)
        .join('/'),
      history: History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))),
    }));
}
