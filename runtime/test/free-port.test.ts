/** freePort: numbers a child process can bind, out of the way of the kernel's own choices. */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../src/index';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function ephemeralStartOnLinux(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return undefined;
  }
}

describe('freePort', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('hands out ports that can be bound, never the same one twice in a process', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports.slice(0, 10)) servers.push(await listen(port));
  });

  it('stays below the ephemeral range, where port-0 binds of other processes land', async (ctx) => {
    const start = ephemeralStartOnLinux();
    if (start === undefined) ctx.skip(); // not Linux: no /proc to read the range from
    for (let i = 0; i < 40; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(20000);
      expect(port).toBeLessThan(start!);
    }
  });

  it('passes over a port someone holds', async () => {
    // The first draw lands on the lowest candidate, which a server holds; the second is free.
    const held = 20000;
    const server = await listen(held).catch(() => undefined); // if someone else holds it, as good
    if (server) servers.push(server);
    const draws = vi.spyOn(Math, 'random').mockReturnValueOnce(0).mockReturnValueOnce(0.5);
    try {
      const port = await freePort();
      expect(port).not.toBe(held);
      expect(draws.mock.calls.length).toBeGreaterThanOrEqual(2);
      servers.push(await listen(port));
    } finally {
      draws.mockRestore();
    }
  });
});
