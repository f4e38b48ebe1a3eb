import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, window } from '@helen/runtime/testing';
import {
  createTopics, encodeReply, encodeRequestBinary, encodeRequestJson, sequenceFromRows, type ErrorEnvelope, type GestureEvent, type PredictResponse,
} from '@helen/schemas';
import { classifyTopic, decodeMessage } from '../src/index';

const topics = createTopics('helen/v1');
const NOW = 1_800_000_000_000;
const fields = { id: 'req-1', reply_to: topics.predictions('pi-kitchen'), deadline: NOW + 1500 };
const seq = (frames: number, features: number, mask = false) =>
  sequenceFromRows(window(frames, features), mask ? Array.from({ length: frames }, () => [1, 0]) : undefined);

const response: PredictResponse = {
  v: 1, id: 'req-1', prediction: 'Inicio', probabilities: [0.03, 0.97], top_index: 14, top_probability: 0.97,
  elapsed_ms: 3.25, model: 'helen-bigru@e7fab99adb66', worker: 'w1', batch_size: 2,
};
const gesture: GestureEvent = {
  gesture: 'Reloj', character: 'Reloj', score: 0.996, timestamp: '2026-11-26T04:03:22.270Z', session_id: 's1', sequence: 2,
  source: 'edge-publisher', device: 'pi-kitchen', served_by: 'cloud',
};

describe('classifyTopic', () => {
  it('knows every topic of the layout, and nothing else', () => {
    expect(classifyTopic(topics, 'helen/v1/devices/pi-kitchen/predict')).toEqual({ kind: 'request', device: 'pi-kitchen' });
    expect(classifyTopic(topics, 'helen/v1/devices/pi-kitchen/predictions')).toEqual({ kind: 'predictions', device: 'pi-kitchen' });
    expect(classifyTopic(topics, 'helen/v1/devices/pi-kitchen/gestures')).toEqual({ kind: 'gesture', device: 'pi-kitchen' });
    expect(classifyTopic(topics, 'helen/v1/devices/pi-kitchen/status')).toEqual({ kind: 'device-status', device: 'pi-kitchen' });
    expect(classifyTopic(topics, 'helen/v1/api/api-1/replies')).toEqual({ kind: 'api-replies', instance: 'api-1' });
    expect(classifyTopic(topics, 'helen/v1/workers/w1/status')).toEqual({ kind: 'worker-status', worker: 'w1' });
    expect(classifyTopic(topics, 'helen/v1/model/metadata')).toEqual({ kind: 'metadata' });
    for (const t of ['helen/v1/devices/pi/predict/extra', 'helen/v1/devices/a b/predict', 'helen/v2/devices/pi/predict', 'helen/v1', 'helen/v1/api/x/other', 'other/topic']) {
      expect(classifyTopic(topics, t), t).toEqual({ kind: 'other' });
    }
  });

  it('follows the topic prefix', () => {
    const custom = createTopics('home/helen');
    expect(classifyTopic(custom, 'home/helen/devices/pi/predict')).toEqual({ kind: 'request', device: 'pi' });
    expect(classifyTopic(custom, 'helen/v1/devices/pi/predict')).toEqual({ kind: 'other' });
  });
});

describe('decodeMessage: requests', () => {
  it.each(['f16', 'f32'] as const)('summarises a binary %s request built by the real encoder', (dtype) => {
    const payload = encodeRequestBinary(fields, seq(30, 84, true), dtype);
    expect(decodeMessage(topics, topics.predict('pi-kitchen'), payload, NOW)).toEqual({
      type: 'request', topic: 'helen/v1/devices/pi-kitchen/predict', device: 'pi-kitchen', id: 'req-1', frames: 30, features: 84,
      encoding: dtype, mask: true, deadline_left_ms: 1500, reply_to: fields.reply_to, bytes: payload.length,
    });
  });

  it('summarises a JSON request, with a deadline already past as a negative time left', () => {
    const payload = encodeRequestJson({ ...fields, deadline: NOW - 250 }, seq(15, 126));
    expect(decodeMessage(topics, topics.predict('pi-kitchen'), payload, NOW)).toMatchObject({
      type: 'request', encoding: 'json', frames: 15, features: 126, mask: false, deadline_left_ms: -250, bytes: payload.length,
    });
  });

  it('turns a truncated binary request into undecodable, keeping the id the decoder could read', () => {
    const full = encodeRequestBinary(fields, seq(30, 84), 'f16');
    const cut = full.subarray(0, full.length - 10);
    const event = decodeMessage(topics, topics.predict('pi-kitchen'), cut, NOW);
    expect(event).toEqual({
      type: 'undecodable', topic: 'helen/v1/devices/pi-kitchen/predict', kind: 'request', device: 'pi-kitchen', id: 'req-1',
      reason: `binary request is ${cut.length} bytes, expected ${full.length} for T=30 F=84 f16`, bytes: cut.length,
    });
    expect(decodeMessage(topics, topics.predict('pi'), full.subarray(0, 8), NOW)).toMatchObject({
      type: 'undecodable', reason: 'binary request truncated: 8 bytes, the header alone is 28',
    });
  });

  it('turns a binary header that lies about its sizes into undecodable', () => {
    const payload = Buffer.from(encodeRequestBinary(fields, seq(2, 3), 'f32'));
    payload.writeUInt16LE(5000, 6); // id length far past the end
    expect(decodeMessage(topics, topics.predict('pi'), payload, NOW)).toMatchObject({ type: 'undecodable', reason: 'binary request truncated in id' });
    const frames = Buffer.from(encodeRequestBinary(fields, seq(2, 3), 'f32'));
    frames.writeUInt32LE(0xffffffff, 12); // T = 4 billion frames
    expect(decodeMessage(topics, topics.predict('pi'), frames, NOW)).toMatchObject({
      type: 'undecodable', id: 'req-1', reason: 'sequence has 4294967295 frames, more than the limit 1024',
    });
    const dtype = Buffer.from(encodeRequestBinary(fields, seq(2, 3), 'f32'));
    dtype[3] = 9;
    expect(decodeMessage(topics, topics.predict('pi'), dtype, NOW)).toMatchObject({ type: 'undecodable', reason: 'unknown binary dtype code 9 (1 = f16, 2 = f32)' });
  });

  it('turns garbage, broken JSON, an invalid JSON request and an empty payload into undecodable', () => {
    const t = topics.predict('pi');
    expect(decodeMessage(topics, t, Buffer.from('hello'), NOW)).toMatchObject({ reason: 'payload is neither a JSON object nor a binary request (magic "HB")' });
    expect(decodeMessage(topics, t, Buffer.from('{"v":1,'), NOW)).toMatchObject({ type: 'undecodable', reason: expect.stringMatching(/^request is not valid JSON/) });
    expect(decodeMessage(topics, t, Buffer.from(JSON.stringify({ v: 1, id: 'x', reply_to: 'r', deadline: 1, sequence: [] })), NOW))
      .toMatchObject({ type: 'undecodable', id: 'x', reason: expect.stringMatching(/^invalid request: \/sequence/) });
    expect(decodeMessage(topics, t, Buffer.alloc(0), NOW)).toMatchObject({ type: 'undecodable', reason: 'empty payload', bytes: 0 });
  });
});

describe('decodeMessage: replies, gestures, statuses, metadata, other', () => {
  it('summarises a prediction on a device topic and on a facade topic', () => {
    const payload = encodeReply(response);
    expect(decodeMessage(topics, topics.predictions('pi-kitchen'), payload, NOW)).toEqual({
      type: 'reply', topic: 'helen/v1/devices/pi-kitchen/predictions', device: 'pi-kitchen', id: 'req-1', label: 'Inicio', score: 0.97,
      worker: 'w1', model: 'helen-bigru@e7fab99adb66', elapsed_ms: 3.25, batch_size: 2, bytes: payload.length,
    });
    expect(decodeMessage(topics, topics.apiReplies('api-7'), payload, NOW)).toMatchObject({ type: 'reply', instance: 'api-7', label: 'Inicio' });
  });

  it('summarises an error reply with its code', () => {
    const err: ErrorEnvelope = { v: 1, id: 'req-2', error: { code: 'queue_full', message: 'queue is full (1024)' }, worker: 'w2' };
    expect(decodeMessage(topics, topics.predictions('pi'), encodeReply(err), NOW)).toMatchObject({
      type: 'error', device: 'pi', id: 'req-2', code: 'queue_full', message: 'queue is full (1024)', worker: 'w2',
    });
  });

  it('turns a reply that breaks its schema into undecodable', () => {
    const { worker: _worker, ...noWorker } = response;
    expect(decodeMessage(topics, topics.predictions('pi'), Buffer.from(JSON.stringify(noWorker)), NOW)).toMatchObject({
      type: 'undecodable', kind: 'predictions', id: 'req-1', reason: "invalid reply: (root) must have required property 'worker'",
    });
    expect(decodeMessage(topics, topics.apiReplies('api-7'), Buffer.from([0x48, 0x42, 1]), NOW)).toMatchObject({
      type: 'undecodable', instance: 'api-7', reason: expect.stringMatching(/^reply is not valid JSON/),
    });
  });

  it('summarises a gesture event, and refuses one without its required fields', () => {
    const payload = Buffer.from(JSON.stringify(gesture));
    expect(decodeMessage(topics, topics.gestures('pi-kitchen'), payload, NOW)).toEqual({
      type: 'gesture', topic: 'helen/v1/devices/pi-kitchen/gestures', device: 'pi-kitchen', label: 'Reloj', score: 0.996, sequence: 2,
      served_by: 'cloud', bytes: payload.length,
    });
    expect(decodeMessage(topics, topics.gestures('pi'), Buffer.from('{"gesture":"Inicio"}'), NOW)).toMatchObject({
      type: 'undecodable', kind: 'gesture', reason: expect.stringMatching(/^invalid gesture event: \(root\) must have required property 'character'/),
    });
    expect(decodeMessage(topics, topics.gestures('pi'), Buffer.from([0xff, 0xfe]), NOW)).toMatchObject({ type: 'undecodable', kind: 'gesture' });
  });

  it('summarises device and worker statuses, and an emptied retained status', () => {
    expect(decodeMessage(topics, topics.deviceStatus('pi'), Buffer.from('{"state":"online","ts":1}'), NOW)).toMatchObject({
      type: 'status', role: 'device', name: 'pi', state: 'online',
    });
    expect(decodeMessage(topics, topics.workerStatus('w1'), Buffer.from('{"state":"draining","model":"m@1"}'), NOW)).toMatchObject({
      type: 'status', role: 'worker', name: 'w1', state: 'draining', model: 'm@1',
    });
    expect(decodeMessage(topics, topics.workerStatus('w1'), Buffer.from('{"state":"asleep"}'), NOW)).toMatchObject({
      type: 'undecodable', kind: 'worker-status', reason: expect.stringMatching(/^invalid status: \/state must be equal to one of the allowed values/),
    });
    expect(decodeMessage(topics, topics.workerStatus('w1'), Buffer.alloc(0), NOW)).toEqual({
      type: 'cleared', topic: 'helen/v1/workers/w1/status', kind: 'worker-status', name: 'w1', bytes: 0,
    });
  });

  it('summarises the committed model metadata', () => {
    const payload = readFileSync(join(REPO_ROOT, 'models', 'helen-bigru', 'metadata.json'));
    const meta = JSON.parse(payload.toString()) as { model_id: string; seq_len: number; feature_dim: number };
    expect(decodeMessage(topics, topics.modelMetadata(), payload, NOW)).toEqual({
      type: 'metadata', topic: 'helen/v1/model/metadata', model_id: meta.model_id, classes: 22, seq_len: meta.seq_len, feature_dim: meta.feature_dim,
      bytes: payload.length,
    });
  });

  it('shows any other topic with its first bytes, as text when printable, else as hex', () => {
    expect(decodeMessage(topics, 'helen/v1/debug/note', Buffer.from('hello\nworld'), NOW)).toEqual({
      type: 'other', topic: 'helen/v1/debug/note', bytes: 11, head: 'hello\nworld', head_encoding: 'text',
    });
    const long = Buffer.from(`${'a'.repeat(31)}é and more`); // é cut in half at byte 32
    expect(decodeMessage(topics, 'x/y', long, NOW)).toMatchObject({ head: 'a'.repeat(31), head_encoding: 'text', bytes: long.length });
    expect(decodeMessage(topics, 'x/y', Buffer.from([0x48, 0x42, 0x01, 0x00]), NOW)).toMatchObject({ head: '48420100', head_encoding: 'hex' });
  });
});
