// Bundle or sources for a `helen` command (see bin/helen.mjs). A bundle counts only while it is
// newer than every source file it was built from.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DIST = join(ROOT, 'dist');

/** Newest modification time of the files the bundle was built from (dist/<command>.inputs.json). */
function newestInput(command) {
  let newest = 0;
  for (const rel of JSON.parse(readFileSync(join(DIST, `${command}.inputs.json`), 'utf8'))) {
    // A source that is gone counts as changed: the bundle no longer matches the checkout.
    newest = Math.max(newest, existsSync(join(ROOT, rel)) ? statSync(join(ROOT, rel)).mtimeMs : Infinity);
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
  const stale = !existsSync(join(DIST, `${command}.inputs.json`)) || statSync(bundle).mtimeMs < newestInput(command);
  if (stale && runFrom === 'auto') return { note: 'sources changed since `npm run build`: running them through tsx (rebuild to run the bundle)' };
  return { bundle, note: stale ? 'HELEN_RUN_FROM=dist: running a bundle older than the sources' : undefined };
}
