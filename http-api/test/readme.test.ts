/** The README's environment table and --help must name every variable the code parses (with its default). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { helpText } from '@helen/runtime/testing';
import { apiSettings } from '../src/config';
import { main } from '../src/main';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('docs', () => {
  it('README and helen api --help list every variable', async () => {
    const text = await helpText(main);
    for (const v of apiSettings.variables()) {
      // A literal default is shown as it is; optional ones say "unset" (or what applies instead).
      expect(readme, v.env).toContain(v.defaultText === undefined ? `| \`${v.env}\` |` : `| \`${v.env}\` | \`${v.defaultText}\` |`);
      expect(text, v.env).toMatch(new RegExp(`^${v.env}\\s`, 'm'));
    }
  });
});
