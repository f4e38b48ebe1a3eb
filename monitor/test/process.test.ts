/**
 * `helen monitor` as a user runs it: through bin/helen.mjs, lines on stdout, logs on stderr,
 * SIGTERM ends it with code 0; and `--help` lists the environment.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { REPO_ROOT, waitFor, window } from '@helen/runtime/testing';
import { createTopics, encodeRequestBinary, sequenceFromRows } from '@helen/schemas';
import { monitorSettings } from '../src/index';

const HELEN = join(REPO_ROOT, 'bin', 'helen.mjs');

describe('helen monitor (child process)', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker('aedes');
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('--help lists the options and every environment variable', () => {
    const run = spawnSync(process.execPath, [HELEN, 'monitor', '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status, run.stderr).toBe(0);
    for (const option of ['--json', '--interval SECONDS', '--topic FILTER']) expect(run.stdout).toContain(option);
    for (const v of monitorSettings.variables()) expect(run.stdout).toContain(v.env);
    expect(spawnSync(process.execPath, [HELEN, '--help'], { encoding: 'utf8' }).stdout).toMatch(/^ {2}monitor\s+watch helen\/#/m);
  });

  it('refuses a bad option with one line and code 1', () => {
    const run = spawnSync(process.execPath, [HELEN, 'monitor', '--interval', 'soon'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('helen monitor: --interval must be a number of seconds >= 0 (got "soon")\n');
  });

  it('prints --json lines on stdout, logs on stderr, and stops on SIGTERM with code 0', async () => {
    const topics = createTopics(`proc-${process.pid}/v1`);
    const child = spawn(process.execPath, [HELEN, 'monitor', '--json', '--interval', '1'], {
      env: { ...process.env, HELEN_MQTT_URL: broker.url, HELEN_TOPIC_PREFIX: topics.prefix, HELEN_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    try {
      await waitFor('the monitor to subscribe', () => (stderr.includes('"msg":"watching') ? true : undefined), 20_000);
      const payload = encodeRequestBinary({ id: 'p-1', reply_to: topics.predictions('pi'), deadline: Date.now() + 3000 }, sequenceFromRows(window(20, 84)), 'f16');
      await publisher.publishAsync(topics.predict('pi'), payload, { qos: 1 });
      await publisher.publishAsync(topics.predict('pi'), Buffer.from('{not json'), { qos: 1 });
      const lines = () => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      await waitFor('a rates line counting both', () =>
        lines().find((l) => l.type === 'rates' && JSON.stringify(l.devices).includes('"requests":1,"replies":0,"gestures":0,"errors":1')), 10_000);
      expect(lines().filter((l) => l.type !== 'rates')).toEqual([
        expect.objectContaining({ type: 'request', device: 'pi', id: 'p-1', frames: 20, features: 84, encoding: 'f16', bytes: payload.length }),
        expect.objectContaining({ type: 'undecodable', kind: 'request', device: 'pi', reason: expect.stringMatching(/^request is not valid JSON/) }),
      ]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // stderr is pino JSON only; stdout never carries a log line.
      for (const l of stderr.split('\n').filter((x) => x !== '')) expect(JSON.parse(l)).toHaveProperty('level');
      expect(stdout).not.toContain('"level"');
    } finally {
      child.kill('SIGKILL');
      await publisher.endAsync();
    }
  });
});
