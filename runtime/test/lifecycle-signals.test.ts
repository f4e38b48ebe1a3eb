/**
 * Issue 14: SIGTERM starts a bounded stop; a second signal exits at once (code 1) instead of
 * waiting for a stop that hangs. Run as a real process, signals and all.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/testing';

const FIXTURE = fileURLToPath(new URL('./fixtures/slow-stop-service.ts', import.meta.url));

describe('runService and signals', () => {
  it('a second SIGTERM during a hanging stop exits at once with code 1', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor('started', () => (out.includes('"msg":"started"') ? true : undefined), 20_000);
      child.kill('SIGTERM');
      await waitFor('stopping', () => (out.includes('"msg":"stopping"') ? true : undefined), 5000);
      const t0 = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(Date.now() - t0).toBeLessThan(5000); // not the 60 s stop bound
      expect(out).toContain('second signal while stopping: exiting now');
    } finally {
      child.kill('SIGKILL');
    }
  }, 40_000);
});
