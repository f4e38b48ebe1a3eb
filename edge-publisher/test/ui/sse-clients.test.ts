/**
 * SSE clients that go away are forgotten: the count (/health, the relay answer, /metrics)
 * drops, nothing more is written to them, and the clients still connected keep receiving.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { UiServer } from '../../src/ui/server';
import { openSse, silent, waitFor } from '../helpers';

describe('UiServer SSE client removal', () => {
  let ui: UiServer | undefined;
  afterEach(async () => {
    await ui?.stop();
    ui = undefined;
  });

  it('forgets a client that disconnects and keeps serving the others', async () => {
    ui = new UiServer({ host: '127.0.0.1', port: 0 }, silent);
    await ui.start();
    const server = ui;
    const a = await openSse(`${server.url}/events`);
    const b = await openSse(`${server.url}/events`);
    await waitFor(() => server.sseClients === 2, 5000, 'two clients');

    a.close();
    await waitFor(() => server.sseClients === 1, 5000, 'the closed client removed');
    const health = await fetch(`${server.url}/health`);
    expect(await health.json()).toMatchObject({ sse_clients: 1 });

    const res = await fetch(`${server.url}/gestures/gesture-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"Inicio"' });
    expect(await res.json()).toEqual({ status: 'ok', clients: 1 });
    await waitFor(() => b.messages.length === 2, 5000, 'the relay at the remaining client');
    expect(b.messages).toEqual(['{"type":"hello","status":"ok"}', '"Inicio"']);
    expect(a.messages).toEqual(['{"type":"hello","status":"ok"}']);

    b.close();
    await waitFor(() => server.sseClients === 0, 5000, 'both removed');
    server.broadcast({ gesture: 'Wifi' }); // nobody left: nothing to write, nothing thrown
    expect(server.sseClients).toBe(0);
  });

  it('stop() ends the streams of clients still connected', async () => {
    ui = new UiServer({ host: '127.0.0.1', port: 0 }, silent);
    await ui.start();
    const server = ui;
    const res = await fetch(`${server.url}/events`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await waitFor(() => server.sseClients === 1, 5000, 'one client');
    await server.stop();
    ui = undefined;
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(server.sseClients).toBe(0);
  });
});
