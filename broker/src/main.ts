/**
 * `helen broker`: process wiring only (settings, logger, lifecycle). Does nothing on import.
 */
import { createLogger, runService } from '@helen/runtime';
import { createBroker, type BrokerAddress } from './broker';
import { brokerSettings, loadBrokerConfig } from './config';
import { loadBrokerAuth } from './auth/index';
import { usersCli } from './users-cli';

export async function main(argv: string[]): Promise<number | void> {
  if (argv[0] === 'users') {
    return usersCli(argv.slice(1), { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: helen broker\n       helen broker users add <name> --role <role> | remove <name> | list   (see helen broker users --help)\n\nMQTT broker (aedes): TCP and WebSocket listeners, shared subscriptions $share/{group}/{filter}.\n\nenvironment:\n${brokerSettings.help()}\n`);
    return 0;
  }
  const { settings, config } = loadBrokerConfig(process.env);
  const logger = createLogger(settings.logLevel);
  const hooks = loadBrokerAuth(settings, logger);
  if (settings.allowAnonymous) {
    process.stderr.write('helen broker: WARNING: anonymous clients are accepted with full access (HELEN_BROKER_ALLOW_ANONYMOUS=true, development only)\n');
  }
  const broker = createBroker({ ...config, logger, hooks });
  hooks.countWith(broker.metrics);
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  // SIGHUP re-reads the users file, the ACL and the TLS certificate files, as Mosquitto does
  // (runService listens to SIGINT/SIGTERM only).
  const onHup = (): void => {
    hooks.reload();
    broker.reloadTls('SIGHUP');
  };
  process.on('SIGHUP', onHup);
  try {
    return await runService(broker, {
      log: logger,
      onStarted: (started) => {
        const address = started as BrokerAddress;
        process.stdout.write(`helen broker: mqtt://${host}:${address.tcpPort}` +
          (address.wsPort === undefined ? '' : `  ws://${host}:${address.wsPort}`) +
          (address.tlsPort === undefined ? '' : `  mqtts://${host}:${address.tlsPort}`) +
          (address.wssPort === undefined ? '' : `  wss://${host}:${address.wssPort}`) +
          (address.metricsPort === undefined ? '' : `  metrics: http://${config.metrics?.host ?? '127.0.0.1'}:${address.metricsPort}/metrics`) + '\n');
      },
    });
  } finally {
    process.off('SIGHUP', onHup);
  }
}
