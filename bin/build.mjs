#!/usr/bin/env node
// `npm run build`: one CommonJS bundle per `helen` command in dist/ (esbuild), so production
// (the container image, systemd, the Pi) runs plain JavaScript instead of compiling TypeScript
// through tsx at every start: tsx's loader thread and transform cache cost ~40 MB of RSS per
// process and about half the start-up time (figures: bench/README.md "Compiled build").
// bin/helen.mjs runs a bundle while it is newer than every source it was built from
// (dist/<command>.inputs.json), tsx otherwise.
//
// Two things keep a bundle behaving exactly like its sources:
// - `import.meta.url` in each source becomes that source's own URL (computed from the bundle's
//   location, never an absolute path), so files found next to the code (the model, ACLs, the
//   camera page, ort-thread.mjs) are found as before;
// - third-party packages stay external (native addons, pino's worker files) and resolve to the
//   same copy the source would get: a workspace's nested node_modules (schemas has its own ajv)
//   is required by its path relative to dist/.
import * as esbuild from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { COMMANDS } from './commands.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
// One level below the repository root, like the sources' packages: relative paths assume it.
if (values.out.includes('/') || values.out.includes(sep) || values.out.startsWith('.')) {
  throw new Error(`--out ${values.out}: give a folder name directly under the repository root (default dist)`);
}
const outDir = join(ROOT, values.out);
const posix = (p) => p.split(sep).join('/');

const keepBehaviour = {
  name: 'helen-sources',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@helen/') || args.pluginData === 'resolving') return undefined;
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const found = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'resolving' });
      if (found.errors.length > 0) return { path: args.path, external: true };
      const name = args.path.split('/').slice(0, args.path.startsWith('@') ? 2 : 1).join('/');
      const hoisted = join(ROOT, 'node_modules', name) + sep;
      if (found.path.startsWith(hoisted)) return { path: args.path, external: true };
      return { path: `./${posix(relative(outDir, found.path))}`, external: true };
    });
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const fromBundle = posix(relative(outDir, args.path));
      return { contents: source.replaceAll('import.meta.url', `__helenSourceUrl(${JSON.stringify(fromBundle)})`), loader: 'ts' };
    });
  },
};

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
for (const [command, [entry]] of Object.entries(COMMANDS)) {
  const entryPath = posix(relative(ROOT, fileURLToPath(new URL(entry, import.meta.url))));
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    metafile: true,
    stdin: { contents: `export { main } from './${entryPath}';`, resolveDir: ROOT, loader: 'ts', sourcefile: `${command}-entry.ts` },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: join(outDir, `${command}.cjs`),
    sourcemap: 'linked',
    plugins: [keepBehaviour],
    logLevel: 'warning',
    banner: { js: "const __helenSourceUrl = (fromBundle) => new URL(fromBundle, require('node:url').pathToFileURL(__filename)).href;" },
  });
  // The launcher runs this bundle only while it is newer than each of these files (bin/pick-entry.mjs).
  // The entry is the stdin stub (named after the command), not a file.
  const inputs = Object.keys(result.metafile.inputs).filter((p) => p !== `${command}-entry.ts` && !p.includes('node_modules/'));
  await writeFile(join(outDir, `${command}.inputs.json`), `${JSON.stringify(inputs.map(posix))}\n`);
}
await writeFile(join(outDir, 'BUILT'), `${new Date().toISOString()}\n`);
process.stdout.write(`helen build: ${Object.keys(COMMANDS).length} bundles in ${posix(relative(ROOT, outDir))}/\n`);
