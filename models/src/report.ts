/**
 * `helen models report`: what a folder of recordings holds before it is trained on. Takes,
 * frames, how often a hand (and two hands) was seen, per class and signer, the classes nobody
 * recorded, and the takes where the hand was mostly out of view (the guided recorder's flag).
 *
 * The signer of a take is the folder above its label folder (`<dir>/<signer>/<label>/<file>`,
 * the guided recorder's layout); with only `<label>/<file>` below the folder given, it is the
 * folder's own name.
 */
import { basename, relative, resolve, sep } from 'node:path';
import { CLASS_LABELS } from '@helen/schemas';
import { readRecording } from '@helen/synthetic-signer';
import { listRecordings, OUTLIER_LABELS, recordingLabel } from './dataset/build';

/** Same threshold as the guided recorder's retake rule. */
export const MIN_HAND_SHARE = 0.5;

export interface ReportRow { label: string; signer: string; takes: number; frames: number; handFrames: number; twoHandFrames: number; handPct: number; twoHandPct: number }
export interface TakeStat { file: string; label: string; signer: string; frames: number; handFrames: number; twoHandFrames: number }

export interface DatasetReport {
  dir: string;
  takes: number;
  frames: number;
  signers: string[];
  /** One row per (class, signer) with at least one take, classes in model order then idle/none, signers sorted. */
  rows: ReportRow[];
  /** Classes without any take, over all signers. */
  missing: string[];
  /** Per signer: the classes they recorded no take of. */
  missingBySigner: Record<string, string[]>;
  /** Takes with a hand in fewer than MIN_HAND_SHARE of their frames. */
  lowHandTakes: (TakeStat & { handPct: number })[];
}

const percent = (part: number, whole: number): number => (whole ? Math.round((1000 * part) / whole) / 10 : 0);

function signerOf(dir: string, file: string): string {
  const parts = relative(dir, file).split(sep);
  return parts.length >= 3 ? (parts[parts.length - 3] as string) : basename(resolve(dir));
}

export async function reportRecordings(dir: string): Promise<DatasetReport> {
  const files = await listRecordings(dir);
  if (files.length === 0) throw new Error(`no .jsonl recordings under ${dir}`);
  const takes: TakeStat[] = [];
  for (const file of files) {
    const frames = await readRecording(file);
    takes.push({
      file: relative(dir, file), label: recordingLabel(file, frames), signer: signerOf(dir, file), frames: frames.length,
      handFrames: frames.filter((f) => f.hands.length > 0).length, twoHandFrames: frames.filter((f) => f.hands.length > 1).length,
    });
  }
  const order = [...CLASS_LABELS, ...OUTLIER_LABELS] as string[];
  const signers = [...new Set(takes.map((t) => t.signer))].sort();
  const rows: ReportRow[] = [];
  for (const label of order) {
    for (const signer of signers) {
      const mine = takes.filter((t) => t.label === label && t.signer === signer);
      if (mine.length === 0) continue;
      const sum = (k: 'frames' | 'handFrames' | 'twoHandFrames') => mine.reduce((a, t) => a + t[k], 0);
      const frames = sum('frames');
      rows.push({
        label, signer, takes: mine.length, frames, handFrames: sum('handFrames'), twoHandFrames: sum('twoHandFrames'),
        handPct: percent(sum('handFrames'), frames), twoHandPct: percent(sum('twoHandFrames'), frames),
      });
    }
  }
  const has = (label: string, signer?: string) => takes.some((t) => t.label === label && (signer === undefined || t.signer === signer));
  return {
    dir, takes: takes.length, frames: takes.reduce((a, t) => a + t.frames, 0), signers, rows,
    missing: CLASS_LABELS.filter((c) => !has(c)),
    missingBySigner: Object.fromEntries(signers.map((s) => [s, CLASS_LABELS.filter((c) => !has(c, s))])),
    lowHandTakes: takes
      .filter((t) => t.frames === 0 || t.handFrames / t.frames < MIN_HAND_SHARE)
      .map((t) => ({ ...t, handPct: percent(t.handFrames, t.frames) })),
  };
}

export function formatReport(r: DatasetReport): string {
  const lines = [
    `${r.dir}: ${r.takes} take(s), ${r.frames} frames, ${r.signers.length} signer(s) (${r.signers.join(', ')})`,
    '',
    '| class | signer | takes | frames | hand % | two-hand % |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...r.rows.map((w) => `| ${w.label} | ${w.signer} | ${w.takes} | ${w.frames} | ${w.handPct.toFixed(1)} | ${w.twoHandPct.toFixed(1)} |`),
    '',
    r.missing.length ? `missing classes (no take by anyone): ${r.missing.join(', ')}` : 'missing classes: none',
  ];
  // With one signer the line above says it all.
  for (const [signer, missing] of r.signers.length > 1 ? Object.entries(r.missingBySigner) : []) {
    if (missing.length > 0 && missing.length < CLASS_LABELS.length) lines.push(`  ${signer} has no take of: ${missing.join(', ')}`);
    if (missing.length === CLASS_LABELS.length) lines.push(`  ${signer} has no take of any class`);
  }
  lines.push(r.lowHandTakes.length
    ? `takes with a hand in < ${100 * MIN_HAND_SHARE}% of frames (record again or delete): ${r.lowHandTakes.map((t) => `${t.file} (${t.handPct}%)`).join(', ')}`
    : `takes with a hand in < ${100 * MIN_HAND_SHARE}% of frames: none`);
  return lines.join('\n');
}
