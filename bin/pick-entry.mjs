// Bundle or sources for a `helen` command (see bin/helen.mjs). A bundle counts only when it is
// newer than every source it could contain: the workspaces' src/ and package.json files.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = join(ROOT, 'dist');

function newestSource() {
  const workspaces = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces;
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|mts|js|mjs|cjs|json)$/.test(e.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const ws of workspaces) {
    if (existsSync(join(ROOT, ws, 'src'))) walk(join(ROOT, ws, 'src'));
    newest = Math.max(newest, statSync(join(ROOT, ws, 'package.json')).mtimeMs);
  }
  return newest;
}

/** { bundle?: absolute path to require, note?: one line for stderr }. Throws on HELEN_RUN_FROM=dist without a bundle. */
export function pickEntry(command, runFrom = 'auto') {
  if (!['auto', 'src', 'dist'].includes(runFrom)) throw new Error(`HELEN_RUN_FROM=${runFrom}: use auto, src or dist`);
  if (runFrom === 'src') return {};
  const bundle = join(DIST, `${command}.cjs`);
  if (!existsSync(bundle)) {
    if (runFrom === 'dist') throw new Error(`HELEN_RUN_FROM=dist but ${bundle} is missing: run \`npm run build\``);
    return {};
  }
  const stale = statSync(bundle).mtimeMs < newestSource();
  if (stale && runFrom === 'auto') return { note: 'sources changed since `npm run build`: running them through tsx (rebuild to run the bundle)' };
  return { bundle, note: stale ? 'HELEN_RUN_FROM=dist: running a bundle older than the sources' : undefined };
}
