/**
 * The facade's resend when a worker goes offline while others stay online: the requests it
 * may have taken with it are sent again at once, so another worker answers them long before
 * the deadline. The timed retry is switched off (retry after >= timeout), so only the resend
 * on the offline status can save the request: without it this test gets a 504.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '@helen/broker/testing';
import { postJson, request, waitFor, window } from '@helen/runtime/testing';
import { apiConfig, createApi, type Api } from '../../src/index';
import { clearRetained, FAKE_FEATURE_DIM, startFakeWorker, type FakeWorker } from '../helpers/fake-worker';

const TIMEOUT_MS = 4000;

describe('facade resend when a worker goes offline (aedes)', () => {
  let broker: TestBroker | undefined;
  let api: Api | undefined;
  const workers: FakeWorker[] = [];

  afterEach(async () => {
    await api?.stop();
    for (const w of workers.splice(0)) await w.stop();
    await broker?.stop();
    api = undefined;
    broker = undefined;
  });

  async function setUp(): Promise<{ url: string; a: FakeWorker; b: FakeWorker }> {
    broker = await startTestBroker('aedes');
    await clearRetained(broker.url, []);
    const a = await startFakeWorker(broker.url, 'resend-a');
    const b = await startFakeWorker(broker.url, 'resend-b');
    workers.push(a, b);
    api = createApi(apiConfig({ mqtt: { url: broker.url }, host: '127.0.0.1', port: 0, logLevel: 'silent', timeoutMs: TIMEOUT_MS, retryAfterMs: TIMEOUT_MS * 10 }));
    const url = (await api.start()).url;
    await waitFor('/health ok with both workers', async () => {
      const res = await request(`${url}/health`);
      return res.status === 200 && (res.body as { workers?: number }).workers === 2 ? true : undefined;
    });
    return { url, a, b };
  }

  it.each([
    ['crashes (its last will says offline)', (w: FakeWorker) => w.crash()],
    ['stops cleanly (publishes offline)', (w: FakeWorker) => void w.stop()],
  ])('sends a pending request again when a worker %s, and another worker answers it', async (_how, goOffline) => {
    const { url, a, b } = await setUp();
    // Worker a takes the request and never answers; worker b answers only a second attempt.
    a.behave(() => ({ kind: 'silent' }));
    const attemptsAtB = new Map<string, number>();
    b.behave((req) => {
      const n = (attemptsAtB.get(req.id) ?? 0) + 1;
      attemptsAtB.set(req.id, n);
      return n === 1 ? { kind: 'silent' } : { kind: 'answer' };
    });
    const started = Date.now();
    const pending = postJson(`${url}/predict`, { sequence: window(5, FAKE_FEATURE_DIM, 2) });
    await waitFor('the request at both workers', () => (a.seen.length === 1 && b.seen.length === 1 ? true : undefined));
    expect(api?.link.stats().retries).toBe(0);
    goOffline(a);
    const res = await pending;
    expect(res.status, res.text).toBe(200);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(b.seen.map((r) => r.id)).toEqual([a.seen[0]?.id, a.seen[0]?.id]); // the same id, sent again
    expect(api?.link.stats()).toMatchObject({ retries: 1, pending: 0 });
  });
});
