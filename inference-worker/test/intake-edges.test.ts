/** Intake at its edges: what each drop and rejection says, the decode limit, deadline equality, overflow. */
import { describe, expect, it } from 'vitest';
import { encodeRequestBinary, encodeRequestJson, type ModelMetadata } from '@helen/schemas';
import { intake, isUsableReplyTo } from '../src/intake';
import { sequence } from './helpers';

const metadata = { model_id: 'm@000000000000', feature_dim: 84, seq_len: 30 } as ModelMetadata;
const ctx = { metadata, maxFrames: 1024 };
const REPLY_TO = 'helen/v1/api/x/replies';
const fields = (over: Record<string, unknown> = {}) => ({ id: 'r1', reply_to: REPLY_TO, deadline: 2e12, ...over });

describe('intake edges', () => {
  it('accepts a reply topic of exactly 512 characters', () => {
    expect(isUsableReplyTo('x'.repeat(512))).toBe(true);
    expect(isUsableReplyTo('x')).toBe(true);
  });

  it('answers a request that names its reply_to but no id, with an empty id', () => {
    const body = Buffer.from(JSON.stringify({ v: 1, reply_to: REPLY_TO, deadline: 2e12, sequence: [[1]] }));
    expect(intake(body, 1, 1e12, 0, ctx)).toEqual({ kind: 'rejected', id: '', replyTo: REPLY_TO, qos: 1, trace: undefined, message: expect.stringContaining('invalid request') });
  });

  it('drops, saying why, a payload that breaks the decoder itself', () => {
    // Not a real Uint8Array: the decoder fails with a TypeError, not a WireError.
    const broken = Object.assign([0x48, 0x42, 1, 2, 0, 0, ...Array(30).fill(0)], { buffer: undefined }) as unknown as Uint8Array;
    const got = intake(broken, 0, 1e12, 0, ctx);
    expect(got).toMatchObject({ kind: 'dropped', reason: 'no_reply_to', message: expect.stringMatching(/^request could not be decoded: TypeError/) });
  });

  it('drops a decodable request whose reply_to cannot be published to, quoting its first 64 characters', () => {
    const replyTo = `a/+/${'b'.repeat(100)}`;
    const got = intake(encodeRequestJson(fields({ reply_to: replyTo }), sequence(30)), 0, 1e12, 0, ctx);
    expect(got).toEqual({ kind: 'dropped', reason: 'no_reply_to', message: `reply_to "${replyTo.slice(0, 64)}" is not a topic a reply can be published to` });
  });

  it('refuses more frames than maxFrames, naming the limit', () => {
    const got = intake(encodeRequestBinary(fields(), sequence(11), 'f32'), 1, 1e12, 0, { metadata, maxFrames: 10 });
    expect(got).toMatchObject({ kind: 'rejected', id: 'r1', message: expect.stringContaining('more than the limit 10') });
    expect(intake(encodeRequestBinary(fields(), sequence(10), 'f32'), 1, 1e12, 0, { metadata, maxFrames: 10 }).kind).toBe('accepted');
  });

  it('accepts a request received exactly at its deadline, and says by how much a late one missed it', () => {
    expect(intake(encodeRequestJson(fields({ deadline: 1000 }), sequence(30)), 0, 1000, 0, ctx).kind).toBe('accepted');
    expect(intake(encodeRequestJson(fields({ deadline: 995 }), sequence(30)), 0, 1000, 0, ctx)).toEqual({ kind: 'dropped', reason: 'deadline', message: 'deadline passed 5 ms before receipt' });
  });

  it('rejects a sequence whose mask pushes a value past float32, naming the original frame and feature', () => {
    const seq = sequence(35, 84, 3);
    const mask = seq.mask as Float32Array;
    // Frame 33 (of 35; the model sees the last 30), left hand feature 5.
    seq.data[33 * 84 + 5] = 1e30;
    mask[33 * 2] = 1e30;
    const got = intake(encodeRequestBinary(fields(), seq, 'f32'), 1, 1e12, 0, ctx);
    expect(got).toEqual({
      kind: 'rejected', id: 'r1', replyTo: REPLY_TO, qos: 1, trace: undefined,
      message: 'sequence[33][5] times its mask overflows float32: mask values must keep features finite',
    });
    // The first frame the model sees, feature 0, is found too (index 0 of the prepared input).
    const first = sequence(35, 84, 4);
    first.data[5 * 84] = 1e30;
    (first.mask as Float32Array)[5 * 2] = 1e30;
    expect(intake(encodeRequestBinary(fields(), first, 'f32'), 1, 1e12, 0, ctx)).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/^sequence\[5\]\[0\] times its mask/) });
  });

  it('rejects what the model input preparation refuses, with its message', () => {
    const odd = { ...metadata, feature_dim: 85 } as ModelMetadata;
    const got = intake(encodeRequestBinary(fields(), sequence(30, 85), 'f32'), 0, 1e12, 0, { metadata: odd, maxFrames: 1024 });
    expect(got).toMatchObject({ kind: 'rejected', id: 'r1', message: 'featureDim 85 is odd: a mask needs [Left, Right] halves' });
  });

  it('keeps the trace of an accepted request', () => {
    const got = intake(encodeRequestJson(fields({ trace: { capture: 5 } }), sequence(30)), 0, 1e12, 7, ctx);
    expect(got.kind === 'accepted' && got.item).toMatchObject({ trace: { capture: 5 }, received: 1e12, receivedMono: 7, deadline: 2e12, replyTo: REPLY_TO, qos: 0 });
  });
});
