/** `helen broker` as a real process: prints where it listens, serves, exits 0 on SIGTERM. */
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { processResult, spawnHelen } from './helpers';


const run = (args: string[], env: Record<string, string> = {}) => spawnHelen(args, env);
const collect = processResult;

describe('helen broker', () => {
  it('--help lists every variable', async () => {
    const { code, out } = await collect(run(['broker', '--help']));
    expect(code).toBe(0);
    for (const name of ['HELEN_MQTT_HOST', 'HELEN_MQTT_PORT', 'HELEN_MQTT_WS_PORT', 'HELEN_LOG_LEVEL']) expect(out).toContain(name);
  });

  it('refuses a bad setting with a clear message and exit 1', async () => {
    const { code, err } = await collect(run(['broker'], { HELEN_MQTT_PORT: 'abc' }));
    expect(code).toBe(1);
    expect(err).toMatch(/HELEN_MQTT_PORT: must be a number/);
  });

  it('prints its addresses, serves TCP and WebSocket, and stops cleanly on SIGTERM', async () => {
    const child = run(['broker'], { HELEN_MQTT_PORT: '0', HELEN_MQTT_WS_PORT: '0', HELEN_MQTT_HOST: '127.0.0.1', HELEN_LOG_LEVEL: 'warn', HELEN_BROKER_ALLOW_ANONYMOUS: 'true' });
    const result = collect(child);
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /helen broker: .*\n/.exec(buf);
        if (m) resolve(m[0]);
      });
      child.once('exit', () => reject(new Error(`exited before listening: ${buf}`)));
    });
    const m = /mqtt:\/\/127\.0\.0\.1:(\d+)\s+ws:\/\/127\.0\.0\.1:(\d+)/.exec(line);
    expect(m).not.toBeNull();
    for (const url of [`mqtt://127.0.0.1:${m![1]}`, `ws://127.0.0.1:${m![2]}`]) {
      const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
      await c.endAsync();
    }
    child.kill('SIGTERM');
    const { code } = await result;
    expect(code).toBe(0);
  });
});
