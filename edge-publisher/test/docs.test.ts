import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { edgeSettings } from '../src/config';

// A doc that drifts from the code is a bug: every variable the edge parses is documented.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../deploy/helen-edge.env.example', import.meta.url), 'utf8');

describe('edge docs', () => {
  it('lists every variable, with its default, in the README table', () => {
    for (const v of edgeSettings.variables()) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${v.env}\` |`));
      expect(row, v.env).toBeDefined();
      expect(row).toContain(v.defaultText === undefined ? '(unset)' : `\`${v.defaultText}\``);
    }
  });

  it('mentions every variable in the env file example', () => {
    for (const { env } of edgeSettings.variables()) expect(example, env).toMatch(new RegExp(`^#?${env}=`, 'm'));
  });

  it('has no placeholder left', () => {
    expect(readme).not.toMatch(/_SECTION|ENV_TABLE/);
  });
});
