/** The README's environment tables and --help must name every variable the code parses. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiEnv } from '../src/config';
import { main as apiMain } from '../src/main';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

async function help(main: (argv: string[]) => Promise<number | void>): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => { chunks.push(s); return true; }) as typeof process.stdout.write;
  try {
    expect(await main(['--help'])).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

describe('docs', () => {
  it.each([['api', apiEnv, apiMain]] as const)('README and helen %s --help list every variable', async (_name, spec, main) => {
    const text = await help(main);
    for (const name of Object.keys(spec)) {
      const short = name.replace(/^HELEN_STACK_RESTART_(MIN|MAX)_MS$/, 'HELEN_STACK_RESTART_MIN_MS');
      expect(readme, name).toContain(short === name ? `\`${name}\`` : '`HELEN_STACK_RESTART_MIN_MS` / `_MAX_MS`');
      expect(text, name).toMatch(new RegExp(`^${name}\\s`, 'm'));
    }
  });
});
