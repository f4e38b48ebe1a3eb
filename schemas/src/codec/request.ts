import { PROTOCOL_VERSION } from '../json/common';
import { validatePredictRequest } from '../validators';
import type { Trace } from '../types';
import { WireError } from './errors';
import { float16BitsToFloat32, float16Overflows, float32ToFloat16Bits } from './float16';
import { checkDims, checkFinite, checkSequence, sequenceFromRows, type FeatureSequence, type SequenceLimits } from './sequence';
import { checkPresence, handPresence, packHalves, sentHalves, unpackHalves } from './sparse-hands';

export type RequestEncoding = 'json' | 'f16' | 'f32';

export interface RequestEnvelopeFields {
  id: string;
  reply_to: string;
  deadline: number;
  trace?: Record<string, number>;
}

export interface DecodedRequest {
  v: 1;
  id: string;
  reply_to: string;
  deadline: number;
  trace?: Record<string, number>;
  sequence: FeatureSequence;
  encoding: RequestEncoding;
}

/*
 * Binary request, version 1. All integers and floats little-endian.
 *
 * | offset | size        | field                                                        |
 * |--------|-------------|--------------------------------------------------------------|
 * | 0      | 2           | magic "HB" (0x48 0x42): never the first byte of JSON text    |
 * | 2      | 1           | version, 1                                                   |
 * | 3      | 1           | dtype: 1 = float16, 2 = float32                              |
 * | 4      | 1           | flags: bit 0 = mask, bit 1 = trace, bit 2 = sparse hands     |
 * | 5      | 1           | reserved, 0                                                  |
 * | 6      | 2           | u16 byte length of id (UTF-8)                                |
 * | 8      | 2           | u16 byte length of reply_to (UTF-8)                          |
 * | 10     | 2           | u16 byte length of trace (UTF-8 JSON object; 0 if absent)    |
 * | 12     | 4           | u32 T, frames                                                |
 * | 16     | 4           | u32 F, features per frame                                    |
 * | 20     | 8           | f64 deadline, epoch ms                                       |
 * | 28     | idLen       | id                                                           |
 * |        | replyLen    | reply_to                                                     |
 * |        | traceLen    | trace JSON, e.g. {"capture":1732530000000}                   |
 * |        | T*F*size    | sequence, row-major, dtype (size 2 or 4)                     |
 * |        | (sparse)    | instead: T presence bytes, then only the halves they name    |
 * |        | T*2*size    | mask [mL, mR] per frame, same dtype (only with flag bit 0)   |
 *
 * Sparse hands (flag bit 2, sparse-hands.ts): one byte per frame says which halves of the
 * frame's F features follow (bit 0 = [0, F/2), bit 1 = [F/2, F)); a half left out is all +0.
 * The payload must end exactly after the last field. Kept in step with schemas/README.md.
 */
export const BINARY_MAGIC_0 = 0x48; // 'H'
export const BINARY_MAGIC_1 = 0x42; // 'B'
export const BINARY_VERSION = 1;
export const BINARY_HEADER_BYTES = 28;
const DTYPE_CODE = { f16: 1, f32: 2 } as const;
const FLAG_MASK = 1;
const FLAG_TRACE = 2;
const FLAG_SPARSE = 4;
const MAX_ID_CHARS = 128;
const MAX_REPLY_TO_CHARS = 512;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function checkFields(fields: RequestEnvelopeFields): void {
  const ids = { id: typeof fields.id === 'string' ? fields.id : undefined, reply_to: typeof fields.reply_to === 'string' ? fields.reply_to : undefined };
  if (typeof fields.id !== 'string' || fields.id.length < 1 || fields.id.length > MAX_ID_CHARS) {
    throw new WireError(`id must be a string of 1 to ${MAX_ID_CHARS} characters`, ids);
  }
  if (typeof fields.reply_to !== 'string' || fields.reply_to.length < 1 || fields.reply_to.length > MAX_REPLY_TO_CHARS) {
    throw new WireError(`reply_to must be a string of 1 to ${MAX_REPLY_TO_CHARS} characters`, ids);
  }
  if (typeof fields.deadline !== 'number' || !Number.isFinite(fields.deadline)) throw new WireError('deadline must be a finite number (epoch ms)', ids);
  if (fields.trace !== undefined) checkTrace(fields.trace, ids);
}

function checkTrace(trace: unknown, ids: { id?: string | undefined; reply_to?: string | undefined }): asserts trace is Trace {
  if (typeof trace !== 'object' || trace === null || Array.isArray(trace)) throw new WireError('trace must be an object of numbers', ids);
  for (const [k, v] of Object.entries(trace)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new WireError(`trace.${k} must be a finite number`, ids);
  }
}

/**
 * A short decimal that reads back as the same float32: 8 significant digits when they
 * suffice, else 9 (always enough). About half the size of the float64 expansion of a
 * float32 (0.1f prints as 0.10000000149011612), and 3-4x faster than searching for the
 * shortest form, which would only save another ~3%.
 */
export function formatFloat32(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e8) return String(v);
  const n8 = Number(v.toPrecision(8));
  return Math.fround(n8) === v ? String(n8) : String(Number(v.toPrecision(9)));
}

function rowsJson(data: Float32Array, frames: number, width: number): string {
  const out: string[] = [];
  for (let t = 0; t < frames; t++) {
    const row: string[] = [];
    for (let f = 0; f < width; f++) row.push(formatFloat32(data[t * width + f] as number));
    out.push(`[${row.join(',')}]`);
  }
  return `[${out.join(',')}]`;
}

/** ARCHITECTURE.md JSON request: {"v":1,"id","reply_to","deadline","trace"?,"sequence","mask"?}. */
export function encodeRequestJson(fields: RequestEnvelopeFields, seq: FeatureSequence): Buffer {
  checkFields(fields);
  checkSequence(seq);
  let head = `{"v":${PROTOCOL_VERSION},"id":${JSON.stringify(fields.id)},"reply_to":${JSON.stringify(fields.reply_to)},"deadline":${JSON.stringify(fields.deadline)}`;
  if (fields.trace !== undefined) head += `,"trace":${JSON.stringify(fields.trace)}`;
  let body = `${head},"sequence":${rowsJson(seq.data, seq.frames, seq.featureDim)}`;
  if (seq.mask) body += `,"mask":${rowsJson(seq.mask, seq.frames, 2)}`;
  return Buffer.from(`${body}}`, 'utf8');
}

/** Refuses a value float16 cannot hold, naming its row and column (before anything is written). */
function checkFloat16Range(values: Float32Array, width: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (float16Overflows(v)) throw new WireError(`${what}[${Math.floor(i / width)}][${i % width}] = ${v} is outside the float16 range (|x| <= 65504); use f32`);
  }
}

/** Writes values already range-checked (checkFloat16Range for f16). */
function writeValues(view: DataView, offset: number, values: Float32Array, dtype: 'f16' | 'f32'): number {
  if (dtype === 'f32') {
    for (let i = 0; i < values.length; i++, offset += 4) view.setFloat32(offset, values[i] as number, true);
    return offset;
  }
  for (let i = 0; i < values.length; i++, offset += 2) view.setUint16(offset, float32ToFloat16Bits(values[i] as number), true);
  return offset;
}

export interface BinaryEncodeOptions {
  /** Leave out the all-zero hand halves when that makes the request smaller (default true; needs a worker of this version or later). */
  sparseHands?: boolean;
}

export function encodeRequestBinary(fields: RequestEnvelopeFields, seq: FeatureSequence, dtype: 'f16' | 'f32', opts: BinaryEncodeOptions = {}): Buffer {
  if (dtype !== 'f16' && dtype !== 'f32') throw new WireError(`dtype must be f16 or f32 (got ${String(dtype)})`);
  checkFields(fields);
  checkSequence(seq);
  const id = utf8.encode(fields.id);
  const replyTo = utf8.encode(fields.reply_to);
  const trace = fields.trace !== undefined ? utf8.encode(JSON.stringify(fields.trace)) : new Uint8Array(0);
  if (trace.length > 0xffff) throw new WireError('trace is too large (over 65535 bytes as JSON)', fields);
  const size = dtype === 'f16' ? 2 : 4;
  if (dtype === 'f16') {
    // On the dense values, so that an error names the frame and feature whatever the layout.
    checkFloat16Range(seq.data, seq.featureDim, 'sequence');
    if (seq.mask) checkFloat16Range(seq.mask, 2, 'mask');
  }
  const presence = opts.sparseHands === false ? undefined : handPresence(seq, size);
  const values = presence ? packHalves(seq, presence) : seq.data;
  const total = BINARY_HEADER_BYTES + id.length + replyTo.length + trace.length + (presence?.length ?? 0)
    + (values.length + (seq.mask ? seq.frames * 2 : 0)) * size;
  const buf = Buffer.alloc(total);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  buf[0] = BINARY_MAGIC_0;
  buf[1] = BINARY_MAGIC_1;
  buf[2] = BINARY_VERSION;
  buf[3] = DTYPE_CODE[dtype];
  buf[4] = (seq.mask ? FLAG_MASK : 0) | (fields.trace !== undefined ? FLAG_TRACE : 0) | (presence ? FLAG_SPARSE : 0);
  view.setUint16(6, id.length, true);
  view.setUint16(8, replyTo.length, true);
  view.setUint16(10, trace.length, true);
  view.setUint32(12, seq.frames, true);
  view.setUint32(16, seq.featureDim, true);
  view.setFloat64(20, fields.deadline, true);
  let off = BINARY_HEADER_BYTES;
  buf.set(id, off); off += id.length;
  buf.set(replyTo, off); off += replyTo.length;
  buf.set(trace, off); off += trace.length;
  if (presence) { buf.set(presence, off); off += presence.length; }
  off = writeValues(view, off, values, dtype);
  if (seq.mask) writeValues(view, off, seq.mask, dtype);
  return buf;
}

export type DecodeOptions = SequenceLimits;

/** JSON or binary, told apart by the first byte: '{' (after JSON whitespace) or the magic "HB". */
export function decodeRequest(payload: Uint8Array, opts: DecodeOptions = {}): DecodedRequest {
  if (payload.length === 0) throw new WireError('empty payload');
  if (payload[0] === BINARY_MAGIC_0) return decodeBinary(payload, opts);
  let i = 0;
  while (i < payload.length && (payload[i] === 0x20 || payload[i] === 0x09 || payload[i] === 0x0a || payload[i] === 0x0d)) i++;
  if (payload[i] === 0x7b) return decodeJson(payload, opts);
  throw new WireError('payload is neither a JSON object nor a binary request (magic "HB")');
}

function decodeJson(payload: Uint8Array, opts: DecodeOptions): DecodedRequest {
  let body: unknown;
  try {
    body = JSON.parse(utf8Strict.decode(payload));
  } catch (err) {
    throw new WireError(`request is not valid JSON: ${(err as Error).message}`);
  }
  const raw = body as Record<string, unknown>;
  const ids = {
    id: typeof raw.id === 'string' && raw.id.length > 0 && raw.id.length <= MAX_ID_CHARS ? raw.id : undefined,
    reply_to: typeof raw.reply_to === 'string' && raw.reply_to.length > 0 && raw.reply_to.length <= MAX_REPLY_TO_CHARS ? raw.reply_to : undefined,
  };
  const checked = validatePredictRequest(body);
  if (!checked.ok) throw new WireError(`invalid request: ${checked.error}`, ids);
  const req = checked.value;
  try {
    const rows = req.sequence;
    checkDims(rows.length, rows[0]?.length ?? 0, opts);
    const sequence = sequenceFromRows(rows, req.mask);
    if (!Number.isFinite(req.deadline)) throw new WireError('deadline must be a finite number (epoch ms)');
    const out: DecodedRequest = { v: 1, id: req.id, reply_to: req.reply_to, deadline: req.deadline, sequence, encoding: 'json' };
    if (req.trace !== undefined) out.trace = req.trace as Trace;
    return out;
  } catch (err) {
    if (err instanceof WireError) throw new WireError(err.message, ids);
    throw err;
  }
}

function decodeBinary(payload: Uint8Array, opts: DecodeOptions): DecodedRequest {
  if (payload.length < BINARY_HEADER_BYTES) throw new WireError(`binary request truncated: ${payload.length} bytes, the header alone is ${BINARY_HEADER_BYTES}`);
  if (payload[1] !== BINARY_MAGIC_1) throw new WireError('payload is neither a JSON object nor a binary request (magic "HB")');
  if (payload[2] !== BINARY_VERSION) throw new WireError(`unsupported binary request version ${payload[2]} (this build reads ${BINARY_VERSION})`);
  const dtypeCode = payload[3];
  const dtype = dtypeCode === DTYPE_CODE.f16 ? 'f16' : dtypeCode === DTYPE_CODE.f32 ? 'f32' : undefined;
  if (!dtype) throw new WireError(`unknown binary dtype code ${dtypeCode} (1 = f16, 2 = f32)`);
  const flags = payload[4] as number;
  if ((flags & ~(FLAG_MASK | FLAG_TRACE | FLAG_SPARSE)) !== 0 || payload[5] !== 0) throw new WireError(`unknown binary flags 0x${flags.toString(16)} or non-zero reserved byte`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const idLen = view.getUint16(6, true);
  const replyLen = view.getUint16(8, true);
  const traceLen = view.getUint16(10, true);
  const frames = view.getUint32(12, true);
  const featureDim = view.getUint32(16, true);
  const deadline = view.getFloat64(20, true);
  const hasMask = (flags & FLAG_MASK) !== 0;
  const hasTrace = (flags & FLAG_TRACE) !== 0;
  const sparse = (flags & FLAG_SPARSE) !== 0;

  let off = BINARY_HEADER_BYTES;
  const text = (len: number, what: string): string => {
    if (off + len > payload.length) throw new WireError(`binary request truncated in ${what}`);
    try {
      return utf8Strict.decode(payload.subarray(off, (off += len)));
    } catch {
      throw new WireError(`${what} is not valid UTF-8`);
    }
  };
  const idText = text(idLen, 'id');
  const replyText = text(replyLen, 'reply_to');
  const ids = {
    id: idText.length > 0 && idText.length <= MAX_ID_CHARS ? idText : undefined,
    reply_to: replyText.length > 0 && replyText.length <= MAX_REPLY_TO_CHARS ? replyText : undefined,
  };
  try {
    const traceText = text(traceLen, 'trace');
    let trace: Trace | undefined;
    if (hasTrace) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(traceText);
      } catch {
        throw new WireError('trace is not valid JSON');
      }
      checkTrace(parsed, ids);
      trace = parsed;
    } else if (traceLen !== 0) {
      throw new WireError('trace bytes present without the trace flag');
    }
    checkFields({ id: idText, reply_to: replyText, deadline });
    checkDims(frames, featureDim, opts);
    const size = dtype === 'f16' ? 2 : 4;
    let presence: Uint8Array | undefined;
    if (sparse) {
      if (off + frames > payload.length) throw new WireError('binary request truncated in the sparse presence bytes');
      presence = payload.subarray(off, off + frames);
      checkPresence(presence, featureDim);
      off += frames;
    }
    const sent = presence ? sentHalves(presence) * (featureDim / 2) : frames * featureDim;
    const expected = off + (sent + (hasMask ? frames * 2 : 0)) * size;
    if (payload.length !== expected) {
      throw new WireError(`binary request is ${payload.length} bytes, expected ${expected} for T=${frames} F=${featureDim} ${dtype}${sparse ? ' sparse' : ''}${hasMask ? ' with mask' : ''}`);
    }
    const values = readValues(view, off, sent, dtype);
    const data = presence ? unpackHalves(values, presence, featureDim) : values;
    checkFinite(data, featureDim);
    off += sent * size;
    const sequence: FeatureSequence = { frames, featureDim, data };
    if (hasMask) {
      sequence.mask = readValues(view, off, frames * 2, dtype);
      checkFinite(sequence.mask, 2, 'mask');
    }
    const out: DecodedRequest = { v: 1, id: idText, reply_to: replyText, deadline, sequence, encoding: dtype };
    if (trace !== undefined) out.trace = trace;
    return out;
  } catch (err) {
    if (err instanceof WireError) throw new WireError(err.message, ids);
    throw err;
  }
}

function readValues(view: DataView, offset: number, count: number, dtype: 'f16' | 'f32'): Float32Array {
  const out = new Float32Array(count);
  if (dtype === 'f32') {
    for (let i = 0; i < count; i++, offset += 4) out[i] = view.getFloat32(offset, true);
  } else {
    for (let i = 0; i < count; i++, offset += 2) out[i] = float16BitsToFloat32(view.getUint16(offset, true));
  }
  return out;
}
