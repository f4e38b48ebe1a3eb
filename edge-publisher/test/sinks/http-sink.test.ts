import { afterEach, describe, expect, it } from 'vitest';
import { HttpGestureSink } from '../../src/sinks/http-sink';
import { gestureEvent, silent, startRecorder, waitFor, type Recorder } from '../helpers';

describe('HttpGestureSink', () => {
  let rec: Recorder | undefined;
  let sink: HttpGestureSink | undefined;
  afterEach(async () => {
    await sink?.stop();
    await rec?.close();
  });

  it('POSTs the original payload as JSON', async () => {
    rec = await startRecorder();
    sink = new HttpGestureSink({ url: rec.url, timeoutMs: 1500, queueSize: 4 }, silent);
    const e = gestureEvent('Inicio');
    sink.send(e);
    await sink.idle();
    expect(rec.bodies.map((b) => JSON.parse(b))).toEqual([e]);
    expect(Object.keys(JSON.parse(rec.bodies[0] as string))).toEqual(['gesture', 'character', 'score', 'timestamp', 'session_id', 'sequence', 'source']);
    expect(sink.stats).toEqual({ posted: 1, failed: 0, dropped: 0 });
  });

  it('never blocks: send returns at once even while the backend hangs, then times out', async () => {
    rec = await startRecorder();
    rec.hold = true;
    sink = new HttpGestureSink({ url: rec.url, timeoutMs: 300, queueSize: 4 }, silent);
    const t0 = performance.now();
    sink.send(gestureEvent('Reloj'));
    expect(performance.now() - t0).toBeLessThan(20);
    await sink.idle();
    expect(sink.stats.failed).toBe(1);
  });

  it('keeps at most 4 queued and drops the oldest', async () => {
    rec = await startRecorder();
    rec.hold = true;
    sink = new HttpGestureSink({ url: rec.url, timeoutMs: 5000, queueSize: 4 }, silent);
    for (let i = 1; i <= 6; i++) sink.send(gestureEvent(String(i), i));
    // #1 is on the wire; #2..#6 wanted the queue of 4, so #2 was dropped.
    expect(sink.stats.dropped).toBe(1);
    await waitFor(() => rec?.bodies.length === 1, 5000, 'the first POST');
    rec.release();
    await sink.idle();
    expect(rec.bodies.map((b) => JSON.parse(b).gesture)).toEqual(['1', '3', '4', '5', '6']);
  });

  it('on stop, refuses new events but still delivers the queued ones', async () => {
    rec = await startRecorder();
    rec.hold = true;
    sink = new HttpGestureSink({ url: rec.url, timeoutMs: 5000, queueSize: 4 }, silent);
    for (const label of ['Start', 'Reloj', 'Clima']) sink.send(gestureEvent(label));
    await waitFor(() => rec?.bodies.length === 1, 5000, 'the first POST');
    const stopping = sink.stop();
    sink.send(gestureEvent('Foco')); // after stop: refused
    rec.release();
    await stopping;
    expect(rec.bodies.map((b) => JSON.parse(b).gesture)).toEqual(['Start', 'Reloj', 'Clima']);
    expect(sink.stats).toEqual({ posted: 3, failed: 0, dropped: 0 });
  });

  it('on stop, gives up after the flush bound: the request on the wire is aborted, the rest dropped', async () => {
    rec = await startRecorder();
    rec.hold = true;
    sink = new HttpGestureSink({ url: rec.url, timeoutMs: 30_000, queueSize: 4 }, silent);
    for (const label of ['Start', 'Reloj', 'Clima']) sink.send(gestureEvent(label));
    await waitFor(() => rec?.bodies.length === 1, 5000, 'the first POST');
    const t0 = performance.now();
    await sink.stop(200);
    // Bounded by the flush time, not by the 30 s request timeout.
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(sink.stats).toEqual({ posted: 0, failed: 1, dropped: 2 });
    expect(rec.bodies).toHaveLength(1);
  });

  it('counts a backend that is down as a failure and goes on', async () => {
    rec = await startRecorder();
    const url = rec.url;
    await rec.close();
    rec = undefined;
    sink = new HttpGestureSink({ url, timeoutMs: 500, queueSize: 4 }, silent);
    sink.send(gestureEvent('Foco'));
    sink.send(gestureEvent('Wifi'));
    await sink.idle();
    expect(sink.stats).toEqual({ posted: 0, failed: 2, dropped: 0 });
  });
});
