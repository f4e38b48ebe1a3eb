/** `helen stack` (= `npm start`): process wiring only (settings, banner, lifecycle, exit code). */
import { createLogger, runService } from '@helen/runtime';
import { stackConfigFromEnv, stackSettings } from './config';
import { createStack, type StackAddresses } from './supervisor';

const HELP = `usage: helen stack

Runs the EC2 side locally: the MQTT broker, inference worker(s) and the HTTP facade, each
as its own process; restarts a child that crashes (with backoff) and stops them all on
Ctrl-C / SIGTERM. Each child also reads its own variables: see helen broker --help,
helen worker --help and helen api --help.

environment:
`;

function banner({ mqtt, ws, http, ready }: StackAddresses): string {
  const mqttPort = new URL(mqtt).port;
  return [
    '',
    `helen stack ${ready ? 'ready' : 'started (not answering /health yet)'}`,
    `  MQTT (TCP)        ${mqtt}`,
    `  MQTT (WebSocket)  ${ws}`,
    `  HTTP facade       ${http}   (/health, /metadata, POST /predict)`,
    `  try:  curl -s ${http}/health`,
    `        curl -s ${http}/metadata`,
    `        mosquitto_sub -v -h 127.0.0.1 -p ${mqttPort} -t 'helen/#'`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number | void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}${stackSettings.help()}\n`);
    return 0;
  }
  const config = stackConfigFromEnv(process.env);
  const log = createLogger(config.logLevel, { name: 'stack' });
  const stack = createStack(config, log);

  // A supervisor that dies hard must not leave its (detached) children running.
  const onExit = () => stack.killNow();
  process.on('exit', onExit);
  try {
    const code = await runService(stack, {
      log,
      signals: ['SIGINT', 'SIGTERM', 'SIGHUP'],
      // Children get their own stop timeout (then SIGKILL), in order: give the whole stop room for it.
      stopTimeoutMs: config.stopTimeoutMs * 3 + 5000,
      onRepeatSignal: (signal) => {
        log.warn({ signal }, 'second signal: killing every child now');
        stack.killNow();
      },
      onStarted: (addresses) => process.stdout.write(banner(addresses as StackAddresses)),
    });
    log.info('stack stopped');
    return code;
  } finally {
    process.off('exit', onExit);
  }
}
