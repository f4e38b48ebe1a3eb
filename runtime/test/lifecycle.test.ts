/** runService: start, signal or own end, bounded stop, exit code. Signals are emitted in-process. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runService, type RunnableService } from '../src/index';
import { capturedLogger } from './helpers';

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

function service(overrides: Partial<RunnableService> = {}) {
  const calls: string[] = [];
  const s: RunnableService = {
    start: async () => {
      calls.push('start');
      return 'addr';
    },
    stop: async () => {
      calls.push('stop');
    },
    ...overrides,
  };
  return { s, calls };
}

describe('runService', () => {
  afterEach(() => vi.restoreAllMocks());

  it('starts, reports, waits for SIGTERM, stops and returns 0; its signal handlers are gone afterwards', async () => {
    const { s, calls } = service();
    const before = process.listenerCount('SIGTERM');
    const started: unknown[] = [];
    const run = runService(s, { log: capturedLogger().log, onStarted: (v) => started.push(v) });
    await tick();
    expect(started).toEqual(['addr']);
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM');
    expect(await run).toBe(0);
    expect(calls).toEqual(['start', 'stop']);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('a signal during a slow start stops at once; a second signal only reaches onRepeatSignal', async () => {
    let release: () => void = () => undefined;
    const { s, calls } = service({ start: () => new Promise<void>((r) => (release = r)) });
    const repeats: string[] = [];
    const run = runService(s, { log: capturedLogger().log, onRepeatSignal: (sig) => repeats.push(sig) });
    await tick();
    process.emit('SIGTERM');
    process.emit('SIGTERM');
    expect(await run).toBe(0);
    expect(calls).toEqual(['stop']);
    expect(repeats).toEqual(['SIGTERM']);
    release();
  });

  it('returns the code the service ends with by itself (e.g. 1 after a fatal error)', async () => {
    let end: (code: number) => void = () => undefined;
    const { s, calls } = service({ ended: new Promise<number>((r) => (end = r)) });
    const run = runService(s, { log: capturedLogger().log });
    await tick();
    end(1);
    expect(await run).toBe(1);
    expect(calls).toEqual(['start', 'stop']);
  });

  it('a failed start stops what it began and throws the reason', async () => {
    const { s, calls } = service({ start: () => Promise.reject(new Error('HELEN_X: bad')) });
    await expect(runService(s, { log: capturedLogger().log })).rejects.toThrow('HELEN_X: bad');
    expect(calls).toEqual(['stop']);
  });

  it('bounds the stop: past stopTimeoutMs it logs, returns 1 and schedules the exit', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const { log, text } = capturedLogger();
    const { s } = service({ stop: () => new Promise<void>(() => undefined) });
    const run = runService(s, { log, stopTimeoutMs: 50 });
    await tick();
    process.emit('SIGTERM');
    expect(await run).toBe(1);
    expect(text()).toMatch(/did not stop within 50 ms/);
    await new Promise((r) => setImmediate(r));
    expect(exit).toHaveBeenCalledWith(1);
  });
});
