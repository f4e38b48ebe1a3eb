/** The README's environment table and `helen stack --help` must name every variable the code parses. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helpText } from '@helen/runtime/testing';
import { stackSettings } from '../src/config';
import { main } from '../src/main';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('docs', () => {
  it('README and helen stack --help list every variable', async () => {
    const text = await helpText(main);
    for (const { env } of stackSettings.variables()) {
      // The README shows the two backoff bounds on one row.
      const shown = /^HELEN_STACK_RESTART_(MIN|MAX)_MS$/.test(env) ? '`HELEN_STACK_RESTART_MIN_MS` / `_MAX_MS`' : `\`${env}\``;
      expect(readme, env).toContain(shown);
      expect(text, env).toMatch(new RegExp(`^${env}\\s`, 'm'));
    }
  });
});
