/**
 * The wire codecs at their edges: envelope field limits taken with equality, the trace's
 * checks, binary header flags and lying headers, UTF-8, reply decoding of non-objects, and
 * the sequence helpers' messages.
 */
import { describe, expect, it } from 'vitest';
import {
  BINARY_HEADER_BYTES, decodeReply, decodeRequest, encodeReply, encodeRequestBinary, encodeRequestJson, formatFloat32, isErrorReply,
  isPredictResponse, sequenceFromRows, sequenceToRows, WireError, type FeatureSequence, type PredictReply, type RequestEnvelopeFields,
} from '../../src/index';
import { catchWire } from './catch-wire';

const fields: RequestEnvelopeFields = { id: 'edge-1', reply_to: 'helen/v1/api/x/replies', deadline: 1000 };
const seq: FeatureSequence = { frames: 2, featureDim: 2, data: Float32Array.of(1, 2, 3, 4) };

describe('request envelope limits', () => {
  it('takes an id of 1 to 128 characters and a reply_to of 1 to 512', () => {
    for (const enc of [(f: RequestEnvelopeFields) => encodeRequestJson(f, seq), (f: RequestEnvelopeFields) => encodeRequestBinary(f, seq, 'f32')]) {
      expect(decodeRequest(enc({ ...fields, id: 'i'.repeat(128) })).id).toHaveLength(128);
      expect(catchWire(() => enc({ ...fields, id: 'i'.repeat(129) })).message).toBe('id must be a string of 1 to 128 characters');
      expect(decodeRequest(enc({ ...fields, reply_to: 'r'.repeat(512) })).reply_to).toHaveLength(512);
      const e = catchWire(() => enc({ ...fields, reply_to: '' }));
      expect(e.message).toBe('reply_to must be a string of 1 to 512 characters');
      expect(e.id).toBe('edge-1');
      expect(catchWire(() => enc({ ...fields, reply_to: 'r'.repeat(513) })).message).toBe('reply_to must be a string of 1 to 512 characters');
      expect(catchWire(() => enc({ ...fields, id: 7 as unknown as string })).id).toBeUndefined();
      expect(catchWire(() => enc({ ...fields, deadline: Infinity })).message).toBe('deadline must be a finite number (epoch ms)');
      expect(catchWire(() => enc({ ...fields, deadline: '1' as unknown as number })).message).toBe('deadline must be a finite number (epoch ms)');
    }
  });

  it('checks the trace: an object of finite numbers', () => {
    for (const trace of [null, [1], 'x', 5]) {
      expect(catchWire(() => encodeRequestJson({ ...fields, trace: trace as unknown as Record<string, number> }, seq)).message, String(trace)).toBe('trace must be an object of numbers');
    }
    expect(catchWire(() => encodeRequestBinary({ ...fields, trace: { capture: NaN } }, seq, 'f16')).message).toBe('trace.capture must be a finite number');
    expect(catchWire(() => encodeRequestBinary({ ...fields, trace: { capture: '1' as unknown as number } }, seq, 'f16')).message).toBe('trace.capture must be a finite number');
    expect(decodeRequest(encodeRequestBinary({ ...fields, trace: {} }, seq, 'f16')).trace).toEqual({});
  });

  it('refuses an unknown dtype and a trace over 65535 bytes', () => {
    expect(catchWire(() => encodeRequestBinary(fields, seq, 'f64' as 'f32')).message).toBe('dtype must be f16 or f32 (got f64)');
    const trace = Object.fromEntries(Array.from({ length: 8000 }, (_, i) => [`k${i}`, i]));
    const e = catchWire(() => encodeRequestBinary({ ...fields, trace }, seq, 'f32'));
    expect(e.message).toBe('trace is too large (over 65535 bytes as JSON)');
    expect(e.id).toBe('edge-1');
  });
});

describe('binary header', () => {
  it('sets the mask and trace flags and the lengths as documented', () => {
    const plain = encodeRequestBinary(fields, seq, 'f32');
    expect([plain[0], plain[1], plain[2], plain[3], plain[4], plain[5]]).toEqual([0x48, 0x42, 1, 2, 0, 0]);
    expect(plain.length).toBe(BINARY_HEADER_BYTES + 6 + 22 + 4 * 4);
    const both = encodeRequestBinary({ ...fields, trace: { a: 1 } }, { ...seq, mask: Float32Array.of(1, 0, 0, 1) }, 'f16');
    expect([both[3], both[4]]).toEqual([1, 3]);
    expect(both.readUInt16LE(6)).toBe(6);
    expect(both.readUInt16LE(8)).toBe(22);
    expect(both.readUInt16LE(10)).toBe(7);
    expect(both.readUInt32LE(12)).toBe(2);
    expect(both.readUInt32LE(16)).toBe(2);
    expect(both.readDoubleLE(20)).toBe(1000);
    expect(both.subarray(BINARY_HEADER_BYTES + 28, BINARY_HEADER_BYTES + 35).toString()).toBe('{"a":1}');
    expect(both.length).toBe(BINARY_HEADER_BYTES + 6 + 22 + 7 + (4 + 4) * 2);
    const d = decodeRequest(both);
    expect(d.trace).toEqual({ a: 1 });
    expect(Array.from(d.sequence.mask as Float32Array)).toEqual([1, 0, 0, 1]);
  });

  it('refuses trace bytes without the flag, a trace that is not JSON or not numbers, and bad UTF-8', () => {
    const traced = encodeRequestBinary({ ...fields, trace: { a: 1 } }, seq, 'f32');
    const noFlag = Buffer.from(traced);
    noFlag[4] = 0;
    const e = catchWire(() => decodeRequest(noFlag));
    expect(e.message).toBe('trace bytes present without the trace flag');
    expect(e.reply_to).toBe(fields.reply_to);
    const notJson = Buffer.from(traced);
    notJson[BINARY_HEADER_BYTES + 28] = 0x78; // 'x' instead of '{'
    expect(catchWire(() => decodeRequest(notJson)).message).toBe('trace is not valid JSON');
    const notNumbers = encodeRequestBinary({ ...fields, trace: { a: 1 } }, seq, 'f32');
    notNumbers.write('{"a":"1"}'.slice(0, 7), BINARY_HEADER_BYTES + 28); // {"a":"1 : still 7 bytes, a string value
    expect(catchWire(() => decodeRequest(notNumbers)).message).toMatch(/^trace is not valid JSON|trace.a must be a finite number/);
    const badUtf8 = Buffer.from(traced);
    badUtf8[BINARY_HEADER_BYTES] = 0xff;
    const u = catchWire(() => decodeRequest(badUtf8));
    expect(u.message).toBe('id is not valid UTF-8');
    const badReply = Buffer.from(traced);
    badReply[BINARY_HEADER_BYTES + 6] = 0xc3; // a lead byte followed by ASCII
    const r = catchWire(() => decodeRequest(badReply));
    expect(r.message).toBe('reply_to is not valid UTF-8');
    expect(r.id).toBeUndefined(); // read before the ids: with no readable reply_to nobody is answered anyway
  });

  it('refuses a header whose lengths run past the payload, keeping what it could read', () => {
    const b = encodeRequestBinary(fields, seq, 'f32');
    const longId = Buffer.from(b);
    longId.writeUInt16LE(60000, 6);
    expect(catchWire(() => decodeRequest(longId)).message).toBe('binary request truncated in id');
    const longTrace = Buffer.from(b);
    longTrace.writeUInt16LE(60000, 10);
    longTrace[4] = 2;
    const t = catchWire(() => decodeRequest(longTrace));
    expect(t.message).toBe('binary request truncated in trace');
    expect(t.id).toBe('edge-1');
    expect(catchWire(() => decodeRequest(b.subarray(0, BINARY_HEADER_BYTES - 1))).message).toBe(`binary request truncated: ${BINARY_HEADER_BYTES - 1} bytes, the header alone is ${BINARY_HEADER_BYTES}`);
    const reserved = Buffer.from(b);
    reserved[5] = 1;
    expect(catchWire(() => decodeRequest(reserved)).message).toBe('unknown binary flags 0x0 or non-zero reserved byte');
    const f16 = Buffer.from(b);
    f16[3] = 1;
    expect(catchWire(() => decodeRequest(f16)).message).toBe(`binary request is ${b.length} bytes, expected ${b.length - 8} for T=2 F=2 f16`);
  });

  it('drops an empty or over-long id and reply_to from the error, so nobody answers to them', () => {
    const b = encodeRequestBinary(fields, { frames: 1, featureDim: 1, data: Float32Array.of(1) }, 'f32');
    b.writeUInt32LE(0, 12);
    expect(catchWire(() => decodeRequest(b))).toMatchObject({ id: 'edge-1', reply_to: fields.reply_to });
    const long = encodeRequestJson({ ...fields }, seq).toString().replace('"edge-1"', JSON.stringify('i'.repeat(129)));
    const e = catchWire(() => decodeRequest(Buffer.from(long.replace('"sequence":[[1,2],[3,4]]', '"sequence":[[1,2],[3]]'))));
    expect(e.id).toBeUndefined();
    expect(e.reply_to).toBe(fields.reply_to);
  });
});

describe('JSON request text', () => {
  it('accepts only JSON whitespace before the object', () => {
    const body = encodeRequestJson(fields, seq).toString();
    expect(decodeRequest(Buffer.from(`\r\n \t${body}`)).id).toBe('edge-1');
    expect(catchWire(() => decodeRequest(Buffer.from(`\f${body}`))).message).toBe('payload is neither a JSON object nor a binary request (magic "HB")');
    expect(catchWire(() => decodeRequest(Buffer.from('   '))).message).toBe('payload is neither a JSON object nor a binary request (magic "HB")');
    expect(catchWire(() => decodeRequest(Buffer.from([0x7b, 0xff]))).message).toMatch(/^request is not valid JSON: /);
  });

  it('prints integers plainly below 1e8 and floats with the fewest of 8 or 9 digits', () => {
    expect(formatFloat32(12345678)).toBe('12345678');
    expect(formatFloat32(-3)).toBe('-3');
    expect(formatFloat32(Math.fround(123456792))).toBe('123456790');
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(16777217.5))).toBe('16777218');
    expect(formatFloat32(Math.fround(1.0000001))).toBe('1.0000001');
    expect(formatFloat32(Math.fround(0.30000001192092896 + 2 ** -25))).toBe('0.30000004');
  });

  it('writes the envelope fields, trace and mask in the documented shape', () => {
    const text = encodeRequestJson({ ...fields, trace: { capture: 5 } }, { ...seq, mask: Float32Array.of(1, 0, 0.5, 1) }).toString();
    expect(text).toBe('{"v":1,"id":"edge-1","reply_to":"helen/v1/api/x/replies","deadline":1000,"trace":{"capture":5},"sequence":[[1,2],[3,4]],"mask":[[1,0],[0.5,1]]}');
  });
});

describe('replies', () => {
  it('refuses replies that are not JSON objects, and keeps the id of an invalid one', () => {
    for (const body of ['[1]', 'null', '"x"', '3']) expect(catchWire(() => decodeReply(Buffer.from(body))).message, body).toBe('reply must be a JSON object');
    expect(catchWire(() => decodeReply(Buffer.from('{'))).message).toMatch(/^reply is not valid JSON: /);
    const e = catchWire(() => decodeReply(Buffer.from(JSON.stringify({ id: 'r9', error: { code: 'nope' } }))));
    expect(e.message).toMatch(/^invalid reply: /);
    expect(e.id).toBe('r9');
    expect(catchWire(() => decodeReply(Buffer.from(JSON.stringify({ id: 5, error: {} })))).id).toBeUndefined();
  });

  it('decodes from a view inside a larger buffer', () => {
    const reply: PredictReply = { v: 1, id: 'r1', error: { code: 'queue_full', message: 'full' }, worker: 'w' };
    const inner = encodeReply(reply);
    const outer = new Uint8Array(inner.length + 10);
    outer.set(inner, 5);
    expect(decodeReply(outer.subarray(5, 5 + inner.length))).toEqual(reply);
  });

  it('tells an error envelope from a result only by an object `error`', () => {
    const result = { v: 1, id: 'a', error: null } as unknown as PredictReply;
    expect(isErrorReply(result)).toBe(false);
    expect(isPredictResponse(result)).toBe(true);
    expect(isErrorReply({ v: 1, id: 'a', error: { code: 'internal_error', message: 'm' } } as PredictReply)).toBe(true);
  });

  it('makes WireErrors invalid_request errors with their name', () => {
    const e = new WireError('m', { id: 'i', reply_to: 'r' });
    expect([e.name, e.code, e.message, e.id, e.reply_to]).toEqual(['WireError', 'invalid_request', 'm', 'i', 'r']);
    expect(new WireError('m')).toMatchObject({ id: undefined, reply_to: undefined });
  });
});

describe('sequence helpers', () => {
  it('names each malformed row and value', () => {
    expect(() => sequenceFromRows([5] as unknown as number[][])).toThrow('sequence must be a 2-D array: sequence[0] is not an array');
    expect(() => sequenceFromRows([[1], 5] as unknown as number[][])).toThrow('sequence[1] is not an array');
    expect(() => sequenceFromRows([[1, 'a']] as unknown as number[][])).toThrow('sequence[0][1] is a: values must be finite numbers');
    expect(() => sequenceFromRows([[1, 2]], 'm' as unknown as number[][])).toThrow('mask must be T x 2 with T = 1 (got string rows)');
    expect(() => sequenceFromRows([[1, 2]], [[1, 'x']] as unknown as number[][])).toThrow('mask[0][1] is x: values must be finite numbers');
    expect(() => sequenceFromRows([[1, 2]], [5] as unknown as number[][])).toThrow('mask[0] must be [mLeft, mRight]');
  });

  it('encodes sequences longer than the decode limits (the limits are the reader\'s)', () => {
    const long: FeatureSequence = { frames: 2000, featureDim: 1, data: new Float32Array(2000) };
    expect(encodeRequestBinary(fields, long, 'f16').length).toBeGreaterThan(4000);
    expect(catchWire(() => decodeRequest(encodeRequestBinary(fields, long, 'f16'))).message).toBe('sequence has 2000 frames, more than the limit 1024');
  });

  it('refuses non-integer dimensions and leaves out an absent mask', () => {
    expect(catchWire(() => encodeRequestJson(fields, { frames: 1.5, featureDim: 2, data: new Float32Array(3) })).message).toBe('sequence must have at least 1 frame (got 1.5)');
    expect(catchWire(() => encodeRequestJson(fields, { frames: 1, featureDim: 2.5, data: new Float32Array(2) })).message).toBe('sequence frames must have at least 1 feature (got 2.5)');
    expect(sequenceToRows(seq)).toEqual({ sequence: [[1, 2], [3, 4]] });
    expect('mask' in sequenceToRows(seq)).toBe(false);
    expect(catchWire(() => encodeRequestJson(fields, { ...seq, mask: Float32Array.of(1, NaN, 1, 1) })).message).toBe('mask[0][1] is NaN: values must be finite');
  });
});
