/**
 * Recordings on disk: JSON Lines, one LandmarkFrame per line, the format `helen edge record`
 * writes from a camera. Reading validates every line; a bad line stops the read with
 * `file:line: reason` instead of being skipped, so a dataset never silently loses frames.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { validateLandmarkFrame, type LandmarkFrame } from '@helen/schemas';

export class RecordingError extends Error {
  constructor(readonly file: string, readonly line: number, readonly reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'RecordingError';
  }
}

export async function writeRecording(path: string, frames: LandmarkFrame[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, frames.map((f) => JSON.stringify(f)).join('\n') + (frames.length ? '\n' : ''));
}

/** Parses JSONL text; `file` only names the source in errors. Blank lines are allowed (a trailing newline). */
export function parseRecording(text: string, file: string): LandmarkFrame[] {
  const frames: LandmarkFrame[] = [];
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new RecordingError(file, i + 1, `not JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    const checked = validateLandmarkFrame(value);
    if (!checked.ok) throw new RecordingError(file, i + 1, checked.error);
    const bad = checked.value.hands.flatMap((h) => h.landmarks.flat()).find((v) => !Number.isFinite(v));
    if (bad !== undefined) throw new RecordingError(file, i + 1, `non-finite landmark value ${bad}`);
    frames.push(checked.value);
  }
  return frames;
}

export async function readRecording(path: string): Promise<LandmarkFrame[]> {
  return parseRecording(await readFile(path, 'utf8'), path);
}
