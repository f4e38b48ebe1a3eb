/**
 * The OpenAPI document at /docs/json against the facade itself: it lists the routes with
 * the schemas of @helen/schemas, and every answer the test provokes from the real app
 * (real aedes broker, scripted worker, Fastify on port 0) is a status the document lists for
 * that route, with a body its schema accepts; every listed status is provoked once.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { modelMetadataSchema, predictBodySchema, predictResultProperties } from '@helen/schemas';
import { postJson, request, waitFor, window, type JsonResponse } from '@helen/runtime/testing';
import { apiConfig, createApi, type Api } from '../src/index';
import { FAKE_FEATURE_DIM, startFakeWorker, type FakeWorker } from './helpers/fake-worker';

const F = FAKE_FEATURE_DIM;
const BODY_LIMIT = 64 * 1024;

interface Operation {
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/** The schema without its `$id` (an id names a schema; it is not part of the shape the document shows). */
function shape(schema: object): object {
  const { $id: _id, ...rest } = schema as { $id?: string };
  return rest;
}

/**
 * Validates a body with Fastify's own ajv, configured as the facade's (no coercion, no
 * removal): a throwaway route whose body schema is the documented one answers 200 or 400.
 */
async function conforms(schema: object, body: unknown): Promise<string | undefined> {
  const checker = Fastify({ ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allowUnionTypes: true } } });
  checker.post('/', { schema: { body: schema } }, async () => 'ok');
  try {
    const res = await checker.inject({ method: 'POST', url: '/', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return res.statusCode === 200 ? undefined : res.body;
  } finally {
    await checker.close();
  }
}

describe('OpenAPI document of the facade', () => {
  let broker: TestBroker;
  let worker: FakeWorker | undefined;
  let api: Api;
  let url: string;
  let doc: OpenApiDocument;
  /** `METHOD path` -> statuses the app answered in this file. */
  const provoked = new Map<string, Set<string>>();

  /** Checks one real answer against the document and records its status. */
  async function expectDocumented(method: 'get' | 'post', path: string, res: JsonResponse): Promise<void> {
    const response = doc.paths[path]?.[method]?.responses[String(res.status)];
    expect(response, `${method.toUpperCase()} ${path} answered ${res.status}, which the document does not list`).toBeDefined();
    const schema = response?.content?.['application/json']?.schema;
    expect(schema, `${path} ${res.status} has no JSON schema`).toBeDefined();
    expect(await conforms(schema as object, res.body), `${path} ${res.status}: ${res.text}`).toBeUndefined();
    const key = `${method.toUpperCase()} ${path}`;
    provoked.set(key, (provoked.get(key) ?? new Set()).add(String(res.status)));
  }

  beforeAll(async () => {
    broker = await startTestBroker('aedes');
    api = createApi(apiConfig({
      mqtt: { url: broker.url }, host: '127.0.0.1', port: 0, logLevel: 'silent',
      bodyLimit: BODY_LIMIT, timeoutMs: 400, retryAfterMs: 200,
    }));
    url = (await api.start()).url;
    const res = await request(`${url}/docs/json`);
    expect(res.status).toBe(200);
    doc = res.body as OpenApiDocument;
  });

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await broker?.stop();
  });

  it('is OpenAPI 3.1 with the routes, their body and result schemas from @helen/schemas', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/metadata', '/metrics', '/predict']);
    const predict = doc.paths['/predict']?.post;
    expect(predict?.requestBody?.content['application/json']?.schema).toEqual(shape(predictBodySchema));
    const result = predict?.responses['200']?.content?.['application/json']?.schema as { properties?: object };
    expect(result.properties).toEqual(predictResultProperties);
    expect(doc.paths['/metadata']?.get?.responses['200']?.content?.['application/json']?.schema).toEqual(shape(modelMetadataSchema));
  });

  it('lists the statuses each route answers, each with a description', () => {
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path]?.[method]?.responses ?? {});
    expect(statuses('/health', 'get')).toEqual(['200', '503']);
    expect(statuses('/metadata', 'get')).toEqual(['200', '503']);
    expect(statuses('/predict', 'post')).toEqual(['200', '400', '413', '415', '500', '503', '504']);
    expect(statuses('/metrics', 'get')).toEqual(['200']);
    for (const methods of Object.values(doc.paths)) {
      for (const op of Object.values(methods)) {
        for (const r of Object.values(op.responses)) expect(r.description).not.toMatch(/^(Default Response)?$/);
      }
    }
  });

  it('serves Swagger UI at /docs, assets included', async () => {
    const page = await fetch(`${url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(scripts).toContain('/docs/static/swagger-ui-bundle.js');
    for (const src of scripts) expect((await fetch(`${url}${src}`)).status, src).toBe(200);
    const initializer = await (await fetch(`${url}/docs/static/swagger-initializer.js`)).text();
    expect(initializer).toContain("resolveUrl('./json')");
  });

  it('documents every answer before a worker is online (503s)', async () => {
    await expectDocumented('get', '/health', await request(`${url}/health`));
    await expectDocumented('get', '/metadata', await request(`${url}/metadata`));
    await expectDocumented('post', '/predict', await postJson(`${url}/predict`, { sequence: window(5, F) }));
    expect([...(provoked.get('GET /health') ?? [])]).toEqual(['503']);
  });

  it('documents every answer with a worker: results, refusals, worker errors, timeouts', async () => {
    worker = await startFakeWorker(broker.url);
    await waitFor('/health ok', async () => ((await request(`${url}/health`)).status === 200 ? true : undefined));
    const live = worker;
    const predictAs = async (action: Parameters<FakeWorker['behave']>[0]) => {
      live.behave(action);
      try {
        return await postJson(`${url}/predict`, { sequence: window(5, F) });
      } finally {
        live.behave(() => ({ kind: 'answer' }));
      }
    };
    const post = (body: string, contentType = 'application/json') =>
      request(`${url}/predict`, { method: 'POST', headers: { 'content-type': contentType }, body });

    await expectDocumented('get', '/health', await request(`${url}/health`));
    await expectDocumented('get', '/metadata', await request(`${url}/metadata`));
    await expectDocumented('post', '/predict', await postJson(`${url}/predict`, { sequence: window(30, F), mask: window(30, 2) }));
    await expectDocumented('post', '/predict', await post('{"sequence": []}'));
    await expectDocumented('post', '/predict', await post('not json'));
    await expectDocumented('post', '/predict', await post(JSON.stringify({ sequence: window(2, F - 1) })));
    await expectDocumented('post', '/predict', await post(JSON.stringify({ sequence: window(400, F) })));
    await expectDocumented('post', '/predict', await post('{"sequence": [[1]]}', 'text/plain'));
    await expectDocumented('post', '/predict', await predictAs(() => ({ kind: 'error', code: 'internal_error', message: 'boom' })));
    await expectDocumented('post', '/predict', await predictAs(() => ({ kind: 'error', code: 'queue_full', message: 'busy' })));
    await expectDocumented('post', '/predict', await predictAs(() => ({ kind: 'silent' })));
  });

  it('documents /metrics as Prometheus text', async () => {
    const res = await fetch(`${url}/metrics`);
    const documented = doc.paths['/metrics']?.get?.responses[String(res.status)]?.content ?? {};
    const [type] = (res.headers.get('content-type') ?? '').split(';');
    expect(Object.keys(documented)).toEqual([type]);
    expect(await res.text()).toMatch(/^# HELP helen_api_/m);
    provoked.set('GET /metrics', new Set([String(res.status)]));
  });

  it('every status the document lists was answered above', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const key = `${method.toUpperCase()} ${path}`;
        expect([...(provoked.get(key) ?? [])].sort(), key).toEqual(Object.keys(op.responses).sort());
      }
    }
  });
});
