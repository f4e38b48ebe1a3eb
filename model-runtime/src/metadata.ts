/**
 * Where the default model lives (the committed `models/helen-bigru/`) and how its metadata is read and checked. The inference
 * worker loads a model through these, so a metadata file that drifts from its ONNX file
 * (another export, a hand edit) stops the worker at start-up instead of serving wrong labels.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateModelMetadata, type ModelMetadata } from '@helen/schemas';
import type { InferenceSession } from 'onnxruntime-node';

export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../models/helen-bigru', import.meta.url));
export const DEFAULT_MODEL_PATH = join(DEFAULT_MODEL_DIR, 'model.onnx');
export const DEFAULT_METADATA_PATH = join(DEFAULT_MODEL_DIR, 'metadata.json');
export const DEFAULT_GOLDEN_PATH = join(DEFAULT_MODEL_DIR, 'golden.json');

export function metadataPathFor(onnxPath: string): string {
  return join(dirname(onnxPath), 'metadata.json');
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * Reads `metadata.json` beside the ONNX file and checks it: the schema, its own
 * consistency (labels vs num_classes, input shape vs feature_dim, model_id vs sha256) and
 * that its sha256 is the ONNX file's. Throws `<path>: <what is wrong>`.
 */
export async function loadModelMetadata(onnxPath: string): Promise<ModelMetadata> {
  const path = metadataPathFor(onnxPath);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: cannot read model metadata (${err instanceof Error ? err.message : String(err)})`);
  }
  const checked = validateModelMetadata(raw);
  if (!checked.ok) throw new Error(`${path}: ${checked.error}`);
  const meta = checked.value;
  const problems: string[] = [];
  if (meta.class_labels.length !== meta.num_classes) problems.push(`class_labels has ${meta.class_labels.length} entries, num_classes is ${meta.num_classes}`);
  const inputDim = meta.input.shape?.[2];
  if (inputDim !== undefined && inputDim !== meta.feature_dim) problems.push(`input.shape[2] is ${String(inputDim)}, feature_dim is ${meta.feature_dim}`);
  if (!meta.model_id.endsWith(`@${meta.sha256.slice(0, 12)}`)) problems.push(`model_id "${meta.model_id}" does not end with @${meta.sha256.slice(0, 12)}`);
  const actual = await sha256File(onnxPath);
  if (actual !== meta.sha256) problems.push(`sha256 ${meta.sha256.slice(0, 12)}... is not the ONNX file's (${actual.slice(0, 12)}...)`);
  if (problems.length > 0) throw new Error(`${path}: ${problems.join('; ')}`);
  return meta;
}

type Dim = number | string;
const isSymbolic = (d: Dim | undefined) => d === undefined || typeof d === 'string' || d < 0;

/**
 * Checks that the session's input and output are the ones the metadata names, with agreeing
 * dims (batch and time dynamic, feature_dim and num_classes fixed). Throws naming the mismatch.
 */
export function checkMetadataAgainstSession(meta: ModelMetadata, session: InferenceSession): void {
  const problems: string[] = [];
  if (session.inputNames.length !== 1 || session.inputNames[0] !== meta.input.name) {
    problems.push(`input: metadata names "${meta.input.name}", the model has [${session.inputNames.join(', ')}]`);
  }
  if (!session.outputNames.includes(meta.output.name)) {
    problems.push(`output: metadata names "${meta.output.name}", the model has [${session.outputNames.join(', ')}]`);
  }
  const input = session.inputMetadata.find((m) => m.name === meta.input.name);
  if (input?.isTensor) {
    const s = input.shape as readonly Dim[];
    if (s.length !== 3) problems.push(`input "${input.name}": rank ${s.length}, expected 3 [batch, time, features]`);
    else {
      if (s[2] !== meta.feature_dim) problems.push(`input "${input.name}": last dim ${String(s[2])}, metadata feature_dim ${meta.feature_dim}`);
      if (!isSymbolic(s[0]) || !isSymbolic(s[1])) problems.push(`input "${input.name}": batch and time must be dynamic, got [${s.join(', ')}]`);
    }
    if (input.type !== 'float32') problems.push(`input "${input.name}": type ${input.type}, expected float32`);
  }
  const output = session.outputMetadata.find((m) => m.name === meta.output.name);
  if (output?.isTensor) {
    const s = output.shape as readonly Dim[];
    if (s.length !== 2 || s[1] !== meta.num_classes) problems.push(`output "${output.name}": shape [${s.join(', ')}], metadata num_classes ${meta.num_classes}`);
  }
  if (problems.length > 0) throw new Error(`model metadata ${meta.model_id} does not match the ONNX session: ${problems.join('; ')}`);
}
