/** Test helpers for the broker suites; throwaway CAs and certificates come from @helen/runtime/testing. */
export { haveOpenssl, makeCa, makeCert } from '@helen/runtime/testing';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** A pino logger at debug whose JSON lines a test can read back. */
export function capturedLog(): { log: Logger; lines: () => { msg: string; [k: string]: unknown }[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
  const log = pino({ level: 'debug' }, stream);
  const text = () => chunks.join('');
  const lines = () => text().split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { msg: string });
  return { log, lines, text };
}

/** Resolves once `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
