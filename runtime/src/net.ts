/** Probes the stack uses to tell that a child is up, from the outside (no log scraping). */
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Ports this process has handed out: two callers in one process never get the same number,
 * even if the first has not bound it yet.
 */
const handedOut = new Set<number>();

/**
 * Where the kernel picks ports by itself (port 0 binds, outgoing connections' source ports).
 * A port from inside that range can be taken by any process between our check and the child's
 * bind; one from below it can only be taken by someone asking for that very number.
 */
function readEphemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 0) return first;
  } catch {
    // Not Linux: macOS and Windows start their ephemeral range at 49152.
  }
  return 49152;
}

/** Read once: the range is a boot-time setting, and freePort runs once per child started. */
let ephemeralStart: number | undefined;

const LOWEST_CANDIDATE = 20000;
const ATTEMPTS = 64;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function kernelPickedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A port that was free a moment ago, for a child process to bind. Drawn at random from below
 * the kernel's ephemeral range, so that neither the kernel nor another process's port-0 bind
 * hands it to someone else meanwhile; only a caller that names the same number can collide.
 */
export async function freePort(): Promise<number> {
  ephemeralStart ??= readEphemeralStart();
  const highest = ephemeralStart - 1;
  if (highest - LOWEST_CANDIDATE >= 1000) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = LOWEST_CANDIDATE + Math.floor(Math.random() * (highest - LOWEST_CANDIDATE + 1));
      if (handedOut.has(port)) continue;
      if (await canBind(port)) {
        handedOut.add(port);
        return port;
      }
    }
  }
  // A machine with an unusual port range, or a crowded one: let the kernel choose.
  const port = await kernelPickedPort();
  handedOut.add(port);
  return port;
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
