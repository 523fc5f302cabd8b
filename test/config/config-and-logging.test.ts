import { Writable } from 'node:stream';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../config/env';
import { temporalLogger } from '../../config/logger';

test('defaults apply when nothing is set', () => {
  expect(loadConfig({})).toMatchObject({
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'sons-bdc',
    TEMPORAL_UI_PORT: 8233,
    LOG_LEVEL: 'info',
  });
});

test('a bad value stops start-up with the variable and the reason', () => {
  expect(() => loadConfig({ LOG_LEVEL: 'loud', TEMPORAL_UI_PORT: '99999' })).toThrow(ConfigError);
  try {
    loadConfig({ LOG_LEVEL: 'loud', TEMPORAL_UI_PORT: '99999', DATABASE_URL: 'mysql://x' });
  } catch (err) {
    const message = (err as Error).message;
    expect(message).toMatch(/TEMPORAL_UI_PORT: .*\(got "99999"\)/);
    expect(message).toMatch(/LOG_LEVEL: .*\(got "loud"\)/);
    expect(message).toMatch(/DATABASE_URL: expected a postgres:\/\/ URL \(got "mysql:\/\/x"\)/);
  }
});

test("the SDK's (message, meta) logger writes one pino JSON line with the meta as fields", () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const logger = temporalLogger(pino({ level: 'debug' }, sink));
  logger.info('advance ordered', { workflowId: 'bdc-acme-1', runId: 'r1', amountCents: 175_200 });
  logger.debug('quiet');
  logger.trace('dropped below the level');
  expect(lines.map((l) => JSON.parse(l))).toEqual([
    expect.objectContaining({
      level: 30,
      msg: 'advance ordered',
      workflowId: 'bdc-acme-1',
      runId: 'r1',
      amountCents: 175_200,
    }),
    expect.objectContaining({ level: 20, msg: 'quiet' }),
  ]);
});

test('WEBHOOK_ALLOW_HTTP_HOSTS: host:port entries only, none by default', () => {
  expect(loadConfig({}).WEBHOOK_ALLOW_HTTP_HOSTS).toEqual([]);
  expect(
    loadConfig({ WEBHOOK_ALLOW_HTTP_HOSTS: ' 127.0.0.1:8080, Hooks.ASP.local:80,[::1]:9000 ' })
      .WEBHOOK_ALLOW_HTTP_HOSTS,
  ).toEqual(['127.0.0.1:8080', 'hooks.asp.local:80', '[::1]:9000']);
  // a host without its port would allow every port of it; a scheme, a path, a wildcard: not a host:port
  for (const bad of ['127.0.0.1', 'http://127.0.0.1:80', '*:80', '10.0.0.1:0', '10.0.0.1:65536', 'h:80/x', '::1:80'])
    expect(() => loadConfig({ WEBHOOK_ALLOW_HTTP_HOSTS: bad })).toThrow(
      /WEBHOOK_ALLOW_HTTP_HOSTS.*: expected host:port entries/,
    );
});
