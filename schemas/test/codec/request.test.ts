import { describe, expect, it } from 'vitest';
import {
  BINARY_HEADER_BYTES, decodeRequest, formatFloat32, encodeRequestBinary, encodeRequestJson, float16BitsToFloat32, float32ToFloat16Bits,
  sequenceFromRows, sequenceToRows, type FeatureSequence, type RequestEnvelopeFields,
} from '../../src/index';
import { catchWire } from './catch-wire';

const fields: RequestEnvelopeFields = { id: 'req-1', reply_to: 'helen/v1/devices/pi/predictions', deadline: 1732530000123.5, trace: { capture: 1732530000000, publish: 1732530000010 } };

/** A 30 x 84 window of float32 values with a mix of magnitudes and signs. */
function window(frames = 30, dim = 84, withMask = true): FeatureSequence {
  const rows = Array.from({ length: frames }, (_, t) => Array.from({ length: dim }, (_, f) => Math.fround(Math.sin(t * dim + f) * (f % 7 === 0 ? 3 : 1))));
  return sequenceFromRows(rows, withMask ? rows.map((_, t) => [1, t % 3 === 0 ? 0 : 1]) : undefined);
}

describe('JSON requests', () => {
  it('round-trip float32 values exactly, with mask and trace', () => {
    const seq = window();
    const buf = encodeRequestJson(fields, seq);
    const d = decodeRequest(buf);
    expect(d).toMatchObject({ v: 1, id: fields.id, reply_to: fields.reply_to, deadline: fields.deadline, trace: fields.trace, encoding: 'json' });
    expect(d.sequence.frames).toBe(30);
    expect(d.sequence.featureDim).toBe(84);
    expect(Array.from(d.sequence.data)).toEqual(Array.from(seq.data));
    expect(Array.from(d.sequence.mask ?? [])).toEqual(Array.from(seq.mask ?? []));
  });

  it('is the ARCHITECTURE.md shape and prints short decimals', () => {
    const seq = sequenceFromRows([[0.1, 0.5, 0], [1, -2.25, 3]]);
    const body = JSON.parse(encodeRequestJson({ id: 'a', reply_to: 'r', deadline: 5 }, seq).toString('utf8'));
    expect(body).toEqual({ v: 1, id: 'a', reply_to: 'r', deadline: 5, sequence: [[0.1, 0.5, 0], [1, -2.25, 3]] });
    expect(Object.keys(body)).toEqual(['v', 'id', 'reply_to', 'deadline', 'sequence']);
  });

  it('prints every float32 so that it reads back exactly', () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const bits = new Uint32Array(1);
    const asFloat = new Float32Array(bits.buffer);
    for (let i = 0; i < 20000; i++) {
      bits[0] = Math.floor(rand() * 2 ** 32);
      const v = asFloat[0] as number;
      if (!Number.isFinite(v)) continue;
      const s = formatFloat32(v);
      if (Math.fround(Number(s)) !== v && !(v === 0 && Number(s) === 0)) expect.fail(`${v} printed as ${s}`);
    }
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(3)).toBe('3');
  });

  it('accepts leading whitespace and a body without mask or trace', () => {
    const d = decodeRequest(Buffer.from(' \n\t{"v":1,"id":"x","reply_to":"r","deadline":1,"sequence":[[1,2],[3,4]]}'));
    expect(d.sequence).toEqual({ frames: 2, featureDim: 2, data: new Float32Array([1, 2, 3, 4]) });
    expect(d.trace).toBeUndefined();
  });

  it('rejects bad bodies with a clear message and keeps id / reply_to when readable', () => {
    const base = { v: 1, id: 'bad-1', reply_to: 'helen/v1/api/a/replies', deadline: 1, sequence: [[1, 2], [3, 4]] };
    const dec = (o: unknown) => catchWire(() => decodeRequest(Buffer.from(typeof o === 'string' ? o : JSON.stringify(o))));
    let e = dec({ ...base, sequence: [[1, 2], [3]] });
    expect(e.message).toMatch(/not rectangular: sequence\[1\] has 1 values/);
    expect(e.id).toBe('bad-1');
    expect(e.reply_to).toBe('helen/v1/api/a/replies');
    expect(dec({ ...base, sequence: [] }).message).toMatch(/sequence must NOT have fewer than 1 items/);
    expect(dec({ ...base, sequence: [[], []] }).message).toMatch(/at least 1 feature/);
    expect(dec({ ...base, sequence: [1, 2] }).message).toMatch(/\/sequence\/0 must be array/);
    expect(dec({ ...base, mask: [[1, 0]] }).message).toMatch(/mask must be T x 2 with T = 2/);
    expect(dec({ ...base, mask: [[1, 0], [1]] }).message).toMatch(/\/mask\/1 must NOT have fewer than 2 items/);
    expect(dec({ ...base, sequence: [[1, 'a'], [3, 4]] }).message).toMatch(/sequence\/0\/1 must be number/);
    e = dec({ ...base, id: undefined });
    expect(e.message).toMatch(/must have required property 'id'/);
    expect(e.id).toBeUndefined();
    expect(e.reply_to).toBe(base.reply_to);
    expect(dec({ ...base, v: 2 }).message).toMatch(/\/v must be equal to constant/);
    expect(dec('{"v":1,"id":"x","reply_to":"r","deadline":1,"sequence":[[1e400, 0]]}').message).toMatch(/sequence\/0\/0 must be number/); // ajv refuses the Infinity that 1e400 parses to
    expect(dec({ ...base, sequence: [[1, 2], [3, 1e39]] }).message).toMatch(/sequence\[1\]\[1\] = 1e\+39 overflows float32/);
    expect(dec('{"v":1,').message).toMatch(/not valid JSON/);
    expect(dec('[1,2]').message).toMatch(/neither a JSON object nor a binary request/);
    expect(dec('hello').message).toMatch(/neither/);
    expect(catchWire(() => decodeRequest(new Uint8Array(0))).message).toMatch(/empty payload/);
  });

  it('applies frame and feature limits', () => {
    const seq = window(31, 10, false);
    expect(catchWire(() => decodeRequest(encodeRequestJson(fields, seq), { maxFrames: 30 })).message).toMatch(/31 frames, more than the limit 30/);
    expect(catchWire(() => decodeRequest(encodeRequestJson(fields, seq), { maxFeatureDim: 8 })).message).toMatch(/10 features per frame, more than the limit 8/);
    expect(decodeRequest(encodeRequestJson(fields, seq), { maxFrames: 31, maxFeatureDim: 10 }).sequence.frames).toBe(31);
  });
});

describe('binary requests', () => {
  it('round-trip f32 exactly', () => {
    const seq = window();
    const d = decodeRequest(encodeRequestBinary(fields, seq, 'f32'));
    expect(d).toMatchObject({ v: 1, id: fields.id, reply_to: fields.reply_to, deadline: fields.deadline, trace: fields.trace, encoding: 'f32' });
    expect(d.sequence).toEqual(seq);
  });

  it('round-trip f16 to the nearest float16 of each value', () => {
    const seq = window();
    const d = decodeRequest(encodeRequestBinary(fields, seq, 'f16'));
    expect(d.encoding).toBe('f16');
    const expected = Array.from(seq.data, (v) => float16BitsToFloat32(float32ToFloat16Bits(v)));
    expect(Array.from(d.sequence.data)).toEqual(expected);
    expect(Array.from(d.sequence.mask ?? [])).toEqual(Array.from(seq.mask ?? []));
  });

  it('keeps float16 edge values: max, min subnormal, negative zero, ties to even', () => {
    const seq = sequenceFromRows([[65504, -65504, 2 ** -24, -0, 1 + 2 ** -11, 65519]]);
    const d = decodeRequest(encodeRequestBinary(fields, seq, 'f16'));
    const out = Array.from(d.sequence.data);
    expect(out.slice(0, 3)).toEqual([65504, -65504, 2 ** -24]);
    expect(Object.is(out[3], -0)).toBe(true);
    expect(out[4]).toBe(1);
    expect(out[5]).toBe(65504);
  });

  it('has the documented layout', () => {
    const seq = sequenceFromRows([[1, 2, 3], [4, 5, 6]], [[1, 0], [0, 1]]);
    const f = { id: 'ab', reply_to: 'xyz', deadline: 1.5 };
    const buf = encodeRequestBinary(f, seq, 'f32');
    expect([...buf.subarray(0, 6)]).toEqual([0x48, 0x42, 1, 2, 1, 0]);
    expect(buf.readUInt16LE(6)).toBe(2);
    expect(buf.readUInt16LE(8)).toBe(3);
    expect(buf.readUInt16LE(10)).toBe(0);
    expect(buf.readUInt32LE(12)).toBe(2);
    expect(buf.readUInt32LE(16)).toBe(3);
    expect(buf.readDoubleLE(20)).toBe(1.5);
    expect(buf.subarray(28, 33).toString('utf8')).toBe('abxyz');
    expect(buf.readFloatLE(33)).toBe(1);
    expect(buf.readFloatLE(33 + 5 * 4)).toBe(6);
    expect(buf.readFloatLE(33 + 6 * 4 + 4)).toBe(0);
    expect(buf.length).toBe(BINARY_HEADER_BYTES + 5 + 6 * 4 + 4 * 4);
    const h = encodeRequestBinary({ ...f, trace: { a: 1 } }, seq, 'f16');
    expect(h[3]).toBe(1);
    expect(h[4]).toBe(3);
    expect(h.readUInt16LE(10)).toBe('{"a":1}'.length);
    expect(h.length).toBe(BINARY_HEADER_BYTES + 5 + 7 + 6 * 2 + 4 * 2);
  });

  it('refuses at encode time values out of float16 range and non-finite values, naming frame and feature', () => {
    const big = sequenceFromRows([[0, 0], [0, 65520]]);
    expect(catchWire(() => encodeRequestBinary(fields, big, 'f16')).message).toMatch(/sequence\[1\]\[1\] = 65520 is outside the float16 range/);
    expect(decodeRequest(encodeRequestBinary(fields, big, 'f32')).sequence.data[3]).toBe(65520);
    const nan: FeatureSequence = { frames: 2, featureDim: 3, data: new Float32Array([0, 0, 0, 0, NaN, 0]) };
    for (const enc of [() => encodeRequestJson(fields, nan), () => encodeRequestBinary(fields, nan, 'f16'), () => encodeRequestBinary(fields, nan, 'f32')]) {
      expect(catchWire(enc).message).toMatch(/sequence\[1\]\[1\] is NaN/);
    }
    const inf: FeatureSequence = { frames: 1, featureDim: 2, data: new Float32Array([Infinity, 0]) };
    expect(catchWire(() => encodeRequestBinary(fields, inf, 'f32')).message).toMatch(/sequence\[0\]\[0\] is Infinity/);
    const badMask: FeatureSequence = { frames: 1, featureDim: 2, data: new Float32Array(2), mask: new Float32Array(3) };
    expect(catchWire(() => encodeRequestBinary(fields, badMask, 'f16')).message).toMatch(/mask has 3 values, expected frames\*2 = 2/);
    const short: FeatureSequence = { frames: 2, featureDim: 2, data: new Float32Array(3) };
    expect(catchWire(() => encodeRequestBinary(fields, short, 'f16')).message).toMatch(/3 values, expected frames\*featureDim = 4/);
    expect(catchWire(() => encodeRequestBinary({ ...fields, id: '' }, window(), 'f16')).message).toMatch(/id must be a string/);
    expect(catchWire(() => encodeRequestBinary({ ...fields, deadline: NaN }, window(), 'f16')).message).toMatch(/deadline/);
  });

  it('rejects truncated, padded and malformed payloads with a clear message', () => {
    const good = encodeRequestBinary(fields, window(3, 4), 'f16');
    for (let n = 1; n < good.length; n++) {
      const e = catchWire(() => decodeRequest(good.subarray(0, n)));
      expect(e.message).toMatch(/truncated|expected \d+ for T=3 F=4|neither/);
    }
    expect(catchWire(() => decodeRequest(Buffer.concat([good, Buffer.from([0])]))).message).toMatch(/expected \d+ for T=3 F=4 f16 with mask/);
    const mutate = (write: (b: Buffer) => void): Buffer => {
      const b = Buffer.from(good);
      write(b);
      return b;
    };
    expect(catchWire(() => decodeRequest(mutate((b) => { b[2] = 2; }))).message).toMatch(/unsupported binary request version 2/);
    expect(catchWire(() => decodeRequest(mutate((b) => { b[3] = 9; }))).message).toMatch(/unknown binary dtype code 9/);
    expect(catchWire(() => decodeRequest(mutate((b) => { b[4] = (b[4] ?? 0) | 0x80; }))).message).toMatch(/unknown binary flags/);
    expect(catchWire(() => decodeRequest(mutate((b) => { b[1] = 0x58; }))).message).toMatch(/neither/);
    let e = catchWire(() => decodeRequest(mutate((b) => b.writeUInt32LE(0, 12))));
    expect(e.message).toMatch(/at least 1 frame \(got 0\)/);
    expect(e.id).toBe(fields.id);
    expect(e.reply_to).toBe(fields.reply_to);
    expect(catchWire(() => decodeRequest(mutate((b) => b.writeUInt32LE(0, 16)))).message).toMatch(/at least 1 feature \(got 0\)/);
    expect(catchWire(() => decodeRequest(mutate((b) => b.writeUInt32LE(5000, 12)))).message).toMatch(/5000 frames, more than the limit 1024/);
    expect(catchWire(() => decodeRequest(good, { maxFrames: 2 })).message).toMatch(/3 frames, more than the limit 2/);
    expect(catchWire(() => decodeRequest(good, { maxFeatureDim: 3 })).message).toMatch(/4 features per frame/);
    // A float16 Infinity (0x7c00) planted in the data, at frame 1 feature 2.
    const dataStart = good.length - (3 * 4 + 3 * 2) * 2;
    e = catchWire(() => decodeRequest(mutate((b) => b.writeUInt16LE(0x7c00, dataStart + (1 * 4 + 2) * 2))));
    expect(e.message).toMatch(/sequence\[1\]\[2\] is Infinity/);
    expect(e.id).toBe(fields.id);
    const f32 = encodeRequestBinary(fields, window(2, 2, false), 'f32');
    f32.writeFloatLE(NaN, f32.length - 4);
    expect(catchWire(() => decodeRequest(f32)).message).toMatch(/sequence\[1\]\[1\] is NaN/);
    expect(catchWire(() => decodeRequest(mutate((b) => b.writeDoubleLE(Infinity, 20)))).message).toMatch(/deadline must be a finite number/);
  });

  it('tells JSON and binary apart on the same topic', () => {
    const seq = window(2, 3, false);
    expect(decodeRequest(encodeRequestJson(fields, seq)).encoding).toBe('json');
    expect(decodeRequest(encodeRequestBinary(fields, seq, 'f16')).encoding).toBe('f16');
    expect(decodeRequest(encodeRequestBinary(fields, seq, 'f32')).encoding).toBe('f32');
  });

  it('decodes from a Uint8Array view at an odd offset inside a larger buffer', () => {
    const seq = window(4, 5);
    const inner = encodeRequestBinary(fields, seq, 'f32');
    const outer = new Uint8Array(inner.length + 7);
    outer.set(inner, 3);
    expect(decodeRequest(outer.subarray(3, 3 + inner.length)).sequence).toEqual(seq);
  });
});

describe('sequenceFromRows', () => {
  it('builds a row-major sequence and back', () => {
    const seq = sequenceFromRows([[1, 2], [3, 4], [5, 6]], [[1, 0], [1, 1], [0, 1]]);
    expect(seq.frames).toBe(3);
    expect(seq.featureDim).toBe(2);
    expect(Array.from(seq.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sequenceToRows(seq)).toEqual({ sequence: [[1, 2], [3, 4], [5, 6]], mask: [[1, 0], [1, 1], [0, 1]] });
  });

  it('rejects ragged, empty and non-finite input', () => {
    expect(() => sequenceFromRows([])).toThrow(/non-empty/);
    expect(() => sequenceFromRows([[]])).toThrow(/at least 1 feature/);
    expect(() => sequenceFromRows([[1, 2], [1]])).toThrow(/not rectangular/);
    expect(() => sequenceFromRows([[1, NaN]])).toThrow(/sequence\[0\]\[1\] is NaN/);
    expect(() => sequenceFromRows([[1, 2]], [[1, 0], [1, 0]])).toThrow(/mask must be T x 2/);
    expect(() => sequenceFromRows([[1, 2]], [[1]])).toThrow(/mask\[0\] must be \[mLeft, mRight\]/);
    expect(() => sequenceFromRows([[1, 2]], [[1, Infinity]])).toThrow(/mask\[0\]\[1\] is Infinity/);
  });
});
