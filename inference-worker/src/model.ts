/**
 * Loads the model once: the first existing path of HELEN_MODEL_PATHS, its metadata.json,
 * and a session whose inputs/outputs must match the metadata, or the worker refuses to start.
 */
import { existsSync } from 'node:fs';
import { checkMetadataAgainstSession, loadModelMetadata } from '@helen/models';
import type { ModelMetadata } from '@helen/schemas';
import type { InferenceSession } from 'onnxruntime-node';
import type { InferenceThread } from './config';
import { openEngine, type InferenceEngine, type OpenEngine } from './engine';
import type { OrtSettings } from './ort-options';

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

export function resolveModelPath(paths: readonly string[]): string {
  const found = paths.find((p) => existsSync(p));
  if (!found) throw new ModelLoadError(`no model found: none of HELEN_MODEL_PATHS exists (${paths.join(':') || 'empty'})`);
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
