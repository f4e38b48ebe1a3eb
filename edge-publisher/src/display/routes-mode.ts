/**
 * `/mode` (the original's route family): which page the displays show. `POST /mode` sends
 * every display to a page (remote control, a Home Assistant automation); the display
 * reports each page change with `POST /mode/report`, so `GET /mode` says where it is.
 */
import type { FastifyInstance } from 'fastify';
import type { DisplayContext } from './context';
import { badRequest } from './errors';
import { validateMode, validateModeReport } from './schemas';

export function modeRoutes(app: FastifyInstance, ctx: DisplayContext): void {
  app.get('/mode', async () => ({ ...ctx.mode }));
  app.post('/mode', async (req) => {
    const checked = validateMode(req.body);
    if (!checked.ok) throw badRequest(checked.error);
    ctx.broadcast({ type: 'mode', page: checked.value.page });
    return { status: 'ok', page: checked.value.page };
  });
  app.post('/mode/report', async (req) => {
    const checked = validateModeReport(req.body);
    if (!checked.ok) throw badRequest(checked.error);
    ctx.mode = { page: checked.value.page, armed: checked.value.armed ?? false };
    return { ...ctx.mode };
  });
}
