/**
 * Typed environment configuration. Each service declares its variables once (name, default,
 * meaning, parser); `parseEnv` turns the environment into a frozen object or throws a
 * ConfigError naming every bad variable, and `formatEnvHelp` prints the same table for
 * `--help`, so the help text cannot drift from what is parsed.
 */
export interface EnvVar<T> {
  readonly description: string;
  /** Shown in --help; `undefined` means "no default" (optional unless `required`). */
  readonly defaultText: string | undefined;
  readonly required: boolean;
  parse(raw: string | undefined): T;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

class EnvValueError extends Error {}

type Parser<T> = (raw: string) => T;

function variable<T>(description: string, parse: Parser<T>, fallback: T, defaultText?: string): EnvVar<T> {
  return {
    description,
    defaultText: defaultText ?? (fallback === undefined ? undefined : String(fallback)),
    required: false,
    parse: (raw) => (raw === undefined || raw.trim() === '' ? fallback : parse(raw.trim())),
  };
}

function fail(message: string): never {
  throw new EnvValueError(message);
}

function numberParser(opts: { min?: number; max?: number; integer?: boolean }): Parser<number> {
  return (raw) => {
    const n = Number(raw);
    if (!Number.isFinite(n)) fail(`must be a number (got "${raw}")`);
    if (opts.integer && !Number.isInteger(n)) fail(`must be an integer (got "${raw}")`);
    if (opts.min !== undefined && n < opts.min) fail(`must be >= ${opts.min} (got ${raw})`);
    if (opts.max !== undefined && n > opts.max) fail(`must be <= ${opts.max} (got ${raw})`);
    return n;
  };
}

export const envVar = {
  string: (description: string, fallback: string) => variable(description, (r) => r, fallback),
  optionalString: (description: string) => variable<string | undefined>(description, (r) => r, undefined),
  int: (description: string, fallback: number, opts: { min?: number; max?: number } = {}) =>
    variable(description, numberParser({ ...opts, integer: true }), fallback),
  number: (description: string, fallback: number, opts: { min?: number; max?: number } = {}) =>
    variable(description, numberParser(opts), fallback),
  optionalNumber: (description: string, opts: { min?: number; max?: number } = {}) =>
    variable<number | undefined>(description, numberParser(opts), undefined),
  bool: (description: string, fallback: boolean) =>
    variable(description, (r) => {
      const v = r.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      return fail(`must be true/false, 1/0, yes/no or on/off (got "${r}")`);
    }, fallback),
  oneOf: <const V extends string>(description: string, values: readonly V[], fallback: V) =>
    variable<V>(`${description} (${values.join(' | ')})`, (r) => {
      if ((values as readonly string[]).includes(r)) return r as V;
      return fail(`must be one of ${values.join(', ')} (got "${r}")`);
    }, fallback),
  url: (description: string, fallback: string, protocols: readonly string[]) =>
    variable(description, (r) => checkUrl(r, protocols), fallback),
  optionalUrl: (description: string, protocols: readonly string[]) =>
    variable<string | undefined>(description, (r) => checkUrl(r, protocols), undefined),
  /** `:`-separated list (like PATH); empty entries ignored. */
  pathList: (description: string, fallback: readonly string[], defaultText?: string) =>
    variable<readonly string[]>(description, (r) => r.split(':').filter((p) => p.length > 0), fallback, defaultText ?? fallback.join(':')),
  custom: <T>(description: string, parse: Parser<T>, fallback: T, defaultText?: string) =>
    variable(description, (r) => {
      try {
        return parse(r);
      } catch (err) {
        return fail((err as Error).message);
      }
    }, fallback, defaultText),
};

function checkUrl(raw: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`must be a URL (got "${raw}")`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!protocols.includes(scheme)) fail(`must use ${protocols.map((p) => `${p}://`).join(' or ')} (got "${raw}")`);
  return raw;
}

export type EnvSpec = Record<string, EnvVar<unknown>>;
export type EnvConfig<S extends EnvSpec> = { readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

/** Parses every variable of `spec`; collects all problems before throwing, so one run shows them all. */
export function parseEnv<S extends EnvSpec>(spec: S, source: NodeJS.ProcessEnv | Record<string, string | undefined>): EnvConfig<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, v] of Object.entries(spec)) {
    try {
      out[name] = v.parse(source[name]);
    } catch (err) {
      if (!(err instanceof EnvValueError)) throw err;
      problems.push(`${name}: ${err.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as EnvConfig<S>;
}

/** The environment table for `--help`. */
export function formatEnvHelp(spec: EnvSpec): string {
  const rows = Object.entries(spec).map(([name, v]) => [name, v.defaultText ?? '(unset)', v.description] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length), 8);
  const w1 = Math.min(Math.max(...rows.map((r) => r[1].length), 7), 40);
  const head = `${'VARIABLE'.padEnd(w0)}  ${'DEFAULT'.padEnd(w1)}  MEANING`;
  return [head, ...rows.map(([n, d, m]) => `${n.padEnd(w0)}  ${d.padEnd(w1)}  ${m}`)].join('\n');
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables every part reads with the same meaning (ARCHITECTURE.md "Environment"). */
export const commonEnv = {
  // Case-insensitive: the original Python server took INFO, DEBUG, ...
  HELEN_LOG_LEVEL: envVar.custom('log level: trace, debug, info, warn, error, fatal, silent', (r) => {
    const level = r.toLowerCase();
    if (!LOG_LEVELS.includes(level as LogLevel)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')} (got "${r}")`);
    return level as LogLevel;
  }, 'info' as LogLevel),
  HELEN_TOPIC_PREFIX: envVar.string('MQTT topic prefix', 'helen/v1'),
};

export const mqttClientEnv = {
  HELEN_MQTT_URL: envVar.url('MQTT broker URL for clients', 'mqtt://127.0.0.1:1883', ['mqtt', 'mqtts', 'ws', 'wss', 'tcp', 'tls']),
  HELEN_MQTT_USERNAME: envVar.optionalString('MQTT username (optional)'),
  HELEN_MQTT_PASSWORD: envVar.optionalString('MQTT password (optional; never logged)'),
};
