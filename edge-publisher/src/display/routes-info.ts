/** `/api/info` (versions and the edge's state, for the settings page) and `/api/tutorial/:label`. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { DisplayContext } from './context';
import { tutorialFor } from './tutorial';

/** The project's version: the root package.json's. */
const VERSION = ((): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
})();

export function infoOf(ctx: DisplayContext): Record<string, unknown> {
  const s = ctx.status();
  return {
    version: VERSION,
    node: process.version,
    model: s.model ?? null,
    device: s.device ?? null,
    mode: s.mode ?? null,
    broker: s.broker ?? null,
    workersOnline: s.workersOnline ?? null,
    fallbackActive: s.fallbackActive ?? false,
    servedBy: s.servedBy ?? null,
    sensitivity: ctx.settings.current.sensitivity,
    uptimeS: Math.max(0, Math.round((ctx.now() - ctx.startedAt) / 1000)),
  };
}

export function infoRoutes(app: FastifyInstance, ctx: DisplayContext): void {
  app.get('/api/info', async () => infoOf(ctx));
  app.get<{ Params: { label: string } }>('/api/tutorial/:label', async (req, reply) =>
    // Same seed, same frames: a day's cache in the browser is fine.
    reply.header('cache-control', 'max-age=86400').send(tutorialFor(req.params.label, ctx.settings.current.handedness)));
}
