import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { HAND_MODEL } from './config';

export class HandModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandModelError';
  }
}

export interface HandModelOptions {
  /** A local copy (offline installs); used as is if it verifies, never downloaded over. */
  path?: string | undefined;
  url?: string;
  cacheDir: string;
  sha256?: string;
  size?: number;
  downloadTimeoutMs?: number;
  logger?: Logger;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Throws a HandModelError naming the file and what differs. */
async function verify(path: string, sha256: string, size: number, what: string): Promise<void> {
  const info = await stat(path);
  if (info.size !== size) {
    throw new HandModelError(`${what} ${path} has ${info.size} bytes, the official hand_landmarker.task has ${size}: refusing it`);
  }
  const actual = await sha256File(path);
  if (actual !== sha256) {
    throw new HandModelError(`${what} ${path} has sha256 ${actual}, the official hand_landmarker.task has ${sha256}: refusing it`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * Returns the path of a verified hand_landmarker.task: the configured local copy, else the
 * cached download, else a fresh download from the official URL (checked before it is moved
 * into the cache, so a half or wrong file never sits where the next start would trust it).
 */
export async function ensureHandModel(opts: HandModelOptions): Promise<string> {
  const sha256 = opts.sha256 ?? HAND_MODEL.sha256;
  const size = opts.size ?? HAND_MODEL.size;
  const log = opts.logger;
  if (opts.path) {
    if (!(await exists(opts.path))) throw new HandModelError(`HELEN_HAND_MODEL_PATH ${opts.path} does not exist`);
    await verify(opts.path, sha256, size, 'hand model');
    return opts.path;
  }
  const cached = join(opts.cacheDir, HAND_MODEL.fileName);
  if (await exists(cached)) {
    try {
      await verify(cached, sha256, size, 'cached hand model');
      return cached;
    } catch (err) {
      log?.warn({ err: (err as Error).message }, 'cached hand model is damaged; downloading it again');
      await rm(cached, { force: true });
    }
  }
  const url = opts.url ?? HAND_MODEL.url;
  await mkdir(opts.cacheDir, { recursive: true });
  const part = `${cached}.${process.pid}.part`;
  log?.info({ url, cacheDir: opts.cacheDir }, 'downloading the hand model (first use)');
  try {
    await download(url, part, size, opts.downloadTimeoutMs ?? 120_000);
    await verify(part, sha256, size, `hand model downloaded from ${url} as`);
    await rename(part, cached);
  } catch (err) {
    await rm(part, { force: true });
    if (err instanceof HandModelError) throw err;
    throw new HandModelError(
      `could not download the hand model from ${url}: ${(err as Error).message}. ` +
        'For an offline install, copy hand_landmarker.task to the Pi and set HELEN_HAND_MODEL_PATH.',
    );
  }
  log?.info({ path: cached }, 'hand model downloaded and verified');
  return cached;
}

async function download(url: string, dest: string, maxBytes: number, timeoutMs: number): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  let seen = 0;
  // Stop early on a body larger than the model rather than filling the disk.
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new HandModelError(`download from ${url} is larger than the official ${maxBytes} bytes: refusing it`));
      else done(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), cap, createWriteStream(dest));
}
