/**
 * What each route answers, for the OpenAPI document only. The model's shapes come from
 * @helen/schemas (the same objects the facade validates and serializes with); the two shapes
 * below belong to the facade itself. Nothing here is registered on a route: a response
 * schema on a route would make Fastify serialize through it, which drops fields the routes
 * add (the metadata's own fields, /health's extras) and would change the answers.
 */
import { modelMetadataSchema } from '@helen/schemas';
import { isRateLimited, needsToken } from '../security/policy';

/** Every error the facade answers: the original server's one-field body (see http-errors.ts). */
export const errorBodySchema = {
  title: 'ErrorBody',
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: { type: 'string', description: 'One sentence naming the field or the cause, e.g. "\'sequence\' is empty: send at least one frame".' },
  },
} as const;

const healthCommon = {
  broker: { type: 'string', enum: ['connected', 'disconnected'], description: 'The facade\'s MQTT connection.' },
  workers: { type: 'integer', minimum: 0, description: 'Inference workers whose retained status is online.' },
} as const;

export const healthOkSchema = {
  title: 'HealthOk',
  type: 'object',
  required: ['status', 'classes', 'broker', 'workers', 'model'],
  properties: {
    status: { const: 'ok' },
    classes: { type: 'integer', minimum: 1, description: 'num_classes of the served model (the original field).' },
    ...healthCommon,
    model: modelMetadataSchema.properties.model_id,
  },
} as const;

export const healthUnavailableSchema = {
  title: 'HealthUnavailable',
  type: 'object',
  required: ['status', 'reason', 'broker', 'workers'],
  properties: {
    status: { const: 'unavailable' },
    reason: { type: 'string', description: 'What is missing: the broker, an online worker, or the model metadata.' },
    ...healthCommon,
  },
} as const;

/** One documented answer: a schema, or none to take the route's own `schema.response[status]`. */
export interface ResponseDoc {
  description: string;
  schema?: object;
  /** Default application/json. */
  contentType?: string;
}

export interface RouteDoc {
  /** Unset: the route's own `schema.summary` / `schema.description`. */
  summary?: string;
  description?: string;
  responses: Readonly<Record<number, ResponseDoc>>;
  /** The route needs `Authorization: Bearer <token>` (listed under the document's bearerAuth scheme). */
  bearer?: boolean;
}

const error = (description: string): ResponseDoc => ({ description, schema: errorBodySchema });

/** Keyed by `METHOD url` as Fastify registers the route. */
export const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  'GET /health': {
    summary: 'Is the facade able to answer /predict?',
    description: 'Ready when the broker is connected, at least one inference worker is online and the model metadata has arrived.',
    responses: {
      200: { description: 'Ready', schema: healthOkSchema },
      503: { description: 'Not ready: the reason names what is missing', schema: healthUnavailableSchema },
    },
  },
  'GET /metadata': {
    summary: 'The served model\'s metadata',
    description: 'The original five fields (seq_len, use_z, num_classes, class_labels, feature_dim) first, then the model file\'s own (model_id, input, output, ...), as the workers publish it retained.',
    responses: {
      200: { description: 'The model metadata', schema: modelMetadataSchema },
      503: error('No inference worker has published the metadata yet'),
    },
  },
  'POST /predict': {
    summary: 'Classify one window of feature frames',
    description: 'Sent to an inference worker over MQTT and answered with its result. A window shorter than seq_len runs as it is (never padded); a longer one uses its last seq_len frames.',
    responses: {
      200: { description: 'The worker\'s result, without the MQTT envelope fields' },
      400: error('Not a JSON object, no or malformed `sequence`, wrong feature_dim, a `mask` that is not T x 2, too many frames, or refused by the worker (invalid_request, model_mismatch)'),
      413: error('The body is larger than HELEN_HTTP_BODY_LIMIT bytes'),
      415: error('The Content-Type is not application/json'),
      500: error('The worker answered with an internal error'),
      503: error('No broker, no worker online, no model metadata yet, a full worker queue, or the facade is shutting down'),
      504: error('No reply within HELEN_API_TIMEOUT_MS (after one resend)'),
    },
  },
  'GET /metrics': {
    responses: {
      200: { description: 'Prometheus text exposition', contentType: 'text/plain', schema: { type: 'string' } },
    },
  },
};

/** Which of the optional answers this instance gives: 401 with tokens configured, 429 with a rate limit. */
export interface SecurityDocs {
  readonly bearer: boolean;
  readonly rateLimit: boolean;
}

const unauthorized = error('No `Authorization: Bearer <token>` header, or a token that is not in HELEN_API_TOKENS / HELEN_API_TOKENS_FILE; the answer carries `WWW-Authenticate: Bearer`');
const tooManyRequests = error('More than HELEN_API_RATE_LIMIT requests from this client (its token, else its address) within HELEN_API_RATE_WINDOW seconds; `Retry-After` says how many seconds to wait');

/**
 * ROUTE_DOCS as this instance answers: the document lists 401 and 429 only where the
 * settings make the facade give them (security/policy.ts says on which routes).
 */
export function routeDocs(security: SecurityDocs): Readonly<Record<string, RouteDoc>> {
  return Object.fromEntries(Object.entries(ROUTE_DOCS).map(([key, doc]) => {
    const url = key.slice(key.indexOf(' ') + 1);
    const bearer = security.bearer && needsToken(url);
    const responses: Record<number, ResponseDoc> = { ...doc.responses };
    if (bearer) responses[401] = unauthorized;
    if (security.rateLimit && isRateLimited(url)) responses[429] = tooManyRequests;
    return [key, { ...doc, responses, ...(bearer ? { bearer } : {}) }];
  }));
}
