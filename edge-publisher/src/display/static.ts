/**
 * The display's files (edge-publisher/display/, no build step) at `/display/` and, unless the
 * UI server already serves another folder at `/`, at `/` too; Preact and htm from
 * node_modules as ES modules under `/vendor/`. Paths never leave the display folder.
 */
import { createRequire } from 'node:module';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const DISPLAY_DIR = fileURLToPath(new URL('../../display/', import.meta.url));

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.txt': 'text/plain; charset=utf-8',
};

const require = createRequire(import.meta.url);
/**
 * The packages' exports maps hide their ES module builds, so each is found next to the file
 * the package entry resolves to. Resolved lazily: a missing package answers 404 on its route
 * instead of breaking the edge.
 */
const beside = (entry: string, file: string) => (): string => join(dirname(require.resolve(entry)), file);
const VENDOR: Record<string, () => string> = {
  'preact.mjs': beside('preact', 'preact.module.js'),
  'preact-hooks.mjs': beside('preact/hooks', 'hooks.module.js'),
  'htm.mjs': beside('htm', 'htm.module.js'),
};

async function sendFile(reply: FastifyReply, path: string, cache: string): Promise<FastifyReply> {
  return reply.type(MIME[extname(path)] ?? 'application/octet-stream').header('cache-control', cache).send(await readFile(path));
}

/** `rel` inside `root`, or undefined when it would leave it. */
function inside(root: string, rel: string): string | undefined {
  const file = normalize(join(root, rel));
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

export interface StaticOptions {
  /** The display folder (default edge-publisher/display/). */
  dir?: string;
  /** Also serve it at `/` (false when HELEN_EDGE_UI_STATIC_DIR already has `/`). */
  atRoot: boolean;
}

export function staticRoutes(app: FastifyInstance, opts: StaticOptions): void {
  const root = resolve(opts.dir ?? DISPLAY_DIR);

  const serve = async (rel: string, reply: FastifyReply): Promise<FastifyReply> => {
    let name: string;
    try {
      name = decodeURIComponent(rel || 'index.html');
    } catch {
      return reply.code(400).send({ error: 'bad path' });
    }
    const file = inside(root, name);
    if (!file) return reply.code(404).send({ error: 'not found' });
    try {
      const path = (await stat(file)).isDirectory() ? join(file, 'index.html') : file;
      // The kiosk should pick up a new version on reload: no long caching of the app's own files.
      return await sendFile(reply, path, 'no-cache');
    } catch {
      return reply.code(404).send({ error: `not found: ${name}` });
    }
  };

  app.get('/display', async (_req, reply) => reply.redirect('/display/'));
  app.get('/display/*', async (req, reply) => serve((req.params as { '*': string })['*'], reply));
  if (opts.atRoot) app.get('/*', async (req, reply) => serve((req.params as { '*': string })['*'], reply));

  app.get<{ Params: { file: string } }>('/vendor/:file', async (req, reply) => {
    const locate = VENDOR[req.params.file];
    if (!locate) return reply.code(404).send({ error: 'not found' });
    let path: string;
    try {
      path = locate();
    } catch {
      return reply.code(404).send({ error: `${req.params.file} is not installed` });
    }
    return sendFile(reply, path, 'max-age=3600');
  });
}
