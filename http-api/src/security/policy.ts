/**
 * Which routes the security settings apply to, in one place (the hooks and the OpenAPI
 * document both read it).
 *
 * - /health stays open: load balancers, orchestrators and `helen stack` probe it without
 *   credentials, and it says only whether the facade can answer (no model data, no counts).
 * - /docs (Swagger UI and the document) stays open: it describes the API, as the README does;
 *   its "Authorize" button takes the token for "Try it out".
 * - /predict and /metadata need the token (they are the service), and so does /metrics
 *   (request counts and latencies are nobody else's business; Prometheus sends a bearer token
 *   with `authorization: { credentials: ... }` in its scrape config).
 * - Everything but /health counts against the rate limit: a probe every few seconds must not
 *   use up a client's budget, and a 429 from /health would read as "unhealthy".
 */
const NEEDS_TOKEN = new Set(['/predict', '/metadata', '/metrics']);
const UNLIMITED = new Set(['/health']);

/** True for a route that answers 401 without a valid bearer token (when tokens are configured). */
export function needsToken(url: string): boolean {
  return NEEDS_TOKEN.has(url);
}

/** True for a route that counts against HELEN_API_RATE_LIMIT (when it is set). */
export function isRateLimited(url: string): boolean {
  return !UNLIMITED.has(url);
}
