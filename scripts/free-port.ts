import net from 'node:net';

/** Whether a TCP port of the loopback can be listened on now. */
const listenable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net
      .createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** the ports this process has handed out: two servers it starts never get the same one */
const handedOut = new Set<number>();

/**
 * A TCP port free on the loopback now, for a server a script or a test starts — chosen below the
 * kernel's ephemeral range (32768–60999 here): a port from that range, free when asked, may be taken
 * by any outgoing connection before the server listens on it (a test's API met EADDRINUSE that way).
 * Below 32768 also suits Temporal v1.28's schema, which keeps membership ports in a SMALLINT.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!handedOut.has(port) && (await listenable(port))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free TCP port found between 20000 and 32000');
}
