/** `helen stack` (= `npm start`): process wiring only (env, banner, signals, exit code). */
import { formatEnvHelp } from '@helen/runtime';
import { pino } from 'pino';
import { stackConfigFromEnv, stackEnv } from './config';
import { createStack } from './supervisor';

const HELP = `usage: helen stack

Runs the EC2 side locally: the MQTT broker, inference worker(s) and the HTTP facade, each
as its own process; restarts a child that crashes (with backoff) and stops them all on
Ctrl-C / SIGTERM. Each child also reads its own variables: see helen broker --help,
helen worker --help and helen api --help.

environment:
`;

export async function main(argv: string[]): Promise<number | void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}${formatEnvHelp(stackEnv)}\n`);
    return 0;
  }
  const config = stackConfigFromEnv(process.env);
  const log = pino({ name: 'stack', level: config.logLevel });
  const stack = createStack(config, log);

  // A supervisor that dies hard must not leave its (detached) children running.
  const onExit = () => stack.killNow();
  process.on('exit', onExit);
  let signalled: NodeJS.Signals | undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        log.warn({ signal }, 'second signal: killing every child now');
        stack.killNow();
        return;
      }
      signalled = signal;
      resolve(signal);
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  });

  const started = stack.start();
  const first = await Promise.race([started, stopRequested]);
  if (typeof first === 'object') {
    const { mqtt, ws, http, ready } = first;
    const mqttPort = new URL(mqtt).port;
    process.stdout.write([
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
    ].join('\n') + '\n');
  }
  const signal = await stopRequested;
  log.info({ signal }, 'stopping the stack');
  await started.catch(() => undefined);
  await stack.stop();
  process.off('exit', onExit);
  log.info('stack stopped');
  return 0;
}
