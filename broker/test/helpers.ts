import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import mqtt, { ErrorWithSubackPacket, type IClientOptions, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

/** An mqtt.js client that records every message it receives and lets a test await a count. */
export class Recorder {
  readonly messages: Received[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain });
      this.waiters = this.waiters.filter((w) => (this.messages.length >= w.n ? (w.resolve(), false) : true));
    });
  }

  get payloads(): string[] {
    return this.messages.map((m) => m.payload);
  }

  /** Resolves once `n` messages in total have arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs = 5000): Promise<void> {
    if (this.messages.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.client.options.clientId}: ${this.messages.length}/${n} messages after ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }
}

let seq = 0;
/** A topic namespace unique to one test, so tests sharing a broker never see each other's traffic. */
export function uniqueTopic(name: string): string {
  return `test/${process.pid}/${++seq}/${name}`;
}

export async function connectRecorder(url: string, opts: IClientOptions = {}): Promise<Recorder> {
  const client = await mqtt.connectAsync(url, {
    reconnectPeriod: 0,
    protocolVersion: 4,
    clientId: `t-${process.pid}-${++seq}`,
    ...opts,
  });
  return new Recorder(client);
}

/** The "nothing else arrives" window: bounded, only used after the expected messages are in. */
export function settle(ms = 150): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * SUBSCRIBE and return each topic's SUBACK code. mqtt.js rejects the whole call when any code
 * is a failure (0x80), so the codes are read from the error's packet then.
 */
export async function subackCodes(client: MqttClient, subs: Record<string, { qos: 0 | 1 | 2 }>): Promise<Record<string, number>> {
  const topics = Object.keys(subs);
  let granted: number[];
  try {
    granted = (await client.subscribeAsync(subs)).map((g) => g.qos);
  } catch (err) {
    if (!(err instanceof ErrorWithSubackPacket)) throw err;
    granted = (err.packet as { granted: number[] }).granted;
  }
  return Object.fromEntries(topics.map((t, i) => [t, granted[i]!]));
}

const HELEN_BIN = fileURLToPath(new URL('../../bin/helen.mjs', import.meta.url));

/** `helen <args>` as a real child process; `stdin` is written then closed. */
export function spawnHelen(args: string[], env: Record<string, string> = {}, stdin = ''): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [HELEN_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(stdin);
  return child;
}

/** Waits for the child to exit: its exit code, stdout and stderr. */
export async function processResult(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}
