/**
 * The broker's own TLS listeners (mqtts://, wss://) with openssl-made certificates: right CA
 * connects, wrong CA is refused, client certificates when a CA file is set, reload of the
 * files (on change, on reloadTls(), on SIGHUP in `helen broker`) and a bad new file keeping
 * the old certificate.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { X509Certificate } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type HelenBroker } from '../src/broker';
import { capturedLog, haveOpenssl, makeCa, makeCert, waitUntil } from './certs';

if (!haveOpenssl) console.warn('openssl not installed: skipping the broker TLS listener tests');

const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
});

async function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, ...opts });
  clients.push(c);
  return c;
}

/** Resolves with the refusal reason when the connection fails (error, or closed before CONNACK). */
async function refused(url: string, opts: IClientOptions): Promise<string> {
  const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, protocolVersion: 4, ...opts });
  clients.push(c);
  const outcome = await new Promise<{ connected: boolean; reason: string }>((resolve) => {
    c.once('connect', () => resolve({ connected: true, reason: '' }));
    c.once('error', (err) => resolve({ connected: false, reason: err.message }));
    c.once('close', () => resolve({ connected: false, reason: 'closed' }));
  });
  if (outcome.connected) throw new Error(`connected unexpectedly (${c.options.clientId})`);
  return outcome.reason;
}

const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;
const peerFingerprint = (c: MqttClient) => (c.stream as TLSSocket).getPeerCertificate().fingerprint256;

describe.skipIf(!haveOpenssl)('broker TLS listeners', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'helen-broker-tls-'));
    makeCa(dir, 'ca');
    makeCa(dir, 'ca2');
    makeCa(dir, 'other-ca');
    makeCa(dir, 'client-ca');
    makeCert(dir, 'ca', 'server');
    makeCert(dir, 'ca2', 'server2');
    makeCert(dir, 'client-ca', 'client', 'helen-client');
    makeCert(dir, 'other-ca', 'stranger', 'stranger');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('mqtts and wss with a server certificate', () => {
    let broker: HelenBroker;
    let tcpPort: number;
    let tlsPort: number;
    let wssPort: number;
    const cap = capturedLog();
    beforeAll(async () => {
      broker = createBroker({ port: 0, host: '127.0.0.1', logger: cap.log,
        tls: { port: 0, wssPort: 0, certFile: file('server.pem'), keyFile: file('server.key'), watchIntervalMs: 0 } });
      ({ tcpPort, tlsPort, wssPort } = await broker.start() as { tcpPort: number; tlsPort: number; wssPort: number });
    });
    afterAll(() => broker.stop());

    it('reports both ports and logs the certificate it serves', () => {
      expect(tlsPort).toBeGreaterThan(0);
      expect(wssPort).toBeGreaterThan(0);
      const ready = cap.lines().find((l) => l.msg === 'MQTT TLS listener ready');
      expect(ready).toMatchObject({ subject: 'CN=localhost', fingerprint256: fingerprint(file('server.pem')) });
    });

    it('mqtts: a client trusting the CA connects and can publish/subscribe', async () => {
      const c = await connect(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(file('ca.pem')) });
      await c.subscribeAsync('tls/echo');
      const got = new Promise<string>((resolve) => c.once('message', (_t, p) => resolve(p.toString())));
      await c.publishAsync('tls/echo', 'over tls');
      expect(await got).toBe('over tls');
    });

    it('mqtts: a client trusting another CA refuses the broker', async () => {
      expect(await refused(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(file('other-ca.pem')) }))
        .toMatch(/self.signed|unable to verify|certificate/i);
    });

    it('wss: a client trusting the CA connects; another CA is refused', async () => {
      const c = await connect(`wss://127.0.0.1:${wssPort}/mqtt`, { ca: readFileSync(file('ca.pem')) });
      expect(c.connected).toBe(true);
      expect(await refused(`wss://127.0.0.1:${wssPort}/mqtt`, { ca: readFileSync(file('other-ca.pem')) }))
        .toMatch(/self.signed|unable to verify|certificate/i);
    });

    it('plain TCP still works next to them, and a TLS client gets the same messages', async () => {
      const plain = await connect(`mqtt://127.0.0.1:${tcpPort}`, {});
      const secure = await connect(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(file('ca.pem')) });
      await secure.subscribeAsync('tls/mixed');
      const got = new Promise<string>((resolve) => secure.once('message', (_t, p) => resolve(p.toString())));
      await plain.publishAsync('tls/mixed', 'from tcp');
      expect(await got).toBe('from tcp');
    });
  });

  describe('client certificates (CA file set)', () => {
    let broker: HelenBroker;
    let tlsPort: number;
    let wssPort: number;
    beforeAll(async () => {
      broker = createBroker({ port: 0, host: '127.0.0.1',
        tls: { port: 0, wssPort: 0, certFile: file('server.pem'), keyFile: file('server.key'), caFile: file('client-ca.pem'), watchIntervalMs: 0 } });
      ({ tlsPort, wssPort } = await broker.start() as { tlsPort: number; wssPort: number });
    });
    afterAll(() => broker.stop());

    it('accepts a client certificate signed by the CA (mqtts and wss)', async () => {
      const creds = { ca: readFileSync(file('ca.pem')), cert: readFileSync(file('client.pem')), key: readFileSync(file('client.key')) };
      expect((await connect(`mqtts://127.0.0.1:${tlsPort}`, creds)).connected).toBe(true);
      expect((await connect(`wss://127.0.0.1:${wssPort}/mqtt`, creds)).connected).toBe(true);
    });

    it('refuses a client without a certificate or with one from another CA', async () => {
      const ca = readFileSync(file('ca.pem'));
      expect(await refused(`mqtts://127.0.0.1:${tlsPort}`, { ca })).toMatch(/certificate|alert|socket|ECONNRESET|closed/i);
      expect(await refused(`mqtts://127.0.0.1:${tlsPort}`, { ca, cert: readFileSync(file('stranger.pem')), key: readFileSync(file('stranger.key')) }))
        .toMatch(/certificate|alert|socket|ECONNRESET|closed/i);
    });
  });

  describe('reload', () => {
    let live: string;
    let broker: HelenBroker;
    let tlsPort: number;
    const cap = capturedLog();
    const lf = (name: string) => join(live, name);
    beforeAll(async () => {
      live = mkdtempSync(join(tmpdir(), 'helen-broker-tls-live-'));
      copyFileSync(file('server.pem'), lf('cert.pem'));
      copyFileSync(file('server.key'), lf('key.pem'));
      broker = createBroker({ port: 0, host: '127.0.0.1', logger: cap.log,
        tls: { port: 0, certFile: lf('cert.pem'), keyFile: lf('key.pem'), watchIntervalMs: 50 } });
      ({ tlsPort } = await broker.start() as { tlsPort: number });
    });
    afterAll(async () => {
      await broker.stop();
      rmSync(live, { recursive: true, force: true });
    });

    const reloads = () => cap.lines().filter((l) => l.msg === 'TLS certificate reloaded');
    const failures = () => cap.lines().filter((l) => l.msg.startsWith('TLS certificate reload failed'));

    it('serves the new certificate once the files are replaced (file watch), open connections keep theirs', async () => {
      const old = await connect(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(file('ca.pem')) });
      expect(peerFingerprint(old)).toBe(fingerprint(file('server.pem')));
      // Written one after the other, as an operator or certbot would.
      writeFileSync(lf('key.pem'), readFileSync(file('server2.key')));
      writeFileSync(lf('cert.pem'), readFileSync(file('server2.pem')));
      await waitUntil(() => reloads().length >= 1, 5000, 'reload log line');
      expect(reloads()[0]).toMatchObject({ reason: 'file change', fingerprint256: fingerprint(file('server2.pem')),
        previousFingerprint256: fingerprint(file('server.pem')) });
      const fresh = await connect(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(file('ca2.pem')) });
      expect(peerFingerprint(fresh)).toBe(fingerprint(file('server2.pem')));
      expect(await refused(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(file('ca.pem')) })).toMatch(/self.signed|unable to verify|certificate/i);
      expect(old.connected).toBe(true);
    });

    it('keeps the old certificate and logs why when the new files do not load (reloadTls, as on SIGHUP)', async () => {
      const before = failures().length;
      writeFileSync(lf('key.pem'), readFileSync(file('server.key'))); // does not match cert.pem (server2)
      expect(broker.reloadTls('SIGHUP')).toBe(false);
      expect(failures().length).toBeGreaterThan(before);
      expect(failures().at(-1)).toMatchObject({ reason: 'SIGHUP', err: expect.stringMatching(/key values mismatch|mismatch/i) });
      writeFileSync(lf('cert.pem'), 'not a certificate');
      expect(broker.reloadTls()).toBe(false);
      expect(failures().at(-1)?.err).toMatch(/PEM|certificate|no start line|header/i);
      const c = await connect(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(file('ca2.pem')) });
      expect(peerFingerprint(c)).toBe(fingerprint(file('server2.pem')));
      // Fixed again: reloads.
      copyFileSync(file('server.pem'), lf('cert.pem'));
      expect(broker.reloadTls()).toBe(true);
      const back = await connect(`mqtts://127.0.0.1:${tlsPort}`, { ca: readFileSync(file('ca.pem')) });
      expect(peerFingerprint(back)).toBe(fingerprint(file('server.pem')));
    });

    it('reloadTls() is false on a broker without TLS listeners', async () => {
      const plain = createBroker({ port: 0, host: '127.0.0.1' });
      await plain.start();
      expect(plain.reloadTls()).toBe(false);
      await plain.stop();
    });
  });

  it('helen broker: prints mqtts:// and wss://, reloads on SIGHUP, exits 0 on SIGTERM', async () => {
    const live = mkdtempSync(join(tmpdir(), 'helen-broker-tls-main-'));
    copyFileSync(file('server.pem'), join(live, 'cert.pem'));
    copyFileSync(file('server.key'), join(live, 'key.pem'));
    const helen = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));
    const child = spawn(process.execPath, [helen, 'broker'], {
      env: { ...process.env, HELEN_MQTT_PORT: '0', HELEN_MQTT_WS_PORT: 'off', HELEN_MQTT_HOST: '127.0.0.1', HELEN_MQTT_TLS_PORT: '0', HELEN_MQTT_WSS_PORT: '0',
        HELEN_BROKER_TLS_CERT_FILE: join(live, 'cert.pem'), HELEN_BROKER_TLS_KEY_FILE: join(live, 'key.pem'), HELEN_BROKER_TLS_WATCH_INTERVAL: '0',
        HELEN_BROKER_ALLOW_ANONYMOUS: 'true', HELEN_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitUntil(() => /helen broker: .*\n/.test(out) || child.exitCode !== null, 15_000, 'the address line');
      const m = /mqtts:\/\/127\.0\.0\.1:(\d+)\s+wss:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      expect(m, `${out}\n${err}`).not.toBeNull();
      const c = await connect(`mqtts://127.0.0.1:${m![1]}`, { ca: readFileSync(file('ca.pem')) });
      expect(peerFingerprint(c)).toBe(fingerprint(file('server.pem')));
      copyFileSync(file('server2.key'), join(live, 'key.pem'));
      copyFileSync(file('server2.pem'), join(live, 'cert.pem'));
      child.kill('SIGHUP');
      await waitUntil(() => out.includes('TLS certificate reloaded'), 5000, 'the reload log line');
      expect(out).toContain('"reason":"SIGHUP"');
      const w = await connect(`wss://127.0.0.1:${m![2]}/mqtt`, { ca: readFileSync(file('ca2.pem')) });
      expect(w.connected).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(live, { recursive: true, force: true });
    }
  });
});
