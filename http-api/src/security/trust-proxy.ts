/**
 * HELEN_API_TRUST_PROXY: which proxies in front of the facade may name the client in
 * `X-Forwarded-For`. Behind a TLS proxy every request comes from the proxy's address, so the
 * per-client rate limit would put every client in one bucket; trusting the proxy gives each
 * client its own address again. Only named proxies (addresses or CIDR ranges): trusting any
 * sender, or a hop count (which cannot check who sent the header; Fastify 5.12 ignores it), would
 * let each client pick its own rate-limit key.
 */
import { isIP } from 'node:net';

/** Fastify's `trustProxy`: false (off) or the proxies' addresses and ranges. */
export type TrustProxy = false | readonly string[];

export function parseTrustProxy(raw: string): TrustProxy {
  const text = raw.trim();
  if (text === '' || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '*') {
    throw new Error('would trust X-Forwarded-For from anyone, so any client could choose its own address: name the proxies (e.g. 127.0.0.1,10.0.0.0/8)');
  }
  if (/^\d+$/.test(text)) throw new Error('a hop count cannot check who sent X-Forwarded-For: name the proxies (e.g. 127.0.0.1,10.0.0.0/8)');
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8, ::1)`);
    }
  }
  return entries;
}
