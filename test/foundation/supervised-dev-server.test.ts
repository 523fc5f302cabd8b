import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { createLogger } from '../../config/logger';
import { freePort } from '../../scripts/free-port';
import { temporalCliPath } from '../../temporal/binaries';
import { superviseDevServer } from '../../temporal/supervised-dev-server';
import { eventually } from '../support/eventually';

// Issue 19, item 6: `npm start`'s dev server is kept running — started again on its data when it dies;
// while it cannot be (its port taken), the engine says it cannot recover by itself (its /health fails).
const alive = (pid: number) =>
  fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
const serves = async (address: string) => {
  const connection = await Connection.connect({
    address,
    connectTimeout: 1_000,
    channelArgs: { 'grpc.use_local_subchannel_pool': 1 },
  });
  try {
    await connection.healthService.check({});
    return true;
  } finally {
    await connection.close();
  }
};

test('killed, the dev server is started again; while its port is taken it says it cannot recover, then recovers once the port is free', async () => {
  const port = await freePort();
  const supervised = await superviseDevServer(
    {
      cli: temporalCliPath()!,
      dataDir: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-supervised-')), 'data'),
      port,
      uiPort: await freePort(),
      logger: createLogger('silent'),
      headless: true,
    },
    { firstWaitMs: 1_000, longestWaitMs: 1_000, failuresToGiveUp: 2 },
  );
  // another program on its port: it accepts connections and drops them at once
  const squatter = net.createServer((socket) => socket.destroy());
  try {
    const first = supervised.pid();
    process.kill(first, 'SIGKILL');
    await eventually(async () => supervised.pid() !== first && (await serves(supervised.address)), {
      budgetMs: 60_000,
      what: 'the dev server serving again',
    });
    expect(supervised.failure()).toBeUndefined();

    // killed again, and its port taken by another program before it can start again
    const second = supervised.pid();
    process.kill(second, 'SIGKILL');
    await eventually(() => !alive(second), { budgetMs: 10_000 });
    await eventually(
      () =>
        new Promise<boolean>((resolve) => {
          squatter.once('error', () => resolve(false));
          squatter.listen(port, '127.0.0.1', () => resolve(true));
        }),
      { budgetMs: 5_000, what: 'the port taken' },
    );
    expect(await eventually(() => supervised.failure(), { budgetMs: 60_000 })).toMatch(
      /the Temporal dev server cannot be started again/,
    );
    await new Promise((r) => squatter.close(r));
    await eventually(() => supervised.failure() === undefined && serves(supervised.address), {
      budgetMs: 60_000,
      what: 'the dev server serving once its port is free',
    });
  } finally {
    squatter.close();
    await supervised.stop();
  }
}, 180_000);
