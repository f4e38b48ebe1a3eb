/**
 * /api/devices against a loopback Home Assistant speaking its REST format: not configured,
 * the switchable entities sorted and numbered, a toggle, a wrong token (502 with HA's status)
 * and the token never in a log line or an answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { edgeConfigFromEnv } from '../../../src/config';
import { displaySettings } from '../../../src/display/settings';
import { startFakeHomeAssistant, type FakeHomeAssistant } from '../fakes';
import { call, startDisplay, type DisplayServer } from './helpers';

describe('display devices (Home Assistant REST)', () => {
  let ha: FakeHomeAssistant | undefined;
  let s: DisplayServer | undefined;
  afterEach(async () => {
    await s?.stop();
    await ha?.close();
    s = ha = undefined;
  });

  it('says "not configured" without HELEN_HA_API_URL, and refuses a toggle', async () => {
    s = await startDisplay();
    expect(await call(`${s.url}/api/devices`, 'GET')).toEqual({ status: 200, body: { configured: false } });
    const toggle = await call(`${s.url}/api/devices/light.kitchen/toggle`, 'POST');
    expect(toggle).toEqual({ status: 409, body: { error: 'Home Assistant is not configured: set HELEN_HA_API_URL and HELEN_HA_API_TOKEN', configured: false } });
  });

  it('requires the token with the URL', () => {
    expect(() => displaySettings.parse({ HELEN_HA_API_URL: 'http://127.0.0.1:8123' })).toThrow(/HELEN_HA_API_TOKEN: required with HELEN_HA_API_URL/);
  });

  it('production refuses the token over plain HTTP to another machine unless allowed', () => {
    const env = { HELEN_ENV: 'production', HELEN_HA_API_URL: 'http://homeassistant.local:8123', HELEN_HA_API_TOKEN: 't' };
    expect(() => edgeConfigFromEnv(env)).toThrow(/HELEN_HA_API_URL=http:\/\/homeassistant.local:8123 is HTTP without TLS/);
    expect(edgeConfigFromEnv({ ...env, HELEN_ALLOW_PLAIN_HTTP: 'true' }).display.homeAssistant.url).toBe('http://homeassistant.local:8123');
  });

  it('lists lights, switches and fans by name, numbered from 1, and toggles one', async () => {
    ha = await startFakeHomeAssistant();
    s = await startDisplay({ env: { HELEN_HA_API_URL: `${ha.url}/`, HELEN_HA_API_TOKEN: ha.token } });
    const list = await call(`${s.url}/api/devices`, 'GET');
    expect(list).toEqual({
      status: 200,
      body: {
        configured: true,
        devices: [
          { index: 1, entityId: 'fan.bedroom', name: 'Bedroom fan', domain: 'fan', state: 'off' },
          { index: 2, entityId: 'switch.coffee_maker', name: 'Coffee maker', domain: 'switch', state: 'off' },
          { index: 3, entityId: 'light.kitchen', name: 'Kitchen', domain: 'light', state: 'on' },
          { index: 4, entityId: 'light.living_room', name: 'Living room', domain: 'light', state: 'off' },
        ],
      },
    });
    expect(ha.requests[0]).toMatchObject({ method: 'GET', path: '/api/states', authorization: `Bearer ${ha.token}` });

    const toggled = await call(`${s.url}/api/devices/light.kitchen/toggle`, 'POST');
    expect(toggled).toEqual({ status: 200, body: { entityId: 'light.kitchen', name: 'Kitchen', domain: 'light', state: 'off' } });
    expect(ha.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/services/light/toggle', body: '{"entity_id":"light.kitchen"}' });
    expect(((await call(`${s.url}/api/devices`, 'GET')).body as { devices: { state: string }[] }).devices[2]?.state).toBe('off');
  });

  it('reads the state back when Home Assistant lists no change', async () => {
    ha = await startFakeHomeAssistant();
    s = await startDisplay({ env: { HELEN_HA_API_URL: ha.url, HELEN_HA_API_TOKEN: ha.token } });
    // person.ana is not switchable; sensor.* neither: refused before asking HA.
    expect((await call(`${s.url}/api/devices/sensor.outside_temperature/toggle`, 'POST')).status).toBe(400);
    const n = ha.requests.length;
    // An entity HA does not know: the service call changes nothing, the state read says 404.
    const res = await call(`${s.url}/api/devices/light.garage/toggle`, 'POST');
    expect(res).toEqual({ status: 502, body: { error: 'Home Assistant answered HTTP 404 Not Found (/api/states/light.garage not found)', status: 404 } });
    expect(ha.requests.slice(n).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/services/light/toggle', 'GET /api/states/light.garage']);
  });

  it('answers 502 with Home Assistant\'s status for a wrong token, and never shows the token', async () => {
    ha = await startFakeHomeAssistant();
    const wrong = 'wrong-token-0123456789';
    s = await startDisplay({ env: { HELEN_HA_API_URL: ha.url, HELEN_HA_API_TOKEN: wrong } });
    const res = await call(`${s.url}/api/devices`, 'GET');
    expect(res).toEqual({ status: 502, body: { error: 'Home Assistant answered HTTP 401 Unauthorized (check HELEN_HA_API_TOKEN)', status: 401 } });
    const toggle = await call(`${s.url}/api/devices/light.kitchen/toggle`, 'POST');
    expect(toggle.status).toBe(502);
    expect(ha.states.find((e) => e.entity_id === 'light.kitchen')?.state).toBe('on');
    expect(s.logs.join('')).not.toContain(wrong);
  });

  it('answers 502 when Home Assistant is unreachable', async () => {
    ha = await startFakeHomeAssistant();
    const url = ha.url;
    await ha.close();
    ha = undefined;
    s = await startDisplay({ env: { HELEN_HA_API_URL: url, HELEN_HA_API_TOKEN: 't' } });
    const res = await call(`${s.url}/api/devices`, 'GET');
    expect(res.status).toBe(502);
    expect((res.body as { error: string }).error).toMatch(/^Home Assistant unreachable \(.*ECONNREFUSED/);
  });
});
