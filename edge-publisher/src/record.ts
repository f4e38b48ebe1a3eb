/**
 * Record mode: landmark frames from the configured source, each stamped with the sign's
 * label, appended to a JSON Lines file as they arrive (an interrupted session keeps what it
 * recorded). The file is what the foundation's dataset builder and trainer read.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { CLASS_LABELS, isClassLabel, type LandmarkFrame } from '@helen/schemas';
import type { LandmarkSource } from './sources/source';

export interface RecordOptions {
  source: LandmarkSource;
  label: string;
  out: string;
  /** Stop after this many frames / seconds (whichever first); otherwise at `signal` or the source's end. */
  maxFrames?: number;
  maxSeconds?: number;
  signal?: AbortSignal;
  log: Logger;
}

export interface RecordResult {
  frames: number;
  framesWithHands: number;
  file: string;
}

export function checkRecordLabel(label: string | undefined): string {
  if (!label) throw new Error('record needs --label <name>');
  if (!isClassLabel(label)) throw new Error(`--label "${label}" is not one of the model's classes: ${CLASS_LABELS.join(', ')}`);
  return label;
}

/** One line of a recording file: the frame stamped with its sign's label (what the dataset builder reads). */
export function recordingLine(f: LandmarkFrame, label: string, sourceKind: string): string {
  return `${JSON.stringify({ ts: f.ts, hands: f.hands, label, source: f.source ?? sourceKind })}\n`;
}

export async function record(opts: RecordOptions): Promise<RecordResult> {
  const label = checkRecordLabel(opts.label);
  await mkdir(dirname(opts.out), { recursive: true });
  const out = createWriteStream(opts.out, { flags: 'w' });
  const opened = new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
  await opened;
  let frames = 0;
  let withHands = 0;
  let stopRequested: () => void = () => undefined;
  const stopped = new Promise<void>((r) => (stopRequested = r));
  const onFrame = (f: LandmarkFrame) => {
    if (opts.maxFrames !== undefined && frames >= opts.maxFrames) return;
    out.write(recordingLine(f, label, opts.source.kind));
    frames++;
    if (f.hands.length > 0) withHands++;
    if (frames % 300 === 0) opts.log.info({ frames, withHands }, 'recording');
    if (opts.maxFrames !== undefined && frames >= opts.maxFrames) stopRequested();
  };
  const timer = opts.maxSeconds !== undefined ? setTimeout(stopRequested, opts.maxSeconds * 1000) : undefined;
  opts.signal?.addEventListener('abort', () => stopRequested(), { once: true });
  try {
    await opts.source.start(onFrame);
    opts.log.info({ label, out: opts.out }, 'recording started');
    await Promise.race([stopped, opts.source.finished]);
  } finally {
    clearTimeout(timer);
    await opts.source.stop();
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  opts.log.info({ frames, withHands, out: opts.out }, 'recording written');
  return { frames, framesWithHands: withHands, file: opts.out };
}
