import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brokerSettings } from '@helen/broker';
import { workerSettings } from '@helen/inference-worker';
import { apiSettings } from '@helen/http-api';
import { cameraSettings, edgeSettings } from '@helen/edge-publisher';
import { stackSettings } from '@helen/stack';

// The root README is the first thing a user reads: its commands and its environment table
// must stay true to the code.
const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const tables = [brokerSettings, workerSettings, apiSettings, edgeSettings, cameraSettings, stackSettings];
const allVariables = new Map<string, string | undefined>();
for (const table of tables) for (const v of table.variables()) allVariables.set(v.env, v.defaultText);

describe('root README', () => {
  it('opens with exactly two commands: run and test, both real npm scripts', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = firstBlock.split('\n').filter((l) => l.trim() !== '').map((l) => l.replace(/#.*$/, '').trim());
    expect(commands).toEqual(['npm ci && npm start', 'npm test']);
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBeDefined();
    expect(pkg.scripts.test).toBeDefined();
    expect(readFileSync(new URL('.ci/run', root), 'utf8')).toMatch(/^npm test$/m);
  });

  it('lists only variables the services parse, with their real defaults', () => {
    const rows = readme.split('\n').filter((l) => /^\| `HELEN_/.test(l));
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const cells = row.split('|').map((c) => c.trim());
      const names = [...(cells[1] ?? '').matchAll(/`(HELEN_[A-Z0-9_]+)`/g)].map((m) => m[1] ?? '');
      const defaults = [...(cells[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
      names.forEach((name, i) => {
        expect(allVariables.has(name), `${name} is in the README but no service parses it`).toBe(true);
        const documented = defaults[i];
        // Rows whose default is prose ("unset", "host name", "the committed model") are not literal values.
        if (documented !== undefined) expect(allVariables.get(name), `default of ${name}`).toBe(documented);
      });
    }
  });
});
