import pino from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

/** One JSON line per event on stdout; LOG_LEVEL chooses how much. */
export function createLogger(level: string): pino.Logger {
  // the SDK reports failures under `error`: serialise them like pino's own `err`
  return pino({
    level,
    base: { service: 'sons-engine' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { error: pino.stdSerializers.err },
  });
}

const levels: Record<LogLevel, pino.Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The SDK's Logger interface is (message, meta); pino's is (object, message). Workflow and activity
 * loggers reach the Runtime logger with workflowId, runId and activity bindings in `meta`, which
 * become fields of the JSON line.
 */
export function temporalLogger(logger: pino.Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => logger[levels[level]](meta ?? {}, message);
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}
