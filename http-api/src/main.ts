/** `helen api`: process wiring only (env, signals, exit code). */
import { formatEnvHelp } from '@helen/runtime';
import { createApi } from './app';
import { apiConfigFromEnv, apiEnv } from './config';

export async function main(argv: string[]): Promise<number | void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: helen api\n\nHTTP facade: GET /health, GET /metadata, POST /predict, answered by inference workers over MQTT.\n\nenvironment:\n${formatEnvHelp(apiEnv)}\n`);
    return 0;
  }
  const config = apiConfigFromEnv(process.env);
  const api = createApi(config);
  const { url } = await api.start();
  api.app.log.info({ url, instance: api.link.instanceId }, `HTTP facade listening on ${url}`);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      api.app.log.info({ signal }, 'stopping');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await api.stop();
  return 0;
}
