/**
 * Production mode (`HELEN_ENV=production`): the settings that are fine on a laptop (anonymous
 * MQTT, a facade without tokens, plain MQTT or HTTP beyond loopback) stop start-up, each with
 * its own line naming the setting and the `HELEN_ALLOW_*` switch that accepts it. A service
 * puts `productionSettings(...)` in its table under `production` and `productionRules(...)`
 * among its rules, so the refusal is an ordinary configuration error: printed with the others,
 * before anything connects or listens. Development (the default, and what `npm start` runs)
 * checks nothing.
 */
import { setting, type Setting } from './setting';
import type { Rule } from './table';

export const RUN_MODES = ['development', 'production'] as const;
export type RunMode = (typeof RUN_MODES)[number];

export const runModeSetting = setting.oneOf('HELEN_ENV',
  'production refuses insecure settings (anonymous MQTT, no API tokens, plain MQTT/HTTP beyond loopback) unless each is allowed with its HELEN_ALLOW_* variable',
  RUN_MODES, 'development');

/** One switch per kind of insecure setting; every service that can have that kind reads the same variable. */
export const allowSettings = {
  anonymousMqtt: setting.bool('HELEN_ALLOW_ANONYMOUS_MQTT', 'with HELEN_ENV=production: accept HELEN_BROKER_ALLOW_ANONYMOUS=true', false),
  plainMqtt: setting.bool('HELEN_ALLOW_PLAIN_MQTT', 'with HELEN_ENV=production: accept MQTT without TLS (mqtt://, ws://) beyond loopback', false),
  noTokens: setting.bool('HELEN_ALLOW_NO_TOKENS', 'with HELEN_ENV=production: accept a facade without HELEN_API_TOKENS / HELEN_API_TOKENS_FILE', false),
  plainHttp: setting.bool('HELEN_ALLOW_PLAIN_HTTP', 'with HELEN_ENV=production: accept HTTP without TLS beyond loopback (e.g. behind a TLS proxy)', false),
} as const;

export type AllowKind = keyof typeof allowSettings;

/** A table's `production` group: HELEN_ENV plus the switches of the kinds this service checks. */
export function productionSettings<const K extends AllowKind>(kinds: readonly K[]): {
  readonly mode: Setting<RunMode>;
  readonly allow: { readonly [P in K]: Setting<boolean> };
} {
  const allow = Object.fromEntries(kinds.map((k) => [k, allowSettings[k]])) as { [P in K]: Setting<boolean> };
  return { mode: runModeSetting, allow };
}

/** What a table's `production` group parses to; a service reads only the switches of its own checks. */
export interface ProductionConfig {
  readonly mode: RunMode;
  readonly allow: { readonly [P in AllowKind]?: boolean };
}

/** One insecure setting a service may have: `find` says what is insecure (naming the variable), or nothing. */
export interface InsecureCheck<C> {
  readonly kind: AllowKind;
  find(config: C): string | undefined;
  /** A safer alternative, added to the message, e.g. "or use mqtts://". */
  readonly instead?: string;
}

/** The refusal line without its `HELEN_ENV=production: ` prefix (the table adds it, as it adds a variable's name). */
export function refusal(what: string, kind: AllowKind, instead?: string): string {
  return `${what}; set ${allowSettings[kind].env}=true to allow it${instead ? ` (${instead})` : ''}`;
}

/** The checks as table rules: each finding is one line `HELEN_ENV=production: <what>; set HELEN_ALLOW_...=true to allow it`. */
export function productionRules<C>(checks: readonly InsecureCheck<C>[]): Rule<C & { readonly production: ProductionConfig }>[] {
  return checks.map((check) => ({
    env: 'HELEN_ENV=production',
    check: (config: C & { readonly production: ProductionConfig }) => {
      const { mode, allow } = config.production;
      if (mode !== 'production' || allow[check.kind]) return undefined;
      const what = check.find(config);
      return what === undefined ? undefined : refusal(what, check.kind, check.instead);
    },
  }));
}

/**
 * True for an address only this machine can reach. A name other than `localhost` may resolve
 * anywhere, so it counts as remote; so do the wildcards (0.0.0.0, ::) that listen on every interface.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** The URL without credentials, path or query: what a refusal may print (a URL can carry a password). */
export function safeOrigin(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/**
 * When `raw` is a URL with a plain scheme (no TLS) to a host beyond loopback, the finding
 * `ENV=scheme://host:port is <what> without TLS to another machine`; otherwise nothing.
 */
export function plainUrlFinding(env: string, raw: string | undefined, plainSchemes: readonly string[], what: string): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined; // the setting's own parser reports a malformed URL
  }
  if (!plainSchemes.includes(url.protocol.replace(/:$/, '')) || isLoopbackHost(url.hostname)) return undefined;
  return `${env}=${safeOrigin(url)} is ${what} without TLS to another machine, so credentials and data cross the network readable`;
}

/** Plain MQTT schemes (the TLS ones are mqtts, wss, tls). */
export const PLAIN_MQTT_SCHEMES = ['mqtt', 'tcp', 'ws'] as const;

/** The check every MQTT client shares: HELEN_MQTT_URL (or another client URL) in plain MQTT to a remote host. */
export function plainMqttClientCheck<C>(env: string, url: (config: C) => string | undefined): InsecureCheck<C> {
  return {
    kind: 'plainMqtt',
    find: (c) => plainUrlFinding(env, url(c), PLAIN_MQTT_SCHEMES, 'MQTT'),
    instead: 'or use mqtts:// or wss://',
  };
}
