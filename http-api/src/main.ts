/** `helen api`: process wiring only (settings, logger, lifecycle, exit code). Does nothing on import. */
import { createLogger, runService } from '@helen/runtime';
import { createApi } from './app';
import { apiConfigFromEnv, apiSettings } from './config';

export async function main(argv: string[]): Promise<number | void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: helen api\n\nHTTP facade: GET /health, GET /metadata, POST /predict, answered by inference workers over MQTT.\n\nenvironment:\n${apiSettings.help()}\n`);
    return 0;
  }
  const config = apiConfigFromEnv(process.env);
  const log = createLogger(config.logLevel, { name: 'http-api' });
  const api = createApi(config, { logger: log });
  // SIGHUP re-reads HELEN_API_TOKENS_FILE (add or revoke a token without a restart); a file
  // that no longer loads keeps the tokens in use (runService listens to SIGINT/SIGTERM only).
  const onHup = (): void => {
    if (config.security.tokensFile === undefined) return;
    try {
      log.info({ count: api.reloadTokens() }, 'tokens file re-read');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'tokens file not re-read, the tokens in use stay');
    }
  };
  process.on('SIGHUP', onHup);
  try {
    return await runService(api, {
      log,
      onStarted: (started) => {
        const { url } = started as Awaited<ReturnType<typeof api.start>>;
        log.info({ url, instance: api.link.instanceId }, `HTTP facade listening on ${url}`);
      },
    });
  } finally {
    process.off('SIGHUP', onHup);
  }
}
