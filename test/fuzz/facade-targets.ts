/**
 * The HTTP facade as a fuzz target: the real Fastify app on port 0 over a real aedes broker
 * and the real worker, hit with random methods, paths, bodies, content types and headers
 * through node:http (fetch would refuse to send many of them). Also the oversized bodies:
 * with and without content-length, written in full by the client.
 */
import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { apiConfig, createApi, type Api } from '@helen/http-api';
import { createWorker, workerConfigFromEnv, type Worker } from '@helen/inference-worker';
import { request, waitFor } from '@helen/runtime/testing';
import { MODEL_FEATURE_DIM } from './payloads';
import { errorClass, Tally } from './tally';

/** Small, so oversized bodies are cheap to send; the setting's own minimum is 1024. */
export const FUZZ_BODY_LIMIT = 16 * 1024;

export interface HttpCase {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Send the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked: boolean;
}

export interface HttpAnswer {
  status: number | undefined;
  text: string;
  /** Set when the connection failed before a whole response was read (e.g. ECONNRESET). */
  error: string | undefined;
  /** Set when the request stream failed after the response had been read (e.g. EPIPE). */
  lateError: string | undefined;
}

/** Sends one request with node:http; resolves with the response or the socket error, never rejects. */
export function send(base: string, c: HttpCase, timeoutMs = 20_000): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const url = new URL(base);
    let settled = false;
    let answer: HttpAnswer | undefined;
    const done = (a: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      answer = a;
      resolve(a);
    };
    const headers: Record<string, string | number> = { ...c.headers, connection: 'close' };
    if (c.body !== undefined && !c.chunked) headers['content-length'] = c.body.length;
    if (c.chunked) headers['transfer-encoding'] = 'chunked';
    const req = http.request({ host: url.hostname, port: url.port, method: c.method, path: c.path, headers, timeout: timeoutMs });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => done({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), error: undefined, lateError: undefined }));
      res.on('error', (err) => done({ status: res.statusCode, text: '', error: `response: ${(err as NodeJS.ErrnoException).code ?? err.message}`, lateError: undefined }));
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? err.message;
      if (answer) answer.lateError = code;
      else done({ status: undefined, text: '', error: code, lateError: undefined });
    });
    if (c.body === undefined) {
      req.end();
      return;
    }
    // Written in 64 KiB pieces, honouring back-pressure, as a real client streaming a file would.
    const body = c.body;
    let at = 0;
    const pump = (): void => {
      while (at < body.length) {
        const piece = body.subarray(at, at + 65_536);
        at += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

const row = (n = MODEL_FEATURE_DIM, v = 0.5): number[] => Array.from({ length: n }, () => v);

const bodies: fc.Arbitrary<{ kind: string; body: Buffer | undefined }> = fc.oneof(
  fc.constant({ kind: 'no body', body: undefined }),
  fc.uint8Array({ maxLength: 300 }).map((b) => ({ kind: 'random bytes', body: Buffer.from(b) })),
  fc.string({ maxLength: 200 }).map((s) => ({ kind: 'random text', body: Buffer.from(s) })),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: 'random JSON', body: Buffer.from(JSON.stringify(v) ?? 'null') })),
  fc.record({ sequence: fc.jsonValue({ maxDepth: 3 }), mask: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }) })
    .map((b) => ({ kind: 'sequence of random JSON', body: Buffer.from(JSON.stringify(b)) })),
  fc.tuple(fc.integer({ min: 1, max: 40 }), fc.oneof({ weight: 2, arbitrary: fc.constant(MODEL_FEATURE_DIM) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 130 }) }), fc.boolean()).map(([t, f, mask]) => ({
    kind: f === MODEL_FEATURE_DIM ? 'valid shape' : 'wrong feature_dim',
    body: Buffer.from(JSON.stringify({ sequence: Array.from({ length: t }, () => row(f)), ...(mask ? { mask: Array.from({ length: t }, () => [1, 1]) } : {}) })),
  })),
  fc.constantFrom('{"sequence":[[1e400]]}', '{"sequence":[[NaN]]}', '{"sequence":[["0.5"]]}', '{"sequence":"[[0.5]]"}', '{"__proto__":{"x":1},"sequence":[[0.5]]}',
    '{"constructor":{"prototype":{"x":1}},"sequence":[[0.5]]}', '{"sequence":[[0.5]],"sequence":[[0.5]]}', '\ufeff{"sequence":[[0.5]]}')
    .map((s) => ({ kind: 'tricky JSON', body: Buffer.from(s) })),
  fc.integer({ min: 100, max: 50_000 }).map((d) => ({ kind: 'deeply nested JSON', body: Buffer.from(`{"sequence":${'['.repeat(d)}${']'.repeat(d)}}`) })),
  fc.constantFrom(FUZZ_BODY_LIMIT - 1, FUZZ_BODY_LIMIT, FUZZ_BODY_LIMIT + 1, 4 * FUZZ_BODY_LIMIT).map((size) => {
    const head = '{"sequence":[[0.5]],"pad":"';
    return { kind: size > FUZZ_BODY_LIMIT ? 'past the body limit' : 'at the body limit', body: Buffer.from(`${head}${'x'.repeat(Math.max(0, size - head.length - 2))}"}`) };
  }),
);

const contentTypes = fc.oneof(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'application/json;',
    'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', ';;;', '*/*'),
  fc.string({ maxLength: 40 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
  fc.constant(undefined),
);

const extraHeaders = fc.dictionary(
  fc.constantFrom('content-encoding', 'accept', 'accept-encoding', 'x-request-id', 'expect', 'origin', 'x-forwarded-for', 'authorization', 'x-junk'),
  fc.oneof(fc.constantFrom('gzip', 'deflate', 'br', 'identity', '*/*', '100-continue', 'application/xml'), fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s))),
  { maxKeys: 3 },
).map((h) => {
  // node:http would wait forever for a 100-continue the test does not handle.
  delete h.expect;
  return h;
});

/** Anything at all: method, path, content type and body all random. */
const anyRequest = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
  path: fc.constantFrom('/predict', '/predict', '/predict', '/predict?x=1', '/predict/', '/health', '/metadata', '/nope', '/predict%00', '/%2e%2e/predict'),
  body: bodies,
  contentType: contentTypes,
  headers: extraHeaders,
  chunked: fc.boolean(),
});

/** POST /predict with a JSON content type: the bodies reach the parser, schema and route. */
const aimedRequest = fc.record({
  method: fc.constant('POST'),
  path: fc.constantFrom('/predict', '/predict?x=1'),
  body: bodies,
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON'),
  headers: extraHeaders,
  chunked: fc.boolean(),
});

export const httpCase: fc.Arbitrary<HttpCase> = fc.oneof({ weight: 2, arbitrary: aimedRequest }, { weight: 1, arbitrary: anyRequest }).map((r) => ({
  kind: `${r.method} ${r.body.kind}`,
  method: r.method,
  path: r.path,
  headers: { ...r.headers, ...(r.contentType === undefined ? {} : { 'content-type': r.contentType }) },
  body: r.body.body,
  chunked: r.body.body !== undefined && r.chunked,
}));

/**
 * Judges one answer: a whole response, JSON, and either 2xx or an `{"error": "..."}` body
 * with a 4xx/5xx status. Returns the class to count, or throws with what was wrong.
 */
export function judge(c: HttpCase, a: HttpAnswer): string {
  if (a.error !== undefined || a.status === undefined) throw new Error(`${c.method} ${c.path} (${c.kind}): no response: ${a.error}`);
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    throw new Error(`${c.method} ${c.path} (${c.kind}): ${a.status} with a body that is not JSON: ${a.text.slice(0, 120)}`);
  }
  if (a.status >= 200 && a.status < 300) return 'ok';
  const error = (body as { error?: unknown } | null)?.error;
  if (a.status < 400 || typeof error !== 'string' || error.length === 0) {
    throw new Error(`${c.method} ${c.path} (${c.kind}): ${a.status} ${a.text.slice(0, 200)}`);
  }
  if (a.status >= 500) throw new Error(`${c.method} ${c.path} (${c.kind}): server error ${a.status} ${error}`);
  return `${a.status} ${errorClass(error)}`;
}

export function facadeProperty(base: () => string, tally: Tally): fc.IAsyncPropertyWithHooks<[HttpCase]> {
  return fc.asyncProperty(httpCase, async (c) => {
    const answer = await send(base(), c);
    let cls: string;
    try {
      cls = judge(c, answer);
    } catch (err) {
      tally.crash((err as Error).message);
      throw err;
    }
    if (cls === 'ok') tally.accept();
    else tally.refuse(cls);
  });
}

/** Broker, real worker, facade (body limit FUZZ_BODY_LIMIT), healthy before it returns. */
export class FacadeRig {
  private constructor(readonly broker: TestBroker, readonly worker: Worker, readonly api: Api, readonly url: string) {}

  static async start(bodyLimit = FUZZ_BODY_LIMIT): Promise<FacadeRig> {
    const broker = await startTestBroker('aedes');
    const prefix = `fuzzapi${process.pid}/v1`;
    const worker = createWorker(workerConfigFromEnv({ HELEN_MQTT_URL: broker.url, HELEN_TOPIC_PREFIX: prefix, HELEN_LOG_LEVEL: 'silent' }));
    await worker.start();
    const api = createApi(apiConfig({ mqtt: { url: broker.url }, topicPrefix: prefix, host: '127.0.0.1', port: 0, logLevel: 'silent', bodyLimit }));
    const { url } = await api.start();
    await waitFor('/health ok', async () => ((await request(`${url}/health`)).status === 200 ? true : undefined));
    return new FacadeRig(broker, worker, api, url);
  }

  async healthy(): Promise<boolean> {
    return (await request(`${this.url}/health`)).status === 200;
  }

  async stop(): Promise<void> {
    await this.api.stop();
    await this.worker.stop();
    await this.broker.stop();
  }
}

/** How a client sends an oversized body. */
export interface OversizedCase {
  size: number;
  chunked: boolean;
}

export const OVERSIZED_CASES: readonly OversizedCase[] = [
  { size: FUZZ_BODY_LIMIT + 1, chunked: false },
  { size: FUZZ_BODY_LIMIT + 1, chunked: true },
  { size: 64 * FUZZ_BODY_LIMIT, chunked: false },
  { size: 64 * FUZZ_BODY_LIMIT, chunked: true },
  { size: 8 * 1024 * 1024, chunked: false },
  { size: 8 * 1024 * 1024, chunked: true },
];

export function oversized(o: OversizedCase): HttpCase {
  const head = '{"sequence":[[0.5]],"pad":"';
  const body = Buffer.alloc(o.size, 0x78);
  body.write(head, 0);
  body.write('"}', o.size - 2);
  return { kind: `${o.size} bytes ${o.chunked ? 'chunked' : 'with content-length'}`, method: 'POST', path: '/predict', headers: { 'content-type': 'application/json' }, body, chunked: o.chunked };
}

/**
 * A client that hands its whole request to the socket before it reads anything (what
 * Python's http.client and requests do): the case where an early close loses the answer.
 */
export function writeAllThenRead(base: string, c: HttpCase, timeoutMs = 30_000): Promise<HttpAnswer> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    socket.pause();
    const chunks: Buffer[] = [];
    let writeError: string | undefined;
    const timer = setTimeout(() => socket.destroy(new Error('client timeout')), timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      const bodyAt = text.indexOf('\r\n\r\n');
      resolve({
        status: status === undefined ? undefined : Number(status),
        text: bodyAt < 0 ? '' : text.slice(bodyAt + 4),
        error: status === undefined ? writeError ?? 'closed without a response' : undefined,
        lateError: undefined,
      });
    };
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (err: NodeJS.ErrnoException) => (writeError ??= err.code ?? err.message));
    socket.on('close', finish);
    const body = c.body ?? Buffer.alloc(0);
    const framing = c.chunked ? 'transfer-encoding: chunked' : `content-length: ${body.length}`;
    const head = Object.entries(c.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`${c.method} ${c.path} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: close\r\n${head}${framing}\r\n\r\n`);
    if (c.chunked) socket.write(`${body.length.toString(16)}\r\n`);
    socket.write(body);
    socket.write(c.chunked ? '\r\n0\r\n\r\n' : '', (err) => {
      if (err) writeError ??= (err as NodeJS.ErrnoException).code ?? err.message;
      // Everything is with the kernel: only now start reading, as such clients do.
      socket.resume();
    });
  });
}
