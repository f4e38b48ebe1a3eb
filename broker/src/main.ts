/**
 * `helen broker`: process wiring only (env, logger, signals). Does nothing on import.
 */
import { formatEnvHelp } from '@helen/runtime';
import { pino } from 'pino';
import { createBroker } from './broker';
import { brokerEnv, loadBrokerConfig } from './config';

export async function main(argv: string[]): Promise<number | void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: helen broker\n\nMQTT broker (aedes): TCP and WebSocket listeners, shared subscriptions $share/{group}/{filter}.\n\nenvironment:\n${formatEnvHelp(brokerEnv)}\n`);
    return 0;
  }
  const { env, config } = loadBrokerConfig(process.env);
  const logger = pino({ level: env.HELEN_LOG_LEVEL });
  const broker = createBroker({ ...config, logger });
  const address = await broker.start();
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  process.stdout.write(`helen broker: mqtt://${host}:${address.tcpPort}` +
    (address.wsPort === undefined ? '' : `  ws://${host}:${address.wsPort}`) + '\n');

  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await broker.stop();
  return 0;
}
