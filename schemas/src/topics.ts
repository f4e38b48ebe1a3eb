/**
 * The only place topic strings are written. Every part builds and parses topics here, so a
 * changed prefix or layout is one edit. Prefix default `helen/v1` (ARCHITECTURE.md).
 */
export const DEFAULT_TOPIC_PREFIX = 'helen/v1';
export const WORKER_SHARE_GROUP = 'helen-workers';

/** Device, worker and instance ids become one topic level: no wildcards, separators or NUL. */
const TOPIC_LEVEL_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isValidTopicId(id: string): boolean {
  return TOPIC_LEVEL_ID.test(id);
}

function checkId(kind: string, id: string): string {
  if (!isValidTopicId(id)) {
    throw new Error(`${kind} "${id}" is not a valid topic level: use 1-128 of A-Z a-z 0-9 . _ : -`);
  }
  return id;
}

export interface Topics {
  readonly prefix: string;
  predict(device: string): string;
  predictions(device: string): string;
  gestures(device: string): string;
  deviceStatus(device: string): string;
  apiReplies(instance: string): string;
  workerStatus(worker: string): string;
  modelMetadata(): string;
  /** What workers subscribe to: every device's predict topic through the shared group. */
  workerPredictSubscription(group?: string): string;
  /** Filter matching every worker's status (for liveness tracking). */
  allWorkerStatus(): string;
  /** Device id of a predict topic, or undefined for any other topic. */
  parsePredict(topic: string): string | undefined;
  /** Worker id of a worker status topic, or undefined. */
  parseWorkerStatus(topic: string): string | undefined;
}

export function createTopics(prefix: string = DEFAULT_TOPIC_PREFIX): Topics {
  if (!/^[^#+\u0000]+$/.test(prefix) || prefix.startsWith('/') || prefix.endsWith('/') || prefix.startsWith('$')) {
    throw new Error(`topic prefix "${prefix}" must be non-empty, without wildcards, leading/trailing "/" or leading "$"`);
  }
  const levels = (topic: string): string[] | undefined => {
    if (!topic.startsWith(`${prefix}/`)) return undefined;
    return topic.slice(prefix.length + 1).split('/');
  };
  return Object.freeze({
    prefix,
    predict: (d: string) => `${prefix}/devices/${checkId('device id', d)}/predict`,
    predictions: (d: string) => `${prefix}/devices/${checkId('device id', d)}/predictions`,
    gestures: (d: string) => `${prefix}/devices/${checkId('device id', d)}/gestures`,
    deviceStatus: (d: string) => `${prefix}/devices/${checkId('device id', d)}/status`,
    apiReplies: (i: string) => `${prefix}/api/${checkId('instance id', i)}/replies`,
    workerStatus: (w: string) => `${prefix}/workers/${checkId('worker id', w)}/status`,
    modelMetadata: () => `${prefix}/model/metadata`,
    workerPredictSubscription: (group = WORKER_SHARE_GROUP) => `$share/${checkId('share group', group)}/${prefix}/devices/+/predict`,
    allWorkerStatus: () => `${prefix}/workers/+/status`,
    parsePredict: (topic: string) => {
      const l = levels(topic);
      return l && l.length === 3 && l[0] === 'devices' && l[2] === 'predict' && isValidTopicId(l[1] ?? '') ? l[1] : undefined;
    },
    parseWorkerStatus: (topic: string) => {
      const l = levels(topic);
      return l && l.length === 3 && l[0] === 'workers' && l[2] === 'status' && isValidTopicId(l[1] ?? '') ? l[1] : undefined;
    },
  });
}
