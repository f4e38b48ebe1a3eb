/**
 * Sparse hands in a binary request (flag bit 2). A feature frame is two hand halves, features
 * [0, F/2) and [F/2, F), and a hand that is not in view is all zeros. Most signs use one hand,
 * so half of a dense window is zeros; the sparse layout sends, per frame, one presence byte
 * (bit 0 = first half sent, bit 1 = second half sent) and only the halves that hold a value.
 * Lossless: a half is left out only when every value is +0, and decoding writes +0 back.
 */
import { WireError } from './errors';
import type { FeatureSequence } from './sequence';

/** Bits of one presence byte. */
const FIRST = 1;
const SECOND = 2;

function halfIsZero(data: Float32Array, from: number, width: number): boolean {
  for (let i = from; i < from + width; i++) if (!Object.is(data[i], 0)) return false;
  return true;
}

/**
 * The presence byte of each frame, or undefined when the sparse layout would not be smaller
 * (an odd F, or too few empty halves to pay for the T presence bytes).
 */
export function handPresence(seq: FeatureSequence, valueBytes: number): Uint8Array | undefined {
  const { frames, featureDim, data } = seq;
  if (featureDim < 2 || featureDim % 2 !== 0) return undefined;
  const half = featureDim / 2;
  const presence = new Uint8Array(frames);
  let absent = 0;
  for (let t = 0; t < frames; t++) {
    const row = t * featureDim;
    let bits = 0;
    if (halfIsZero(data, row, half)) absent++;
    else bits |= FIRST;
    if (halfIsZero(data, row + half, half)) absent++;
    else bits |= SECOND;
    presence[t] = bits;
  }
  return absent * half * valueBytes > frames ? presence : undefined;
}

/** How many halves the presence bytes say are sent. */
export function sentHalves(presence: Uint8Array): number {
  let n = 0;
  for (const bits of presence) n += (bits & FIRST) + ((bits & SECOND) >> 1);
  return n;
}

/** The sent halves' values, frame by frame, first half before second. */
export function packHalves(seq: FeatureSequence, presence: Uint8Array): Float32Array {
  const half = seq.featureDim / 2;
  const out = new Float32Array(sentHalves(presence) * half);
  let o = 0;
  for (let t = 0; t < seq.frames; t++) {
    const row = t * seq.featureDim;
    const bits = presence[t] as number;
    if (bits & FIRST) { out.set(seq.data.subarray(row, row + half), o); o += half; }
    if (bits & SECOND) { out.set(seq.data.subarray(row + half, row + seq.featureDim), o); o += half; }
  }
  return out;
}

/** Checks presence bytes read from the wire: an even F and only bits 0 and 1. */
export function checkPresence(presence: Uint8Array, featureDim: number): void {
  if (featureDim % 2 !== 0) throw new WireError(`sparse hands need an even feature count (got F=${featureDim})`);
  for (let t = 0; t < presence.length; t++) {
    const bits = presence[t] as number;
    if (bits > (FIRST | SECOND)) throw new WireError(`sparse presence byte of frame ${t} is ${bits} (0-3)`);
  }
}

/** The dense T x F values back from the sent halves (absent halves are +0). */
export function unpackHalves(values: Float32Array, presence: Uint8Array, featureDim: number): Float32Array {
  const half = featureDim / 2;
  const out = new Float32Array(presence.length * featureDim);
  let v = 0;
  for (let t = 0; t < presence.length; t++) {
    const row = t * featureDim;
    const bits = presence[t] as number;
    if (bits & FIRST) { out.set(values.subarray(v, v + half), row); v += half; }
    if (bits & SECOND) { out.set(values.subarray(v, v + half), row + half); v += half; }
  }
  return out;
}
