/**
 * `helen worker`: process wiring only. Parses the environment, starts the worker, and on
 * SIGTERM/SIGINT drains (answers what it holds, publishes offline) and exits 0.
 */
import pino from 'pino';
import { formatEnvHelp } from '@helen/runtime';
import { workerConfigFromEnv, workerEnv } from './config';
import { createWorker } from './worker';

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: helen worker\n\nONNX inference worker on the shared predict subscription.\n\nenvironment:\n${formatEnvHelp(workerEnv)}\n`);
    return 0;
  }
  const config = workerConfigFromEnv(process.env);
  const logger = pino({ level: config.logLevel, base: { role: 'worker', pid: process.pid }, redact: ['config.mqttPassword'] });
  let signalled: NodeJS.Signals | undefined;
  let fatal: Error | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  let onFatal: (err: Error) => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    onSignal = (signal) => {
      if (signalled) return; // a second signal while draining changes nothing
      signalled = signal;
      logger.info({ signal }, 'stopping: draining');
      resolve();
    };
    onFatal = (err) => {
      fatal = err;
      resolve();
    };
  });
  const worker = createWorker(config, { logger, onFatal });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const starting = worker.start();
    await Promise.race([starting, stopped]);
    if (signalled || fatal) starting.catch(() => undefined); // stop() below ends a start cut short
    await stopped;
    await worker.stop();
    return fatal ? 1 : 0; // 1: the supervisor restarts a worker whose engine died
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
