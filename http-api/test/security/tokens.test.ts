/** The token parsing and the constant-time matcher, as units. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCorsOrigins } from '../../src/security/origins';
import { parseTrustProxy } from '../../src/security/trust-proxy';
import { BearerTokens, bearerToken, parseTokenList, readTokensFile, tokensEqual } from '../../src/security/tokens';

const A = 'aaaaaaaaaaaaaaaa-token-one';
const B = 'bbbbbbbbbbbbbbbb-token-two';
const dir = mkdtempSync(join(tmpdir(), 'helen-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tokensEqual (SHA-256 digests compared with timingSafeEqual)', () => {
  it('is equality for any lengths, without throwing where timingSafeEqual alone would', () => {
    expect(tokensEqual(A, A)).toBe(true);
    expect(tokensEqual(A, B)).toBe(false);
    expect(tokensEqual(A.slice(0, -1), A)).toBe(false);
    expect(tokensEqual(`${A}x`, A)).toBe(false);
    expect(tokensEqual('', A)).toBe(false);
    expect(tokensEqual('é'.repeat(40), A)).toBe(false);
  });
});

describe('BearerTokens', () => {
  it('matches each known token to a stable id that is not the token, and nothing else', () => {
    const tokens = new BearerTokens({ tokens: [A, B], tokensFile: undefined });
    expect(tokens.enabled).toBe(true);
    expect(tokens.match(A)).toBeUndefined(); // nothing loaded before reload() (start() calls it)
    expect(tokens.reload()).toBe(2);
    const idA = tokens.match(A);
    const idB = tokens.match(B);
    expect(idA).toMatch(/^[0-9a-f]{16}$/);
    expect(idB).toMatch(/^[0-9a-f]{16}$/);
    expect(idA).not.toBe(idB);
    expect(A).not.toContain(String(idA));
    for (const wrong of [undefined, '', A.toUpperCase(), A.slice(1), `${B} `]) expect(tokens.match(wrong)).toBeUndefined();
  });

  it('is off with neither source', () => {
    const tokens = new BearerTokens({ tokens: [], tokensFile: undefined });
    expect(tokens.enabled).toBe(false);
    expect(tokens.reload()).toBe(0);
    expect(tokens.match(A)).toBeUndefined();
  });

  it('adds the file\'s tokens; a reload that fails keeps the ones in use', () => {
    const file = join(dir, 'tokens');
    writeFileSync(file, `# comment\n  ${B}  \n\n`);
    const tokens = new BearerTokens({ tokens: [A], tokensFile: file });
    expect(tokens.reload()).toBe(2);
    writeFileSync(file, '# nothing left\n');
    expect(() => tokens.reload()).toThrow(/holds no token/);
    expect(tokens.match(B)).toBeDefined();
  });
});

describe('parsing', () => {
  it('HELEN_API_TOKENS: comma-separated b64tokens of 16+ characters; errors name the entry, never its value', () => {
    expect(parseTokenList(` ${A}, ${B} ,`)).toEqual([A, B]);
    expect(parseTokenList('abcDEF0123456789-._~+/==')).toEqual(['abcDEF0123456789-._~+/==']);
    expect(() => parseTokenList(`${A},secret`)).toThrow('entry 2 is not a usable bearer token (16 or more of A-Z a-z 0-9 - . _ ~ + / (then optional =))');
    expect(() => parseTokenList('has a space in it xxxxxxx')).toThrow(/entry 1/);
    expect(() => parseTokenList(',,')).toThrow('names no token (only commas)');
    const message = (() => {
      try {
        parseTokenList('my-secret');
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    })();
    expect(message).toMatch(/^entry 1 is not/);
    expect(message).not.toContain('my-secret');
  });

  it('tokens file: # comments and blank lines; errors name the line, never its content', () => {
    const file = join(dir, 'bad');
    writeFileSync(file, `${A}\n# ok\nnot-a-token!\n`);
    expect(() => readTokensFile(file)).toThrow(`line 3 of "${file}" is not a usable bearer token`);
    expect(() => readTokensFile(join(dir, 'missing'))).toThrow(/cannot read the file/);
  });

  it('Authorization: Bearer <token>, scheme case-insensitive; anything else is no token', () => {
    expect(bearerToken(`Bearer ${A}`)).toBe(A);
    expect(bearerToken(`bearer  ${A}`)).toBe(A);
    for (const h of [undefined, '', A, `Basic ${A}`, `Bearer ${A} extra`, 'Bearer ']) expect(bearerToken(h), String(h)).toBeUndefined();
  });

  it('HELEN_API_TRUST_PROXY: named proxies only', () => {
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(() => parseTrustProxy('true')).toThrow(/from anyone/);
    expect(() => parseTrustProxy('*')).toThrow(/from anyone/);
    expect(() => parseTrustProxy('2')).toThrow(/hop count/);
    expect(() => parseTrustProxy('proxy.local')).toThrow('"proxy.local" is not an IP address or CIDR range');
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/10.0.0.0\/33/);
    expect(() => parseTrustProxy('10.0.0.0/8/1')).toThrow(/not an IP address/);
    expect(() => parseTrustProxy('10.0.0.0/x')).toThrow(/not an IP address/);
    expect(parseTrustProxy('fd00::/128')).toEqual(['fd00::/128']);
  });

  it('HELEN_API_CORS_ORIGINS: exact origins or *', () => {
    expect(parseCorsOrigins('https://a.example, http://localhost:5173')).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(parseCorsOrigins('*')).toEqual(['*']);
    expect(() => parseCorsOrigins('https://a.example/')).toThrow('"https://a.example/" is not an origin: write it as https://a.example');
    expect(() => parseCorsOrigins('a.example')).toThrow(/is not an origin such as/);
    expect(() => parseCorsOrigins('*,https://a.example')).toThrow(/not both/);
  });
});
