/**
 * The facade's bearer tokens: `HELEN_API_TOKENS` (comma-separated) and `HELEN_API_TOKENS_FILE`
 * (one per line, `#` comments; re-read on `reload()`, which `helen api` calls on SIGHUP).
 * A presented token is compared with every known one in constant time, so neither where a
 * guess first differs nor how long the real token is shows in the answer's timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * RFC 6750's b64token, at least 16 characters: a word such as "secret" is refused at
 * start-up rather than guessed later (`openssl rand -hex 32` gives 64).
 */
const TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]{16,}=*$/;
const TOKEN_RULE = '16 or more of A-Z a-z 0-9 - . _ ~ + / (then optional =)';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Constant-time equality of two strings of any lengths: both are hashed first, so the
 * comparison is always of 32 bytes and its time says nothing about either value.
 */
export function tokensEqual(presented: string, known: string): boolean {
  return timingSafeEqual(digest(presented), digest(known));
}

/** HELEN_API_TOKENS -> the tokens. Errors name the entry by position, never by value (a token is a secret). */
export function parseTokenList(raw: string): readonly string[] {
  const tokens = raw.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  tokens.forEach((t, i) => {
    if (!TOKEN_PATTERN.test(t)) throw new Error(`entry ${i + 1} is not a usable bearer token (${TOKEN_RULE})`);
  });
  if (tokens.length === 0) throw new Error('names no token (only commas)');
  return tokens;
}

/** The tokens of a tokens file; throws naming the line (never its content) or saying there is none. */
export function readTokensFile(path: string): readonly string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`cannot read the file "${path}"`);
  }
  const tokens: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    if (!TOKEN_PATTERN.test(t)) throw new Error(`line ${i + 1} of "${path}" is not a usable bearer token (${TOKEN_RULE})`);
    tokens.push(t);
  });
  if (tokens.length === 0) throw new Error(`"${path}" holds no token (blank and # lines only)`);
  return tokens;
}

/** HELEN_API_TOKENS_FILE: checked at start-up (readable, at least one valid token); the path is kept for reloads. */
export function parseTokensFile(raw: string): string {
  readTokensFile(raw);
  return raw;
}

export interface TokenSources {
  readonly tokens: readonly string[];
  readonly tokensFile: string | undefined;
}

/** A known token as the matcher holds it: its digest, and a label safe to use as a rate-limit key. */
interface KnownToken {
  readonly digest: Buffer;
  readonly id: string;
}

export class BearerTokens {
  private known: readonly KnownToken[] = [];

  constructor(private readonly sources: TokenSources) {}

  /** True when tokens are configured at all: then the protected routes need one. */
  get enabled(): boolean {
    return this.sources.tokens.length > 0 || this.sources.tokensFile !== undefined;
  }

  /** Reads the file (when there is one). On an error the tokens in use stay and the error is thrown. */
  reload(): number {
    const fromFile = this.sources.tokensFile === undefined ? [] : readTokensFile(this.sources.tokensFile);
    this.known = [...this.sources.tokens, ...fromFile].map((token) => {
      const d = digest(token);
      // 64 bits of the digest: tells clients apart, says nothing usable about the token.
      return { digest: d, id: d.subarray(0, 8).toString('hex') };
    });
    return this.known.length;
  }

  /**
   * The matching token's id, or undefined. The presented value is hashed once and compared
   * with every known digest, even after a match, so the time says neither which token matched
   * nor how much of a guess was right.
   */
  match(presented: string | undefined): string | undefined {
    if (presented === undefined) return undefined;
    const d = digest(presented);
    let found: string | undefined;
    for (const token of this.known) {
      if (timingSafeEqual(d, token.digest) && found === undefined) found = token.id;
    }
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 7235), else undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return m?.[1];
}
