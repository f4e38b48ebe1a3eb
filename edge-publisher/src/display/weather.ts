/**
 * Weather from Open-Meteo (no key needed), cached in memory and in weather-cache.json for the
 * TTL. When a refresh fails the last answer for the same place is returned marked stale with
 * its real age, so the page can say "offline, 2 h old" instead of going blank.
 */
import type { Logger } from 'pino';
import { DisplayHttpError } from './errors';
import { validateOpenMeteo, type Location, type OpenMeteoForecast, type Validation } from './schemas';
import { JsonFile } from './store';

export interface WeatherReport {
  location: Location;
  /** Epoch ms of the successful fetch. */
  fetchedAt: number;
  current: { temperature: number; weatherCode: number; windSpeed: number; isDay: boolean };
  daily: { date: string; max: number | null; min: number | null; weatherCode: number | null; precipitationProbability: number | null }[];
}

export interface WeatherAnswer extends WeatherReport {
  configured: true;
  ageS: number;
  stale: boolean;
}

export interface WeatherOptions {
  url: string;
  ttlMs: number;
  dir: string;
  log: Logger;
  now?: () => number;
  timeoutMs?: number;
}

const CURRENT = 'temperature_2m,weather_code,wind_speed_10m,is_day';
const DAILY = 'weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max';
const FORECAST_DAYS = 4;

/** The request URL for one place (the endpoint's own query, if any, is kept). */
export function forecastUrl(base: string, at: Location): string {
  const url = new URL(base);
  url.searchParams.set('latitude', String(at.latitude));
  url.searchParams.set('longitude', String(at.longitude));
  url.searchParams.set('current', CURRENT);
  url.searchParams.set('daily', DAILY);
  url.searchParams.set('timezone', 'auto');
  url.searchParams.set('forecast_days', String(FORECAST_DAYS));
  return url.toString();
}

export function reportFromOpenMeteo(data: OpenMeteoForecast, location: Location, fetchedAt: number): WeatherReport {
  const d = data.daily;
  return {
    location: { ...location },
    fetchedAt,
    current: {
      temperature: data.current.temperature_2m,
      weatherCode: data.current.weather_code,
      windSpeed: data.current.wind_speed_10m,
      isDay: data.current.is_day === 1,
    },
    daily: d.time.map((date, i) => ({
      date,
      max: d.temperature_2m_max[i] ?? null,
      min: d.temperature_2m_min[i] ?? null,
      weatherCode: d.weather_code[i] ?? null,
      precipitationProbability: d.precipitation_probability_max[i] ?? null,
    })),
  };
}

const samePlace = (a: Location, b: Location): boolean =>
  Math.abs(a.latitude - b.latitude) < 1e-6 && Math.abs(a.longitude - b.longitude) < 1e-6;

function validateReport(data: unknown): Validation<WeatherReport | null> {
  if (data === null) return { ok: true, value: null };
  const r = data as Partial<WeatherReport> | undefined;
  const ok = typeof r === 'object' && typeof r.fetchedAt === 'number' && typeof r.location?.latitude === 'number'
    && typeof r.location.longitude === 'number' && typeof r.current?.temperature === 'number' && Array.isArray(r.daily);
  return ok ? { ok: true, value: r as WeatherReport } : { ok: false, error: 'not a weather report' };
}

export class WeatherClient {
  private readonly file: JsonFile<WeatherReport | null>;
  private cache: WeatherReport | null | undefined;
  private inFlight: { location: Location; report: Promise<WeatherReport> } | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: WeatherOptions) {
    this.now = opts.now ?? Date.now;
    this.file = new JsonFile({ dir: opts.dir, name: 'weather-cache.json', log: opts.log, defaults: () => null, validate: validateReport });
  }

  /** The weather at `location`: cached while fresh, refreshed otherwise, stale when the refresh fails. Throws a 503 with nothing to show. */
  async get(location: Location): Promise<WeatherAnswer> {
    if (this.cache === undefined) this.cache = await this.file.load();
    const cached = this.cache && samePlace(this.cache.location, location) ? this.cache : null;
    if (cached && this.now() - cached.fetchedAt < this.opts.ttlMs) return this.answer(cached, false);
    try {
      return this.answer(await this.refresh(location), false);
    } catch (err) {
      const reason = (err as Error).message;
      if (cached) {
        this.opts.log.warn({ err: reason, ageS: this.age(cached) }, 'weather refresh failed: serving the cached answer');
        return this.answer(cached, true);
      }
      throw new DisplayHttpError(503, `no weather yet: ${reason}`, { configured: true });
    }
  }

  private answer(report: WeatherReport, stale: boolean): WeatherAnswer {
    return { configured: true, ...structuredClone(report), ageS: this.age(report), stale };
  }

  private age(report: WeatherReport): number {
    return Math.max(0, Math.round((this.now() - report.fetchedAt) / 1000));
  }

  /** One request at a time: pages opened together share it. */
  private refresh(location: Location): Promise<WeatherReport> {
    if (this.inFlight && samePlace(this.inFlight.location, location)) return this.inFlight.report;
    const flight = { location, report: this.fetchReport(location) };
    this.inFlight = flight;
    const done = (): void => {
      if (this.inFlight === flight) this.inFlight = undefined;
    };
    flight.report.then(done, done);
    return flight.report;
  }

  private async fetchReport(location: Location): Promise<WeatherReport> {
    const res = await fetch(forecastUrl(this.opts.url, location), { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) })
      .catch((err: Error) => {
        throw new Error(`Open-Meteo unreachable (${err.cause instanceof Error ? err.cause.message : err.message})`);
      });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw new Error(`Open-Meteo answered HTTP ${res.status} with a body that is not JSON`);
    }
    if (!res.ok) {
      const reason = (body as { reason?: unknown } | null)?.reason;
      throw new Error(`Open-Meteo answered HTTP ${res.status}${typeof reason === 'string' ? `: ${reason}` : ''}`);
    }
    const checked = validateOpenMeteo(body);
    if (!checked.ok) throw new Error(`Open-Meteo's answer has an unexpected shape: ${checked.error}`);
    const report = reportFromOpenMeteo(checked.value, location, this.now());
    this.cache = report;
    await this.file.save(report).catch((err: Error) => this.opts.log.warn({ err: err.message }, 'cannot save the weather cache'));
    return report;
  }
}
