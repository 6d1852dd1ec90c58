import { pino, type Logger } from 'pino';

export type { Logger };

/** The root logger: JSON to stdout (journald keeps it), secrets redacted. */
export function createLogger(level = process.env.FIREBREAK_LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'firebreak',
      level,
      redact: { paths: ['password', '*.password', 'key', '*.key', 'passwordFile', '*.secret'], censor: '[redacted]' },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
