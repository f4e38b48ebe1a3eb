import type { ModelMetadata } from '@helen/schemas';

/** What the edge needs to know about the model, from MQTT metadata, HTTP /metadata or the local file. */
export interface ModelInfo {
  seqLen: number;
  useZ: boolean;
  featureDim: number;
  labels: readonly string[];
  modelId?: string | undefined;
}

export function modelInfoFromMetadata(m: ModelMetadata): ModelInfo {
  return { seqLen: m.seq_len, useZ: m.use_z, featureDim: m.feature_dim, labels: m.class_labels, modelId: m.model_id };
}
