/** Binary requests with sparse hands (flag bit 2): all-zero hand halves are left out, losslessly. */
import { describe, expect, it } from 'vitest';
import { BINARY_HEADER_BYTES, decodeRequest, encodeRequestBinary, float16BitsToFloat32, float32ToFloat16Bits, type FeatureSequence } from '../../src/index';

const F = 84;
const HALF = F / 2;
const fields = { id: 'req-1', reply_to: 'helen/v1/devices/pi/predictions', deadline: 1_800_000_000_000 };
const head = BINARY_HEADER_BYTES + fields.id.length + fields.reply_to.length;

/** A window whose frames hold the given hands: 'L' = first half, 'R' = second, 'LR' both, '' none. */
function windowOf(hands: readonly string[], featureDim = F, seed = 1): FeatureSequence {
  const half = featureDim / 2;
  const data = new Float32Array(hands.length * featureDim);
  let x = seed;
  const next = () => ((x = (x * 16807) % 2147483647) / 2147483647) * 2 - 1;
  hands.forEach((h, t) => {
    for (let f = 0; f < featureDim; f++) {
      const inFirst = f < half;
      if ((inFirst && h.includes('L')) || (!inFirst && h.includes('R'))) data[t * featureDim + f] = next();
    }
  });
  return { frames: hands.length, featureDim, data };
}

const f16 = (v: number) => float16BitsToFloat32(float32ToFloat16Bits(v));
const sparseFlag = (buf: Buffer) => ((buf[4] as number) & 4) !== 0;

describe('sparse hands in binary requests', () => {
  it('sends only the hand in view: a one-hand 30 x 84 window in half the bytes, decoded to the same values', () => {
    const seq = windowOf(new Array(30).fill('L'));
    for (const dtype of ['f16', 'f32'] as const) {
      const size = dtype === 'f16' ? 2 : 4;
      const buf = encodeRequestBinary(fields, seq, dtype);
      expect(sparseFlag(buf)).toBe(true);
      expect(buf.length).toBe(head + 30 + 30 * HALF * size);
      expect(buf.length).toBeLessThan(encodeRequestBinary(fields, seq, dtype, { sparseHands: false }).length / 1.9);
      const back = decodeRequest(buf).sequence;
      expect(back.frames).toBe(30);
      expect(back.featureDim).toBe(F);
      expect(Array.from(back.data)).toEqual(Array.from(seq.data, (v) => (dtype === 'f16' ? f16(v) : v)));
    }
  });

  it('frames with no hand, either hand or both decode in place, with the mask', () => {
    const hands = ['', 'L', 'R', 'LR', '', 'R', 'R', 'L', '', ''];
    const seq = { ...windowOf(hands), mask: Float32Array.from(hands.flatMap((h) => [Number(h.includes('L')), Number(h.includes('R'))])) };
    const buf = encodeRequestBinary(fields, seq, 'f32');
    expect(sparseFlag(buf)).toBe(true);
    const halves = hands.reduce((n, h) => n + h.length, 0);
    expect(buf.length).toBe(head + hands.length + halves * HALF * 4 + hands.length * 2 * 4);
    const back = decodeRequest(buf).sequence;
    expect(Array.from(back.data)).toEqual(Array.from(seq.data));
    expect(Array.from(back.mask ?? [])).toEqual(Array.from(seq.mask));
  });

  it('a window without hands is the presence bytes alone', () => {
    const seq = windowOf(new Array(30).fill(''));
    const buf = encodeRequestBinary(fields, seq, 'f16');
    expect(buf.length).toBe(head + 30);
    expect(Array.from(decodeRequest(buf).sequence.data)).toEqual(new Array(30 * F).fill(0));
  });

  it('stays dense when nothing is saved: both hands, an odd F, too few empty halves, or when asked', () => {
    const cases: [FeatureSequence, { sparseHands?: boolean }][] = [
      [windowOf(new Array(30).fill('LR')), {}],
      [{ frames: 2, featureDim: 3, data: new Float32Array(6) }, {}],
      // One empty half of 2 values (4 bytes as f16) does not pay for 30 presence bytes.
      [windowOf(['L', ...new Array(29).fill('LR')], 4), {}],
      [windowOf(new Array(30).fill('L')), { sparseHands: false }],
    ];
    for (const [seq, opts] of cases) {
      const buf = encodeRequestBinary(fields, seq, 'f16', opts);
      expect(sparseFlag(buf)).toBe(false);
      expect(buf.length).toBe(head + seq.frames * seq.featureDim * 2);
    }
  });

  it('goes sparse exactly when the empty halves outweigh the presence bytes', () => {
    // One empty half of 42 values saves 84 bytes as f16, more than 30 presence bytes cost.
    expect(sparseFlag(encodeRequestBinary(fields, windowOf(['L', ...new Array(29).fill('LR')]), 'f16'))).toBe(true);
    // F = 4, f16: two empty halves save 2 x 2 x 2 = 8 bytes, the same as 8 presence bytes: not worth it.
    expect(sparseFlag(encodeRequestBinary(fields, windowOf(['L', 'L', ...new Array(6).fill('LR')], 4), 'f16'))).toBe(false);
    expect(sparseFlag(encodeRequestBinary(fields, windowOf(['L', 'L', 'L', ...new Array(5).fill('LR')], 4), 'f16'))).toBe(true);
  });

  it('keeps -0: only +0 halves are left out', () => {
    const seq = windowOf(['L', 'L']);
    seq.data[HALF + 3] = -0;
    const back = decodeRequest(encodeRequestBinary(fields, seq, 'f32')).sequence.data;
    expect(Object.is(back[HALF + 3], -0)).toBe(true);
    expect(Object.is(back[F + HALF + 3], 0)).toBe(true);
  });

  it('names the frame and feature of a value out of the float16 range', () => {
    const seq = windowOf(new Array(5).fill('L'));
    seq.data[2 * F + 5] = 70000;
    expect(() => encodeRequestBinary(fields, seq, 'f16')).toThrow('sequence[2][5] = 70000 is outside the float16 range');
  });

  it('refuses lying sparse payloads with a clear error', () => {
    const good = encodeRequestBinary(fields, windowOf(['L', 'R', 'LR']), 'f32');
    const at = head; // the first presence byte
    const bad = (edit: (b: Buffer) => Buffer) => () => decodeRequest(edit(Buffer.from(good)));
    expect(bad((b) => { b[at + 1] = 4; return b; })).toThrow('sparse presence byte of frame 1 is 4 (0-3)');
    expect(bad((b) => { b[at] = 3; return b; })).toThrow(/expected \d+ for T=3 F=84 f32 sparse/);
    expect(bad((b) => Buffer.concat([b, Buffer.from([0])]))).toThrow(/sparse/);
    expect(bad((b) => b.subarray(0, at + 1))).toThrow('binary request truncated in the sparse presence bytes');
    expect(bad((b) => { b.writeUInt32LE(83, 16); return b; })).toThrow('sparse hands need an even feature count (got F=83)');
    expect(decodeRequest(Buffer.from(good)).sequence.frames).toBe(3);
  });
});
