/**
 * `helen stack` (= `npm start`) as a user runs it: real broker, worker and facade processes.
 * Kills the worker and expects a restart; SIGTERM must stop everything and exit 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@helen/runtime';
import { HELEN, alive } from './helpers';
import { postJson, request, waitFor, window } from '@helen/runtime/testing';

interface StackLog { name?: string; child?: string; pid?: number; msg?: string; restartInMs?: number }

describe('helen stack', () => {
  let proc: ChildProcess;
  let out = '';
  const logs: StackLog[] = [];
  let ports: { mqtt: number; ws: number; http: number };
  let http: string;

  const started = (child: string) => logs.filter((l) => l.name === 'stack' && l.child === child && l.msg === `started ${child}`).map((l) => l.pid as number);

  beforeAll(async () => {
    ports = { mqtt: await freePort(), ws: await freePort(), http: await freePort() };
    http = `http://127.0.0.1:${ports.http}`;
    proc = spawn(process.execPath, [HELEN, 'stack'], {
      env: {
        ...process.env,
        HELEN_MQTT_PORT: String(ports.mqtt),
        HELEN_MQTT_WS_PORT: String(ports.ws),
        HELEN_HTTP_PORT: String(ports.http),
        HELEN_HTTP_HOST: '127.0.0.1',
        HELEN_MQTT_HOST: '127.0.0.1',
        HELEN_LOG_LEVEL: 'info',
        HELEN_STACK_RESTART_MIN_MS: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          logs.push(JSON.parse(line) as StackLog);
        } catch { /* a child's non-JSON line */ }
      }
    });
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    await waitFor('the stack banner', () => (out.includes('helen stack ready') ? true : undefined), 120_000, 100)
      .catch((err: Error) => { throw new Error(`${err.message}\n${out.slice(-4000)}`); });
  }, 150_000);

  afterAll(async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      for (const l of logs) if (l.pid && alive(l.pid)) process.kill(l.pid, 'SIGKILL');
    }
  });

  it('prints where each part listens', () => {
    expect(out).toContain(`mqtt://127.0.0.1:${ports.mqtt}`);
    expect(out).toContain(`ws://127.0.0.1:${ports.ws}`);
    expect(out).toContain(`curl -s ${http}/health`);
  });

  it('serves /health, /metadata and /predict through separate processes', async () => {
    const health = await request(`${http}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', classes: 22, broker: 'connected', workers: 1 });
    const meta = (await request(`${http}/metadata`)).body as { feature_dim: number; seq_len: number };
    const res = await postJson(`${http}/predict`, { sequence: window(meta.seq_len, meta.feature_dim) });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ prediction: expect.any(String), top_index: expect.any(Number) });
    const pids = [started('broker')[0], started('worker')[0], started('api')[0]];
    expect(new Set(pids).size).toBe(3);
    expect(pids).not.toContain(proc.pid);
  });

  it('has a WebSocket listener', async () => {
    const c = await mqtt.connectAsync(`ws://127.0.0.1:${ports.ws}`, { reconnectPeriod: 0, connectTimeout: 5000 });
    expect(c.connected).toBe(true);
    await c.endAsync();
  });

  it('restarts a killed worker, logged, and /predict works again', async () => {
    const [first] = started('worker');
    expect(first).toBeDefined();
    process.kill(first as number, 'SIGKILL');
    const crash = await waitFor('the crash log', () => logs.find((l) => l.child === 'worker' && l.restartInMs !== undefined), 10_000);
    expect(crash.restartInMs).toBe(200);
    const second = await waitFor('a new worker', () => started('worker').find((p) => p !== first), 10_000);
    expect(second).not.toBe(first);
    const meta = (await request(`${http}/metadata`)).body as { feature_dim: number; seq_len: number };
    const res = await waitFor('/predict ok again', async () => {
      const r = await postJson(`${http}/predict`, { sequence: window(meta.seq_len, meta.feature_dim, 5) });
      return r.status === 200 ? r : undefined;
    }, 60_000, 200);
    expect((res.body as { worker: string }).worker).toBeDefined();
  }, 90_000);

  it('restarts a killed broker; the worker and facade reconnect', async () => {
    const [first] = started('broker');
    process.kill(first as number, 'SIGKILL');
    await waitFor('a new broker', () => started('broker').find((p) => p !== first), 10_000);
    const meta = (await request(`${http}/metadata`)).body as { feature_dim: number; seq_len: number };
    await waitFor('/predict ok after the broker restart', async () => {
      const r = await postJson(`${http}/predict`, { sequence: window(meta.seq_len, meta.feature_dim, 6) });
      return r.status === 200 ? r : undefined;
    }, 60_000, 200);
    expect((await request(`${http}/health`)).body).toMatchObject({ status: 'ok', workers: 1 });
  }, 90_000);

  it('SIGTERM stops every child and exits 0', async () => {
    const pids = logs.filter((l) => l.name === 'stack' && l.pid !== undefined).map((l) => l.pid as number);
    expect(pids.length).toBeGreaterThanOrEqual(5); // broker twice, worker twice, api
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(out).toContain('stack stopped');
  }, 60_000);
});
