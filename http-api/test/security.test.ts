/**
 * The facade's security settings on a real app (Fastify on port 0, real aedes broker, scripted
 * worker): bearer tokens (401, 200, tokens file re-read), the per-client rate limit (429 with
 * Retry-After, guesses counted per address), CORS only for configured origins, helmet's
 * headers with Swagger UI still loading, the OpenAPI document listing 401/429 exactly where
 * they are answered, and no token in the log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { createLogger } from '@helen/runtime';
import { waitFor, window } from '@helen/runtime/testing';
import { apiConfig, createApi, type Api, type ApiConfig } from '../src/index';
import { FAKE_FEATURE_DIM, startFakeWorker, type FakeWorker } from './helpers/fake-worker';

const F = FAKE_FEATURE_DIM;
const TOKEN = 'tok-0123456789abcdef-first';
const FILE_TOKEN = 'tok-fedcba9876543210-file';
const WRONG = 'tok-0123456789abcdef-firsT';
const ORIGIN = 'https://app.example';

let broker: TestBroker;
let worker: FakeWorker;
let dir: string;
const apis: Api[] = [];

/** A started app with the given settings and its captured log lines. */
async function start(overrides: Parameters<typeof apiConfig>[0]): Promise<{ api: Api; url: string; log: string[]; config: ApiConfig }> {
  const config = apiConfig({ mqtt: { url: broker.url }, host: '127.0.0.1', port: 0, timeoutMs: 2000, ...overrides });
  const log: string[] = [];
  const logger = createLogger('trace', { name: 'http-api' }, {}, { write: (line: string) => void log.push(line) });
  const api = createApi(config, { logger });
  apis.push(api);
  const { url } = await api.start();
  await waitFor('/health ok', async () => ((await fetch(`${url}/health`)).status === 200 ? true : undefined));
  return { api, url, log, config };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const predict = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ sequence: window(5, F) }) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'helen-security-'));
  broker = await startTestBroker('aedes');
  worker = await startFakeWorker(broker.url);
});

afterAll(async () => {
  for (const api of apis) await api.stop();
  await worker?.stop();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('without security settings (the default)', () => {
  let url: string;
  beforeAll(async () => {
    ({ url } = await start({}));
  });

  it('needs no token and sends no CORS headers', async () => {
    expect((await predict(url)).status).toBe(200);
    const res = await fetch(`${url}/metadata`, { headers: { origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${url}/predict`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends helmet\'s security headers, with a CSP that keeps /docs working over plain HTTP', async () => {
    const res = await fetch(`${url}/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
  });

  it('still serves Swagger UI at /docs, its scripts same-origin (what the CSP allows)', async () => {
    const page = await fetch(`${url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const scripts = [...(await page.text()).matchAll(/<script src="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src, 'a script from another origin would be blocked by script-src \'self\'').toMatch(/^\/docs\//);
      expect((await fetch(`${url}${src}`)).status, src).toBe(200);
    }
  });

  it('documents neither 401 nor 429', async () => {
    const doc = (await (await fetch(`${url}/docs/json`)).json()) as OpenApi;
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods)) expect(Object.keys(op.responses)).not.toContain('401');
      for (const op of Object.values(methods)) expect(Object.keys(op.responses)).not.toContain('429');
    }
    expect(doc.components?.securitySchemes).toBeUndefined();
  });
});

interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
  components?: { securitySchemes?: Record<string, unknown> };
}

describe('with tokens and CORS origins', () => {
  let url: string;
  let log: string[];
  let api: Api;
  let config: ApiConfig;
  let tokensFile: string;

  beforeAll(async () => {
    tokensFile = join(dir, 'tokens');
    writeFileSync(tokensFile, `# one token per line\n\n${FILE_TOKEN}\n`);
    ({ url, log, api, config } = await start({ security: { tokens: [TOKEN], tokensFile, corsOrigins: [ORIGIN] } }));
  });

  it('answers 401 with WWW-Authenticate and the error shape without a token or with a wrong one', async () => {
    const none = await predict(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="helen"');
    expect(await none.json()).toEqual({ error: expect.stringContaining('Authorization: Bearer') });
    for (const headers of [bearer(WRONG), bearer(TOKEN.slice(0, -1)), bearer(`${TOKEN}x`), { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
      const res = await predict(url, headers);
      expect(res.status, headers.authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="helen", error="invalid_token"');
      expect(await res.json()).toEqual({ error: 'the bearer token is not valid' });
    }
    for (const path of ['/metadata', '/metrics']) expect((await fetch(`${url}${path}`)).status, path).toBe(401);
  });

  it('refuses before reading the body: an oversized body without a token gets the 401, not a 413 or a reset', async () => {
    const body = JSON.stringify({ sequence: window(2000, F) });
    expect(body.length).toBeGreaterThan(config.bodyLimit);
    const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(401);
    expect((await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(TOKEN) }, body })).status).toBe(413);
  });

  it('answers with a valid token, from the variable or the file (scheme case-insensitive)', async () => {
    const res = await predict(url, bearer(TOKEN));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ prediction: expect.any(String) });
    expect((await predict(url, { authorization: `bearer ${FILE_TOKEN}` })).status).toBe(200);
    expect((await fetch(`${url}/metadata`, { headers: bearer(FILE_TOKEN) })).status).toBe(200);
    expect((await fetch(`${url}/metrics`, { headers: bearer(TOKEN) })).status).toBe(200);
  });

  it('leaves /health and /docs open', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/docs`)).status).toBe(200);
    expect((await fetch(`${url}/docs/json`)).status).toBe(200);
  });

  it('re-reads the tokens file: a new token works, a removed one is refused; a broken file keeps the tokens', async () => {
    const added = 'tok-added-after-start-0001';
    writeFileSync(tokensFile, `${added}\n`);
    expect(api.reloadTokens()).toBe(2);
    expect((await predict(url, bearer(added))).status).toBe(200);
    expect((await predict(url, bearer(FILE_TOKEN))).status).toBe(401);
    expect((await predict(url, bearer(TOKEN))).status).toBe(200);
    writeFileSync(tokensFile, 'short\n');
    expect(() => api.reloadTokens()).toThrow(/line 1 of .* is not a usable bearer token/);
    expect((await predict(url, bearer(added))).status).toBe(200);
    writeFileSync(tokensFile, `${FILE_TOKEN}\n`);
    api.reloadTokens();
  });

  it('sends CORS headers to a configured origin only; a preflight needs no token', async () => {
    const allowed = await fetch(`${url}/health`, { headers: { origin: ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const other = await fetch(`${url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${url}/predict`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    // A browser can read the 401 (and so tell the user), so it carries the CORS header too.
    expect((await predict(url, { origin: ORIGIN })).headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('documents 401 and the bearer scheme on exactly the routes that answer it', async () => {
    const doc = (await (await fetch(`${url}/docs/json`)).json()) as OpenApi;
    const has401 = Object.entries(doc.paths).filter(([, m]) => Object.values(m).some((op) => '401' in op.responses)).map(([p]) => p).sort();
    expect(has401).toEqual(['/metadata', '/metrics', '/predict']);
    expect(doc.paths['/predict']?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/health']?.get?.security).toBeUndefined();
    expect(doc.components?.securitySchemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer' } });
  });

  it('never logs a token, right or wrong, even at trace level', async () => {
    expect((await predict(url, bearer(TOKEN))).status).toBe(200);
    expect((await predict(url, bearer(WRONG))).status).toBe(401);
    const text = log.join('');
    expect(text).toMatch(/refused: no valid bearer token/);
    // The redaction paths, on what a careless log line could carry: the config and a request's headers.
    api.app.log.info({ config, req: { headers: bearer(TOKEN) } }, 'config and headers');
    api.app.log.info({ headers: bearer(FILE_TOKEN) }, 'headers');
    const after = log.join('');
    expect(after).toMatch(/config and headers/);
    expect(after).toMatch(/\[redacted\]/);
    for (const secret of [TOKEN, WRONG, FILE_TOKEN]) expect(after).not.toContain(secret);
  });
});

describe('with a rate limit', () => {
  const LIMIT = 3;
  /** Reads the document with its own budget (it is rate-limited too): the address's budget is for the guesses below. */
  const READER = 'tok-document-reader-0000';
  let url: string;

  beforeAll(async () => {
    ({ url } = await start({ security: { tokens: [TOKEN, FILE_TOKEN, READER], rateLimit: LIMIT, rateWindowMs: 60_000 } }));
  });

  it('documents 429 on every route but /health', async () => {
    const doc = (await (await fetch(`${url}/docs/json`, { headers: bearer(READER) })).json()) as OpenApi;
    const has429 = Object.entries(doc.paths).filter(([, m]) => Object.values(m).some((op) => '429' in op.responses)).map(([p]) => p).sort();
    expect(has429).toEqual(['/metadata', '/metrics', '/predict']);
  });

  it('answers 429 with Retry-After and the error shape past the limit, per token', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await predict(url, bearer(TOKEN))).status).toBe(200);
    const res = await predict(url, bearer(TOKEN));
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/^too many requests: more than 3 in 60 s from this client; retry in/) });
    // Another client (another token) has its own budget.
    expect((await predict(url, bearer(FILE_TOKEN))).status).toBe(200);
  });

  it('counts failed token guesses per address, and never /health', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await predict(url, bearer(WRONG))).status).toBe(401);
    expect((await predict(url, bearer(WRONG))).status).toBe(429);
    for (let i = 0; i < 2 * LIMIT; i++) expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});

describe('with a rate limit behind a proxy (HELEN_API_TRUST_PROXY)', () => {
  const LIMIT = 2;
  const from = (client: string) => ({ 'x-forwarded-for': client });

  it('gives each forwarded client its own budget only when the proxy is trusted', async () => {
    // Without tokens the key is the address: the proxy (127.0.0.1 here) for everyone, unless trusted.
    const trusted = (await start({ security: { rateLimit: LIMIT, rateWindowMs: 60_000, trustProxy: ['127.0.0.1'] } })).url;
    for (let i = 0; i < LIMIT; i++) expect((await predict(trusted, from('203.0.113.7'))).status).toBe(200);
    expect((await predict(trusted, from('203.0.113.7'))).status).toBe(429);
    expect((await predict(trusted, from('198.51.100.9'))).status).toBe(200);

    const untrusted = (await start({ security: { rateLimit: LIMIT, rateWindowMs: 60_000 } })).url;
    for (let i = 0; i < LIMIT; i++) expect((await predict(untrusted, from('203.0.113.7'))).status).toBe(200);
    // A header from an untrusted sender changes nothing: the same address, the same budget.
    expect((await predict(untrusted, from('198.51.100.9'))).status).toBe(429);
  });

  it('ignores X-Forwarded-For from a sender that is not a named proxy', async () => {
    const url = (await start({ security: { rateLimit: LIMIT, rateWindowMs: 60_000, trustProxy: ['10.0.0.0/8'] } })).url;
    for (let i = 0; i < LIMIT; i++) expect((await predict(url, from(`203.0.113.${i}`))).status).toBe(200);
    expect((await predict(url, from('203.0.113.99'))).status).toBe(429);
  });
});

