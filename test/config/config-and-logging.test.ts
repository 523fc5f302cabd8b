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
