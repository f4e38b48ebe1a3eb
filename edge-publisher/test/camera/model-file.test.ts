import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureHandModel, HAND_MODEL, HandModelError, sha256File } from '../../src/camera/index';
import { MODEL_PATH } from './helpers';

// The real URL (storage.googleapis.com) is not reachable from this machine: the download
// path is exercised against a loopback server that serves the shared official file and a
// corrupted copy of it.
const haveModel = existsSync(MODEL_PATH);
if (!haveModel) console.warn(`model file tests skipped: no hand model at ${MODEL_PATH}`);

describe.skipIf(!haveModel)('hand model file: verify, download, cache', () => {
  let dir: string;
  let corrupted: string;
  let server: Server;
  let base: string;
  const hits: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'helen-model-test-'));
    corrupted = join(dir, 'corrupted.task');
    await copyFile(MODEL_PATH, corrupted);
    const bytes = await readFile(corrupted);
    const mid = bytes.length >> 1;
    bytes[mid] = (bytes[mid] ?? 0) ^ 0xff; // same size, one byte off
    await writeFile(corrupted, bytes);
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/good.task') createReadStream(MODEL_PATH).pipe(res);
      else if (req.url === '/corrupted.task') createReadStream(corrupted).pipe(res);
      else if (req.url === '/huge.task') {
        res.write(Buffer.alloc(HAND_MODEL.size));
        res.end(Buffer.alloc(10));
      } else res.writeHead(404).end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('the shared file is the official one', async () => {
    expect(await sha256File(MODEL_PATH)).toBe(HAND_MODEL.sha256);
  });

  it('uses a local copy that verifies, as is, without downloading', async () => {
    const n = hits.length;
    expect(await ensureHandModel({ path: MODEL_PATH, url: `${base}/good.task`, cacheDir: join(dir, 'unused') })).toBe(MODEL_PATH);
    expect(hits.length).toBe(n);
  });

  it('refuses a local copy with the wrong sha256 or a missing path, clearly', async () => {
    await expect(ensureHandModel({ path: corrupted, cacheDir: dir })).rejects.toThrow(/sha256 [0-9a-f]{64}.*official.*refusing/);
    await expect(ensureHandModel({ path: corrupted, cacheDir: dir })).rejects.toBeInstanceOf(HandModelError);
    await expect(ensureHandModel({ path: join(dir, 'nope.task'), cacheDir: dir })).rejects.toThrow(/does not exist/);
  });

  it('downloads on first use, verifies, caches, and then reuses the cache', async () => {
    const cacheDir = join(dir, 'cache-good');
    const n = hits.length;
    const path = await ensureHandModel({ url: `${base}/good.task`, cacheDir });
    expect(path).toBe(join(cacheDir, HAND_MODEL.fileName));
    expect(await sha256File(path)).toBe(HAND_MODEL.sha256);
    expect(hits.length).toBe(n + 1);
    expect(await ensureHandModel({ url: `${base}/good.task`, cacheDir })).toBe(path);
    expect(hits.length).toBe(n + 1);
    expect(await readdir(cacheDir)).toEqual([HAND_MODEL.fileName]);
  });

  it('refuses a corrupted download and leaves nothing in the cache', async () => {
    const cacheDir = join(dir, 'cache-bad');
    await expect(ensureHandModel({ url: `${base}/corrupted.task`, cacheDir })).rejects.toThrow(/sha256.*refusing/);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('stops a download larger than the model', async () => {
    const cacheDir = join(dir, 'cache-huge');
    await expect(ensureHandModel({ url: `${base}/huge.task`, cacheDir })).rejects.toThrow(/larger than the official/);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('replaces a damaged cached file by downloading again', async () => {
    const cacheDir = join(dir, 'cache-damaged');
    await ensureHandModel({ url: `${base}/good.task`, cacheDir });
    await copyFile(corrupted, join(cacheDir, HAND_MODEL.fileName));
    const path = await ensureHandModel({ url: `${base}/good.task`, cacheDir });
    expect(await sha256File(path)).toBe(HAND_MODEL.sha256);
  });

  it('says how to install offline when the download fails', async () => {
    await expect(ensureHandModel({ url: `${base}/missing.task`, cacheDir: join(dir, 'c404') }))
      .rejects.toThrow(/HTTP 404.*HELEN_HAND_MODEL_PATH/);
    // A port nothing listens on: what an offline Pi sees.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(ensureHandModel({ url: `http://127.0.0.1:${port}/x.task`, cacheDir: join(dir, 'cdown') }))
      .rejects.toThrow(/could not download the hand model.*HELEN_HAND_MODEL_PATH/);
  });
});
