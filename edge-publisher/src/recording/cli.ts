/**
 * `helen edge record --guided ...`: options -> a guided session on the configured source.
 * HELEN_EDGE_SOURCE=synthetic gets a feed that signs each asked sign (tests, demos); the camera
 * (or a replay) runs once for the whole session.
 */
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { stopSignal } from '@helen/runtime';
import type { EdgeConfig } from '../config';
import { createSource } from '../sources/index';
import { liveFeed, syntheticFeed, type TakeFeed } from './feeds';
import { checkSigner, parseGuidedLabels, recordGuided } from './guided';

type Values = Record<string, string | boolean | undefined>;

/** Options that only mean something with --guided (refused without it, not silently ignored). */
export const GUIDED_ONLY_OPTIONS = ['signer', 'labels', 'takes', 'countdown', 'pause', 'wait-enter'] as const;

function number(values: Values, name: string, fallback: number, opts: { min: number; integer?: boolean; exclusive?: boolean }): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  const low = opts.exclusive ? n <= opts.min : n < opts.min;
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || low || (opts.integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be ${opts.integer ? 'an integer' : 'a number'} ${opts.exclusive ? '>' : '>='} ${opts.min} (got "${String(raw)}")`);
  }
  return n;
}

/** Resolves one wait per Enter; at the end of input (not a terminal, closed) every wait resolves at once. */
function enterKey(input: NodeJS.ReadableStream) {
  const rl = createInterface({ input });
  let waiting: (() => void)[] = [];
  let closed = false;
  rl.on('line', () => waiting.shift()?.());
  rl.on('close', () => {
    closed = true;
    for (const w of waiting) w();
    waiting = [];
  });
  return {
    wait: (): Promise<void> => (closed ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
    close: () => rl.close(),
  };
}

export async function recordGuidedFromCli(values: Values, config: EdgeConfig, log: Logger): Promise<number> {
  for (const name of ['label', 'frames'] as const) {
    if (values[name] !== undefined) throw new Error(`--${name} is for a single recording; --guided takes --labels and --seconds`);
  }
  const out = values.out;
  if (typeof out !== 'string' || out === '') throw new Error('record --guided needs --out <dir>');
  const signer = checkSigner(typeof values.signer === 'string' ? values.signer : undefined);
  const labels = parseGuidedLabels(typeof values.labels === 'string' ? values.labels : undefined);
  const takes = number(values, 'takes', 5, { min: 1, integer: true });
  const countdown = number(values, 'countdown', 3, { min: 0, integer: true });
  const seconds = number(values, 'seconds', 2, { min: 0, exclusive: true });
  const pause = number(values, 'pause', 1, { min: 0 });

  const s = config.source;
  const feed: TakeFeed = s.kind === 'synthetic'
    ? syntheticFeed({ seed: s.seed, fps: s.fps, handScale: s.handScale })
    : liveFeed(await createSource(config, { log: log.child({ module: 'source' }), env: process.env }));
  const stop = stopSignal();
  const enter = values['wait-enter'] ? enterKey(process.stdin) : undefined;
  try {
    const result = await recordGuided({
      feed, outDir: out, signer, labels, takes, countdown, seconds, pause, signal: stop.signal,
      print: (line) => process.stdout.write(`${line}\n`),
      ...(enter ? { waitReady: enter.wait } : {}),
    });
    if (result.takes.length === 0 && !result.interrupted) throw new Error(`no frames arrived from the ${feed.kind} source; nothing recorded`);
    return 0;
  } finally {
    enter?.close();
    stop.dispose();
    await feed.close();
  }
}
