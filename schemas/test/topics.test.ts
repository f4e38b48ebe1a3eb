import { describe, expect, it } from 'vitest';
import { createTopics, DEFAULT_TOPIC_PREFIX, isValidTopicId } from '../src/index';

describe('topics', () => {
  const t = createTopics();

  it('builds the ARCHITECTURE.md topics under the default prefix', () => {
    expect(t.prefix).toBe(DEFAULT_TOPIC_PREFIX);
    expect(t.predict('pi-1')).toBe('helen/v1/devices/pi-1/predict');
    expect(t.predictions('pi-1')).toBe('helen/v1/devices/pi-1/predictions');
    expect(t.gestures('pi-1')).toBe('helen/v1/devices/pi-1/gestures');
    expect(t.deviceStatus('pi-1')).toBe('helen/v1/devices/pi-1/status');
    expect(t.apiReplies('api-7')).toBe('helen/v1/api/api-7/replies');
    expect(t.workerStatus('w1')).toBe('helen/v1/workers/w1/status');
    expect(t.modelMetadata()).toBe('helen/v1/model/metadata');
    expect(t.workerPredictSubscription()).toBe('$share/helen-workers/helen/v1/devices/+/predict');
    expect(t.workerPredictSubscription('g2')).toBe('$share/g2/helen/v1/devices/+/predict');
    expect(t.allWorkerStatus()).toBe('helen/v1/workers/+/status');
  });

  it('parses what it builds (round trip), with any prefix', () => {
    for (const prefix of ['helen/v1', 'home/kitchen/helen']) {
      const topics = createTopics(prefix);
      for (const id of ['pi', 'pi-1.kitchen', 'A_b:9', 'x'.repeat(128)]) {
        expect(topics.parsePredict(topics.predict(id))).toBe(id);
        expect(topics.parseWorkerStatus(topics.workerStatus(id))).toBe(id);
      }
    }
  });

  it('parses nothing else', () => {
    expect(t.parsePredict('helen/v1/devices/pi/predictions')).toBeUndefined();
    expect(t.parsePredict('helen/v2/devices/pi/predict')).toBeUndefined();
    expect(t.parsePredict('helen/v1/devices/a/b/predict')).toBeUndefined();
    expect(t.parsePredict('helen/v1/devices//predict')).toBeUndefined();
    expect(t.parsePredict('helen/v1/workers/pi/predict')).toBeUndefined();
    expect(t.parseWorkerStatus('helen/v1/devices/pi/status')).toBeUndefined();
    expect(t.parseWorkerStatus('helen/v1/workers/w+/status')).toBeUndefined();
  });

  it('rejects ids that are not one safe topic level', () => {
    for (const bad of ['', 'a/b', 'a+', '#', 'with space', 'x'.repeat(129), 'nul\u0000', 'ü']) {
      expect(isValidTopicId(bad)).toBe(false);
      expect(() => t.predict(bad)).toThrow(/device id .* is not a valid topic level/);
    }
    expect(() => t.apiReplies('a/b')).toThrow(/instance id/);
    expect(() => t.workerStatus('#')).toThrow(/worker id/);
    expect(() => t.workerPredictSubscription('a/b')).toThrow(/share group/);
  });

  it('rejects prefixes with wildcards, edge slashes or a leading $', () => {
    for (const bad of ['', 'a/#', 'a/+/b', '/helen', 'helen/', '$SYS']) expect(() => createTopics(bad)).toThrow(/topic prefix/);
  });
});
