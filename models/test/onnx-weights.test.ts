import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const PY_DIR = fileURLToPath(new URL('../python', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
const hasTorch = probe.status === 0;
if (!hasTorch) console.warn('ONNX -> torch weight tests skipped: /usr/bin/python3 lacks torch or onnx (apt-get install python3-torch python3-onnx)');

describe.skipIf(!hasTorch)('ONNX -> PyTorch weights (models/python/onnx_weights.py, train.py --init-onnx)', () => {
  it('loads the committed model with golden parity <= 1e-4, round-trips every weight, refuses a mismatched config', () => {
    const run = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', PY_DIR, '-p', 'test_onnx_weights.py', '-v'], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).toMatch(/test_loaded_weights_reproduce_the_golden_outputs_within_1e_4 \(.*\) \.\.\. ok/);
    expect(run.stderr).toMatch(/Ran 8 tests/);
  }, 130_000);
});
