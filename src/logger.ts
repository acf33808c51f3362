/**
 * The one pino factory. JSON lines to stderr (stdout belongs to `--json` reports and
 * the simulator's ready line); pretty only when stderr is a TTY. Credentials are redacted
 * by path here and by value at the adapters (they never put secrets in log objects).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export const REDACT_PATHS = [
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'credentials',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.credentials',
  'token',
  '*.token',
  'apiTokens',
  '*.apiTokens',
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'externalId',
  '*.externalId',
  'password',
  '*.password',
];

export const defaultLoggerOptions = {
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  base: { service: 'org-iam-rollout' },
  timestamp: pino.stdTimeFunctions.isoTime,
} as const;

export function createLogger(level: string, destination?: DestinationStream): PinoLogger {
  const options = { ...defaultLoggerOptions, level };
  if (destination) return pino(options, destination);
  if (process.stderr.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } });
  }
  return pino(options, pino.destination({ fd: 2, sync: false }));
}
