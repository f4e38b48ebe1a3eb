/**
 * `helen edge [run]`, `helen edge record --label <name> --out <file>` and `helen edge record
 * --guided --signer <name> --out <dir>`: process wiring
 * only (arguments, settings, logger, lifecycle, exit codes). Nothing runs on import.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createLogger, runService, stopSignal } from '@helen/runtime';
import { createEdge } from './app';
import { cameraSettings } from './camera/config';
import { edgeConfigFromEnv, edgeSettings } from './config';
import { record } from './record';
import { GUIDED_ONLY_OPTIONS, recordGuidedFromCli } from './recording/cli';
import { createSource } from './sources/index';

const USAGE = `usage: helen edge [run]                         run the edge service
       helen edge record --label <name> --out <file> [--frames N] [--seconds S]
                                                  record landmark frames of one sign (JSON Lines)
       helen edge record --guided --signer <name> --out <dir> [--labels all|L1,L2,...] [--takes 5]
                         [--countdown 3] [--seconds 2.0] [--pause 1] [--wait-enter]
                                                  guided takes of every sign for adapting the model:
                                                  <dir>/<signer>/<label>/<signer>-<label>-<take>.jsonl
                                                  (HELEN_EDGE_SOURCE=synthetic signs each asked sign)

Settings come from the environment:
`;

const OPTIONS = {
  label: { type: 'string' },
  out: { type: 'string' },
  frames: { type: 'string' },
  seconds: { type: 'string' },
  guided: { type: 'boolean' },
  signer: { type: 'string' },
  labels: { type: 'string' },
  takes: { type: 'string' },
  countdown: { type: 'string' },
  pause: { type: 'string' },
  'wait-enter': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function help(): string {
  return `${USAGE}\n${edgeSettings.help()}\n\ncamera (HELEN_EDGE_SOURCE=camera):\n${cameraSettings.help()}\n`;
}

/** parseArgs with the edge's own error messages (the option named as typed). */
function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    const option = /'(-[^' ]+)/.exec(e.message)?.[1] ?? '?';
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new Error(`unknown option "${option}"`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`${option} needs a value`);
    throw err;
  }
}

function positiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got "${raw}")`);
  return n;
}

export async function main(argv: string[]): Promise<number | void> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    process.stdout.write(help());
    return 0;
  }
  const [command = 'run', ...extra] = positionals;
  if (command !== 'run' && command !== 'record') throw new Error(`unknown subcommand "${command}" (run, record; --help for settings)`);
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"`);
  if (command === 'run') {
    const given = argv.slice(argv.indexOf('run') + 1);
    if (given.length > 0) throw new Error(`run takes no arguments (got ${given.join(' ')})`);
  }

  const config = edgeConfigFromEnv(process.env);
  const log = createLogger(config.logLevel, { service: 'helen-edge', device: config.deviceId });

  if (command === 'record' && values.guided) return recordGuidedFromCli(values, config, log);
  if (command === 'record') {
    const guidedOnly = GUIDED_ONLY_OPTIONS.find((name) => values[name] !== undefined);
    if (guidedOnly) throw new Error(`--${guidedOnly} needs --guided`);
    const out = values.out;
    if (!out) throw new Error('record needs --out <file>');
    const maxFrames = positiveNumber('frames', values.frames);
    const maxSeconds = positiveNumber('seconds', values.seconds);
    const stop = stopSignal();
    try {
      const source = await createSource(config, { log: log.child({ module: 'source' }), env: process.env });
      const result = await record({ source, label: values.label ?? '', out, log, maxFrames, maxSeconds, signal: stop.signal });
      if (result.frames === 0) throw new Error(`no frames recorded to ${out}`);
      return 0;
    } finally {
      stop.dispose();
    }
  }

  const edge = createEdge(config, { log, env: process.env });
  let end: (code: number) => void = () => undefined;
  const ended = new Promise<number>((resolve) => (end = resolve));
  return runService({
    async start() {
      await edge.start();
      // A finite source (a replay, a synthetic script) ending ends the service, once the
      // replies to its last windows have had their time to come back.
      void edge.source?.finished.then(() => delay(config.requestTimeoutMs + 200)).then(() => end(0));
    },
    stop: () => edge.stop(),
    ended,
  }, { log });
}
