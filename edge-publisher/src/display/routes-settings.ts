/** `/api/display/state`, `/api/settings` and `/api/alarms`: what the user keeps on the display. */
import type { FastifyInstance } from 'fastify';
import type { DisplayContext } from './context';
import { infoOf } from './routes-info';

export function settingsRoutes(app: FastifyInstance, ctx: DisplayContext): void {
  const broadcastAlarms = (): void => ctx.broadcast({ type: 'alarms', alarms: ctx.alarms.list });

  app.get('/api/display/state', async () => ({ settings: ctx.settings.current, alarms: ctx.alarms.list, info: infoOf(ctx) }));

  app.get('/api/settings', async () => ctx.settings.current);
  app.put('/api/settings', async (req) => {
    const { before, after } = await ctx.settings.update(req.body);
    if (after.sensitivity !== before.sensitivity) {
      ctx.log.info({ from: before.sensitivity, to: after.sensitivity }, 'display sensitivity changed');
      ctx.applySensitivity(after.sensitivity);
    }
    ctx.broadcast({ type: 'settings', settings: after });
    return after;
  });

  app.get('/api/alarms', async () => ctx.alarms.list);
  app.post('/api/alarms', async (req, reply) => {
    const alarm = await ctx.alarms.add(req.body);
    broadcastAlarms();
    return reply.code(201).send(alarm);
  });
  app.patch<{ Params: { id: string } }>('/api/alarms/:id', async (req) => {
    const alarm = await ctx.alarms.update(req.params.id, req.body);
    broadcastAlarms();
    return alarm;
  });
  app.delete<{ Params: { id: string } }>('/api/alarms/:id', async (req, reply) => {
    await ctx.alarms.remove(req.params.id);
    broadcastAlarms();
    return reply.code(204).send();
  });
}
