/**
 * The user's settings and alarms: validation naming the field, merging, the sensitivity
 * callback, the broadcasts on /events, atomic files that survive a restart ("reboot" = a
 * new server on the same state folder) and corrupt files replaced by the defaults.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSse, waitFor } from '../../helpers';
import { call, startDisplay, tempDir, type DisplayServer } from './helpers';

const DEFAULTS = {
  language: 'es', handedness: 'right', sensitivity: 'normal',
  location: { name: 'Madrid', latitude: 40.4168, longitude: -3.7038 }, preview: false, clock24h: true,
};

describe('display settings', () => {
  const servers: DisplayServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const start = async (o: Parameters<typeof startDisplay>[0] = {}) => {
    const s = await startDisplay(o);
    servers.push(s);
    return s;
  };

  it('answers the defaults (place from HELEN_WEATHER_*), and the whole state at once', async () => {
    const s = await start({ env: { HELEN_WEATHER_PLACE: 'Quito', HELEN_WEATHER_LATITUDE: '-0.18', HELEN_WEATHER_LONGITUDE: '-78.47' } });
    const settings = await call(`${s.url}/api/settings`, 'GET');
    expect(settings).toEqual({ status: 200, body: { ...DEFAULTS, location: { name: 'Quito', latitude: -0.18, longitude: -78.47 } } });
    const state = await call(`${s.url}/api/display/state`, 'GET');
    expect(state.body).toMatchObject({ settings: settings.body, alarms: [], info: { device: 'pi-test', sensitivity: 'normal' } });
    expect(s.applied).toEqual(['normal']);
  });

  it('merges a partial PUT, saves it, broadcasts it and applies a new sensitivity', async () => {
    const s = await start();
    const sse = await openSse(`${s.url}/events`);
    await waitFor(() => s.ui.sseClients === 1, 5000, 'SSE client');
    const res = await call(`${s.url}/api/settings`, 'PUT', { language: 'en', sensitivity: 'strict' });
    expect(res).toEqual({ status: 200, body: { ...DEFAULTS, language: 'en', sensitivity: 'strict' } });
    expect(s.applied).toEqual(['normal', 'strict']);
    await waitFor(() => sse.messages.length === 2, 5000, 'settings broadcast');
    expect(JSON.parse(sse.messages[1] as string)).toEqual({ type: 'settings', settings: res.body });
    expect(JSON.parse(await readFile(join(s.stateDir, 'settings.json'), 'utf8'))).toEqual(res.body);

    // The same sensitivity again: nothing to apply.
    await call(`${s.url}/api/settings`, 'PUT', { sensitivity: 'strict', preview: true });
    expect(s.applied).toEqual(['normal', 'strict']);
    sse.close();
  });

  it('refuses bad values, naming each field, and changes nothing', async () => {
    const s = await start();
    const cases: [unknown, RegExp][] = [
      [{ language: 'fr' }, /language must be one of es, en/],
      [{ sensitivity: 'max' }, /sensitivity must be one of strict, normal, sensitive/],
      [{ preview: 'yes' }, /preview must be boolean/],
      [{ colour: 'red' }, /unknown field "colour"/],
      [{ location: { name: 'X', latitude: 91, longitude: 0 } }, /location\.latitude must be <= 90/],
      [{ location: { name: 'X', latitude: 1 } }, /location\.longitude is required/],
      [{ language: 'fr', handedness: 'both' }, /language must be one of es, en; handedness must be one of right, left/],
      [[1, 2], /body must be object/],
    ];
    for (const [body, message] of cases) {
      const res = await call(`${s.url}/api/settings`, 'PUT', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as { error: string }).error).toMatch(message);
    }
    const bad = await fetch(`${s.url}/api/settings`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"language":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'body is not valid JSON' });
    expect((await call(`${s.url}/api/settings`, 'GET')).body).toEqual(DEFAULTS);
    expect(s.applied).toEqual(['normal']);
  });

  it('refuses a change sent by another web site', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/api/settings`, {
      method: 'PUT', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{"language":"en"}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'requests from another site are not accepted' });
    const same = await fetch(`${s.url}/api/settings`, {
      method: 'PUT', headers: { 'content-type': 'application/json', origin: s.url }, body: '{"language":"en"}',
    });
    expect(same.status).toBe(200);
  });

  it('keeps the settings over a restart and applies the saved sensitivity at start-up', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const first = await start({ stateDir: dir });
    await call(`${first.url}/api/settings`, 'PUT', { sensitivity: 'sensitive', handedness: 'left', location: { name: 'Lima', latitude: -12.05, longitude: -77.04 } });
    await first.stop();
    servers.splice(servers.indexOf(first), 1);

    const again = await start({ stateDir: dir });
    expect(again.applied).toEqual(['sensitive']);
    expect((await call(`${again.url}/api/settings`, 'GET')).body).toMatchObject({ sensitivity: 'sensitive', handedness: 'left', location: { name: 'Lima' } });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces a corrupt settings file by the defaults, keeping it as settings.json.corrupt', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await writeFile(join(dir, 'settings.json'), '{"language": "es", "sensitiv');
    await writeFile(join(dir, 'alarms.json'), '[{"id":"zz","time":"25:00","enabled":true,"label":""}]');
    const s = await start({ stateDir: dir });
    expect((await call(`${s.url}/api/settings`, 'GET')).body).toEqual(DEFAULTS);
    expect((await call(`${s.url}/api/alarms`, 'GET')).body).toEqual([]);
    expect(await readFile(join(dir, 'settings.json.corrupt'), 'utf8')).toBe('{"language": "es", "sensitiv');
    expect(await readFile(join(dir, 'alarms.json.corrupt'), 'utf8')).toContain('25:00');
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).toEqual(DEFAULTS);
    expect(s.logs.join('')).toContain('corrupt display state file');
  });

  it('fills fields a settings file from an older version lacks', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    await writeFile(join(dir, 'settings.json'), '{"language":"en"}');
    const s = await start({ stateDir: dir });
    expect((await call(`${s.url}/api/settings`, 'GET')).body).toEqual({ ...DEFAULTS, language: 'en' });
  });
});

describe('display alarms', () => {
  const servers: DisplayServer[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const start = async (stateDir: string) => {
    const s = await startDisplay({ stateDir });
    servers.push(s);
    return s;
  };
  const onDisk = async (dir: string) => JSON.parse(await readFile(join(dir, 'alarms.json'), 'utf8')) as unknown;

  it('creates, changes and deletes alarms, each change on disk and on /events', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const s = await start(dir);
    const sse = await openSse(`${s.url}/events`);
    await waitFor(() => s.ui.sseClients === 1, 5000, 'SSE client');

    const created = await call(`${s.url}/api/alarms`, 'POST', { time: '07:30' });
    expect(created.status).toBe(201);
    const a = created.body as { id: string };
    expect(a).toEqual({ id: expect.stringMatching(/^[0-9a-f]{4}$/), time: '07:30', enabled: true, label: '' });
    expect(await onDisk(dir)).toEqual([a]);

    const b = (await call(`${s.url}/api/alarms`, 'POST', { time: '23:59', label: 'Pastillas' })).body as { id: string };
    expect(await onDisk(dir)).toEqual([a, b]);

    const patched = await call(`${s.url}/api/alarms/${a.id}`, 'PATCH', { enabled: false, time: '06:45' });
    expect(patched).toEqual({ status: 200, body: { ...a, enabled: false, time: '06:45' } });
    expect(await onDisk(dir)).toEqual([patched.body, b]);

    const deleted = await fetch(`${s.url}/api/alarms/${b.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await onDisk(dir)).toEqual([patched.body]);
    expect((await call(`${s.url}/api/alarms`, 'GET')).body).toEqual([patched.body]);

    await waitFor(() => sse.messages.length === 5, 5000, 'four alarm broadcasts');
    const last = JSON.parse(sse.messages[4] as string) as unknown;
    expect(last).toEqual({ type: 'alarms', alarms: [patched.body] });
    sse.close();

    // Reboot: a new server on the same folder has the same list.
    await s.stop();
    servers.splice(0);
    const again = await start(dir);
    expect((await call(`${again.url}/api/alarms`, 'GET')).body).toEqual([patched.body]);
  });

  it('refuses bad times and fields, unknown ids, and a 21st alarm', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const s = await start(dir);
    for (const time of ['24:00', '7:30', '12:60', '0730', '']) {
      const res = await call(`${s.url}/api/alarms`, 'POST', { time });
      expect(res, time).toEqual({ status: 400, body: { error: 'time must be a 24 h time HH:MM (00:00-23:59)' } });
    }
    expect(await call(`${s.url}/api/alarms`, 'POST', {})).toEqual({ status: 400, body: { error: 'time is required' } });
    expect(await call(`${s.url}/api/alarms`, 'POST', { time: '07:00', label: 'x'.repeat(41) })).toEqual({ status: 400, body: { error: 'label must NOT have more than 40 characters' } });
    expect(await call(`${s.url}/api/alarms`, 'POST', { time: '07:00', snooze: 5 })).toEqual({ status: 400, body: { error: 'unknown field "snooze"' } });
    expect(await call(`${s.url}/api/alarms/ffff`, 'PATCH', { enabled: false })).toEqual({ status: 404, body: { error: 'no alarm with id "ffff"' } });
    expect((await fetch(`${s.url}/api/alarms/ffff`, { method: 'DELETE' })).status).toBe(404);

    // Twenty at once: the changes run one after another, none is lost.
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) => call(`${s.url}/api/alarms`, 'POST', { time: `${String(i).padStart(2, '0')}:00` })));
    expect(made.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(await onDisk(dir)).toHaveLength(20);
    const first = (made[0]?.body as { id: string }).id;
    expect(await call(`${s.url}/api/alarms/${first}`, 'PATCH', {})).toEqual({ status: 400, body: { error: 'body must name at least one field' } });
    expect(await call(`${s.url}/api/alarms`, 'POST', { time: '21:00' })).toEqual({ status: 409, body: { error: 'at most 20 alarms; delete one first' } });
    expect(await onDisk(dir)).toHaveLength(20);
  });
});
