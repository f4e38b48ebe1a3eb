/**
 * /mode (broadcast on /events), /api/info, the tutorial's frames, the landmark preview SSE and
 * the display's files (at /, at /display/, or only there when another folder has /) plus
 * /vendor/* modules.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LandmarkFrame } from '@helen/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { openSse, waitFor } from '../../helpers';
import { call, startDisplay, tempDir, type DisplayServer } from './helpers';

describe('display mode, info, tutorial and preview', () => {
  let s: DisplayServer | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('sends every display to a page and remembers the page a display reports', async () => {
    s = await startDisplay();
    const sse = await openSse(`${s.url}/events`);
    await waitFor(() => s?.ui.sseClients === 1, 5000, 'SSE client');
    expect(await call(`${s.url}/mode`, 'GET')).toEqual({ status: 200, body: { page: 'home', armed: false } });
    expect(await call(`${s.url}/mode`, 'POST', { page: 'weather' })).toEqual({ status: 200, body: { status: 'ok', page: 'weather' } });
    await waitFor(() => sse.messages.length === 2, 5000, 'mode broadcast');
    expect(JSON.parse(sse.messages[1] as string)).toEqual({ type: 'mode', page: 'weather' });
    expect(await call(`${s.url}/mode`, 'POST', { page: 'kitchen' })).toEqual({ status: 400, body: { error: 'page must be one of loading, home, clock, weather, devices, settings, tutorial' } });

    expect(await call(`${s.url}/mode/report`, 'POST', { page: 'clock', armed: true })).toEqual({ status: 200, body: { page: 'clock', armed: true } });
    expect((await call(`${s.url}/mode`, 'GET')).body).toEqual({ page: 'clock', armed: true });
    expect(sse.messages).toHaveLength(2);
    sse.close();
  });

  it('answers /api/info with versions and the edge state', async () => {
    s = await startDisplay();
    const info = await call(`${s.url}/api/info`, 'GET');
    expect(info).toEqual({
      status: 200,
      body: {
        version: expect.stringMatching(/^\d+\.\d+\.\d+/), node: process.version, model: 'helen-bigru@abc', device: 'pi-test', mode: 'mqtt',
        broker: 'connected', workersOnline: 1, fallbackActive: false, servedBy: 'cloud', sensitivity: 'normal', uptimeS: expect.any(Number),
      },
    });
  });

  it('answers the tutorial rendition of a sign: 21 landmarks per hand, with the user\'s hand', async () => {
    s = await startDisplay();
    const res = await call(`${s.url}/api/tutorial/Reloj`, 'GET');
    const body = res.body as { label: string; fps: number; frames: { hands: { handedness: string; landmarks: number[][] }[] }[] };
    expect(res.status).toBe(200);
    expect(body.label).toBe('Reloj');
    expect(body.fps).toBe(30);
    expect(body.frames).toHaveLength(45);
    const hands = body.frames.flatMap((f) => f.hands);
    expect(hands.length).toBeGreaterThan(30);
    for (const h of hands) {
      expect(h.landmarks).toHaveLength(21);
      for (const p of h.landmarks) expect(p).toHaveLength(3);
    }
    // Same seed: the same frames every time.
    expect((await call(`${s.url}/api/tutorial/Reloj`, 'GET')).body).toEqual(body);

    await call(`${s.url}/api/settings`, 'PUT', { handedness: 'left' });
    const left = (await call(`${s.url}/api/tutorial/Reloj`, 'GET')).body as typeof body;
    expect(left.frames).not.toEqual(body.frames);

    expect(await call(`${s.url}/api/tutorial/Bailar`, 'GET')).toEqual({ status: 404, body: { error: expect.stringMatching(/^unknown sign "Bailar" \(one of 0, 1/) } });
  });

  it('streams the newest frame\'s hands at most 10 times a second, only while someone listens', async () => {
    s = await startDisplay();
    const hand = { handedness: 'Right' as const, score: 0.97, landmarks: Array.from({ length: 21 }, (_, i) => [i / 21, 0.5, 0]) };
    const frame = (ts: number): LandmarkFrame => ({ ts, hands: [hand] });
    s.display.onFrame(frame(0));
    const sse = await openSse(`${s.url}/api/display/landmarks`);
    const started = Date.now();
    // 30 fps for 0.5 s: about 5 messages, never 15.
    for (let i = 1; i <= 15; i++) {
      s.display.onFrame(frame(i));
      await new Promise((r) => setTimeout(r, 33));
    }
    await new Promise((r) => setTimeout(r, 150));
    const elapsed = Date.now() - started;
    expect(sse.messages.length).toBeGreaterThanOrEqual(2);
    expect(sse.messages.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(JSON.parse(sse.messages[0] as string)).toEqual({ hands: [{ handedness: 'Right', landmarks: hand.landmarks }] });
    sse.close();
  });
});

describe('display files', () => {
  let s: DisplayServer | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await s?.stop();
    s = undefined;
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function displayFolder(): Promise<string> {
    const dir = await tempDir('helen-display-files-');
    dirs.push(dir);
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Helen</title><main data-page="loading"></main>');
    await writeFile(join(dir, 'app.js'), 'export const app = 1;\n');
    await writeFile(join(dir, 'src', 'ring.js'), 'export const ring = 1;\n');
    return dir;
  }

  it('serves the display at / and /display/, its modules and the vendor builds', async () => {
    const dir = await displayFolder();
    s = await startDisplay({ options: { displayDir: dir } });
    for (const path of ['/', '/index.html', '/display/', '/display/index.html']) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('data-page="loading"');
    }
    const redirect = await fetch(`${s.url}/display`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/display/');
    for (const path of ['/app.js', '/display/src/ring.js']) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.headers.get('content-type'), path).toBe('text/javascript; charset=utf-8');
    }
    for (const [path, marker] of [['/vendor/preact.mjs', /export\s*\{/], ['/vendor/preact-hooks.mjs', /from\s*["']preact["']/], ['/vendor/htm.mjs', /export\s*\{?\s*\w+ as default|export default/]] as const) {
      const res = await fetch(`${s.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await res.text(), path).toMatch(marker);
    }
    expect((await fetch(`${s.url}/vendor/react.mjs`)).status).toBe(404);
    expect((await fetch(`${s.url}/missing.js`)).status).toBe(404);
    // Out of the folder: never.
    expect((await fetch(`${s.url}/display/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    // The UI server's own routes are untouched.
    expect((await call(`${s.url}/health`, 'GET')).body).toMatchObject({ status: 'ok' });
  });

  it('leaves / to HELEN_EDGE_UI_STATIC_DIR and serves the display at /display/ only', async () => {
    const dir = await displayFolder();
    const other = await tempDir('helen-original-frontend-');
    dirs.push(other);
    await writeFile(join(other, 'index.html'), '<h1>original frontend</h1>');
    s = await startDisplay({ staticDir: other, options: { displayDir: dir } });
    expect(await (await fetch(`${s.url}/`)).text()).toBe('<h1>original frontend</h1>');
    expect(await (await fetch(`${s.url}/display/`)).text()).toContain('data-page="loading"');
    expect((await fetch(`${s.url}/vendor/preact.mjs`)).status).toBe(200);
  });

  it('starts without the folder and serves it once it exists', async () => {
    const parent = await tempDir('helen-display-later-');
    dirs.push(parent);
    const dir = join(parent, 'display');
    s = await startDisplay({ options: { displayDir: dir } });
    expect((await fetch(`${s.url}/`)).status).toBe(404);
    await mkdir(dir);
    await writeFile(join(dir, 'index.html'), '<main data-page="loading"></main>');
    expect((await fetch(`${s.url}/`)).status).toBe(200);
  });
});
