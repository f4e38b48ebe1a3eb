/**
 * /api/weather against a loopback Open-Meteo speaking its real format: the query, the
 * mapping, the TTL cache (memory and disk), a stale answer with its real age when the service
 * fails, and 503 when there is nothing to show.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenMeteo, type FakeOpenMeteo } from '../fakes';
import { call, startDisplay, tempDir, type DisplayServer } from './helpers';

describe('display weather (Open-Meteo)', () => {
  let meteo: FakeOpenMeteo | undefined;
  const servers: DisplayServer[] = [];
  const dirs: string[] = [];
  let clock = Date.parse('2026-11-26T12:00:00Z');
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    await meteo?.close();
    meteo = undefined;
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const start = async (o: { url?: string; stateDir?: string } = {}) => {
    const s = await startDisplay({
      env: { HELEN_WEATHER_URL: o.url ?? meteo?.url ?? '', HELEN_WEATHER_TTL: '600' },
      ...(o.stateDir ? { stateDir: o.stateDir } : {}),
      options: { now: () => clock },
    });
    servers.push(s);
    return s;
  };

  it('asks for the current weather and 4 days at the chosen place, and maps the answer', async () => {
    meteo = await startFakeOpenMeteo();
    const s = await start();
    const res = await call(`${s.url}/api/weather`, 'GET');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      configured: true,
      location: { name: 'Madrid', latitude: 40.4168, longitude: -3.7038 },
      fetchedAt: clock, ageS: 0, stale: false,
      current: { temperature: 14.2, weatherCode: 3, windSpeed: 9.4, isDay: true },
      daily: [
        { date: '2026-11-26', max: 16.1, min: 6.3, weatherCode: 3, precipitationProbability: 10 },
        { date: '2026-11-27', max: 12.4, min: 7.9, weatherCode: 61, precipitationProbability: 75 },
        { date: '2026-11-28', max: 11.0, min: 5.2, weatherCode: 80, precipitationProbability: 40 },
        { date: '2026-11-29', max: 13.8, min: 2.1, weatherCode: 0, precipitationProbability: 0 },
      ],
    });
    const q = meteo.requests[0]?.searchParams;
    expect(Object.fromEntries(q ?? [])).toEqual({
      latitude: '40.4168', longitude: '-3.7038', current: 'temperature_2m,weather_code,wind_speed_10m,is_day',
      daily: 'weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max', timezone: 'auto', forecast_days: '4',
    });

    // Another place: asked for at once, not served from the other place's cache.
    await call(`${s.url}/api/settings`, 'PUT', { location: { name: 'Bogotá', latitude: 4.711, longitude: -74.0721 } });
    const there = await call(`${s.url}/api/weather`, 'GET');
    expect(there.body).toMatchObject({ location: { name: 'Bogotá' }, stale: false });
    expect(meteo.requests.at(-1)?.searchParams.get('latitude')).toBe('4.711');
  });

  it('reuses an answer for the TTL (also after a restart, from disk), then asks again', async () => {
    meteo = await startFakeOpenMeteo();
    const dir = await tempDir();
    dirs.push(dir);
    const s = await start({ stateDir: dir });
    await call(`${s.url}/api/weather`, 'GET');
    meteo.temperature = 20;
    clock += 599_000;
    expect((await call(`${s.url}/api/weather`, 'GET')).body).toMatchObject({ current: { temperature: 14.2 }, ageS: 599, stale: false });
    expect(meteo.requests).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, 'weather-cache.json'), 'utf8'))).toMatchObject({ current: { temperature: 14.2 } });

    await s.stop();
    servers.splice(0);
    const again = await start({ stateDir: dir });
    expect((await call(`${again.url}/api/weather`, 'GET')).body).toMatchObject({ current: { temperature: 14.2 }, ageS: 599 });
    expect(meteo.requests).toHaveLength(1);

    clock += 2_000;
    expect((await call(`${again.url}/api/weather`, 'GET')).body).toMatchObject({ current: { temperature: 20 }, ageS: 0, stale: false });
    expect(meteo.requests).toHaveLength(2);
  });

  it('answers the last forecast marked stale, with its real age, when Open-Meteo fails or is gone', async () => {
    meteo = await startFakeOpenMeteo();
    const s = await start();
    const fresh = (await call(`${s.url}/api/weather`, 'GET')).body as { fetchedAt: number };

    clock += 3_600_000;
    meteo.failWith = 503;
    expect((await call(`${s.url}/api/weather`, 'GET')).body).toMatchObject({ stale: true, ageS: 3600, fetchedAt: fresh.fetchedAt, current: { temperature: 14.2 } });

    await meteo.close();
    meteo = undefined;
    clock += 60_000;
    expect((await call(`${s.url}/api/weather`, 'GET')).body).toMatchObject({ stale: true, ageS: 3660 });
    expect(s.logs.join('')).toContain('weather refresh failed');
  });

  it('answers 503 with a clear error when there is no forecast yet and no service', async () => {
    meteo = await startFakeOpenMeteo();
    const url = meteo.url;
    await meteo.close();
    meteo = undefined;
    const s = await start({ url });
    const res = await call(`${s.url}/api/weather`, 'GET');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: expect.stringMatching(/^no weather yet: Open-Meteo unreachable \(.*ECONNREFUSED/), configured: true });
  });

  it('says what Open-Meteo refused', async () => {
    meteo = await startFakeOpenMeteo();
    meteo.failWith = 400;
    const s = await start();
    const res = await call(`${s.url}/api/weather`, 'GET');
    expect(res).toEqual({ status: 503, body: { error: 'no weather yet: Open-Meteo answered HTTP 400: Service temporarily unavailable', configured: true } });
  });
});
