/**
 * Bytes per request and encode/decode time for one 30 x 84 window with mask, JSON vs
 * binary f16 vs binary f32. Run: npx tsx schemas/bench/codec.bench.ts
 */
import { performance } from 'node:perf_hooks';
import { FeatureWindow, FrameFeaturizer } from '@helen/features';
import { decodeRequest, encodeRequestBinary, encodeRequestJson, type FeatureSequence, type LandmarkFrame } from '../src/index';

const SEQ_LEN = 30;

/** A realistic window: features of a synthetic hand moving across 30 frames (one hand missing now and then). */
function realisticWindow(): FeatureSequence {
  const fz = new FrameFeaturizer({ useZ: false });
  const w = new FeatureWindow(SEQ_LEN, fz.featureDim);
  for (let t = 0; t < SEQ_LEN; t++) {
    const hand = (handedness: 'Left' | 'Right', cx: number) => ({
      handedness, score: 0.95,
      landmarks: Array.from({ length: 21 }, (_, i) => [cx + 0.05 * Math.cos(i + t / 7), 0.5 + 0.08 * Math.sin(i * 1.3 + t / 5), -0.01 * i]),
    });
    const frame: LandmarkFrame = { ts: t * 33, hands: t % 10 === 9 ? [hand('Left', 0.3)] : [hand('Left', 0.3 + t * 0.002), hand('Right', 0.7)] };
    w.push(fz.push(frame));
  }
  return w.toSequence();
}

function time(fn: () => unknown, minMs = 300): number {
  for (let i = 0; i < 50; i++) fn(); // warm up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    elapsed = performance.now() - start;
  }
  return (elapsed * 1000) / n;
}

const seq = realisticWindow();
const fields = { id: '01JD7Y0Z8Q9M2W3X4Y5Z6A7B8C', reply_to: 'helen/v1/devices/pi-kitchen/predictions', deadline: Date.now() + 2000, trace: { capture: Date.now() } };
const encoders = {
  json: () => encodeRequestJson(fields, seq),
  f16: () => encodeRequestBinary(fields, seq, 'f16'),
  f32: () => encodeRequestBinary(fields, seq, 'f32'),
};

console.log(`request for a ${seq.frames} x ${seq.featureDim} window with mask and trace`);
console.log('encoding  bytes   encode µs  decode µs');
for (const [name, encode] of Object.entries(encoders)) {
  const buf = encode();
  const enc = time(encode);
  const dec = time(() => decodeRequest(buf));
  console.log(`${name.padEnd(8)}  ${String(buf.length).padStart(6)}  ${enc.toFixed(1).padStart(9)}  ${dec.toFixed(1).padStart(9)}`);
}
