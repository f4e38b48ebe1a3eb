/**
 * Guided recording: a household records its own takes of every sign from the terminal.
 * For each sign and take it prints the sign (with a hint), counts down, says "go", records
 * `seconds` of frames and saves them as
 *
 *   <outDir>/<signer>/<label>/<signer>-<label>-<take>.jsonl
 *
 * in the format of `helen edge record` (the dataset builder walks the folders recursively and
 * reads each file's label). A take where fewer than half the frames hold a hand is asked for
 * once more; a second miss is kept and flagged (`helen models report` lists it). Nothing waits
 * for a key unless `waitEnter` is given, so a session runs unattended in tests; an abort
 * (Ctrl-C) stops at once and keeps every take written so far, the interrupted one included.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CLASS_LABELS } from '@helen/schemas';
import { recordingLine } from '../record';
import { untilAbort, type TakeFeed } from './feeds';
import { signHint } from './hints';

/** A take is redone (once) when fewer than this share of its frames hold a hand. */
export const MIN_HAND_SHARE = 0.5;
/** The signs a guided session may ask for: the model's classes, and `idle` (hands, no sign) as "no sign" examples. */
export const GUIDED_LABELS: readonly string[] = [...CLASS_LABELS, 'idle'];

export interface GuidedOptions {
  feed: TakeFeed;
  outDir: string;
  signer: string;
  labels: readonly string[];
  takes: number;
  /** Seconds counted down before each take (0: none). */
  countdown: number;
  /** Seconds recorded per take. */
  seconds: number;
  /** Seconds of rest after each take. */
  pause: number;
  print(line: string): void;
  /** Resolves when the signer is ready (e.g. presses Enter); absent: no waiting. */
  waitReady?: () => Promise<void>;
  signal?: AbortSignal;
}

export interface TakeResult {
  label: string;
  take: number;
  file: string;
  frames: number;
  framesWithHands: number;
  attempts: number;
  /** Still under MIN_HAND_SHARE after the retake, or cut short by an abort. */
  flagged: boolean;
  interrupted: boolean;
}

export interface GuidedResult { takes: TakeResult[]; interrupted: boolean; signerDir: string }

export function checkSigner(name: string | undefined): string {
  if (!name) throw new Error('--guided needs --signer <name> (letters, digits, - and _)');
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) throw new Error(`--signer "${name}": use letters, digits, - and _ (it names folders and files)`);
  return name;
}

/** `all` (the 22 classes) or a comma list of classes and `idle`. */
export function parseGuidedLabels(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === 'all') return [...CLASS_LABELS];
  const labels = raw.split(',').map((l) => l.trim()).filter((l) => l !== '');
  for (const l of labels) {
    if (!GUIDED_LABELS.includes(l)) throw new Error(`--labels: "${l}" is not one of the model's classes (${CLASS_LABELS.join(', ')}) nor idle`);
  }
  if (labels.length === 0) throw new Error('--labels is empty');
  return [...new Set(labels)];
}

/** The next free take number in a sign's folder, so a second session adds takes instead of overwriting. */
async function nextTake(dir: string, signer: string, label: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const prefix = `${signer}-${label}-`;
  const taken = names.filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl')).map((n) => Number(n.slice(prefix.length, -'.jsonl'.length)));
  return Math.max(0, ...taken.filter(Number.isInteger)) + 1;
}

const handShare = (r: { frames: number; framesWithHands: number }): number => (r.frames ? r.framesWithHands / r.frames : 0);
const pct = (part: number, whole: number): string => `${whole ? Math.round((100 * part) / whole) : 0}%`;

export async function recordGuided(opts: GuidedOptions): Promise<GuidedResult> {
  const signal = opts.signal ?? new AbortController().signal;
  const signerDir = join(opts.outDir, opts.signer);
  const results: TakeResult[] = [];
  const total = opts.labels.length * opts.takes;
  let serial = 0;
  // Waits that an abort cuts short; false when aborted.
  const wait = (seconds: number): Promise<boolean> =>
    seconds > 0 ? delay(seconds * 1000, true, { signal }).catch(() => false) : Promise.resolve(!signal.aborted);

  opts.print(`recording ${opts.labels.length} sign(s) x ${opts.takes} take(s) of ${opts.seconds} s for ${opts.signer} -> ${signerDir} (Ctrl-C stops and keeps what was recorded)`);
  outer: for (const [i, label] of opts.labels.entries()) {
    const dir = join(signerDir, label);
    await mkdir(dir, { recursive: true });
    const first = await nextTake(dir, opts.signer, label);
    for (let t = 0; t < opts.takes; t++) {
      const take = first + t;
      const file = join(dir, `${opts.signer}-${label}-${take}.jsonl`);
      const hint = signHint(label);
      let result: TakeResult | undefined;
      for (let attempt = 1; attempt <= 2; attempt++) {
        opts.print(`\n[${i * opts.takes + t + 1}/${total}] sign ${label}${hint ? ` (${hint})` : ''}, take ${t + 1}/${opts.takes}${attempt > 1 ? ', once more' : ''}`);
        if (opts.waitReady) {
          opts.print('  press Enter when ready');
          const stop = untilAbort(signal);
          await Promise.race([opts.waitReady(), stop.promise]).finally(() => stop.dispose());
        }
        for (let n = opts.countdown; n > 0 && !signal.aborted; n--) {
          opts.print(`  ${n}...`);
          await wait(1);
        }
        // Stopped before this attempt began: a first try already on disk is kept (flagged below).
        if (signal.aborted || opts.feed.ended) break;
        opts.print('  go');
        const counts = await captureTake(opts.feed, { label, serial: serial++ }, opts.seconds, file, signal);
        const interrupted = signal.aborted;
        if (counts.frames === 0) {
          // Nothing came (the source ended or the stop came first): no empty file for the dataset builder to refuse.
          await rm(file, { force: true });
          opts.print('  no frames arrived');
          break;
        }
        result = { label, take, file, ...counts, attempts: attempt, flagged: false, interrupted };
        opts.print(`  saved ${file}: ${counts.frames} frames, ${pct(counts.framesWithHands, counts.frames)} with a hand${interrupted ? ' (interrupted)' : ''}`);
        if (interrupted || handShare(result) >= MIN_HAND_SHARE) break;
        opts.print(attempt === 1
          ? `  a hand was seen in only ${pct(counts.framesWithHands, counts.frames)} of the frames (need ${100 * MIN_HAND_SHARE}%): keep your hand in view, once more`
          : '  still too few frames with a hand: kept, and flagged in `helen models report`');
      }
      if (result) {
        result.flagged = result.interrupted || handShare(result) < MIN_HAND_SHARE;
        results.push(result);
      }
      if (signal.aborted || opts.feed.ended) break outer;
      const last = i === opts.labels.length - 1 && t === opts.takes - 1;
      if (!last && !(await wait(opts.pause))) break outer;
    }
  }
  const flagged = results.filter((r) => r.flagged);
  opts.print(`\n${signal.aborted ? 'stopped: ' : ''}${results.length} take(s) saved under ${signerDir}` +
    (flagged.length ? `; flagged (${flagged.length}): ${flagged.map((r) => `${r.label} #${r.take}`).join(', ')}` : '') +
    `\nnext: helen models report --in ${opts.outDir}`);
  return { takes: results, interrupted: signal.aborted, signerDir };
}

/** Streams one take to its file (a retake overwrites the first try); an abort keeps the frames so far. */
async function captureTake(feed: TakeFeed, cue: { label: string; serial: number }, seconds: number, file: string, signal: AbortSignal) {
  const out = createWriteStream(file, { flags: 'w' });
  await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
  let frames = 0;
  let framesWithHands = 0;
  try {
    await feed.capture(cue, seconds, (f) => {
      out.write(recordingLine(f, cue.label, feed.kind));
      frames++;
      if (f.hands.length > 0) framesWithHands++;
    }, signal);
  } finally {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  return { frames, framesWithHands };
}
