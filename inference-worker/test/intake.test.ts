/** The message boundary on its own: whatever the bytes, a result and never a throw. */
import { describe, expect, it } from 'vitest';
import { encodeRequestBinary, encodeRequestJson, type ModelMetadata } from '@helen/schemas';
import { intake, isUsableReplyTo } from '../src/intake';
import { sequence } from './helpers';

const metadata = { model_id: 'm@000000000000', feature_dim: 84, seq_len: 30 } as ModelMetadata;
const ctx = { metadata, maxFrames: 1024 };
const fields = (over: Record<string, unknown> = {}) => ({ id: 'r1', reply_to: 'helen/v1/api/x/replies', deadline: 2e12, ...over });

describe('intake', () => {
  it('accepts a request and prepares the last seq_len frames', () => {
    const got = intake(encodeRequestBinary(fields(), sequence(45), 'f32'), 1, 1e12, 0, ctx);
    expect(got.kind).toBe('accepted');
    if (got.kind !== 'accepted') return;
    expect(got.item).toMatchObject({ id: 'r1', qos: 1, frames: 30 });
    expect(got.item.input.data.length).toBe(30 * 84);
  });

  it('keeps a short window at its own length (never padded)', () => {
    const got = intake(encodeRequestJson(fields(), sequence(15)), 0, 1e12, 0, ctx);
    expect(got.kind === 'accepted' && got.item.frames).toBe(15);
  });

  it.each([
    ['random bytes', Buffer.from([1, 2, 3, 250, 0])],
    ['empty', Buffer.alloc(0)],
    ['truncated JSON', Buffer.from('{"v":1,"id":"a","reply_to":"x/y"')],
    ['JSON array', Buffer.from('[1,2]')],
    ['binary magic only', Buffer.from('HB')],
    ['no reply_to', Buffer.from(JSON.stringify({ v: 1, id: 'a', deadline: 2e12, sequence: [[1]] }))],
  ])('drops %s (no reply_to to answer)', (_name, payload) => {
    expect(intake(payload, 0, 1e12, 0, ctx)).toMatchObject({ kind: 'dropped', reason: 'no_reply_to' });
  });

  it('rejects a readable but invalid request with a message naming the problem', () => {
    expect(intake(encodeRequestJson(fields(), sequence(30, 126)), 0, 1e12, 0, ctx)).toMatchObject({ kind: 'rejected', id: 'r1', message: expect.stringContaining('126') });
    const badMask = JSON.stringify({ ...fields(), sequence: [Array(84).fill(0)], mask: [[1]] });
    expect(intake(Buffer.from(badMask), 0, 1e12, 0, ctx)).toMatchObject({ kind: 'rejected', id: 'r1' });
  });

  it('drops a request already past its deadline', () => {
    expect(intake(encodeRequestJson(fields({ deadline: 999 }), sequence(30)), 0, 1000, 0, ctx)).toMatchObject({ kind: 'dropped', reason: 'deadline' });
  });

  it('accepts only reply topics a reply can be published to', () => {
    expect(isUsableReplyTo('helen/v1/devices/d1/predictions')).toBe(true);
    for (const bad of ['', 'a/+/b', 'a/#', '$SYS/x', 'a\u0000b', 'x'.repeat(513)]) expect(isUsableReplyTo(bad), JSON.stringify(bad)).toBe(false);
  });
});
