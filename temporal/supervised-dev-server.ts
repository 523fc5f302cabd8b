import type pino from 'pino';
import { startDevServer, type DevServer } from './dev-server';

type DevServerOptions = Parameters<typeof startDevServer>[0];

export interface SupervisedDevServer {
  address: string;
  uiUrl: string;
  /** the pid of the server running now */
  pid(): number;
  /** why the server cannot be brought back, while it cannot (else undefined) */
  failure(): string | undefined;
  stop(): Promise<void>;
}

/** How the supervisor restarts: the wait after each failed start doubles from `firstWaitMs` to `longestWaitMs`. */
export interface RestartPolicy {
  firstWaitMs: number;
  longestWaitMs: number;
  /** starts failed in a row after which the engine says it cannot recover by itself (it keeps trying) */
  failuresToGiveUp: number;
}

export const RESTARTS: RestartPolicy = { firstWaitMs: 500, longestWaitMs: 30_000, failuresToGiveUp: 5 };

/**
 * `npm start`'s Temporal dev server, kept running: when it dies (killed, crashed), it is started again
 * on the same port and the same data (DATA_DIR/temporal.db), so the worker and the clients, which
 * reconnect by themselves, find their workflows where they were. A server that cannot be started again
 * (its port taken, its binary gone) is retried less and less often, and `failure()` says so meanwhile:
 * the engine's /health then fails, for whoever supervises it.
 */
export async function superviseDevServer(
  options: DevServerOptions,
  policy: RestartPolicy = RESTARTS,
): Promise<SupervisedDevServer> {
  const logger: pino.Logger = options.logger;
  let server: DevServer = await startDevServer(options);
  let stopping = false;
  let stopped!: () => void;
  // a stop ends the wait before a restart at once
  const stop = new Promise<void>((r) => (stopped = r));
  let failure: string | undefined;
  let restarts = Promise.resolve();

  const restart = async () => {
    for (
      let failed = 0, wait = policy.firstWaitMs;
      !stopping;
      failed++, wait = Math.min(2 * wait, policy.longestWaitMs)
    ) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((r) => (timer = setTimeout(r, wait))), stop]);
      clearTimeout(timer);
      if (stopping) return;
      try {
        server = await startDevServer(options);
        failure = undefined;
        logger.warn({ pid: server.pid }, 'the Temporal dev server is serving again');
        watch(server);
        return;
      } catch (err) {
        const reason = `the Temporal dev server cannot be started again: ${(err as Error).message}`;
        if (failed + 1 >= policy.failuresToGiveUp) failure = reason;
        logger.error(
          { attempt: failed + 1, err: (err as Error).message },
          'the Temporal dev server did not start again',
        );
      }
    }
  };
  const watch = (s: DevServer) =>
    void s.exited.then((code) => {
      if (stopping || s !== server) return;
      logger.error({ pid: s.pid, code }, 'the Temporal dev server died; starting it again on its data');
      restarts = restart();
    });
  watch(server);

  return {
    address: server.address,
    uiUrl: server.uiUrl,
    pid: () => server.pid,
    failure: () => failure,
    async stop() {
      stopping = true;
      stopped();
      await restarts;
      await server.stop();
    },
  };
}
