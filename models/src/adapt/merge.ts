/**
 * Several datasets (same seq_len / feature_dim) -> one, split by split: the user's takes and the
 * synthetic set keep the splits they were given (each built split by recording), so a user's
 * held-out take never reaches training. A part's training windows can be repeated, which is
 * how a few takes of one household weigh against hundreds of synthetic recordings.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readDataset, DATASET_FORMAT, type DatasetMeta, type SplitInfo } from '../dataset/build';
import { SPLITS, type Split } from '../dataset/split';

export interface MergePart {
  dir: string;
  /** Prefix of this part's recording paths in the merged meta.json (e.g. `user`, `synthetic`). */
  name: string;
  /** Copies of each training window (>= 1); validation and test windows appear once. */
  trainRepeat?: number;
}

export async function mergeDatasets(parts: readonly MergePart[], outDir: string, source: Record<string, unknown>): Promise<DatasetMeta> {
  const loaded = await Promise.all(parts.map(async (p) => ({ part: p, ...(await readDataset(p.dir)) })));
  const first = loaded[0];
  if (!first) throw new Error('nothing to merge');
  for (const l of loaded) {
    const m = l.meta;
    if (m.seq_len !== first.meta.seq_len || m.feature_dim !== first.meta.feature_dim || m.class_labels.join() !== first.meta.class_labels.join()) {
      throw new Error(`${l.part.dir}: seq_len/feature_dim/classes differ from ${first.part.dir}`);
    }
  }
  const { seq_len: T, feature_dim: F } = first.meta;
  const recordings: DatasetMeta['recordings'] = [];
  const offsets = loaded.map((l) => {
    const offset = recordings.length;
    for (const r of l.meta.recordings) recordings.push({ ...r, file: join(l.part.name, r.file) });
    return offset;
  });
  const outliers = [...new Set(loaded.flatMap((l) => l.meta.outlier_labels ?? []))];
  const splits = {} as Record<Split, SplitInfo>;
  await mkdir(outDir, { recursive: true });
  for (const split of SPLITS) {
    const copies = loaded.map((l) => (split === 'train' ? Math.max(1, Math.floor(l.part.trainRepeat ?? 1)) : 1));
    const n = loaded.reduce((a, l, i) => a + l.splits[split].count * (copies[i] as number), 0);
    const X = new Float32Array(n * T * F);
    const y = new Int32Array(n);
    const rid = new Int32Array(n);
    const info: SplitInfo = { windows: n, recordings: 0, per_class: {} };
    let k = 0;
    loaded.forEach((l, i) => {
      const s = l.splits[split];
      for (let c = 0; c < (copies[i] as number); c++) {
        X.set(s.X, k * T * F);
        y.set(s.y, k);
        rid.set(s.recording.map((r) => r + (offsets[i] as number)), k);
        k += s.count;
      }
      const partInfo = l.meta.splits[split];
      info.recordings += partInfo.recordings;
      for (const [label, windows] of Object.entries(partInfo.per_class)) {
        info.per_class[label] = (info.per_class[label] ?? 0) + windows * (copies[i] as number);
      }
    });
    splits[split] = info;
    await writeFile(join(outDir, `X_${split}.f32`), new Uint8Array(X.buffer));
    await writeFile(join(outDir, `y_${split}.i32`), new Uint8Array(y.buffer));
    await writeFile(join(outDir, `r_${split}.i32`), new Uint8Array(rid.buffer));
  }
  const meta: DatasetMeta = {
    ...first.meta,
    format: DATASET_FORMAT,
    ...(outliers.length > 0 ? { outlier_labels: outliers, outlier_target: -1 } : {}),
    splits,
    recordings,
    source,
    created: new Date().toISOString(),
  };
  await writeFile(join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  return meta;
}
