/** The services' pino logger: one place that keeps secrets out of every log line. */
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from './settings/common';

/** Paths a config may carry a secret in, wherever a service logs it. */
export const REDACTED_PATHS = ['password', '*.password', 'config.mqtt.password', 'mqtt.password', 'settings.password'];

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}, options: LoggerOptions = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...base }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, ...options });
}
