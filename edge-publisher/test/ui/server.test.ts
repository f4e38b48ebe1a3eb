import { afterEach, describe, expect, it } from 'vitest';
import { UiServer } from '../../src/ui/server';
import { openSse, silent, waitFor } from '../helpers';

describe('UiServer (compatible with the original Flask UI backend)', () => {
  let ui: UiServer | undefined;
  afterEach(async () => {
    await ui?.stop();
  });

  async function start(): Promise<UiServer> {
    ui = new UiServer({ host: '127.0.0.1', port: 0, health: () => ({ broker: 'connected' }) }, silent);
    await ui.start();
    return ui;
  }

  it('sends hello first on /events, then relays posted bodies unchanged (string or object)', async () => {
    const server = await start();
    const sse = await openSse(`${server.url}/events`);
    await waitFor(() => sse.messages.length === 1, 5000, 'hello');
    expect(sse.messages[0]).toBe('{"type":"hello","status":"ok"}');
    await waitFor(() => server.sseClients === 1, 5000, 'client registered');

    const asString = '"Inicio"';
    const asObject = '{"gesture":"Reloj","character":"Reloj","score":0.97,"timestamp":"2025-01-01T00:00:00.000Z","session_id":"x","sequence":2,"source":"edge-publisher"}';
    for (const body of [asString, asObject]) {
      const res = await fetch(`${server.url}/gestures/gesture-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', clients: 1 });
    }
    await waitFor(() => sse.messages.length === 3, 5000, 'relayed messages');
    expect(sse.messages.slice(1)).toEqual([asString, asObject]);
    sse.close();
  });

  it('rejects a body that is not JSON, or a JSON number/array', async () => {
    const server = await start();
    for (const body of ['not json', '42', '[1,2]']) {
      const res = await fetch(`${server.url}/gestures/gesture-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status, body).toBe(400);
    }
  });

  it('answers /health with status ok and the edge state', async () => {
    const server = await start();
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', broker: 'connected', sse_clients: 0 });
  });

  it('broadcasts in-process events to every SSE client', async () => {
    const server = await start();
    const a = await openSse(`${server.url}/events`);
    const b = await openSse(`${server.url}/events`);
    await waitFor(() => server.sseClients === 2, 5000, 'two clients');
    server.broadcast({ gesture: 'Wifi' });
    await waitFor(() => a.messages.length === 2 && b.messages.length === 2, 5000, 'broadcast');
    expect(JSON.parse(a.messages[1] as string)).toEqual({ gesture: 'Wifi' });
    a.close();
    b.close();
  });
});
