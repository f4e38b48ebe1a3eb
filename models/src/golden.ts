/**
 * Golden vectors: inputs and PyTorch's outputs saved by export.py beside the model. Checking
 * them with onnxruntime-node proves the ONNX file computes what the checkpoint computed,
 * without Python, wherever the model is deployed.
 */
import { readFile } from 'node:fs/promises';
import { createSession, runBatch } from '@helen/model-runtime';

export interface GoldenCase {
  name: string;
  kind: 'random' | 'real';
  label?: string;
  shape: [number, number, number];
  input: number[];
  expected: number[];
}

export interface GoldenFile {
  model_id: string;
  sha256: string;
  input: string;
  output: string;
  tolerance: number;
  reference: string;
  cases: GoldenCase[];
}

export interface GoldenResult { name: string; kind: string; shape: number[]; maxAbsDiff: number; ok: boolean }

export async function readGolden(path: string): Promise<GoldenFile> {
  const g = JSON.parse(await readFile(path, 'utf8')) as GoldenFile;
  if (!Array.isArray(g.cases) || g.cases.length === 0) throw new Error(`${path}: no golden cases`);
  for (const c of g.cases) {
    const [b, t, f] = c.shape;
    if (c.input.length !== b * t * f) throw new Error(`${path}: case ${c.name} has ${c.input.length} inputs for shape [${c.shape.join(', ')}]`);
    if (c.expected.length % b !== 0) throw new Error(`${path}: case ${c.name} has ${c.expected.length} outputs for batch ${b}`);
  }
  return g;
}

/** Runs every golden case through onnxruntime-node; `ok` when max |ort - torch| <= tolerance. */
export async function checkGolden(onnxPath: string, golden: GoldenFile, tolerance = golden.tolerance): Promise<GoldenResult[]> {
  const session = await createSession(onnxPath);
  try {
    const results: GoldenResult[] = [];
    for (const c of golden.cases) {
      const [b, t, f] = c.shape;
      const out = await runBatch(session, Float32Array.from(c.input), b, t, f);
      if (out.length !== c.expected.length) throw new Error(`case ${c.name}: model gave ${out.length} outputs, golden has ${c.expected.length}`);
      let max = 0;
      out.forEach((v, i) => { max = Math.max(max, Math.abs(v - (c.expected[i] as number))); });
      results.push({ name: c.name, kind: c.kind, shape: c.shape, maxAbsDiff: max, ok: max <= tolerance });
    }
    return results;
  } finally {
    await session.release();
  }
}
