import { describe, expect, it } from 'vitest';
import {
  CLASS_LABELS, formatAjvErrors, NUM_CLASSES, validateErrorEnvelope, validateGestureEvent, validateLandmarkFrame,
  validateModelMetadata, validatePredictBody, validatePredictRequest, validatePredictResponse, validateStatusMessage,
} from '../src/index';

const landmarks = Array.from({ length: 21 }, (_, i) => [i / 20, 0.5, 0]);

describe('validators', () => {
  it('accepts a landmark frame and names each problem by path', () => {
    expect(validateLandmarkFrame({ ts: 1, hands: [{ handedness: 'Left', score: 0.9, landmarks }], label: 'Inicio', source: 'camera' }).ok).toBe(true);
    expect(validateLandmarkFrame({ ts: 1, hands: [] }).ok).toBe(true);
    const bad = validateLandmarkFrame({ ts: 'x', hands: [{ handedness: 'Up', score: 1.5, landmarks: landmarks.slice(1) }], extra: 1 });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    // allErrors: every problem in one message.
    expect(bad.error).toContain('/ts must be number');
    expect(bad.error).toContain('/hands/0/handedness must be equal to one of the allowed values');
    expect(bad.error).toContain('/hands/0/score must be <= 1');
    expect(bad.error).toContain('/hands/0/landmarks must NOT have fewer than 21 items');
    expect(bad.error).toContain('(root) must NOT have additional properties');
    expect(validateLandmarkFrame({ ts: 1, hands: [1, 2, 3] }).ok).toBe(false);
  });

  it('checks predict bodies and requests', () => {
    expect(validatePredictBody({ sequence: [[1, 2]], mask: [[1, 0]] }).ok).toBe(true);
    expect(validatePredictBody({}).ok).toBe(false);
    expect(validatePredictBody({ sequence: [] }).ok).toBe(false);
    const req = { v: 1, id: 'a', reply_to: 'r', deadline: 1, sequence: [[1]], trace: { capture: 1 } };
    expect(validatePredictRequest(req).ok).toBe(true);
    expect(validatePredictRequest({ ...req, id: '' }).ok).toBe(false);
    expect(validatePredictRequest({ ...req, id: 'x'.repeat(129) }).ok).toBe(false);
    expect(validatePredictRequest({ ...req, trace: { capture: 'x' } }).ok).toBe(false);
    const r = validatePredictRequest({ ...req, v: 2, deadline: 'soon' });
    expect(r.ok ? '' : r.error).toMatch(/\/v must be equal to constant; \/deadline must be number/);
  });

  it('checks responses, error envelopes, metadata, gesture events and status', () => {
    const resp = { v: 1, id: 'a', prediction: 'Inicio', probabilities: [1], top_index: 0, top_probability: 1, elapsed_ms: 1, model: 'm@1', worker: 'w', batch_size: 1 };
    expect(validatePredictResponse(resp).ok).toBe(true);
    expect(validatePredictResponse({ ...resp, batch_size: 0 }).ok).toBe(false);
    expect(validateErrorEnvelope({ v: 1, id: 'a', error: { code: 'timeout', message: 'late' } }).ok).toBe(true);
    expect(validateErrorEnvelope({ v: 1, id: 'a', error: { code: 'oops', message: 'x' } }).ok).toBe(false);
    const meta = {
      name: 'helen', model_id: 'helen@0123456789ab', sha256: '0'.repeat(64), seq_len: 30, use_z: false, feature_dim: 84,
      num_classes: NUM_CLASSES, class_labels: [...CLASS_LABELS], input: { name: 'x', shape: ['batch', 'time', 84] }, output: { name: 'y', kind: 'logits' },
    };
    expect(validateModelMetadata(meta).ok).toBe(true);
    expect(validateModelMetadata({ ...meta, sha256: 'XYZ' }).ok).toBe(false);
    const ev = { gesture: 'Inicio', character: 'Inicio', score: 0.97, timestamp: '2026-11-25T10:00:00.000Z', session_id: 's', sequence: 1, source: 'edge-publisher' };
    expect(validateGestureEvent(ev).ok).toBe(true);
    expect(validateGestureEvent({ ...ev, timestamp: 'yesterday' }).ok).toBe(false);
    expect(validateStatusMessage({ state: 'online', role: 'worker' }).ok).toBe(true);
    expect(validateStatusMessage({ state: 'asleep' }).ok).toBe(false);
  });

  it('formats ajv errors', () => {
    expect(formatAjvErrors(null)).toBe('invalid');
    expect(formatAjvErrors([{ instancePath: '', message: 'must be object', keyword: 'type', schemaPath: '#', params: {} }])).toBe('(root) must be object');
  });

  it('has the original 22 labels in index order', () => {
    expect(NUM_CLASSES).toBe(22);
    expect(CLASS_LABELS[10]).toBe('Start');
    expect(CLASS_LABELS[14]).toBe('Inicio');
    expect(CLASS_LABELS[21]).toBe('Agregar');
  });
});
