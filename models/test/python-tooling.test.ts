import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLASS_LABELS } from '@helen/schemas';

const PYTHON = '/usr/bin/python3';
const PY_DIR = fileURLToPath(new URL('../python', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

const torchProbe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
const hasTorch = torchProbe.status === 0;
if (!hasTorch) console.warn('models/python tests skipped: python3-torch not installed (apt-get install python3-torch python3-onnx)');

describe('Python label table', () => {
  it('is the same table as CLASS_LABELS (no drift between the two languages)', async () => {
    const src = await readFile(`${PY_DIR}/helen_model.py`, 'utf8');
    const block = /LABEL_TABLE[^=]*= dict\(enumerate\(\[([\s\S]*?)\]\)\)/.exec(src)?.[1];
    expect(block).toBeDefined();
    const labels = [...(block ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(labels).toEqual([...CLASS_LABELS]);
  });
});

describe.skipIf(!hasTorch)('Python tooling (unittest: checkpoint validation, export round trip, train smoke)', () => {
  it('passes /usr/bin/python3 -m unittest discover models/python', () => {
    const run = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', PY_DIR], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).toMatch(/Ran \d+ tests/);
    expect(run.stderr).toMatch(/\nOK/);
  }, 250_000);
});
