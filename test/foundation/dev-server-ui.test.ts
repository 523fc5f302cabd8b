import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../config/logger';
import { freePort } from '../../scripts/free-port';
import { temporalCliPath } from '../../temporal/binaries';
import { consoleCodecEndpoint, startDevServer } from '../../temporal/dev-server';

// Issue 22, item 1: `npm start`'s dev server serves its Web UI with the console's codec endpoint, on
// 127.0.0.1 — the console's site, so that an admin's session cookie goes with the UI's decode requests.
test("the console's codec endpoint as the admin's browser reaches it, whatever address the API listens on", () => {
  expect(consoleCodecEndpoint({ API_HOST: '127.0.0.1', API_PORT: 3000 })).toBe('http://127.0.0.1:3000/console/codec');
  expect(consoleCodecEndpoint({ API_HOST: '0.0.0.0', API_PORT: 3000 })).toBe('http://127.0.0.1:3000/console/codec');
  expect(consoleCodecEndpoint({ API_HOST: '::1', API_PORT: 3100 })).toBe('http://[::1]:3100/console/codec');
  // a port chosen at start-up is not known to the dev server started before: no endpoint, payloads sealed
  expect(consoleCodecEndpoint({ API_HOST: '127.0.0.1', API_PORT: 0 })).toBeUndefined();
});

test('the dev server’s Web UI is configured with that endpoint, on 127.0.0.1', async () => {
  const server = await startDevServer({
    cli: temporalCliPath()!,
    dataDir: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-ui-')), 'data'),
    port: await freePort(),
    uiPort: await freePort(),
    logger: createLogger('silent'),
    inMemory: true,
    uiCodecEndpoint: consoleCodecEndpoint({ API_HOST: '0.0.0.0', API_PORT: 3000 }),
  });
  try {
    expect(server.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // what the UI's pages read at load: its codec settings
    const settings = (await (await fetch(`${server.uiUrl}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
      codec?: { endpoint?: string };
    };
    expect(settings.Codec?.Endpoint ?? settings.codec?.endpoint).toBe('http://127.0.0.1:3000/console/codec');
  } finally {
    await server.stop();
  }
}, 60_000);
