/**
 * `helen monitor`: process wiring only (arguments, settings, logger on stderr, lifecycle, exit
 * code). The lines go to stdout; it runs until SIGINT/SIGTERM, or until stdout closes
 * (`helen monitor | head`), which ends it quietly with code 0. Does nothing on import.
 */
import { createLogger, runService } from '@helen/runtime';
import { monitorConfig, monitorSettings, OPTIONS_HELP, parseMonitorArgs } from './config';
import { createMonitor } from './monitor';

const USAGE = `usage: helen monitor [--json] [--interval SECONDS] [--topic FILTER]...

Watches Helen's MQTT topics like \`mosquitto_sub -v -t 'helen/#'\`: binary and JSON requests
decoded into one-line summaries (device, id, frames x features, encoding, deadline left),
replies, errors, gestures, statuses and model metadata printed compactly, and per-device
rates every few seconds. Read-only: it never publishes (a broker \`monitor\` user suffices).`;

export async function main(argv: string[]): Promise<number | void> {
  const options = parseMonitorArgs(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n\n${OPTIONS_HELP}\n\nenvironment:\n${monitorSettings.help()}\n`);
    return 0;
  }
  const config = monitorConfig(process.env, options);
  const log = createLogger(config.settings.logLevel, { name: 'monitor' }, {}, process.stderr);
  const monitor = createMonitor(config, { out: process.stdout, log });

  let end: (code: number) => void = () => undefined;
  const ended = new Promise<number>((resolve) => (end = resolve));
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    // The reader went away (a closed pipe): nothing left to print to.
    if (err.code === 'EPIPE') end(0);
    else {
      log.error({ err: err.message }, 'cannot write to stdout');
      end(1);
    }
  };
  process.stdout.on('error', onStdoutError);
  try {
    return await runService({ start: () => monitor.start(), stop: () => monitor.stop(), ended }, {
      log,
      onStarted: (started) => {
        const { url, filters } = started as Awaited<ReturnType<typeof monitor.start>>;
        log.info({ url, filters }, `watching ${filters.join(', ')} on ${url}`);
      },
    });
  } finally {
    process.stdout.off('error', onStdoutError);
  }
}
