/**
 * Home Assistant's REST API (long-lived access token) for the devices page: the switchable
 * entities and a toggle. The token goes only into the Authorization header; no message or
 * log line carries it.
 */
import { DisplayHttpError } from './errors';

/** Domains the page can switch with one sign, all of which have a `toggle` service. */
export const SWITCHABLE_DOMAINS = ['light', 'switch', 'fan', 'input_boolean', 'cover'] as const;
const ENTITY_ID = new RegExp(`^(${SWITCHABLE_DOMAINS.join('|')})\\.[a-z0-9_]+$`);

export interface Device {
  index: number;
  entityId: string;
  name: string;
  domain: string;
  state: string;
}

interface HaState {
  entity_id: string;
  state: string;
  attributes?: { friendly_name?: unknown };
}

export interface HomeAssistantApiOptions {
  url: string;
  token: string;
  timeoutMs?: number;
}

function isState(v: unknown): v is HaState {
  return typeof v === 'object' && v !== null && typeof (v as HaState).entity_id === 'string' && typeof (v as HaState).state === 'string';
}

function nameOf(s: HaState): string {
  const friendly = s.attributes?.friendly_name;
  return typeof friendly === 'string' && friendly.trim() !== '' ? friendly : s.entity_id;
}

export function isSwitchableEntity(entityId: string): boolean {
  return ENTITY_ID.test(entityId);
}

/** The switchable entities, sorted by name, numbered from 1 (the digit sign that toggles each). */
export function devicesFromStates(states: readonly unknown[]): Device[] {
  return states
    .filter(isState)
    .filter((s) => isSwitchableEntity(s.entity_id))
    .map((s) => ({ entityId: s.entity_id, name: nameOf(s), domain: s.entity_id.split('.')[0] as string, state: s.state }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.entityId.localeCompare(b.entityId))
    .map((d, i) => ({ index: i + 1, ...d }));
}

export class HomeAssistantApi {
  private readonly base: string;

  constructor(private readonly opts: HomeAssistantApiOptions) {
    this.base = opts.url.replace(/\/+$/, '');
  }

  async devices(): Promise<Device[]> {
    const states = await this.call('GET', '/api/states');
    if (!Array.isArray(states)) throw new DisplayHttpError(502, 'Home Assistant answered /api/states with something other than a list');
    return devicesFromStates(states);
  }

  /** Toggles one entity; answers its state afterwards. */
  async toggle(entityId: string): Promise<Omit<Device, 'index'>> {
    if (!isSwitchableEntity(entityId)) {
      throw new DisplayHttpError(400, `entityId must be <domain>.<name> with a domain of ${SWITCHABLE_DOMAINS.join(', ')} (got "${entityId}")`);
    }
    const domain = entityId.split('.')[0] as string;
    const changed = await this.call('POST', `/api/services/${domain}/toggle`, { entity_id: entityId });
    // HA lists the states the call changed; an integration that updates later is not in it yet.
    let state = Array.isArray(changed) ? changed.filter(isState).find((s) => s.entity_id === entityId) : undefined;
    if (!state) {
      const now = await this.call('GET', `/api/states/${entityId}`);
      if (!isState(now)) throw new DisplayHttpError(502, `Home Assistant answered /api/states/${entityId} with something other than a state`);
      state = now;
    }
    return { entityId, name: nameOf(state), domain, state: state.state };
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.opts.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      const e = err as Error;
      throw new DisplayHttpError(502, `Home Assistant unreachable (${e.cause instanceof Error ? e.cause.message : e.message})`);
    }
    const text = await res.text();
    if (!res.ok) {
      const hint = res.status === 401 ? ' (check HELEN_HA_API_TOKEN)' : res.status === 404 ? ` (${path} not found)` : '';
      throw new DisplayHttpError(502, `Home Assistant answered HTTP ${res.status} ${res.statusText}${hint}`.trim(), { status: res.status });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new DisplayHttpError(502, `Home Assistant answered ${path} with a body that is not JSON`);
    }
  }
}
