/**
 * The edge's input side as fuzz targets: messages from a capture page over the real capture
 * server's WebSocket into the CaptureHub and on through the real EdgePipeline (features,
 * window, gates), and recordings (JSON Lines) through parseRecording / ReplaySource.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { pino } from 'pino';
import WebSocket from 'ws';
import { CaptureHub, EdgePipeline, startCaptureServer, type CaptureServer, type PageSettings, type PredictOutcome, type Predictor } from '@helen/edge-publisher';
import { CLASS_LABELS, encodeRequestBinary, encodeRequestJson, WireError, type FeatureSequence } from '@helen/schemas';
import { parseRecording, RecordingError } from '@helen/synthetic-signer';
import { errorClass, Tally } from './tally';

const landmark = (x = 0.5, y = 0.5, z = 0): number[] => [x, y, z];
const goodHand = (handedness: 'Left' | 'Right', dx: number) => ({
  // A 0.2 x 0.24 box: past the decision engine's hand-area gate.
  handedness, score: 0.95, landmarks: Array.from({ length: 21 }, (_, i) => landmark(0.1 + dx + (i % 5) * 0.05, 0.3 + Math.floor(i / 5) * 0.06, -0.01 * i)),
});
/** Two hands that move with `ts`, so the pipeline's motion gate opens and windows get sent. */
export const goodFrame = (ts: number) => ({ ts, hands: [goodHand('Left', (ts % 7) * 0.02), goodHand('Right', 0.45 + (ts % 5) * 0.02)] });

/** Numbers a broken page or a hand-edited recording might carry: extreme, tiny, negative, non-finite in text. */
const oddNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1, -1, 1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 5e-324, 1e-7, 0.5),
);

/** A frame that may be well formed, subtly wrong (counts, types, ranges) or extreme in value. */
export const frameArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.nat({ max: 1e9 }).map((ts) => goodFrame(ts)),
  // Well formed with odd but finite numbers: the schema accepts these; the features must stay finite.
  fc.tuple(fc.nat(), fc.array(fc.tuple(fc.constantFrom('Left', 'Right'), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.tuple(oddNumber, oddNumber, oddNumber), { minLength: 21, maxLength: 21 })), { maxLength: 2 }))
    .map(([ts, hands]) => ({ ts, hands: hands.map(([handedness, score, lms]) => ({ handedness, score, landmarks: lms })) })),
  fc.record({
    ts: fc.oneof(fc.nat(), fc.jsonValue()),
    hands: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.array(fc.record({
        handedness: fc.oneof(fc.constantFrom('Left', 'Right', 'left', ''), fc.jsonValue({ maxDepth: 1 })),
        score: fc.oneof(oddNumber, fc.jsonValue({ maxDepth: 1 })),
        landmarks: fc.oneof(fc.array(fc.array(oddNumber, { maxLength: 4 }), { maxLength: 23 }), fc.jsonValue({ maxDepth: 2 })),
      }, { requiredKeys: [] }), { maxLength: 3 }),
    ),
    label: fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined }),
    extra: fc.option(fc.string(), { nil: undefined }),
  }, { requiredKeys: [] }),
);

/** One WebSocket message from a "page": frames (good and bad), other types, junk, binary. */
export const pageMessageArb: fc.Arbitrary<{ kind: string; data: string | Buffer }> = fc.oneof(
  { weight: 4, arbitrary: frameArb.map((frame) => ({ kind: 'frame', data: JSON.stringify({ type: 'frame', frame }) })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'random JSON', data: JSON.stringify(v) })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s) => ({ kind: 'random text', data: s })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ kind: 'binary', data: Buffer.from(b) })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('stats', 'hello', 'error', 'frame', 'nope', null, 7), fc.jsonValue({ maxDepth: 2 })).map(([type, rest]) => ({ kind: `type ${String(type)}`, data: JSON.stringify({ type, ...(typeof rest === 'object' && rest !== null && !Array.isArray(rest) ? rest : { value: rest }) }) })) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((d) => ({ kind: 'deeply nested', data: `{"type":"frame","frame":${'['.repeat(d)}${']'.repeat(d)}}` })) },
);

/**
 * What the pipeline sends on: checked with the real wire encoders (what MqttPredictor does
 * before publishing), so a window the edge cannot encode shows up here. Never answers.
 */
export class WireCheckingPredictor implements Predictor {
  readonly servedBy = 'cloud' as const;
  sent = 0;
  readonly unencodable: string[] = [];

  predict(seq: FeatureSequence): Promise<PredictOutcome> {
    this.sent++;
    const fields = { id: `w${this.sent}`, reply_to: 'fuzz/replies', deadline: Date.now() + 1000 };
    try {
      encodeRequestBinary(fields, seq, 'f16');
      encodeRequestJson(fields, seq);
    } catch (err) {
      this.unencodable.push(err instanceof WireError ? err.message : String(err));
      return Promise.resolve({ kind: 'error', message: String(err) });
    }
    return Promise.resolve({ kind: 'unavailable', reason: 'fuzz: nothing behind the predictor' });
  }
}

const page: PageSettings = { numHands: 2, delegate: 'CPU', handedness: 'mirror', width: 640, height: 480, frameRate: 30, frameSource: 'track', mirror: true };

/** The capture server on port 0 with a hub feeding a pipeline (model shape of the committed model). */
export class EdgeRig {
  private constructor(
    readonly hub: CaptureHub, readonly server: CaptureServer, readonly pipeline: EdgePipeline,
    readonly predictor: WireCheckingPredictor, readonly socket: WebSocket,
  ) {}

  static async start(): Promise<EdgeRig> {
    // The model route needs some file; no page loads it here (no browser), so this one will do.
    const modelPath = fileURLToPath(import.meta.url);
    const hub = new CaptureHub({ handedness: 'mirror' });
    const predictor = new WireCheckingPredictor();
    const pipeline = new EdgePipeline({
      model: { seqLen: 30, useZ: false, featureDim: 84, labels: CLASS_LABELS },
      decision: {}, stride: 1, deviceId: 'fuzz', sessionId: 'fuzz', predictor, sinks: [], log: pino({ level: 'silent' }),
    });
    hub.setFrameListener((f) => pipeline.onFrame(f));
    const server = await startCaptureServer({ hub, modelPath, page, host: '127.0.0.1', port: 0 });
    const wsUrl = `${server.url.replace(/^http/, 'ws')}ws`;
    const socket = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers: { origin: server.url.replace(/\/$/, '') } });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    return new EdgeRig(hub, server, pipeline, predictor, socket);
  }

  /** Sends the messages, then a 'ready' fence, and waits until the hub has read the fence. */
  async deliver(messages: readonly (string | Buffer)[]): Promise<void> {
    const before = this.hub.readyCount;
    for (const m of messages) this.socket.send(m);
    this.socket.send(JSON.stringify({ type: 'ready' }));
    await this.hub.waitForReady(10_000, before);
  }

  async stop(): Promise<void> {
    this.socket.close();
    this.pipeline.stop();
    await this.server.close();
  }
}

/**
 * Page messages through hub and pipeline: nothing throws out of the socket handler, every
 * message is either a frame the pipeline counted or a counted drop (or a known non-frame
 * type), the socket stays open, and every window sent on encodes on the wire.
 */
export function edgeHubProperty(rig: () => EdgeRig, tally: Tally): fc.IAsyncPropertyWithHooks<[{ kind: string; data: string | Buffer }[]]> {
  return fc.asyncProperty(fc.array(pageMessageArb, { minLength: 1, maxLength: 8 }), async (messages) => {
    const r = rig();
    const dropped = r.hub.droppedMessages;
    const frames = r.hub.framesReceived;
    const badFrames = r.pipeline.counters.badFrames;
    const unencodable = r.predictor.unencodable.length;
    await r.deliver(messages.map((m) => m.data));
    const newDrops = r.hub.droppedMessages - dropped;
    const newFrames = r.hub.framesReceived - frames;
    const newBad = r.pipeline.counters.badFrames - badFrames;
    const others = messages.length - newDrops - newFrames;
    if (r.socket.readyState !== WebSocket.OPEN) throw new Error('the capture socket was closed by the server');
    if (r.predictor.unencodable.length > unencodable) {
      const what = r.predictor.unencodable.at(-1) as string;
      tally.crash(`window not encodable: ${what}`);
      throw new Error(`the pipeline sent a window the wire codec refuses: ${what} (messages: ${JSON.stringify(messages.map((m) => String(m.data).slice(0, 400)))})`);
    }
    if (others < 0) throw new Error(`counted ${newDrops} drops and ${newFrames} frames for ${messages.length} messages`);
    for (let i = 0; i < newFrames - newBad; i++) tally.accept();
    for (let i = 0; i < newBad; i++) tally.refuse('frame skipped by the features (pipeline badFrames)');
    for (let i = 0; i < newDrops; i++) tally.refuse('message dropped by the hub (droppedMessages)');
    for (let i = 0; i < others; i++) tally.refuse('other message type (hello/stats/error), logged');
  });
}

/** A JSONL recording with good lines and, maybe, bad ones. */
export const recordingArb: fc.Arbitrary<{ lines: string[] }> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.nat({ max: 1e9 }).map((ts) => ({ text: JSON.stringify(goodFrame(ts)) })) },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', '\r').map((text) => ({ text })) },
    { weight: 1, arbitrary: frameArb.map((f) => ({ text: JSON.stringify(f) ?? 'undefined' })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }).filter((s) => !s.includes('\n')).map((text) => ({ text })) },
    { weight: 1, arbitrary: fc.constantFrom('{"ts":1,"hands":[{"handedness":"Left","score":1,"landmarks":[[NaN,0,0]]}]}', '{"ts":1e400,"hands":[]}', `{"ts":1,"hands":${'['.repeat(5000)}${']'.repeat(5000)}}`, '\u0000', '{"ts":1,"hands":[]}{"ts":2,"hands":[]}').map((text) => ({ text })) },
  ),
  { maxLength: 12 },
).map((ls) => ({ lines: ls.map((l) => l.text) }));

/** parseRecording: the frames, or a RecordingError naming a line; never another error. */
export function recordingProperty(tally: Tally): fc.IPropertyWithHooks<[{ lines: string[] }]> {
  return fc.property(recordingArb, ({ lines }) => {
    const text = lines.join('\n');
    try {
      const frames = parseRecording(text, 'fuzz.jsonl');
      tally.accept();
      if (frames.length > lines.length) throw new Error(`more frames (${frames.length}) than lines (${lines.length})`);
    } catch (err) {
      if (err instanceof RecordingError) {
        if (!(err.line >= 1 && err.line <= lines.length)) throw new Error(`RecordingError names line ${err.line} of ${lines.length}`);
        tally.refuse(`RecordingError: ${errorClass(err.reason)}`);
        return;
      }
      tally.crash(String(err));
      throw err;
    }
  });
}
