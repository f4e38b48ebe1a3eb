/** Shared test helpers: a silent logger, an HTTP server on port 0 that records requests, polling. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { GestureEvent } from '@helen/schemas';

export const silent = pino({ level: 'silent' });

export interface Recorder {
  url: string;
  bodies: string[];
  /** Date.now() when each body had fully arrived. */
  times: number[];
  /** Set to hold responses until released. */
  hold: boolean;
  release(): void;
  close(): Promise<void>;
}

export async function startRecorder(path = '/gestures/gesture-key'): Promise<Recorder> {
  const held: (() => void)[] = [];
  const rec: Partial<Recorder> & { bodies: string[]; times: number[]; hold: boolean } = { bodies: [], times: [], hold: false };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
      const answer = () => {
        if (!res.writableEnded) res.writeHead(req.url === path ? 200 : 404, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      };
      rec.bodies.push(body);
      rec.times.push(Date.now());
      if (rec.hold) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  rec.url = `http://127.0.0.1:${port}${path}`;
  rec.release = () => {
    rec.hold = false;
    for (const a of held.splice(0)) a();
  };
  rec.close = () => new Promise<void>((r) => {
    rec.release?.();
    server.closeAllConnections();
    server.close(() => r());
  });
  return rec as Recorder;
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function gestureEvent(label: string, sequence = 1): GestureEvent {
  return { gesture: label, character: label, score: 0.99, timestamp: new Date().toISOString(), session_id: 's', sequence, source: 'edge-publisher' };
}

/** Reads an SSE stream, collecting each `data:` payload. */
export async function openSse(url: string): Promise<{ messages: string[]; close(): void }> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal });
  if (!res.ok || !res.body) throw new Error(`SSE ${url}: HTTP ${res.status}`);
  const messages: string[] = [];
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of block.split('\n')) if (line.startsWith('data: ')) messages.push(line.slice(6));
        }
      }
    } catch {
      // aborted
    }
  })();
  return { messages, close: () => ac.abort() };
}
