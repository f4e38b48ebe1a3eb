/**
 * SIGTERM on the real `helen edge` process (issue 14, item 5): it finishes what it holds, then
 * exits 0. A recording keeps every frame it wrote, whole lines only; a gesture event already on
 * its way to the UI backend is delivered, not cut off.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@helen/runtime';
import { validateLandmarkFrame } from '@helen/schemas';
import { waitFor } from './helpers';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'helen-edge-sigterm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function edgeEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('HELEN_')) delete env[key];
  return { ...env, HELEN_EDGE_SOURCE: 'synthetic', HELEN_LOG_LEVEL: 'info', ...extra };
}

interface Run {
  child: ChildProcess;
  output: string[];
  exit: Promise<{ code: number | null; at: number }>;
}

function startEdge(args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, ['bin/helen.mjs', 'edge', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  const exit = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  return { child, output, exit };
}

/** A UI backend that holds the first gesture POST until `answer()`, and tells whether the client hung up first. */
interface HeldBackend {
  readonly url: string;
  readonly received: string | undefined;
  cutOff(): boolean;
  /** Answers the held request; true when the answer was written to an open connection. */
  answer(): Promise<boolean>;
  close(): Promise<void>;
}

async function startHeldBackend(): Promise<HeldBackend> {
  let held: { res: ServerResponse; closedEarly: boolean } | undefined;
  let received: string | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
      if (held) return void res.writeHead(200).end('{}');
      received = body;
      const h = { res, closedEarly: false };
      held = h;
      res.on('close', () => { if (!res.writableFinished) h.closedEarly = true; });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/gestures/gesture-key`,
    get received() { return received; },
    cutOff: () => held?.closedEarly ?? false,
    answer: () => new Promise<boolean>((resolve) => {
      const h = held;
      if (!h || h.closedEarly) return resolve(false);
      h.res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}', () => resolve(!h.closedEarly));
    }),
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe('helen edge on SIGTERM', () => {
  let run: Run | undefined;
  let backend: HeldBackend | undefined;
  afterEach(async () => {
    if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await backend?.close();
    run = backend = undefined;
  });

  it('record: keeps every frame written, whole lines only, and exits 0', async () => {
    const out = join(dir, 'inicio.jsonl');
    run = startEdge(['record', '--label', 'Inicio', '--out', out], edgeEnv({ HELEN_EDGE_SYNTHETIC_LOOP: 'true' }));
    const lines = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0);
    await waitFor(() => lines() >= 30 || run?.child.exitCode !== null, 30_000, '30 recorded frames');
    expect(run.child.exitCode, run.output.join('')).toBeNull();
    run.child.kill('SIGTERM');
    const { code } = await run.exit;
    expect(code, run.output.join('')).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const frames = text.trimEnd().split('\n');
    expect(frames.length).toBeGreaterThanOrEqual(30);
    for (const line of frames) expect(validateLandmarkFrame(JSON.parse(line)).ok).toBe(true);
    // The count the process logged at the end is the number of lines on disk.
    const written = run.output.join('').split('\n').filter((l) => l.includes('recording written')).map((l) => JSON.parse(l) as { frames: number });
    expect(written.map((w) => w.frames)).toEqual([frames.length]);
  }, 60_000);

  it('run: a gesture POST on the wire when SIGTERM comes is answered, not cut off, and the process exits 0', async () => {
    backend = await startHeldBackend();
    const env = edgeEnv({
      // No cloud: the edge starts on its local model after the metadata wait.
      HELEN_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`, HELEN_EDGE_METADATA_TIMEOUT: '1',
      HELEN_EDGE_UI_PORT: String(await freePort()), HELEN_DISPLAY_STATE_DIR: join(dir, 'display'),
      HELEN_BACKEND_GESTURE_URL: backend.url, HELEN_BACKEND_GESTURE_TIMEOUT: '20',
      HELEN_EDGE_SYNTHETIC_SCRIPT: 'idle:1500,Start:1500,idle:3000', HELEN_EDGE_SYNTHETIC_LOOP: 'true',
    });
    run = startEdge(['run'], env);
    await waitFor(() => backend?.received !== undefined || run?.child.exitCode !== null, 45_000, 'the first gesture POST');
    expect(run.child.exitCode, run.output.join('')).toBeNull();
    run.child.kill('SIGTERM');
    // The edge is stopping; the backend takes its time to answer.
    await new Promise((r) => setTimeout(r, 500));
    expect(backend.cutOff(), 'the edge closed the connection before the backend answered').toBe(false);
    expect(await backend.answer(), 'the answer reached the edge').toBe(true);
    const { code } = await run.exit;
    expect(code, run.output.join('')).toBe(0);
    expect(JSON.parse(backend.received as string)).toMatchObject({ gesture: 'Start' });
    expect(run.output.join('')).not.toMatch(/gesture POST failed|not delivered in time/);
  }, 90_000);
});
