/**
 * `helen broker`: process wiring only (settings, logger, lifecycle). Does nothing on import.
 */
import { createLogger, runService } from '@helen/runtime';
import { createBroker, type BrokerAddress } from './broker';
import { brokerSettings, loadBrokerConfig } from './config';

export async function main(argv: string[]): Promise<number | void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: helen broker\n\nMQTT broker (aedes): TCP and WebSocket listeners, shared subscriptions $share/{group}/{filter}.\n\nenvironment:\n${brokerSettings.help()}\n`);
    return 0;
  }
  const { settings, config } = loadBrokerConfig(process.env);
  const logger = createLogger(settings.logLevel);
  const broker = createBroker({ ...config, logger });
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return runService(broker, {
    log: logger,
    onStarted: (started) => {
      const address = started as BrokerAddress;
      process.stdout.write(`helen broker: mqtt://${host}:${address.tcpPort}` +
        (address.wsPort === undefined ? '' : `  ws://${host}:${address.wsPort}`) + '\n');
    },
  });
}
