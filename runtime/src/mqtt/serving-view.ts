/**
 * What a client of the workers needs to know, from retained topics: the model metadata the
 * workers publish and which workers are online (their retained status and last wills). A
 * worker that is `draining` takes no new work, so only `online` counts. The facade and the
 * edge both read it; the retained messages arrive again after every reconnect.
 */
import {
  validateModelMetadata, validateStatusMessage, type ModelMetadata, type Topics,
} from '@helen/schemas';
import type { Logger } from 'pino';
import type { MqttConnection } from './connection';

export interface WorkerChange {
  readonly worker: string;
  readonly online: number;
  /** This worker was online and no longer is: it may have taken requests with it. */
  readonly wentOffline: boolean;
}

export interface ServingListener {
  metadata?(meta: ModelMetadata): void;
  workers?(change: WorkerChange): void;
}

type WorkerState = 'online' | 'offline' | 'draining';

export class ServingView {
  private meta: ModelMetadata | undefined;
  private readonly states = new Map<string, WorkerState>();
  private readonly listeners = new Set<ServingListener>();

  constructor(private readonly connection: MqttConnection, private readonly topics: Topics, private readonly log: Logger) {
    const metadataTopic = topics.modelMetadata();
    connection.keepSubscribed(metadataTopic, 1);
    connection.keepSubscribed(topics.allWorkerStatus(), 1);
    connection.onMessage((topic, payload) => {
      if (topic === metadataTopic) return this.onMetadata(payload);
      const worker = topics.parseWorkerStatus(topic);
      if (worker !== undefined) this.onWorkerStatus(worker, payload);
    });
    // After a lost connection the retained statuses are sent again on resubscribe.
    connection.onConnection((up) => {
      if (!up) this.states.clear();
    });
  }

  get metadata(): ModelMetadata | undefined {
    return this.meta;
  }

  /** Workers online, or null before the first connection (nothing is known yet). */
  get workersOnline(): number | null {
    return this.connection.connects === 0 ? null : this.onlineIds().length;
  }

  onlineIds(): string[] {
    return [...this.states].filter(([, s]) => s === 'online').map(([id]) => id);
  }

  on(listener: ServingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the retained metadata, or rejects saying why after `timeoutMs`; `hint` says what to do. */
  waitForMetadata(timeoutMs: number, hint: string): Promise<ModelMetadata> {
    if (this.meta) return Promise.resolve(this.meta);
    return new Promise((resolve, reject) => {
      const off = this.on({
        metadata: (m) => {
          clearTimeout(timer);
          off();
          resolve(m);
        },
      });
      const timer = setTimeout(() => {
        off();
        const where = this.connection.connected ? 'the broker is reachable but no worker has published it' : `the broker at ${this.connection.safeUrl} was not reachable`;
        reject(new Error(`no model metadata on ${this.topics.modelMetadata()} within ${timeoutMs / 1000} s: ${where} (${hint})`));
      }, timeoutMs);
    });
  }

  private emit(fn: (l: ServingListener) => void): void {
    for (const l of [...this.listeners]) {
      try {
        fn(l);
      } catch (err) {
        this.log.error({ err }, 'serving-view listener failed');
      }
    }
  }

  private onMetadata(payload: Buffer): void {
    if (payload.length === 0) {
      // The retained message was cleared: no model is announced any more.
      this.meta = undefined;
      return;
    }
    try {
      const checked = validateModelMetadata(JSON.parse(payload.toString('utf8')));
      if (!checked.ok) throw new Error(checked.error);
      const changed = this.meta?.model_id !== checked.value.model_id;
      this.meta = checked.value;
      if (changed) this.log.info({ model: checked.value.model_id, seq_len: checked.value.seq_len, use_z: checked.value.use_z }, 'model metadata');
      this.emit((l) => l.metadata?.(checked.value));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'invalid model metadata ignored');
    }
  }

  private onWorkerStatus(worker: string, payload: Buffer): void {
    const before = this.onlineIds().length;
    const prev = this.states.get(worker);
    const next = parseState(payload);
    if (next === undefined) this.states.delete(worker);
    else this.states.set(worker, next);
    const online = this.onlineIds().length;
    const wentOffline = prev === 'online' && next !== 'online';
    if (before !== online) this.log.info({ worker, state: next ?? 'gone', online }, 'workers online changed');
    if (before !== online || wentOffline) this.emit((l) => l.workers?.({ worker, online, wentOffline }));
  }
}

/** Empty payload (a cleared retained message) or anything unreadable counts as gone. */
function parseState(payload: Buffer): WorkerState | undefined {
  if (payload.length === 0) return undefined;
  try {
    const checked = validateStatusMessage(JSON.parse(payload.toString('utf8')));
    return checked.ok ? checked.value.state : undefined;
  } catch {
    return undefined;
  }
}
