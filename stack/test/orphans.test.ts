/**
 * Issue 14: when the `npm start` supervisor itself dies (SIGKILL, nothing it can catch), its
 * broker, worker and facade must not keep running as orphans: each sees its IPC lifeline
 * close and stops the way SIGTERM stops it.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@helen/runtime';
import { HELEN, alive } from './helpers';
import { waitFor } from '@helen/runtime/testing';

describe('helen stack killed with SIGKILL', () => {
  const childPids: number[] = [];
  afterAll(() => {
    for (const pid of childPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('leaves no broker, worker or facade behind', async () => {
    const env = {
      ...process.env,
      HELEN_MQTT_PORT: String(await freePort()),
      HELEN_MQTT_WS_PORT: String(await freePort()),
      HELEN_HTTP_PORT: String(await freePort()),
      HELEN_HTTP_HOST: '127.0.0.1',
      HELEN_MQTT_HOST: '127.0.0.1',
      HELEN_LOG_LEVEL: 'info',
    };
    const proc = spawn(process.execPath, [HELEN, 'stack'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    await waitFor('the stack banner', () => (out.includes('helen stack ready') ? true : undefined), 120_000, 100)
      .catch((err: Error) => { throw new Error(`${err.message}\n${out.slice(-4000)}`); });
    // JSON.parse keeps the last "pid" of a line: the child's, not pino's own (the supervisor's).
    for (const line of out.split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { name?: string; pid?: number; msg?: string };
      if (entry.name === 'stack' && /^started (broker|worker|api)$/.test(entry.msg ?? '')) childPids.push(entry.pid as number);
    }
    expect(childPids).not.toContain(proc.pid);
    expect(childPids.length).toBe(3);
    expect(childPids.every(alive)).toBe(true);

    proc.kill('SIGKILL');
    await waitFor('every child to stop by itself', () => (childPids.some(alive) ? undefined : true), 20_000, 100)
      .catch((err: Error) => { throw new Error(`${err.message}; still running: ${childPids.filter(alive).join(', ')}`); });
  }, 150_000);
});
