/**
 * `helen edge [run]` and `helen edge record --label <name> --out <file>`: process wiring
 * only (environment, signals, exit codes). Nothing runs on import.
 */
import pino from 'pino';
import { formatEnvHelp } from '@helen/runtime';
import { createEdge } from './app';
import { cameraEnv } from './camera/config';
import { edgeConfigFromEnv, edgeEnv } from './config';
import { record } from './record';
import { createSource } from './sources/index';

const USAGE = `usage: helen edge [run]                         run the edge service
       helen edge record --label <name> --out <file> [--frames N] [--seconds S]
                                                  record landmark frames of one sign (JSON Lines)

Settings come from the environment:
`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

function positiveNumber(args: string[], name: string): number | undefined {
  const raw = flag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return n;
}

/** Resolves on SIGINT/SIGTERM; the returned function removes the handlers. */
function onSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const handler = () => ac.abort();
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return { signal: ac.signal, dispose: () => { process.off('SIGINT', handler); process.off('SIGTERM', handler); } };
}

export async function main(argv: string[]): Promise<number | void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n${formatEnvHelp({ ...edgeEnv, ...cameraEnv })}\n`);
    return 0;
  }
  const [command = 'run', ...args] = argv;
  const known = ['--label', '--out', '--frames', '--seconds'];
  if (command !== 'run' && command !== 'record') throw new Error(`unknown subcommand "${command}" (run, record; --help for settings)`);
  if (command === 'run' && args.length > 0) throw new Error(`run takes no arguments (got ${args.join(' ')})`);
  for (let i = 0; i < args.length; i += 2) if (!known.includes(args[i] as string)) throw new Error(`unknown option "${args[i]}"`);

  const config = edgeConfigFromEnv(process.env);
  const log = pino({ level: config.logLevel, base: { service: 'helen-edge', device: config.deviceId } });
  const sig = onSignal();
  try {
    if (command === 'record') {
      const label = flag(args, '--label');
      const out = flag(args, '--out');
      if (!out) throw new Error('record needs --out <file>');
      const source = await createSource(config, { log: log.child({ module: 'source' }), env: process.env });
      const result = await record({
        source, label: label ?? '', out, log,
        maxFrames: positiveNumber(args, '--frames'), maxSeconds: positiveNumber(args, '--seconds'), signal: sig.signal,
      });
      if (result.frames === 0) throw new Error(`no frames recorded to ${out}`);
      return 0;
    }
    const edge = createEdge(config, { log, env: process.env });
    try {
      await edge.start();
      const ended = edge.source?.finished ?? new Promise<never>(() => undefined);
      await Promise.race([ended.then(() => new Promise((r) => setTimeout(r, config.requestTimeoutMs + 200))), new Promise((r) => sig.signal.addEventListener('abort', r, { once: true }))]);
      log.info('stopping');
    } finally {
      await edge.stop();
    }
    return 0;
  } finally {
    sig.dispose();
  }
}
