import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * `node dist/scripts/bench/profile-summary.js DIR/*.cpuprofile`: where a worker's time went, from the
 * profiles `npm run bench:scale -- --topology --profile DIR` leaves (one per thread of each worker; the
 * workflow thread is the busy one). Each thread's busy time is split between the engine's own workflow
 * code and what the Temporal SDK does around it, so that the worker's cost per lifecycle is read from a
 * profile rather than guessed (issue 26). The figures are sampled time: a thread blocked in a call (a
 * thread started, a message posted) counts as busy in that call.
 */
const { positionals: files } = parseArgs({ allowPositionals: true });
if (!files.length) {
  process.stderr.write('profile-summary: name the .cpuprofile files (npm run bench:scale -- --profile DIR)\n');
  process.exit(2);
}

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based */
  lineNumber: number;
}
interface Profile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

const SDK_PROMISE_HOOK = 'SDK: a stack trace for every workflow promise';
const SDK_SANDBOX_ENTRY = 'SDK: entering the workflow sandbox (runInContext, its own time)';
const ENGINE = 'engine: its workflow code';
const SDK_IN_BUNDLE = 'SDK: its workflow-side code (in the bundle)';
const SDK_WORKER = 'SDK: worker side';
const OTHER = 'other (node, native, activities)';

/**
 * Which module each line of the workflow bundle belongs to: webpack opens each with a line
 * `/***\/ "./path"`. The bundle holds the engine's workflows and what they import, the SDK's workflow
 * side among them.
 */
const bundles = new Map<string, { line: number; module: string }[]>();
function bundleModuleAt(url: string, line: number): string | undefined {
  let starts = bundles.get(url);
  if (!starts) {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    starts = fs.existsSync(file)
      ? fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((text, n) => {
            const m = /^\/\*\*\*\/ "(.+)"/.exec(text);
            return m ? [{ line: n, module: m[1]! }] : [];
          })
      : [];
    bundles.set(url, starts);
  }
  let found: string | undefined;
  for (const s of starts) {
    if (s.line > line) break;
    found = s.module;
  }
  return found;
}

/** A frame's own share, or undefined when it has no source (native): then its caller's share is used. */
function ownShare(f: CallFrame): string | undefined {
  if (f.functionName === '(garbage collector)') return 'garbage collection';
  if (f.functionName === '(program)') return OTHER;
  // every call into the sandbox passes the SDK's isolateExecutionTimeout: node runs it under a watchdog
  if (f.functionName === 'runInContext' && !f.url) return SDK_SANDBOX_ENTRY;
  if (!f.url) return undefined;
  if (f.url.startsWith('evalmachine.')) return SDK_WORKER;
  if (f.url.includes('workflow-bundle')) {
    const module = bundleModuleAt(f.url, f.lineNumber);
    return module?.includes('node_modules/') ? SDK_IN_BUNDLE : ENGINE;
  }
  if (f.url.includes('@temporalio')) return SDK_WORKER;
  return OTHER;
}

for (const file of files) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // one share per node of the call tree, however many samples land on it
  const shareOfNode = new Map<number, string | null>();
  const shareOf = (id: number): string | null => {
    const known = shareOfNode.get(id);
    if (known !== undefined) return known;
    const frame = byId.get(id)!.callFrame;
    let share: string | null;
    if (frame.functionName === '(idle)') share = null;
    else {
      const up = parent.get(id);
      const above = up === undefined ? undefined : shareOf(up);
      // the SDK's promise hook: a stack captured for every promise made in workflow code (sdk-typescript#1587)
      const inHook = frame.url.endsWith('vm-shared.js') && ['init', 'settled'].includes(frame.functionName);
      share = above === SDK_PROMISE_HOOK || inHook ? SDK_PROMISE_HOOK : (ownShare(frame) ?? above ?? OTHER);
    }
    shareOfNode.set(id, share);
    return share;
  };
  const shares = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const share = shareOf(id);
    // a sample lasts until the next one (as DevTools reads it)
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (share === null || us <= 0) return;
    busy += us;
    shares.set(share, (shares.get(share) ?? 0) + us);
  });
  process.stdout.write(`${path.basename(file)}: busy ${(busy / 1e6).toFixed(1)} s\n`);
  for (const [share, us] of [...shares].sort((a, b) => b[1] - a[1]))
    process.stdout.write(
      `  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${(us / 1e6).toFixed(1).padStart(7)} s  ${share}\n`,
    );
}
