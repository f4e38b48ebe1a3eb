/**
 * /net/* with nmcli replaced by a test executable on PATH (a #!/bin/sh script that answers the
 * terse formats and records its arguments): status, the network list (escaped colons, one entry
 * per SSID), connecting (with and without a password, nmcli's failure text) and nmcli missing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseWifiList, splitTerse } from '../../../src/display/nmcli';
import { writeFakeNmcli, type FakeNmcli } from '../fakes';
import { call, startDisplay, type DisplayServer } from './helpers';

describe('display Wi-Fi (nmcli)', () => {
  let nmcli: FakeNmcli | undefined;
  let s: DisplayServer | undefined;
  const path = process.env.PATH;
  afterEach(async () => {
    process.env.PATH = path;
    await s?.stop();
    await nmcli?.remove();
    s = nmcli = undefined;
  });

  it('splits terse lines with escaped colons and backslashes', () => {
    expect(splitTerse(' :Vecino\\:5G:62:WPA1 WPA2')).toEqual([' ', 'Vecino:5G', '62', 'WPA1 WPA2']);
    expect(splitTerse('*:a\\\\b::')).toEqual(['*', 'a\\b', '', '']);
    expect(parseWifiList('')).toEqual([]);
  });

  it('finds nmcli on PATH: status of the first Wi-Fi device and the networks, strongest first', async () => {
    nmcli = await writeFakeNmcli();
    process.env.PATH = `${nmcli.dir}:${path ?? ''}`;
    s = await startDisplay();
    expect(await call(`${s.url}/net/status`, 'GET')).toEqual({ status: 200, body: { available: true, device: 'wlan0', state: 'connected', ssid: 'Casa' } });
    expect(await call(`${s.url}/net/wifi`, 'GET')).toEqual({
      status: 200,
      body: {
        networks: [
          { ssid: 'Casa', signal: 80, security: 'WPA2', inUse: true },
          { ssid: 'Vecino:5G', signal: 62, security: 'WPA1 WPA2', inUse: false },
          { ssid: 'Cafe libre', signal: 30, security: '', inUse: false },
        ],
      },
    });
    expect(await nmcli.calls()).toEqual([
      ['-t', '-f', 'DEVICE,TYPE,STATE,CONNECTION', 'device', 'status'],
      ['-t', '-f', 'IN-USE,SSID,SIGNAL,SECURITY', 'device', 'wifi', 'list', '--rescan', 'auto'],
    ]);
  });

  it('reports a disconnected device and a machine without Wi-Fi', async () => {
    nmcli = await writeFakeNmcli();
    s = await startDisplay({ env: { HELEN_NMCLI: nmcli.path } });
    await nmcli.setStatus('eth0:ethernet:connected:Wired connection 1\nwlan0:wifi:disconnected:\n');
    expect((await call(`${s.url}/net/status`, 'GET')).body).toEqual({ available: true, device: 'wlan0', state: 'disconnected', ssid: null });
    await nmcli.setStatus('eth0:ethernet:connected:Wired connection 1\n');
    expect((await call(`${s.url}/net/status`, 'GET')).body).toEqual({ available: false, error: 'no Wi-Fi device' });
  });

  it('connects with the SSID as one argument and the password never logged', async () => {
    nmcli = await writeFakeNmcli();
    s = await startDisplay({ env: { HELEN_NMCLI: nmcli.path } });
    const password = 'hunter2-very-secret';
    const res = await call(`${s.url}/net/connect`, 'POST', { ssid: 'Vecino:5G; rm -rf /', password });
    expect(res).toEqual({ status: 200, body: { available: true, device: 'wlan0', state: 'connected', ssid: 'Casa' } });
    const open = await call(`${s.url}/net/connect`, 'POST', { ssid: 'Cafe libre' });
    expect(open.status).toBe(200);
    const calls = await nmcli.calls();
    expect(calls.filter((c) => c.includes('connect'))).toEqual([
      ['device', 'wifi', 'connect', 'Vecino:5G; rm -rf /', 'password', password],
      ['device', 'wifi', 'connect', 'Cafe libre'],
    ]);
    expect(s.logs.join('')).toContain('connecting to Wi-Fi');
    expect(s.logs.join('')).not.toContain(password);
  });

  it('answers nmcli\'s own failure text in a 502, without the command line', async () => {
    nmcli = await writeFakeNmcli();
    s = await startDisplay({ env: { HELEN_NMCLI: nmcli.path } });
    await nmcli.failConnect('Error: Connection activation failed: (7) Secrets were required, but not provided.\n');
    const password = 'wrong-password-123';
    const res = await call(`${s.url}/net/connect`, 'POST', { ssid: 'Casa', password });
    expect(res).toEqual({ status: 502, body: { error: 'Error: Connection activation failed: (7) Secrets were required, but not provided.' } });
    expect(JSON.stringify(res.body) + s.logs.join('')).not.toContain(password);
  });

  it('validates the connect body', async () => {
    nmcli = await writeFakeNmcli();
    s = await startDisplay({ env: { HELEN_NMCLI: nmcli.path } });
    expect(await call(`${s.url}/net/connect`, 'POST', {})).toEqual({ status: 400, body: { error: 'ssid is required' } });
    expect((await call(`${s.url}/net/connect`, 'POST', { ssid: 'x'.repeat(33) })).body).toEqual({ error: 'ssid must NOT have more than 32 characters' });
    expect(await nmcli.calls()).toEqual([]);
  });

  it('says nmcli is missing (200 on status so the page can explain, 503 otherwise)', async () => {
    s = await startDisplay({ env: { HELEN_NMCLI: '/nonexistent/helen-test/nmcli' } });
    expect(await call(`${s.url}/net/status`, 'GET')).toEqual({ status: 200, body: { available: false, error: 'nmcli not found' } });
    expect(await call(`${s.url}/net/wifi`, 'GET')).toEqual({ status: 503, body: { error: 'nmcli not found', available: false } });
    expect(await call(`${s.url}/net/connect`, 'POST', { ssid: 'Casa' })).toEqual({ status: 503, body: { error: 'nmcli not found', available: false } });
  });
});
