/**
 * A settings table: a (possibly nested) object of settings and sub-tables, plus the rules
 * that relate several of them. From it: `parse(env)` gives the typed, frozen config or throws
 * a ConfigError naming every bad variable at once; `defaults()` and `with(overrides)` build
 * configs for code and tests; `help()` prints the table for `--help`; `variables()` lists
 * them for documentation checks.
 */
import { SettingValueError, type Setting } from './setting';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface SettingsShape {
  readonly [key: string]: Setting<unknown> | SettingsTable<SettingsShape> | SettingsShape;
}

export type ConfigOf<S> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T>
    ? T
    : S[K] extends SettingsTable<infer Sub>
      ? ConfigOf<Sub>
      : S[K] extends SettingsShape
        ? ConfigOf<S[K]>
        : never;
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A rule across settings: returns what is wrong (the table prefixes `env: `), or nothing. */
export interface Rule<C> {
  readonly env: string;
  check(config: C): string | undefined;
}

export type EnvSource = NodeJS.ProcessEnv | Record<string, string | undefined>;

export interface SettingsTable<S extends SettingsShape> {
  readonly kind: 'table';
  readonly shape: S;
  readonly rules: readonly Rule<ConfigOf<S>>[];
  parse(env: EnvSource): ConfigOf<S>;
  defaults(): ConfigOf<S>;
  /** The defaults with some fields replaced (nested objects merge): configs for tests and library use. */
  with(overrides: DeepPartial<ConfigOf<S>>): ConfigOf<S>;
  help(): string;
  variables(): readonly Setting<unknown>[];
}

const isSetting = (v: unknown): v is Setting<unknown> => (v as Setting<unknown>).kind === 'setting';
const isTable = (v: unknown): v is SettingsTable<SettingsShape> => (v as SettingsTable<SettingsShape>).kind === 'table';

function collect(shape: SettingsShape, out: Setting<unknown>[]): Setting<unknown>[] {
  for (const v of Object.values(shape)) {
    if (isSetting(v)) out.push(v);
    else collect(isTable(v) ? v.shape : v, out);
  }
  return out;
}

function parseShape(shape: SettingsShape, env: EnvSource, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(shape)) {
    if (isSetting(v)) {
      try {
        out[key] = v.parse(env[v.env]);
      } catch (err) {
        if (!(err instanceof SettingValueError)) throw err;
        problems.push(`${v.env}: ${err.message}`);
      }
    } else if (isTable(v)) {
      const sub = parseShape(v.shape, env, problems);
      out[key] = sub;
      checkRules(v.rules, sub, problems);
    } else {
      out[key] = parseShape(v, env, problems);
    }
  }
  return out;
}

function checkRules(rules: readonly Rule<never>[], config: Record<string, unknown>, problems: string[]): void {
  // A rule only runs on a config whose own values all parsed; otherwise it would see gaps.
  if (problems.length > 0) return;
  for (const rule of rules) {
    const wrong = (rule as Rule<Record<string, unknown>>).check(config);
    if (wrong !== undefined) problems.push(`${rule.env}: ${wrong}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function merge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    const b = base[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
      ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}

/** The `--help` table: VARIABLE, DEFAULT, MEANING. */
export function formatSettingsHelp(settings: readonly Setting<unknown>[]): string {
  const rows = settings.map((s) => [s.env, s.defaultText ?? '(unset)', s.description] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length), 8);
  const w1 = Math.min(Math.max(...rows.map((r) => r[1].length), 7), 40);
  const head = `${'VARIABLE'.padEnd(w0)}  ${'DEFAULT'.padEnd(w1)}  MEANING`;
  return [head, ...rows.map(([n, d, m]) => `${n.padEnd(w0)}  ${d.padEnd(w1)}  ${m}`)].join('\n');
}

export function defineSettings<const S extends SettingsShape>(shape: S, rules: readonly Rule<ConfigOf<S>>[] = []): SettingsTable<S> {
  const variables = collect(shape, []);
  const seen = new Set<string>();
  for (const v of variables) {
    // One variable, one meaning: a table that reads it twice is a programming error.
    if (seen.has(v.env)) throw new Error(`settings table declares ${v.env} twice`);
    seen.add(v.env);
  }
  const table: SettingsTable<S> = {
    kind: 'table',
    shape,
    rules,
    parse(env) {
      const problems: string[] = [];
      const config = parseShape(shape, env, problems);
      checkRules(rules as readonly Rule<never>[], config, problems);
      if (problems.length > 0) throw new ConfigError(problems);
      return deepFreeze(config) as ConfigOf<S>;
    },
    defaults: () => table.parse({}),
    with: (overrides) => deepFreeze(merge(table.parse({}), overrides as Record<string, unknown>)) as ConfigOf<S>,
    help: () => formatSettingsHelp(variables),
    variables: () => variables,
  };
  return table;
}
