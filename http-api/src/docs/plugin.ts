/**
 * OpenAPI 3.1 document of the facade, built by @fastify/swagger from the routes themselves
 * (their paths and the body schema they validate with) plus ROUTE_DOCS for the answers, and
 * Swagger UI on top: `/docs` (UI), `/docs/json` and `/docs/yaml` (the document).
 *
 * 3.1 because its Schema Object is JSON Schema, so the @helen/schemas objects go in as they
 * are (`const`, type unions; @fastify/swagger drops the `$id`) instead of being rewritten for 3.0.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { PROTOCOL_VERSION } from '@helen/schemas';
import { ROUTE_DOCS, type RouteDoc } from './responses';

/** The bearer scheme's name in the document (Swagger UI's "Authorize" button fills it in). */
const BEARER_SCHEME = 'bearerAuth';

export const DOCS_PREFIX = '/docs';

/** `docs`: what each route answers (default: without tokens or rate limit, see routeDocs()). */
export function registerDocs(app: FastifyInstance, docs: Readonly<Record<string, RouteDoc>> = ROUTE_DOCS): void {
  const bearer = Object.values(docs).some((d) => d.bearer);
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Helen HTTP facade',
        version: String(PROTOCOL_VERSION),
        description: 'The original Helen server\'s HTTP contract, answered by inference workers over MQTT. Every error is `{"error": "..."}`; an unknown route answers 404 in the same shape.',
      },
      ...(bearer ? { components: { securitySchemes: { [BEARER_SCHEME]: { type: 'http', scheme: 'bearer' } } } } : {}),
    },
    // 3.1 has `const`: keep the schemas exactly as @helen/schemas writes them.
    convertConstToEnum: false,
    // Documentation only: the route keeps the schema it validates and serializes with.
    transform: ({ schema, url, route }) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const doc = docs[`${methods[0] ?? ''} ${url}`];
      return { schema: doc ? documented(schema, doc, url) : schema, url };
    },
  });
  void app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
}

function documented(schema: FastifySchema | undefined, doc: RouteDoc, url: string): FastifySchema {
  const own = (schema?.response ?? {}) as Record<string, object | undefined>;
  const response: Record<string, object> = {};
  for (const [status, { description, schema: shape, contentType }] of Object.entries(doc.responses)) {
    const body = shape ?? own[status];
    // A documented answer with no shape is a bug in ROUTE_DOCS: fail the document, not silently omit it.
    if (!body) throw new Error(`docs: ${url} ${status} has no schema in ROUTE_DOCS or on the route`);
    response[status] = contentType
      ? { description, content: { [contentType]: { schema: body } } }
      : { ...body, 'x-response-description': description };
  }
  return {
    ...schema,
    ...(doc.summary === undefined ? {} : { summary: doc.summary }),
    ...(doc.description === undefined ? {} : { description: doc.description }),
    ...(doc.bearer ? { security: [{ [BEARER_SCHEME]: [] }] } : {}),
    response,
  };
}
