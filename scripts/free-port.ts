import net from 'node:net';

/** A TCP port free on the loopback now (the OS's choice), for a server a script or a test starts. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net
      .createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
  });
