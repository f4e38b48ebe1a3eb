/** HELEN_API_CORS_ORIGINS: the browser origins allowed to call the facade. */

/** `*` (any origin) or a comma-separated list of origins such as `https://helen.example`. */
export function parseCorsOrigins(raw: string): readonly string[] {
  const entries = raw.split(',').map((o) => o.trim()).filter((o) => o.length > 0);
  if (entries.length === 0) throw new Error('names no origin (only commas)');
  for (const entry of entries) {
    if (entry === '*') continue;
    let origin: string;
    try {
      origin = new URL(entry).origin;
    } catch {
      throw new Error(`"${entry}" is not an origin such as https://helen.example (or * for any)`);
    }
    // An origin is scheme://host[:port] exactly: a path or a trailing slash would never match a browser's Origin header.
    if (origin !== entry) throw new Error(`"${entry}" is not an origin: write it as ${origin === 'null' ? 'scheme://host[:port]' : origin}`);
  }
  if (entries.includes('*') && entries.length > 1) throw new Error('* already allows any origin: list origins or *, not both');
  return entries;
}
