/**
 * Malformed (and some valid) worker request payloads. Each case builds its bytes from the
 * envelope a test wants to see answered (id, reply_to, deadline), so a live worker's error
 * replies can be matched to the requests that caused them.
 */
import fc from 'fast-check';
import {
  BINARY_HEADER_BYTES, DEFAULT_MAX_FEATURE_DIM, DEFAULT_MAX_FRAMES, encodeRequestBinary, encodeRequestJson, type FeatureSequence,
} from '@helen/schemas';

export interface Envelope {
  id: string;
  replyTo: string;
  /** Epoch ms, far in the future unless a case lies about it. */
  deadline: number;
}

export interface PayloadCase {
  /** Which family of malformation, for the report's counts. */
  kind: string;
  build(env: Envelope): Buffer;
}

const FEATURE_DIM = 84;

function seq(frames: number, featureDim: number, seed: number, withMask: boolean): FeatureSequence {
  let s = seed >>> 0 || 1;
  const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const out: FeatureSequence = { frames, featureDim, data: new Float32Array(frames * featureDim).map(() => rand()) };
  if (withMask) out.mask = new Float32Array(frames * 2).map((_, i) => (i % 5 === 0 ? 0 : 1));
  return out;
}

const fields = (env: Envelope) => ({ id: env.id, reply_to: env.replyTo, deadline: env.deadline });

/** A valid request in one of the three encodings (the base that the mutations start from). */
const validArb = fc.record({
  frames: fc.integer({ min: 1, max: 40 }),
  seed: fc.nat(),
  withMask: fc.boolean(),
  encoding: fc.constantFrom('json', 'f16', 'f32') as fc.Arbitrary<'json' | 'f16' | 'f32'>,
});
type Valid = typeof validArb extends fc.Arbitrary<infer T> ? T : never;

function encodeValid(v: Valid, env: Envelope, featureDim = FEATURE_DIM): Buffer {
  const s = seq(v.frames, featureDim, v.seed, v.withMask);
  return v.encoding === 'json' ? encodeRequestJson(fields(env), s) : encodeRequestBinary(fields(env), s, v.encoding);
}

const binaryValidArb = validArb.map((v) => ({ ...v, encoding: v.encoding === 'json' ? 'f32' as const : v.encoding }));

const valid: fc.Arbitrary<PayloadCase> = validArb.map((v) => ({ kind: `valid ${v.encoding}`, build: (env: Envelope) => encodeValid(v, env) }));

const randomBytes: fc.Arbitrary<PayloadCase> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => ({ kind: 'random bytes', build: () => Buffer.from(b) })),
  // Starts like a binary request, then noise: exercises every header check.
  fc.uint8Array({ minLength: 0, maxLength: 120 }).map((b) => ({ kind: 'random bytes after "HB"', build: () => Buffer.concat([Buffer.from('HB'), b]) })),
  fc.string({ maxLength: 200 }).map((t) => ({ kind: 'random text after "{"', build: () => Buffer.from(`{${t}`) })),
);

const truncated: fc.Arbitrary<PayloadCase> = fc.tuple(validArb, fc.nat()).map(([v, at]) => ({
  kind: `truncated ${v.encoding}`,
  build: (env: Envelope) => {
    const full = encodeValid(v, env);
    return full.subarray(0, 1 + (at % (full.length - 1)));
  },
}));

/** Header fields overwritten with values that do not match the body (or make no sense). */
const headerLies = [
  { field: 'version', offset: 2, size: 1, values: [0, 2, 255] },
  { field: 'dtype', offset: 3, size: 1, values: [0, 3, 255] },
  { field: 'flags', offset: 4, size: 1, values: [1, 2, 3, 4, 0x80, 255] },
  { field: 'reserved', offset: 5, size: 1, values: [1, 255] },
  { field: 'id length', offset: 6, size: 2, values: [0, 1, 129, 0xffff] },
  { field: 'reply_to length', offset: 8, size: 2, values: [0, 1, 513, 0xffff] },
  { field: 'trace length', offset: 10, size: 2, values: [1, 7, 0xffff] },
  { field: 'frames', offset: 12, size: 4, values: [0, 1, 2, DEFAULT_MAX_FRAMES + 1, 0x7fffffff, 0xffffffff] },
  { field: 'features', offset: 16, size: 4, values: [0, 1, 83, 85, DEFAULT_MAX_FEATURE_DIM + 1, 0xffffffff] },
] as const;

const lyingHeader: fc.Arbitrary<PayloadCase> = fc.oneof(
  fc.tuple(binaryValidArb, fc.constantFrom(...headerLies), fc.nat()).map(([v, lie, pick]) => ({
    kind: `binary header lies: ${lie.field}`,
    build: (env: Envelope) => {
      const buf = Buffer.from(encodeValid(v, env));
      const value = lie.values[pick % lie.values.length] as number;
      if (lie.size === 1) buf.writeUInt8(value, lie.offset);
      else if (lie.size === 2) buf.writeUInt16LE(value, lie.offset);
      else buf.writeUInt32LE(value >>> 0, lie.offset);
      return buf;
    },
  })),
  fc.tuple(binaryValidArb, fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, Number.MAX_VALUE)).map(([v, deadline]) => ({
    kind: `binary deadline ${deadline}`,
    build: (env: Envelope) => {
      const buf = Buffer.from(encodeValid(v, env));
      buf.writeDoubleLE(deadline, 20);
      return buf;
    },
  })),
);

/** Binary bodies whose values are NaN or +-Infinity (f32 patterns and f16 exponent-31 patterns). */
const nonFinite: fc.Arbitrary<PayloadCase> = fc.oneof(
  fc.tuple(binaryValidArb, fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity), fc.boolean()).map(([v, at, bad, inMask]) => ({
    kind: `binary ${v.encoding} ${String(bad)}${inMask && v.withMask ? ' in mask' : ''}`,
    build: (env: Envelope) => {
      const buf = Buffer.from(encodeValid(v, env));
      const size = v.encoding === 'f16' ? 2 : 4;
      const maskValues = v.withMask ? v.frames * 2 : 0;
      const dataValues = v.frames * FEATURE_DIM;
      const start = buf.length - (dataValues + maskValues) * size;
      const index = inMask && v.withMask ? dataValues + (at % maskValues) : at % dataValues;
      if (size === 4) buf.writeFloatLE(bad, start + index * 4);
      else buf.writeUInt16LE(Number.isNaN(bad) ? 0x7e00 : bad > 0 ? 0x7c00 : 0xfc00, start + index * 2);
      return buf;
    },
  })),
  // JSON has no NaN/Infinity literals, but 1e400 parses to Infinity.
  fc.tuple(fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '-1e400', '3.5e38', 'null', '"0.5"'), fc.constantFrom('sequence', 'mask', 'deadline')).map(([lit, where]) => ({
    kind: `json ${lit} in ${where}`,
    build: (env: Envelope) => {
      const seqText = where === 'sequence' ? `[[0.1,${lit}],[0.2,0.3]]` : '[[0.1,0.2],[0.2,0.3]]';
      const maskText = where === 'mask' ? `[[1,${lit}],[1,1]]` : '[[1,1],[1,1]]';
      const deadline = where === 'deadline' ? lit : String(env.deadline);
      return Buffer.from(`{"v":1,"id":${JSON.stringify(env.id)},"reply_to":${JSON.stringify(env.replyTo)},"deadline":${deadline},"sequence":${seqText},"mask":${maskText}}`);
    },
  })),
  // Finite float32 values whose product with a large mask value overflows float32.
  fc.constantFrom(1e30, 3e38, -3e38).map((big) => ({
    kind: 'json huge finite mask',
    build: (env: Envelope) => Buffer.from(JSON.stringify({
      v: 1, id: env.id, reply_to: env.replyTo, deadline: env.deadline,
      sequence: Array.from({ length: 2 }, () => Array.from({ length: FEATURE_DIM }, () => 1e30)),
      mask: [[big, big], [1, 1]],
    })),
  })),
);

/** Envelope fields replaced by values of the wrong type (or missing). */
const wrongTypes: fc.Arbitrary<PayloadCase> = fc.tuple(
  fc.constantFrom('v', 'id', 'reply_to', 'deadline', 'sequence', 'mask', 'trace'),
  fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)),
).map(([field, value]) => ({
  kind: `json wrong type: ${field}`,
  build: (env: Envelope) => {
    const body: Record<string, unknown> = {
      v: 1, id: env.id, reply_to: env.replyTo, deadline: env.deadline,
      sequence: [Array.from({ length: FEATURE_DIM }, () => 0.5)], mask: [[1, 1]],
    };
    if (value === undefined) delete body[field];
    else body[field] = value;
    return Buffer.from(JSON.stringify(body));
  },
}));

/** Odd dimensions: empty, ragged, negative-looking, past the limits, 3-D. */
const dims: fc.Arbitrary<PayloadCase> = fc.constantFrom(
  { name: 'empty sequence', rows: () => [] as unknown[] },
  { name: 'empty frame', rows: () => [[]] },
  { name: 'ragged', rows: () => [[0.1, 0.2], [0.1]] },
  { name: '3-D', rows: () => [[[0.1]]] },
  { name: '1-D', rows: () => [0.1, 0.2] },
  { name: 'frames past the limit', rows: () => Array.from({ length: DEFAULT_MAX_FRAMES + 1 }, () => [0]) },
  { name: 'features past the limit', rows: () => [Array.from({ length: DEFAULT_MAX_FEATURE_DIM + 1 }, () => 0)] },
  { name: 'frames at the limit', rows: () => Array.from({ length: DEFAULT_MAX_FRAMES }, () => Array.from({ length: FEATURE_DIM }, () => 0.25)) },
  { name: 'odd feature dim with mask', rows: () => [[0.1, 0.2, 0.3]] },
).map((d) => ({
  kind: `json dims: ${d.name}`,
  build: (env: Envelope) => Buffer.from(JSON.stringify({ v: 1, id: env.id, reply_to: env.replyTo, deadline: env.deadline, sequence: d.rows(), mask: d.name.includes('mask') ? [[1, 0]] : undefined })),
}));

/** Deep nesting where a number or a row is expected, and as the whole trace. */
const deeplyNested: fc.Arbitrary<PayloadCase> = fc.tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('sequence', 'mask', 'trace', 'extra')).map(([depth, where]) => ({
  kind: `json nested ${where}`,
  build: (env: Envelope) => {
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const parts: Record<string, string> = {
      sequence: where === 'sequence' ? `[[${deep}]]` : '[[0.5,0.5]]',
      mask: where === 'mask' ? `[${deep}]` : '[[1,1]]',
    };
    const trace = where === 'trace' ? `,"trace":{"a":${deep}}` : '';
    const extra = where === 'extra' ? `,"extra":${deep}` : '';
    return Buffer.from(`{"v":1,"id":${JSON.stringify(env.id)},"reply_to":${JSON.stringify(env.replyTo)},"deadline":${env.deadline},"sequence":${parts.sequence},"mask":${parts.mask}${trace}${extra}}`);
  },
}));

/** Binary at the size limit (T = max frames) and one frame past it. */
const sizeLimit: fc.Arbitrary<PayloadCase> = fc.tuple(fc.constantFrom(DEFAULT_MAX_FRAMES, DEFAULT_MAX_FRAMES + 1), fc.constantFrom('f16', 'f32') as fc.Arbitrary<'f16' | 'f32'>).map(([frames, dtype]) => ({
  kind: frames > DEFAULT_MAX_FRAMES ? `binary ${dtype} one frame past the limit` : `binary ${dtype} at the frame limit`,
  build: (env: Envelope) => {
    if (frames <= DEFAULT_MAX_FRAMES) return encodeRequestBinary(fields(env), seq(frames, FEATURE_DIM, 7, true), dtype);
    // The encoder refuses nothing here (it has no limit), so this is a well-formed body the decoder must refuse.
    return encodeRequestBinary(fields(env), seq(frames, FEATURE_DIM, 7, false), dtype);
  },
}));

/** Other UTF-8 troubles in the binary id / reply_to / trace. */
const badText: fc.Arbitrary<PayloadCase> = fc.tuple(binaryValidArb, fc.constantFrom('id', 'trace JSON', 'trace type')).map(([v, what]) => ({
  kind: `binary bad ${what}`,
  build: (env: Envelope) => {
    if (what === 'id') {
      const buf = Buffer.from(encodeValid(v, env));
      buf[BINARY_HEADER_BYTES] = 0xff; // never valid UTF-8
      return buf;
    }
    const trace = what === 'trace JSON' ? '{"a":' : '[1,2]';
    const good = encodeRequestBinary({ ...fields(env), trace: { a: 1 } }, seq(v.frames, FEATURE_DIM, v.seed, v.withMask), v.encoding);
    const idLen = good.readUInt16LE(6);
    const replyLen = good.readUInt16LE(8);
    const traceLen = good.readUInt16LE(10);
    const at = BINARY_HEADER_BYTES + idLen + replyLen;
    const head = Buffer.from(good.subarray(0, at));
    head.writeUInt16LE(Buffer.byteLength(trace), 10);
    return Buffer.concat([head, Buffer.from(trace), good.subarray(at + traceLen)]);
  },
}));

/** Every family, weighted so malformed inputs dominate but valid ones keep the worker honest. */
export const payloadCase: fc.Arbitrary<PayloadCase> = fc.oneof(
  { arbitrary: valid, weight: 1 },
  { arbitrary: randomBytes, weight: 3 },
  { arbitrary: truncated, weight: 2 },
  { arbitrary: lyingHeader, weight: 3 },
  { arbitrary: nonFinite, weight: 2 },
  { arbitrary: wrongTypes, weight: 2 },
  { arbitrary: dims, weight: 1 },
  { arbitrary: deeplyNested, weight: 1 },
  { arbitrary: sizeLimit, weight: 1 },
  { arbitrary: badText, weight: 1 },
);

export const MODEL_FEATURE_DIM = FEATURE_DIM;
