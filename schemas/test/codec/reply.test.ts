import { describe, expect, it } from 'vitest';
import { decodeReply, encodeReply, isErrorReply, isPredictResponse, WireError, type PredictReply } from '../../src/index';

const ok: PredictReply = {
  v: 1, id: 'r1', prediction: 'Inicio', probabilities: [0.03, 0.97], top_index: 1, top_probability: 0.97,
  elapsed_ms: 2.5, model: 'helen@0123456789ab', worker: 'w1', batch_size: 3, trace: { replied: 5 },
};
const err: PredictReply = { v: 1, id: 'r2', error: { code: 'invalid_request', message: 'bad' }, worker: 'w1' };

describe('reply codec', () => {
  it('round-trips a result and an error envelope as JSON', () => {
    expect(decodeReply(encodeReply(ok))).toEqual(ok);
    expect(decodeReply(encodeReply(err))).toEqual(err);
    expect(JSON.parse(encodeReply(ok).toString('utf8'))).toEqual(ok);
  });

  it('narrows a reply to a result or an error', () => {
    const r = decodeReply(encodeReply(err));
    expect(isErrorReply(r) ? r.error.code : 'none').toBe('invalid_request');
    expect(isPredictResponse(decodeReply(encodeReply(ok)))).toBe(true);
    expect(isErrorReply(ok)).toBe(false);
  });

  it('rejects invalid replies with the id when it is readable', () => {
    const bad = Buffer.from(JSON.stringify({ v: 1, id: 'r3', prediction: 'x' }));
    const e = (() => { try { decodeReply(bad); } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(WireError);
    expect((e as WireError).id).toBe('r3');
    expect((e as WireError).code).toBe('invalid_request');
    expect((e as WireError).message).toMatch(/must have required property 'probabilities'/);
    expect(() => decodeReply(Buffer.from(JSON.stringify({ v: 1, id: 'r4', error: { code: 'nope', message: '' } })))).toThrow(/error\/code/);
    expect(() => decodeReply(Buffer.from('not json'))).toThrow(WireError);
    expect(() => decodeReply(Buffer.from('[1]'))).toThrow(/JSON object/);
  });
});
