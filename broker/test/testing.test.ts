import { connect } from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerKinds, startTestBroker, type TestBroker } from '../src/testing';

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
