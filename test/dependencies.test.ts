/**
 * The layout's dependency rules, as each workspace README states them ("May import: ..."):
 * a workspace's source imports only the project packages its README allows, never another
 * workspace's files by a relative path, only what a package exports, and declares in its
 * package.json every project package its source imports. Tests and benches may also use
 * another package's public entry points (e.g. `@helen/broker/testing`), never its files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Workspace {
  folder: string;
  name: string;
  exports: string[];
  dependencies: string[];
  allowed: string[];
}

function readWorkspaces(): Workspace[] {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces.map((folder) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, folder, 'package.json'), 'utf8')) as {
      name: string; exports: Record<string, string>; dependencies?: Record<string, string>;
    };
    const readme = readFileSync(join(ROOT, folder, 'README.md'), 'utf8');
    const line = /^May import: (.*)$/m.exec(readme)?.[1];
    if (line === undefined) throw new Error(`${folder}/README.md has no "May import:" line`);
    return {
      folder,
      name: pkg.name,
      exports: Object.keys(pkg.exports).map((k) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`)),
      dependencies: Object.keys(pkg.dependencies ?? {}),
      allowed: [...line.matchAll(/`(@helen\/[a-z-]+)`/g)].map((m) => m[1] as string),
    };
  });
}

function files(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (e === 'node_modules' || e === 'public' || e === 'python' || e === 'helen-bigru') continue;
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(ts|mts|mjs)$/.test(e)) out.push(p);
  }
  return out;
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) found.push(m[1] as string);
  for (const m of source.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) found.push(m[1] as string);
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1] as string);
  return found;
}

/** Every rule broken by one file of `ws`; `production` is true for its src/ files. */
export function violations(ws: Workspace, all: Workspace[], file: string, source: string, production: boolean): string[] {
  const where = relative(ROOT, file);
  const problems: string[] = [];
  for (const spec of specifiers(source)) {
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      const inside = target.startsWith(join(ROOT, ws.folder) + sep);
      if (!inside) problems.push(`${where}: relative import "${spec}" leaves ${ws.folder}/ (import the package instead)`);
      continue;
    }
    const m = /^(@helen\/[a-z-]+)(\/.*)?$/.exec(spec);
    if (!m) continue;
    const pkgName = m[1] as string;
    if (pkgName === ws.name) {
      problems.push(`${where}: imports its own package "${spec}" (use a relative path)`);
      continue;
    }
    const target = all.find((w) => w.name === pkgName);
    if (!target) {
      problems.push(`${where}: "${spec}" is not a workspace`);
      continue;
    }
    if (!target.exports.includes(spec)) problems.push(`${where}: "${spec}" is not an export of ${pkgName} (${target.exports.join(', ')})`);
    if (production) {
      if (!ws.allowed.includes(pkgName)) problems.push(`${where}: imports ${pkgName}, which ${ws.folder}/README.md does not allow (May import: ${ws.allowed.join(', ') || 'nothing'})`);
      if (!ws.dependencies.includes(pkgName)) problems.push(`${where}: imports ${pkgName}, missing from ${ws.folder}/package.json dependencies`);
    }
  }
  return problems;
}

describe('workspace dependency rules', () => {
  const all = readWorkspaces();

  it('every workspace README states what it may import, naming only workspaces', () => {
    const names = all.map((w) => w.name);
    for (const ws of all) for (const a of ws.allowed) expect(names, `${ws.folder}/README.md names ${a}`).toContain(a);
  });

  it('no production code imports a service or the build tooling', () => {
    const services = ['@helen/broker', '@helen/inference-worker', '@helen/http-api', '@helen/edge-publisher', '@helen/stack'];
    for (const ws of all) {
      if (ws.folder === 'models') continue;
      for (const a of ws.allowed) expect(services.includes(a) || a === '@helen/models', `${ws.folder} may import ${a}`).toBe(false);
    }
  });

  it.each(readWorkspaces().map((w) => w.folder))('%s keeps to its rules', (folder) => {
    const ws = all.find((w) => w.folder === folder) as Workspace;
    const problems: string[] = [];
    for (const sub of ['src', 'test', 'bench']) {
      for (const file of files(join(ROOT, folder, sub))) {
        problems.push(...violations(ws, all, file, readFileSync(file, 'utf8'), sub === 'src'));
      }
    }
    expect(problems).toEqual([]);
  });

  it('catches a service reaching into another service, by path or by package', () => {
    const edge = all.find((w) => w.folder === 'edge-publisher') as Workspace;
    const file = join(ROOT, 'edge-publisher', 'src', 'x.ts');
    const bad = [
      "import { createMqttLink } from '../../http-api/src/mqtt/link';",
      "import { createWorker } from '@helen/inference-worker';",
      "export { thing } from '@helen/broker/src/broker';",
      "const m = await import('@helen/models');",
    ].join('\n');
    const found = violations(edge, all, file, bad, true);
    expect(found.some((p) => p.includes('leaves edge-publisher/'))).toBe(true);
    expect(found.some((p) => p.includes('imports @helen/inference-worker, which edge-publisher/README.md does not allow'))).toBe(true);
    expect(found.some((p) => p.includes('"@helen/broker/src/broker" is not an export'))).toBe(true);
    expect(found.some((p) => p.includes('imports @helen/models'))).toBe(true);
    expect(violations(edge, all, file, "import { setting } from '@helen/runtime';\nimport { x } from './local';", true)).toEqual([]);
  });
});
