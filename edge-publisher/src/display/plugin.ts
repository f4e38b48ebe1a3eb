/**
 * The Helen display's backend (issue 13): a plugin of the edge's UI server with the display's
 * files, its JSON API, Wi-Fi, mode and the landmark preview. createDisplay() builds it; the
 * edge registers `display.plugin`, calls `display.onFrame` for every source frame and
 * gets sensitivity changes through `applySensitivity` (also once at start-up, with the saved
 * choice).
 */
import type { EnvSource } from '@helen/runtime';
import type { LandmarkFrame } from '@helen/schemas';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { UiPlugin } from '../ui/server';
import { AlarmBook } from './alarms';
import type { DisplayContext, DisplayEdgeStatus } from './context';
import { DisplayHttpError } from './errors';
import { HomeAssistantApi } from './home-assistant-api';
import { LandmarkPreview } from './landmark-preview';
import { Nmcli } from './nmcli';
import { infoRoutes } from './routes-info';
import { modeRoutes } from './routes-mode';
import { serviceRoutes } from './routes-services';
import { settingsRoutes } from './routes-settings';
import type { Sensitivity } from './sensitivity';
import type { DisplayConfig } from './settings';
import { staticRoutes } from './static';
import { UserSettingsStore } from './user-settings';
import { WeatherClient } from './weather';

export interface DisplayOptions {
  config: DisplayConfig;
  /** Folder of settings.json, alarms.json, weather-cache.json (config.stateDir or defaultStateDir()). */
  stateDir: string;
  log: Logger;
  broadcast(event: unknown): void;
  /** Serve the display at `/` too (false when the UI server has a static folder there). */
  atRoot: boolean;
  status?(): DisplayEdgeStatus;
  applySensitivity?(preset: Sensitivity): void;
  /** The display's files (default edge-publisher/display/). */
  displayDir?: string;
  /** Environment of nmcli (default this process's). */
  env?: EnvSource;
  now?(): number;
}

export interface Display {
  readonly plugin: UiPlugin;
  /** Every source frame (for the landmark preview); cheap when nobody watches. */
  onFrame(frame: LandmarkFrame): void;
  /** Stores, clients and mode state the routes share (tests and the edge read the settings here). */
  readonly context: DisplayContext;
}

/** State-changing requests from another web site are refused: any page open in the kiosk's browser could send them. */
function crossSite(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

export function createDisplay(opts: DisplayOptions): Display {
  const log = opts.log;
  const now = opts.now ?? Date.now;
  const location = { name: opts.config.weather.place, latitude: opts.config.weather.latitude, longitude: opts.config.weather.longitude };
  const ha = opts.config.homeAssistant;
  const ctx: DisplayContext = {
    log,
    settings: new UserSettingsStore(opts.stateDir, location, log),
    alarms: new AlarmBook(opts.stateDir, log),
    weather: new WeatherClient({ url: opts.config.weather.url, ttlMs: opts.config.weather.ttlMs, dir: opts.stateDir, log, now }),
    homeAssistant: ha.url !== undefined && ha.token !== undefined ? new HomeAssistantApi({ url: ha.url, token: ha.token }) : undefined,
    nmcli: new Nmcli(opts.config.nmcli, opts.env),
    broadcast: opts.broadcast,
    status: opts.status ?? (() => ({})),
    applySensitivity: opts.applySensitivity ?? (() => undefined),
    mode: { page: 'home', armed: false },
    startedAt: now(),
    now,
  };
  const preview = new LandmarkPreview();

  async function plugin(app: FastifyInstance): Promise<void> {
    const settings = await ctx.settings.load();
    await ctx.alarms.load();
    ctx.applySensitivity(settings.sensitivity);
    log.info({ stateDir: opts.stateDir, sensitivity: settings.sensitivity, homeAssistant: ctx.homeAssistant !== undefined }, 'display ready');

    // The UI server keeps raw text for its relay; the display's routes want plain JSON values.
    app.removeContentTypeParser(['application/json', 'text/plain']);
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text) as unknown);
      } catch {
        done(new DisplayHttpError(400, 'body is not valid JSON'), undefined);
      }
    });
    app.addHook('onRequest', async (req) => {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS' && crossSite(req)) {
        throw new DisplayHttpError(403, 'requests from another site are not accepted');
      }
    });
    app.setErrorHandler((err: FastifyError | DisplayHttpError, req, reply) => {
      if (err instanceof DisplayHttpError) return reply.code(err.statusCode).send(err.body());
      const status = err.statusCode ?? 500;
      if (status >= 500) {
        log.error({ err: err.message, url: req.url }, 'display route failed');
        return reply.code(500).send({ error: 'internal error' });
      }
      return reply.code(status).send({ error: err.message });
    });

    settingsRoutes(app, ctx);
    serviceRoutes(app, ctx);
    modeRoutes(app, ctx);
    infoRoutes(app, ctx);
    preview.routes(app);
    staticRoutes(app, { atRoot: opts.atRoot, ...(opts.displayDir !== undefined ? { dir: opts.displayDir } : {}) });
  }

  return {
    plugin: { plugin: plugin as unknown as UiPlugin['plugin'] },
    onFrame: (frame) => preview.push(frame),
    context: ctx,
  };
}
