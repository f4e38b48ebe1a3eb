/**
 * The one way a process loads the model: the first existing path of HELEN_MODEL_PATHS (the
 * committed default model when the list is empty), its metadata.json, and an engine whose
 * session inputs/outputs must match the metadata, or loading fails with the reason. The
 * inference worker and the edge's local fallback both load through here.
 */
import { existsSync } from 'node:fs';
import type { ModelMetadata } from '@helen/schemas';
import type { InferenceSession } from 'onnxruntime-node';
import { openEngine, type InferenceEngine, type InferenceThread, type OpenEngine } from './engine';
import { checkMetadataAgainstSession, DEFAULT_MODEL_PATH, loadModelMetadata } from './metadata';
import type { OrtSettings } from './ort-options';
import { rowScores, type RowScores } from './scores';

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export interface LoadedModel {
  readonly path: string;
  readonly metadata: ModelMetadata;
  readonly engine: InferenceEngine;
  readonly inputName: string;
  readonly outputName: string;
  /** Softmax over the output when the model emits logits. */
  readonly outputIsLogits: boolean;
}

/** The first path that exists; an empty list means the committed default model. */
export function resolveModelPath(paths: readonly string[]): string {
  const candidates = paths.length > 0 ? paths : [DEFAULT_MODEL_PATH];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ModelLoadError(`no model found: none of HELEN_MODEL_PATHS exists (${candidates.join(':')})`);
  return found;
}

export async function loadModel(paths: readonly string[], kind: InferenceThread, settings: OrtSettings, open: OpenEngine = openEngine): Promise<LoadedModel> {
  const path = resolveModelPath(paths);
  const metadata = await loadModelMetadata(path);
  const engine = await open(kind, path, settings);
  try {
    // The check reads only the names and metadata that SessionInfo copies from the session.
    checkMetadataAgainstSession(metadata, engine.session as InferenceSession);
  } catch (err) {
    await engine.close();
    throw new ModelLoadError(`model ${path} does not match its metadata: ${(err as Error).message}`);
  }
  return {
    path,
    metadata,
    engine,
    inputName: metadata.input.name,
    outputName: metadata.output.name,
    outputIsLogits: metadata.output.kind === 'logits',
  };
}

/**
 * Runs `batch` prepared inputs of `frames` x feature_dim (row-major, concatenated) and returns
 * one score row per input, softmaxed when the model emits logits.
 */
export async function scoreBatch(model: LoadedModel, input: Float32Array, batch: number, frames: number): Promise<RowScores[]> {
  const classes = model.metadata.num_classes;
  const result = await model.engine.run(input, [batch, frames, model.metadata.feature_dim], model.inputName, model.outputName);
  if (result.output.length !== batch * classes) throw new Error(`model returned ${result.output.length} values for ${batch} x ${classes}`);
  return Array.from({ length: batch }, (_, row) => rowScores(result.output, row, classes, model.outputIsLogits));
}
