/**
 * The client layer's TLS options for real: a throwaway CA and server certificate made with
 * openssl at test time, a TLS listener in front of our aedes broker, and MqttConnection with
 * HELEN_MQTT_CA_FILE-style settings (right CA: connects; wrong CA: refused).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type HelenBroker } from '@helen/broker';
import { MqttConnection } from '../src/index';
import { haveOpenssl, makeCa, makeCert } from '../src/testing';
import { capturedLogger, settingsFor } from './helpers';

if (!haveOpenssl) console.warn('openssl not installed: skipping the MQTT TLS client tests');

describe.skipIf(!haveOpenssl)('MqttConnection over TLS (mqtts://)', () => {
  let dir: string;
  let broker: HelenBroker;
  let tlsServer: Server;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'helen-tls-'));
    makeCa(dir, 'ca');
    makeCa(dir, 'other-ca');
    makeCert(dir, 'ca', 'server');
    broker = createBroker({ port: 0, host: '127.0.0.1' });
    await broker.start();
    tlsServer = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (socket) => broker.aedes.handle(socket));
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    url = `mqtts://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => tlsServer.close(resolve));
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects when the CA file signs the broker certificate', async () => {
    const conn = new MqttConnection({ settings: settingsFor(url, { caFile: join(dir, 'ca.pem') }), clientId: 'tls-ok', log: capturedLogger().log });
    await conn.connect();
    expect(conn.connected).toBe(true);
    await conn.stop();
  });

  it('refuses a broker certificate signed by another CA (and says so in the log)', async () => {
    const { log, text } = capturedLogger();
    const conn = new MqttConnection({ settings: settingsFor(url, { caFile: join(dir, 'other-ca.pem') }), clientId: 'tls-bad', log, minReconnectMs: 60_000 });
    conn.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(conn.connected).toBe(false);
    expect(text()).toMatch(/certificate|self.signed|unable to verify/i);
    await conn.stop();
  });

  it('connects to that broker only with rejectUnauthorized off (testing only)', async () => {
    const conn = new MqttConnection({ settings: settingsFor(url, { rejectUnauthorized: false }), clientId: 'tls-insecure', log: capturedLogger().log });
    await conn.connect();
    expect(conn.connected).toBe(true);
    await conn.stop();
  });
});
