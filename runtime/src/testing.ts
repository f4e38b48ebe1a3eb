/** Small HTTP helpers over Node's fetch. */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
export interface JsonResponse {
  status: number;
  body: unknown;
  text: string;
}

export async function request(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

export function postJson(url: string, body: unknown): Promise<JsonResponse> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A T x F window of small deterministic values; `seed` changes every value. */
export function window(frames: number, featureDim: number, seed = 0): number[][] {
  return Array.from({ length: frames }, (_, t) => Array.from({ length: featureDim }, (_, f) => ((seed * 7919 + t * 31 + f * 17) % 1000) / 1000));
}

/** The repository root (this file is runtime/src/testing.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A path inside the shared data folder that is never committed (hand model, video fixtures):
 * `$HELEN_SHARED_DIR` when set, else `../shared` beside the repository root.
 */
export function sharedPath(...parts: string[]): string {
  const base = process.env.HELEN_SHARED_DIR ?? resolve(REPO_ROOT, '..', 'shared');
  return join(base, ...parts);
}

/** What a command's `main(['--help'])` writes to stdout (it must return 0). */
export async function helpText(main: (argv: string[]) => Promise<number | void>): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => {
    chunks.push(s);
    return true;
  }) as typeof process.stdout.write;
  let code: number | void;
  try {
    code = await main(['--help']);
  } finally {
    process.stdout.write = write;
  }
  if (code !== 0) throw new Error(`--help returned ${String(code)}`);
  return chunks.join('');
}

/** True when openssl can make throwaway certificates here; TLS tests skip visibly without it. */
export const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

/** `<dir>/<name>.pem` and `<dir>/<name>.key`: a self-signed CA, valid one day. */
export function makeCa(dir: string, name: string): void {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
    '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`)], { stdio: 'ignore' });
}

/** `<dir>/<name>.pem` and `<dir>/<name>.key` signed by CA `ca`, for 127.0.0.1 and localhost. */
export function makeCert(dir: string, ca: string, name: string, cn = 'localhost'): void {
  execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`,
    '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`)], { stdio: 'ignore' });
  writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  execFileSync('openssl', ['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, `${ca}.pem`), '-CAkey', join(dir, `${ca}.key`),
    '-CAcreateserial', '-days', '1', '-extfile', join(dir, `${name}.ext`), '-out', join(dir, `${name}.pem`)], { stdio: 'ignore' });
}
