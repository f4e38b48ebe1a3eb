/** Probes the stack uses to tell that a child is up, from the outside (no log scraping). */
import { connect, createServer, type AddressInfo } from 'node:net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port that was free a moment ago (bind to 0, read, release). Someone may take it meanwhile. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function healthOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Polls until `probe` says yes, `cancelled()` turns true, or the time is up. */
async function poll(probe: () => Promise<boolean>, timeoutMs: number, cancelled: () => boolean): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!cancelled()) {
    if (await probe()) return true;
    if (Date.now() > until) return false;
    await sleep(100);
  }
  return false;
}

export const waitForTcp = (port: number, timeoutMs: number, cancelled: () => boolean) => poll(() => tcpOpen(port), timeoutMs, cancelled);
export const waitForHealth = (url: string, timeoutMs: number, cancelled: () => boolean) => poll(() => healthOk(url), timeoutMs, cancelled);
