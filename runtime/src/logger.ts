/** The services' pino logger: one place that keeps secrets out of every log line. */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from './settings/common';

/**
 * Paths a config or a request may carry a secret in, wherever a service logs it: passwords,
 * the facade's bearer tokens (its `security.tokens` setting) and Authorization headers.
 */
export const REDACTED_PATHS = [
  'password', '*.password', 'config.mqtt.password', 'mqtt.password', 'settings.password',
  'security.tokens', '*.security.tokens', 'config.security.tokens',
  'http.token', '*.http.token', 'config.http.token',
  'headers.authorization', '*.headers.authorization', 'req.headers.authorization', 'request.headers.authorization',
];

/**
 * `destination` defaults to stdout; a command whose stdout is its output (`helen monitor`)
 * passes stderr, so log lines never mix into what a script reads.
 */
export function createLogger(level: LogLevel, base: Record<string, unknown> = {}, options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const opts: LoggerOptions = { level, base: { pid: process.pid, ...base }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, ...options };
  return destination ? pino(opts, destination) : pino(opts);
}
