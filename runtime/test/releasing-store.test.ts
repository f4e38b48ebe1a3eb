/** ReleasingStore: mqtt.js's outgoing store that lets a publish's payload go once it is acknowledged. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { IPublishPacket, Packet } from 'mqtt-packet';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { ReleasingStore } from '../src/index';
import { waitFor } from '../src/testing';

const publish = (messageId: number, payload: Buffer): IPublishPacket => ({ cmd: 'publish', qos: 1, dup: false, retain: false, topic: 't/x', payload, messageId });

function get(store: ReleasingStore, messageId: number): Promise<{ err?: Error | undefined; packet?: Packet | undefined }> {
  return new Promise((resolve) => store.get({ messageId }, (err, packet) => resolve({ err, packet })));
}

describe('ReleasingStore', () => {
  it('hands the whole packet to the del callback, then empties its payload', async () => {
    const store = new ReleasingStore();
    const packet = publish(7, Buffer.from('a request window'));
    store.put(packet, () => {});
    expect((await get(store, 7)).packet).toBe(packet);

    let seenInCallback: string | undefined;
    store.del({ messageId: 7 }, (err, stored) => {
      expect(err).toBeFalsy();
      seenInCallback = (stored as IPublishPacket).payload.toString();
    });
    expect(seenInCallback).toBe('a request window');
    expect(packet.payload.length).toBe(0);
    expect((await get(store, 7)).err?.message).toBe('missing packet');
  });

  it('leaves packets still waiting for their PUBACK untouched (they are what a reconnect sends again)', async () => {
    const store = new ReleasingStore();
    const waiting = publish(1, Buffer.from('still waiting'));
    store.put(waiting, () => {});
    store.put(publish(2, Buffer.from('acknowledged')), () => {});
    store.del({ messageId: 2 }, () => {});
    expect(waiting.payload.toString()).toBe('still waiting');
    const resent: Packet[] = [];
    for await (const p of store.createStream()) resent.push(p as Packet);
    expect(resent).toEqual([waiting]);
  });

  it('reports a missing id as mqtt.js expects, and leaves non-publish packets alone', async () => {
    const store = new ReleasingStore();
    const errors: (Error | undefined)[] = [];
    store.del({ messageId: 99 }, (err) => errors.push(err));
    expect(errors[0]?.message).toBe('missing packet');
    const pubrel: Packet = { cmd: 'pubrel', messageId: 3 };
    store.put(pubrel, () => {});
    store.del({ messageId: 3 }, () => {});
    expect(pubrel).toEqual({ cmd: 'pubrel', messageId: 3 });
  });

  describe('under a real mqtt.js client and aedes', () => {
    let broker: TestBroker;
    beforeAll(async () => {
      broker = await startTestBroker('aedes');
    });
    afterAll(() => broker.stop());

    it('QoS 1 publishes arrive whole, and nothing stays in the store after their PUBACKs', async () => {
      const received: string[] = [];
      const sub = await mqtt.connectAsync(broker.url, { clientId: 'rs-sub', reconnectPeriod: 0 });
      sub.on('message', (_t, payload) => received.push(payload.toString()));
      await sub.subscribeAsync('rs/#', { qos: 1 });
      const store = new ReleasingStore();
      const pub = await mqtt.connectAsync(broker.url, { clientId: 'rs-pub', reconnectPeriod: 0, outgoingStore: store });
      try {
        const bodies = Array.from({ length: 50 }, (_, i) => `window ${i} `.repeat(100));
        await Promise.all(bodies.map((b) => pub.publishAsync('rs/req', Buffer.from(b), { qos: 1 })));
        await waitFor('all 50 delivered', () => received.length === 50 || undefined);
        expect(received.sort()).toEqual([...bodies].sort());
        const left: Packet[] = [];
        for await (const p of store.createStream()) left.push(p as Packet);
        expect(left).toEqual([]);
      } finally {
        await pub.endAsync();
        await sub.endAsync();
      }
    });
  });
});
