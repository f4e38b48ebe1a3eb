import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerKinds, mosquittoAvailable, startTestBroker, type TestBroker } from '../src/testing';

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

describe.each(brokerKinds())('startTestBroker(%s)', (kind) => {
  let broker: TestBroker | undefined;
  afterEach(async () => { await broker?.stop(); broker = undefined; });

  it('serves MQTT on its url and frees the port on stop', async () => {
    broker = await startTestBroker(kind);
    expect(broker.kind).toBe(kind);
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await client.subscribeAsync('t/echo', { qos: 1 });
    const got = new Promise<string>((resolve) => client.on('message', (_t, p) => resolve(p.toString())));
    await client.publishAsync('t/echo', 'hello', { qos: 1 });
    expect(await got).toBe('hello');
    await client.endAsync();
    await broker.stop();
    expect(await refused(broker.port)).toBe(true);
  });
});

describe.skipIf(!mosquittoAvailable())('Mosquitto supervision', () => {
  it('stops Mosquitto when the test process is killed outright', async () => {
    const script = `const m = await import(${JSON.stringify(new URL('../src/testing.ts', import.meta.url).href)});
      const b = await m.startTestBroker('mosquitto'); console.log('PORT ' + b.port); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /PORT (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`helper process exited early: ${out}`)));
    });
    expect(await refused(port)).toBe(false);
    child.kill('SIGKILL'); // no exit handlers run
    // Mosquitto shuts down asynchronously after the pipe closes: poll, bounded.
    const until = Date.now() + 5000;
    while (!(await refused(port)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await refused(port)).toBe(true);
  });
});
