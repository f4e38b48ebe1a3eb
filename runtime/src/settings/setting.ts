/**
 * One setting = one environment variable, declared once with its type, default, range and
 * meaning. A settings table (table.ts) is built from these; everything else (the typed config,
 * the defaults, the `NAME: what is wrong` validation and `--help`) is generated from it.
 */
import { accessSync, constants } from 'node:fs';
import { isValidTopicId } from '@helen/schemas';

export interface Setting<T> {
  readonly kind: 'setting';
  /** The environment variable. */
  readonly env: string;
  readonly description: string;
  /** The default as `--help` shows it; `undefined` means unset. */
  readonly defaultText: string | undefined;
  /** Blank or missing means the default. Throws SettingValueError with what is wrong. */
  parse(raw: string | undefined): T;
}

/** The path when the file can be read now; throws saying it cannot (for settings of files). */
export function readableFile(path: string): string {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    fail(`cannot read the file "${path}"`);
  }
  return path;
}

/** What is wrong with one value, without the variable's name (the table adds it). */
export class SettingValueError extends Error {}

export function fail(message: string): never {
  throw new SettingValueError(message);
}

type Parser<T> = (raw: string) => T;
interface Range { min?: number; max?: number }

function define<T>(env: string, description: string, parse: Parser<T>, fallback: T | (() => T), defaultText?: string): Setting<T> {
  const resolveDefault = (): T => (typeof fallback === 'function' ? (fallback as () => T)() : fallback);
  return {
    kind: 'setting',
    env,
    description,
    defaultText: defaultText ?? (fallback === undefined || typeof fallback === 'function' ? undefined : String(fallback)),
    parse: (raw) => (raw === undefined || raw.trim() === '' ? resolveDefault() : parse(raw.trim())),
  };
}

function numberParser(range: Range & { integer?: boolean }): Parser<number> {
  return (raw) => {
    const n = Number(raw);
    if (!Number.isFinite(n)) fail(`must be a number (got "${raw}")`);
    if (range.integer && !Number.isInteger(n)) fail(`must be an integer (got "${raw}")`);
    if (range.min !== undefined && n < range.min) fail(`must be >= ${range.min} (got ${raw})`);
    if (range.max !== undefined && n > range.max) fail(`must be <= ${range.max} (got ${raw})`);
    return n;
  };
}

function urlParser(protocols: readonly string[]): Parser<string> {
  return (raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return fail(`must be a URL (got "${raw}")`);
    }
    const scheme = url.protocol.replace(/:$/, '');
    if (!protocols.includes(scheme)) fail(`must use ${protocols.map((p) => `${p}://`).join(' or ')} (got "${raw}")`);
    return raw;
  };
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

export const setting = {
  string: (env: string, description: string, fallback: string) => define(env, description, (r) => r, fallback),
  optionalString: (env: string, description: string) => define<string | undefined>(env, description, (r) => r, undefined),
  /** Never shown anywhere but where it is used (help says only whether a default exists). */
  secret: (env: string, description: string) => define<string | undefined>(env, `${description} (never logged)`, (r) => r, undefined),
  int: (env: string, description: string, fallback: number, range: Range = {}) =>
    define(env, description, numberParser({ ...range, integer: true }), fallback),
  number: (env: string, description: string, fallback: number, range: Range = {}) => define(env, description, numberParser(range), fallback),
  optionalNumber: (env: string, description: string, range: Range = {}) =>
    define<number | undefined>(env, description, numberParser(range), undefined),
  /** Given in seconds (the original variables' unit), held in whole milliseconds. */
  secondsAsMs: (env: string, description: string, fallbackSeconds: number, range: Range = {}) => {
    const parse = numberParser(range);
    return define(env, description, (r) => Math.round(parse(r) * 1000), Math.round(fallbackSeconds * 1000), String(fallbackSeconds));
  },
  port: (env: string, description: string, fallback: number) => define(env, description, numberParser({ min: 0, max: 65535, integer: true }), fallback),
  bool: (env: string, description: string, fallback: boolean) =>
    define(env, description, (r) => {
      const v = r.toLowerCase();
      if (TRUE.includes(v)) return true;
      if (FALSE.includes(v)) return false;
      return fail(`must be true/false, 1/0, yes/no or on/off (got "${r}")`);
    }, fallback),
  oneOf: <const V extends string>(env: string, description: string, values: readonly V[], fallback: V) =>
    define<V>(env, `${description} (${values.join(' | ')})`, (r) => {
      if ((values as readonly string[]).includes(r)) return r as V;
      return fail(`must be one of ${values.join(', ')} (got "${r}")`);
    }, fallback),
  url: (env: string, description: string, fallback: string, protocols: readonly string[]) => define(env, description, urlParser(protocols), fallback),
  optionalUrl: (env: string, description: string, protocols: readonly string[]) =>
    define<string | undefined>(env, description, urlParser(protocols), undefined),
  /** `:`-separated list (like PATH); empty entries ignored. */
  pathList: (env: string, description: string, fallback: readonly string[], defaultText?: string) =>
    define<readonly string[]>(env, description, (r) => r.split(':').filter((p) => p.length > 0), fallback, defaultText ?? fallback.join(':')),
  /** A file that must be readable at start-up (certificates, keys). */
  optionalFile: (env: string, description: string) =>
    define<string | undefined>(env, description, readableFile, undefined),
  /** One topic level usable as an id (1-128 of A-Z a-z 0-9 . _ : -). */
  topicId: <D extends string | undefined>(env: string, description: string, fallback: D | (() => D), defaultText?: string) =>
    define<D | string>(env, description, (r) => (isValidTopicId(r) ? r : fail(`must be 1-128 of A-Z a-z 0-9 . _ : - (got "${r}")`)), fallback, defaultText),
  /** Anything else: `parse` throws an Error whose message says what is wrong. */
  custom: <T>(env: string, description: string, parse: (raw: string) => T, fallback: T | (() => T), defaultText?: string) =>
    define(env, description, (r) => {
      try {
        return parse(r);
      } catch (err) {
        return fail((err as Error).message);
      }
    }, fallback, defaultText),
};
