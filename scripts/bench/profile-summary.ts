import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `node dist/scripts/bench/profile-summary.js DIR/*.cpuprofile`: where a worker's CPU went, from the
 * profiles `npm run bench:scale -- --topology --profile DIR` leaves (one per thread of each worker; the
 * workflow thread is the busy one). Each profile's busy time is split into what the Temporal SDK does
 * around workflow code and what the engine's own workflow code does, so that the worker's CPU per
 * lifecycle is read from a profile rather than guessed (issue 26).
 */
const { positionals: files } = parseArgs({ allowPositionals: true });
if (!files.length) {
  process.stderr.write('profile-summary: name the .cpuprofile files (npm run bench:scale -- --profile DIR)\n');
  process.exit(2);
}

interface CallFrame {
  functionName: string;
  url: string;
}
interface Profile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** The share a sample belongs to, from its own frame and the frames above it. */
function shareOf(stack: CallFrame[]): string {
  const [own] = stack;
  if (own!.functionName === '(garbage collector)') return 'garbage collection';
  // the SDK's promise hook: a stack trace captured for every promise made in workflow code (sdk-typescript#1587)
  if (stack.some((f) => f.url.endsWith('vm-shared.js') && (f.functionName === 'init' || f.functionName === 'settled')))
    return 'SDK: a stack trace for every workflow promise';
  // entering the sandbox: each call runs under a timeout, which starts a watchdog thread
  if (own!.functionName === 'runInContext' && !own!.url) return 'SDK: entering the workflow sandbox (runInContext)';
  if (own!.url.includes('workflow-bundle')) return 'engine: workflow code (bundle)';
  if (own!.url.includes('@temporalio')) return 'SDK: other';
  return 'other (node, native, activities)';
}

for (const file of files) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const shares = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const stack: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
    if (stack[0]!.functionName === '(idle)' || stack[0]!.functionName === '(program)') return;
    const us = profile.timeDeltas[i] ?? 0;
    busy += us;
    const share = shareOf(stack);
    shares.set(share, (shares.get(share) ?? 0) + us);
  });
  process.stdout.write(`${path.basename(file)}: busy ${(busy / 1e6).toFixed(1)} s\n`);
  for (const [share, us] of [...shares].sort((a, b) => b[1] - a[1]))
    process.stdout.write(
      `  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${(us / 1e6).toFixed(1).padStart(7)} s  ${share}\n`,
    );
}
