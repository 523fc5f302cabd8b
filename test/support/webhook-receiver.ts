import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a webhook receiver got it. */
export interface Received {
  at: number;
  method: string;
  path: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** How a receiver answers a request: a status, headers, after a delay (a slow receiver). */
export type Answer = { status: number; headers?: Record<string, string>; afterMs?: number };

/**
 * A real HTTP server on loopback standing for an éditeur's system, or for an internal service an
 * attacker aims at: it counts every connection (a refused webhook opens none) and keeps every request.
 */
export interface Receiver {
  url: string;
  /** `host:port`, as WEBHOOK_ALLOW_HTTP_HOSTS names it */
  hostPort: string;
  port: number;
  connections: number;
  received: Received[];
  answer: (request: Received) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (request: Received) => Answer = () => ({ status: 200 }),
): Promise<Receiver> {
  const sockets = new Set<import('node:net').Socket>();
  const receiver = { connections: 0, received: [] as Received[], answer } as Receiver;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const got: Received = { at: Date.now(), method: req.method!, path: req.url!, body, headers: req.headers };
      receiver.received.push(got);
      const { status, headers, afterMs } = receiver.answer(got);
      const send = () => res.writeHead(status, headers).end();
      if (afterMs) setTimeout(send, afterMs);
      else send();
    });
  });
  server.on('connection', (socket) => {
    receiver.connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.port = port;
  receiver.hostPort = `127.0.0.1:${port}`;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/** A receiver for a test file: started before its tests (and before a harness declared after it), closed after. */
export function receiverPerFile(answer?: (request: Received) => Answer): Receiver {
  let started: Receiver | undefined;
  beforeAll(async () => {
    started = await startReceiver(answer);
  });
  afterAll(() => started?.close());
  return new Proxy({} as Receiver, {
    get(_target, key) {
      if (!started) throw new Error('the receiver is used before beforeAll started it');
      return started[key as keyof Receiver];
    },
    set(_target, key, value) {
      if (!started) throw new Error('the receiver is used before beforeAll started it');
      (started as unknown as Record<string, unknown>)[key as string] = value;
      return true;
    },
  });
}
