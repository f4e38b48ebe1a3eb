/**
 * The facade's security settings (config.ts puts them in its table under `security`) and the
 * checks production mode runs on the facade's table.
 */
import { isLoopbackHost, plainMqttClientCheck, setting, type InsecureCheck } from '@helen/runtime';
import { parseCorsOrigins } from './origins';
import { parseTokenList, parseTokensFile } from './tokens';
import { parseTrustProxy, type TrustProxy } from './trust-proxy';

export const securitySettings = {
  tokens: setting.custom<readonly string[]>('HELEN_API_TOKENS',
    'bearer tokens, comma-separated: when set (or HELEN_API_TOKENS_FILE), /predict, /metadata and /metrics answer 401 without `Authorization: Bearer <token>` (never logged)',
    parseTokenList, () => []),
  tokensFile: setting.custom<string | undefined>('HELEN_API_TOKENS_FILE',
    'file of bearer tokens, one per line (# comments), added to HELEN_API_TOKENS; re-read on SIGHUP', parseTokensFile, undefined),
  rateLimit: setting.int('HELEN_API_RATE_LIMIT',
    'requests per HELEN_API_RATE_WINDOW per client (its token, else its address) before 429; /health is not counted (0 = no limit)', 0, { min: 0 }),
  rateWindowMs: setting.secondsAsMs('HELEN_API_RATE_WINDOW', 'seconds of the rate-limit window', 60, { min: 0.001, max: 86_400 }),
  corsOrigins: setting.custom<readonly string[]>('HELEN_API_CORS_ORIGINS',
    'browser origins allowed to call the API (CORS), comma-separated, or * for any; unset = no CORS headers', parseCorsOrigins, () => []),
  trustProxy: setting.custom<TrustProxy>('HELEN_API_TRUST_PROXY',
    'reverse proxies whose X-Forwarded-For names the client (its address for the rate limit and the logs): addresses or CIDR ranges, comma-separated; unset = the connection\'s address',
    parseTrustProxy, false, 'unset'),
} as const;

/** The part of the facade's config the production checks read. */
interface CheckedConfig {
  readonly host: string;
  readonly security: { readonly tokens: readonly string[]; readonly tokensFile: string | undefined };
  readonly mqtt: { readonly url: string };
}

export const facadeProductionChecks: readonly InsecureCheck<CheckedConfig>[] = [
  {
    kind: 'noTokens',
    find: (c) => (c.security.tokens.length === 0 && c.security.tokensFile === undefined
      ? 'the facade would answer anyone: neither HELEN_API_TOKENS nor HELEN_API_TOKENS_FILE is set'
      : undefined),
  },
  {
    kind: 'plainHttp',
    find: (c) => (isLoopbackHost(c.host) ? undefined : `HELEN_HTTP_HOST=${c.host} serves plain HTTP (the facade has no TLS) beyond this machine`),
    instead: 'e.g. behind a TLS proxy; or HELEN_HTTP_HOST=127.0.0.1 with the proxy on this machine',
  },
  plainMqttClientCheck<CheckedConfig>('HELEN_MQTT_URL', (c) => c.mqtt.url),
];
