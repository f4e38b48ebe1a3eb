/**
 * The monitor's settings: the environment (broker, credentials, TLS, topic prefix, log level)
 * from one table, like every service, plus its own command-line options (what to watch and
 * how to print it). Nothing else in this package reads process.env or argv.
 */
import { parseArgs } from 'node:util';
import {
  defineSettings, mqttClientSettings, parseLogLevel, setting, topicPrefixSetting, type ConfigOf, type EnvSource, type LogLevel,
} from '@helen/runtime';
import { createTopics } from '@helen/schemas';

/**
 * The monitor's stdout is its output, and its logs go to stderr; at `info` every start would
 * print connection chatter there, so it only speaks up about problems unless asked.
 */
const monitorLogLevelSetting = setting.custom('HELEN_LOG_LEVEL',
  'log level of the connection log on stderr: trace, debug, info, warn, error, fatal, silent (Python names accepted)', parseLogLevel, 'warn' as LogLevel);

export const monitorSettings = defineSettings({
  logLevel: monitorLogLevelSetting,
  topicPrefix: topicPrefixSetting,
  mqtt: mqttClientSettings,
}, [
  // The prefix becomes the default filter: a bad one is a start-up error naming the variable.
  { env: 'HELEN_TOPIC_PREFIX', check: (c) => prefixProblem(c.topicPrefix) },
]);

function prefixProblem(prefix: string): string | undefined {
  try {
    createTopics(prefix);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export type MonitorSettings = ConfigOf<typeof monitorSettings.shape>;

export interface MonitorOptions {
  /** One JSON object per line instead of the aligned text lines. */
  readonly json: boolean;
  /** How often per-device rates are printed, ms; 0 = never. */
  readonly intervalMs: number;
  /** Topic filters to watch; empty means `<prefix>/#`. */
  readonly topics: readonly string[];
}

export interface MonitorConfig extends MonitorOptions {
  readonly settings: MonitorSettings;
}

export const DEFAULT_INTERVAL_S = 5;

export const OPTIONS_HELP = `options:
  --json               one JSON object per line (messages, and {"type":"rates",...} per interval)
  --interval SECONDS   print per-device rates every SECONDS (default ${DEFAULT_INTERVAL_S}; 0 = off)
  --topic FILTER       topic filter to watch (default <HELEN_TOPIC_PREFIX>/#); may be repeated
  -h, --help           this help`;

const ARG_OPTIONS = {
  json: { type: 'boolean' },
  interval: { type: 'string' },
  topic: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parsed command line, or `help: true` when the user asked for help (nothing else is checked then). */
export function parseMonitorArgs(argv: readonly string[]): MonitorOptions & { help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: ARG_OPTIONS, allowPositionals: false, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const option = /'(-[^' ]+)/.exec(e.message)?.[1] ?? '?';
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new Error(`unknown option "${option}" (--help lists the options)`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // parseArgs will not take a value that starts with "-" after a space (`--interval -1`).
      throw new Error(e.message.includes('ambiguous') ? `${option} needs a value (one starting with "-" is written ${option}=VALUE)` : `${option} needs a value`);
    }
    if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new Error(`unexpected argument (--help lists the options): ${e.message}`);
    throw err;
  }
  const { values } = parsed;
  const help = values.help === true;
  const topics = values.topic ?? [];
  if (!help) for (const t of topics) checkTopicFilter(t);
  return { help, json: values.json === true, intervalMs: help ? 0 : intervalMs(values.interval), topics };
}

function intervalMs(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_INTERVAL_S * 1000;
  const seconds = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new Error(`--interval must be a number of seconds >= 0 (got "${raw}")`);
  return Math.round(seconds * 1000);
}

/** MQTT filter rules (spec 4.7): `#` only as the whole last level, `+` only as a whole level. */
export function checkTopicFilter(filter: string): void {
  const why = (reason: string) => new Error(`--topic "${filter}" is not a valid MQTT topic filter: ${reason}`);
  if (filter.length === 0) throw why('it is empty');
  if (filter.includes('\u0000')) throw why('it contains NUL');
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) throw why('"#" must be the whole last level');
    if (level.includes('+') && level !== '+') throw why('"+" must be a whole level');
  });
}

/** The environment and the command line -> a frozen config; throws naming every bad variable or option. */
export function monitorConfig(env: EnvSource, options: MonitorOptions): MonitorConfig {
  const settings = monitorSettings.parse(env);
  return Object.freeze({ settings, json: options.json, intervalMs: options.intervalMs, topics: Object.freeze([...options.topics]) });
}
