import { pino, type Logger } from 'pino';

/**
 * The one structured logger. Keys, tokens and authorization headers are redacted by path,
 * and no code path logs prompt text or bodies.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'auditgate' },
    redact: {
      paths: [
        '*.authorization',
        '*["x-api-key"]',
        '*["x-goog-api-key"]',
        '*["api-key"]',
        '*["x-auditgate-key"]',
        '*.apiKey',
        '*.adminToken',
      ],
      censor: '[redacted]',
    },
  });
}
