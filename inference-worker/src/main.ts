/**
 * `helen worker`: process wiring only. Parses the settings, runs the worker until SIGTERM or
 * SIGINT (drain: answer what it holds, publish offline, exit 0; a second signal changes
 * nothing) or until its inference engine dies (exit 1, so a supervisor restarts it).
 */
import { createLogger, runService } from '@helen/runtime';
import { workerSettings } from './config';
import { createWorker, WORKER_STOP_TIMEOUT_MS } from './worker';

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: helen worker\n\nONNX inference worker on the shared predict subscription.\n\nenvironment:\n${workerSettings.help()}\n`);
    return 0;
  }
  const config = workerSettings.parse(process.env);
  const logger = createLogger(config.logLevel, { role: 'worker' });
  const worker = createWorker(config, { logger });
  return runService(worker, { log: logger, stopTimeoutMs: WORKER_STOP_TIMEOUT_MS });
}
