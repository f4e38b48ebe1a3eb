import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { edgeEnv } from '../src/config';

// A doc that drifts from the code is a bug: every variable the edge parses is documented.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../deploy/helen-edge.env.example', import.meta.url), 'utf8');

describe('edge docs', () => {
  it('lists every variable, with its default, in the README table', () => {
    for (const [name, v] of Object.entries(edgeEnv)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      expect(row, name).toBeDefined();
      expect(row).toContain(v.defaultText === undefined ? '(unset)' : `\`${v.defaultText}\``);
    }
  });

  it('mentions every variable in the env file example', () => {
    for (const name of Object.keys(edgeEnv)) expect(example, name).toMatch(new RegExp(`^#?${name}=`, 'm'));
  });

  it('has no placeholder left', () => {
    expect(readme).not.toMatch(/_SECTION|ENV_TABLE/);
  });
});
