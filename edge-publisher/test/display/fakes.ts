/**
 * Stand-ins for the display's outside services, speaking their real formats, for the backend
 * tests and the browser tests alike:
 * - startFakeOpenMeteo(): Open-Meteo's /v1/forecast on a loopback port;
 * - startFakeHomeAssistant(): Home Assistant's REST API (/api/states, /api/services/<domain>/toggle,
 *   Bearer token);
 * - writeFakeNmcli(): an `nmcli` executable (a #!/bin/sh script) answering the terse formats
 *   and recording its arguments.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(body));
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

// ---------------------------------------------------------------- Open-Meteo

/**
 * A real /v1/forecast answer for Madrid with the display's query (current + 4 days), shape
 * and units as Open-Meteo sends them (its grid moves the coordinates slightly).
 */
export function openMeteoForecast(latitude = 40.4168, longitude = -3.7038, temperature = 14.2): Record<string, unknown> {
  return {
    latitude: Math.round(latitude * 16) / 16 + 0.0125,
    longitude: Math.round(longitude * 16) / 16 + 0.0125,
    generationtime_ms: 0.0762939453125,
    utc_offset_seconds: 3600,
    timezone: 'Europe/Madrid',
    timezone_abbreviation: 'GMT+1',
    elevation: 667.0,
    current_units: { time: 'iso8601', interval: 'seconds', temperature_2m: '°C', weather_code: 'wmo code', wind_speed_10m: 'km/h', is_day: '' },
    current: { time: '2026-11-26T12:00', interval: 900, temperature_2m: temperature, weather_code: 3, wind_speed_10m: 9.4, is_day: 1 },
    daily_units: { time: 'iso8601', weather_code: 'wmo code', temperature_2m_max: '°C', temperature_2m_min: '°C', precipitation_probability_max: '%' },
    daily: {
      time: ['2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'],
      weather_code: [3, 61, 80, 0],
      temperature_2m_max: [16.1, 12.4, 11.0, 13.8],
      temperature_2m_min: [6.3, 7.9, 5.2, 2.1],
      precipitation_probability_max: [10, 75, 40, 0],
    },
  };
}

export interface FakeOpenMeteo {
  /** The forecast endpoint, for HELEN_WEATHER_URL. */
  readonly url: string;
  /** Every request's URL (path and query). */
  readonly requests: URL[];
  /** Temperature of the next answers (to tell a fresh answer from a cached one). */
  temperature: number;
  /** Answer this HTTP status with Open-Meteo's error body instead of a forecast (undefined = normal). */
  failWith: number | undefined;
  close(): Promise<void>;
}

export async function startFakeOpenMeteo(): Promise<FakeOpenMeteo> {
  const requests: URL[] = [];
  const fake = { requests, temperature: 14.2, failWith: undefined as number | undefined };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url);
    if (url.pathname !== '/v1/forecast') return json(res, 404, { error: true, reason: 'Not Found' });
    if (fake.failWith !== undefined) return json(res, fake.failWith, { error: true, reason: 'Service temporarily unavailable' });
    const lat = Number(url.searchParams.get('latitude'));
    const lon = Number(url.searchParams.get('longitude'));
    if (!(Math.abs(lat) <= 90)) return json(res, 400, { error: true, reason: `Latitude must be in range of -90 to 90°. Given: ${lat}.` });
    json(res, 200, openMeteoForecast(lat, lon, fake.temperature));
  });
  const base = await listen(server);
  return Object.assign(fake, { url: `${base}/v1/forecast`, close: () => close(server) });
}

// ---------------------------------------------------------------- Home Assistant

export interface HaEntity {
  entity_id: string;
  state: string;
  attributes: { friendly_name?: string; [k: string]: unknown };
  last_changed: string;
  last_updated: string;
  context: { id: string; parent_id: string | null; user_id: string | null };
}

export function haEntity(entityId: string, state: string, friendlyName?: string): HaEntity {
  const at = '2026-11-26T11:58:01.123456+00:00';
  return {
    entity_id: entityId, state, attributes: friendlyName === undefined ? {} : { friendly_name: friendlyName },
    last_changed: at, last_updated: at, context: { id: '01JDQ6W9V2Y3KX7N8P0R5T4S1A', parent_id: null, user_id: null },
  };
}

/** A small home: two lights, a switch, a fan, a sensor and a person (the last two are not switchable). */
export const HA_HOME: readonly HaEntity[] = [
  haEntity('light.kitchen', 'on', 'Kitchen'),
  haEntity('sensor.outside_temperature', '14.2', 'Outside temperature'),
  haEntity('light.living_room', 'off', 'Living room'),
  haEntity('switch.coffee_maker', 'off', 'Coffee maker'),
  haEntity('person.ana', 'home', 'Ana'),
  haEntity('fan.bedroom', 'off', 'Bedroom fan'),
];

export interface FakeHomeAssistant {
  readonly url: string;
  readonly token: string;
  readonly states: HaEntity[];
  /** method, path, Authorization header and body of every request. */
  readonly requests: { method: string; path: string; authorization: string | undefined; body: string }[];
  close(): Promise<void>;
}

const TOGGLED: Record<string, string> = { on: 'off', off: 'on', open: 'closed', closed: 'open' };

export async function startFakeHomeAssistant(opts: { token?: string; states?: readonly HaEntity[] } = {}): Promise<FakeHomeAssistant> {
  const token = opts.token ?? 'eyJhbGciOiJIUzI1NiJ9.fake-long-lived-token';
  const states = structuredClone([...(opts.states ?? HA_HOME)]);
  const requests: FakeHomeAssistant['requests'] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
      // What HA answers without a valid token: 401 and plain text.
      if (req.headers.authorization !== `Bearer ${token}`) return res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('401: Unauthorized');
      if (req.method === 'GET' && path === '/api/states') return json(res, 200, states);
      const one = /^\/api\/states\/(.+)$/.exec(path);
      if (req.method === 'GET' && one) {
        const s = states.find((e) => e.entity_id === one[1]);
        return s ? json(res, 200, s) : json(res, 404, { message: 'Entity not found.' });
      }
      const service = /^\/api\/services\/([a-z_]+)\/toggle$/.exec(path);
      if (req.method === 'POST' && service) {
        const entityId = (JSON.parse(body || '{}') as { entity_id?: string }).entity_id;
        const s = states.find((e) => e.entity_id === entityId);
        if (!s || !s.entity_id.startsWith(`${service[1]}.`)) return json(res, 200, []);
        s.state = TOGGLED[s.state] ?? s.state;
        s.last_changed = s.last_updated = new Date().toISOString().replace('Z', '+00:00');
        return json(res, 200, [s]);
      }
      json(res, 404, { message: 'Not found' });
    });
  });
  const url = await listen(server);
  return { url, token, states, requests, close: () => close(server) };
}

// ---------------------------------------------------------------- nmcli

export interface FakeNmcli {
  /** The folder holding `nmcli` (put it first on PATH) and its answer files. */
  readonly dir: string;
  /** The executable's full path (for HELEN_NMCLI). */
  readonly path: string;
  /** `device status` answer (terse DEVICE:TYPE:STATE:CONNECTION lines). */
  setStatus(text: string): Promise<void>;
  /** `device wifi list` answer (terse IN-USE:SSID:SIGNAL:SECURITY lines). */
  setWifiList(text: string): Promise<void>;
  /** Make `device wifi connect` fail with this text on stderr (exit 4), or succeed when undefined. */
  failConnect(text: string | undefined): Promise<void>;
  /** The argument lists of every call so far. */
  calls(): Promise<string[][]>;
  remove(): Promise<void>;
}

export const NMCLI_STATUS = 'wlan0:wifi:connected:Casa\neth0:ethernet:unavailable:\nlo:loopback:connected (externally):lo\np2p-dev-wlan0:wifi-p2p:disconnected:\n';
export const NMCLI_WIFI = '*:Casa:80:WPA2\n :Casa:45:WPA2\n :Vecino\\:5G:62:WPA1 WPA2\n :Cafe libre:30:\n ::20:WPA2\n';

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes a fake `nmcli` into a new temporary folder. */
export async function writeFakeNmcli(): Promise<FakeNmcli> {
  const dir = await mkdtemp(join(tmpdir(), 'helen-nmcli-'));
  const file = (name: string) => join(dir, name);
  const script = `#!/bin/sh
# Fake nmcli for tests: records its arguments, answers from files next to it.
for a in "$@"; do printf '%s\\n' "$a"; done >> ${q(file('calls.log'))}
printf '%s\\n' '--end--' >> ${q(file('calls.log'))}
case "$*" in
  *"device status"*) cat ${q(file('status.txt'))} ;;
  *"device wifi list"*) cat ${q(file('wifi.txt'))} ;;
  *"device wifi connect"*)
    if [ -f ${q(file('connect-error.txt'))} ]; then cat ${q(file('connect-error.txt'))} >&2; exit 4; fi
    echo "Device 'wlan0' successfully activated with 'a1b2c3d4-0000-4000-8000-000000000000'." ;;
  *) echo "Error: argument '$1' not understood." >&2; exit 2 ;;
esac
`;
  const path = file('nmcli');
  await writeFile(path, script);
  await chmod(path, 0o755);
  await writeFile(file('status.txt'), NMCLI_STATUS);
  await writeFile(file('wifi.txt'), NMCLI_WIFI);
  return {
    dir,
    path,
    setStatus: (text) => writeFile(file('status.txt'), text),
    setWifiList: (text) => writeFile(file('wifi.txt'), text),
    failConnect: async (text) => {
      if (text === undefined) await rm(file('connect-error.txt'), { force: true });
      else await writeFile(file('connect-error.txt'), text);
    },
    calls: async () => {
      const log = await readFile(file('calls.log'), 'utf8').catch(() => '');
      const out: string[][] = [];
      let call: string[] = [];
      for (const line of log.split('\n')) {
        if (line === '--end--') {
          out.push(call);
          call = [];
        } else if (line !== '' || call.length > 0) call.push(line);
      }
      return out;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
