/**
 * The facade's HTTP security, installed before any route: security headers (helmet), CORS
 * only for configured origins, a per-client rate limit and bearer tokens. The rate limit and
 * the token check are route hooks in that order, so failed token guesses are counted (and
 * limited) per address like any other request, and a refused request never has its body read.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import helmet from 'helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { isRateLimited, needsToken } from './policy';
import { bearerToken, type BearerTokens } from './tokens';

export interface SecurityOptions {
  readonly tokens: BearerTokens;
  /** Requests per window per client; 0 = no limit. */
  readonly rateLimit: number;
  readonly rateWindowMs: number;
  /** Empty = no CORS headers at all (browsers then refuse cross-origin calls). */
  readonly corsOrigins: readonly string[];
}

/** The realm the WWW-Authenticate challenge names (RFC 6750 section 3). */
const REALM = 'helen';

export function installSecurity(app: FastifyInstance, opts: SecurityOptions): void {
  // helmet's middleware is built once here. @fastify/helmet 13 (used before) builds it again
  // on every request, ~20 us of the facade's ~450 us per /predict under load (bench/README.md
  // "Where the CPU goes"); the headers are the same.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        // helmet's default would make browsers fetch Swagger UI's scripts over https:// when
        // /docs is opened over plain HTTP (development, or a VM behind no proxy), and fail.
        upgradeInsecureRequests: null,
      },
    },
  });
  app.addHook('onRequest', (req, reply, done) => {
    securityHeaders(req.raw, reply.raw, (err) => done(err instanceof Error ? err : undefined));
  });
  if (opts.corsOrigins.length > 0) {
    void app.register(cors, {
      origin: opts.corsOrigins.includes('*') ? '*' : [...opts.corsOrigins],
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization'],
      exposedHeaders: ['retry-after'],
      maxAge: 600,
    });
  }
  if (opts.rateLimit > 0) {
    void app.register(rateLimit, {
      // Attached per route below (after the routes' own hooks, before the token check).
      global: false,
      max: opts.rateLimit,
      timeWindow: opts.rateWindowMs,
      keyGenerator: (req) => clientKey(req, opts.tokens),
      errorResponseBuilder: (_req, context) => Object.assign(
        new Error(`too many requests: more than ${context.max} in ${opts.rateWindowMs / 1000} s from this client; retry in ${context.after}`),
        { statusCode: context.statusCode },
      ),
    });
  }

  let limiter: onRequestAsyncHookHandler | undefined;
  const authenticate = tokenCheck(opts.tokens);
  app.addHook('onRoute', (route) => {
    const hooks: onRequestAsyncHookHandler[] = [];
    if (opts.rateLimit > 0 && isRateLimited(route.url)) hooks.push(limiter ??= app.rateLimit());
    if (opts.tokens.enabled && needsToken(route.url)) hooks.push(authenticate);
    if (hooks.length === 0) return;
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...own, ...hooks] as typeof route.onRequest;
  });
}

/** The rate-limit key: the client's token when it is a valid one (several clients may share an address), else its address. */
function clientKey(req: FastifyRequest, tokens: BearerTokens): string {
  const id = tokens.match(bearerToken(req.headers.authorization));
  return id === undefined ? `ip:${req.ip}` : `token:${id}`;
}

function tokenCheck(tokens: BearerTokens): onRequestAsyncHookHandler {
  return async function checkBearerToken(req: FastifyRequest, reply: FastifyReply) {
    const header = req.headers.authorization;
    if (tokens.match(bearerToken(header)) !== undefined) return;
    // The header's value is never logged: a wrong token is often a real one of another service, or a typo of ours.
    const invalid = header !== undefined;
    req.log.info({ ip: req.ip, url: req.url, credentials: invalid ? 'invalid' : 'none' }, 'refused: no valid bearer token');
    return reply
      .code(401)
      .header('www-authenticate', `Bearer realm="${REALM}"${invalid ? ', error="invalid_token"' : ''}`)
      .send({ error: invalid ? 'the bearer token is not valid' : 'this route needs a bearer token: send Authorization: Bearer <token>' });
  };
}
