/**
 * The outside services behind the display: `/api/weather` (Open-Meteo), `/api/devices`
 * (Home Assistant) and `/net/*` (NetworkManager, the original's Wi-Fi route family).
 */
import type { FastifyInstance } from 'fastify';
import type { DisplayContext } from './context';
import { DisplayHttpError } from './errors';
import { NmcliMissing } from './nmcli';
import { validateConnect } from './schemas';

const HA_NOT_CONFIGURED = 'Home Assistant is not configured: set HELEN_HA_API_URL and HELEN_HA_API_TOKEN';

export function serviceRoutes(app: FastifyInstance, ctx: DisplayContext): void {
  app.get('/api/weather', async () => ctx.weather.get(ctx.settings.current.location));

  app.get('/api/devices', async () => {
    if (!ctx.homeAssistant) return { configured: false };
    return { configured: true, devices: await ctx.homeAssistant.devices() };
  });
  app.post<{ Params: { entityId: string } }>('/api/devices/:entityId/toggle', async (req) => {
    if (!ctx.homeAssistant) throw new DisplayHttpError(409, HA_NOT_CONFIGURED, { configured: false });
    const device = await ctx.homeAssistant.toggle(req.params.entityId);
    ctx.log.info({ entityId: device.entityId, state: device.state }, 'device toggled from the display');
    return device;
  });

  const nmcliMissing = (err: unknown): never => {
    if (err instanceof NmcliMissing) throw new DisplayHttpError(503, err.message, { available: false });
    throw err;
  };
  app.get('/net/status', async () => ctx.nmcli.status());
  app.get('/net/wifi', async () => ({ networks: await ctx.nmcli.networks().catch(nmcliMissing) }));
  app.post('/net/connect', async (req) => {
    const checked = validateConnect(req.body);
    if (!checked.ok) throw new DisplayHttpError(400, checked.error);
    const { ssid, password } = checked.value;
    // The SSID only: the password is never logged.
    ctx.log.info({ ssid, withPassword: password !== undefined }, 'connecting to Wi-Fi');
    await ctx.nmcli.connect(ssid, password).catch(nmcliMissing);
    return ctx.nmcli.status();
  });
}
