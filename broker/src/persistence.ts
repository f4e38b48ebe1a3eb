/**
 * Where aedes keeps its state: retained messages, persistent (clean=false) sessions with their
 * subscriptions and queued QoS > 0 messages, wills.
 *
 * - `memory` (default): aedes' built-in in-process store and emitter; everything is lost on
 *   restart.
 * - `redis`: aedes-persistence-redis (the store) and mqemitter-redis (the message bus), so
 *   retained messages and persistent sessions survive a broker restart, and several aedes
 *   nodes can share one Redis (see the README for what that does and does not give).
 *
 * The Redis connections are created with `lazyConnect`, so `createBroker` stays free of I/O;
 * `connect()` (called from `start()`) opens them and fails fast with a clear message when
 * Redis cannot be reached, instead of ioredis retrying forever behind a hanging listen().
 */
import { createRequire } from 'node:module';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export type PersistenceConfig = { kind: 'memory' } | { kind: 'redis'; url: string };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** What createBroker needs: options merged into `new Aedes(...)` and the connection lifecycle. */
export interface BrokerPersistence {
  readonly kind: PersistenceConfig['kind'];
  /** `{ mq, persistence }` for redis; empty (aedes' in-memory defaults) for memory. */
  readonly aedesOptions: { mq?: unknown; persistence?: unknown };
  /** Opens the connections (no-op for memory). Rejects with a readable message when Redis is unreachable. */
  connect(): Promise<void>;
  /** Releases what aedes.close() does not: the persistence's own Redis connection. Idempotent. */
  close(): Promise<void>;
}

/** The URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

// aedes-persistence-redis and mqemitter-redis are CommonJS without types for these entry
// points. The persistence's default export is aedes-persistence's adapter around the async
// store: promises when called without a callback (as aedes 1.x does) and Node streams where
// aedes 1.x pipes (retained messages, session queue, wills); the bare async store returns
// async generators there, which aedes 1.2 cannot pipe.
const require = createRequire(import.meta.url);
type RedisPersistenceFactory = (opts: { conn: Redis }) => { destroy(): Promise<void> };
type MqEmitterRedisFactory = (opts: { subConn: Redis; pubConn: Redis }) => { state: { on(event: 'error', fn: (err: Error) => void): void } };

export function createPersistence(config: PersistenceConfig, log: Logger): BrokerPersistence {
  if (config.kind === 'memory') {
    return { kind: 'memory', aedesOptions: {}, connect: async () => {}, close: async () => {} };
  }

  const redisPersistence = require('aedes-persistence-redis') as RedisPersistenceFactory;
  const mqemitterRedis = require('mqemitter-redis') as MqEmitterRedisFactory;
  const where = redactUrl(config.url);
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: 5000,
    // After start, a lost Redis is retried (ioredis' default back-off), commands queue meanwhile.
  };
  let connectError = ''; // ioredis' connect() rejects with "Connection is closed."; the cause comes as an 'error' event
  const role = (name: string): Redis => {
    const conn = new Redis(config.url, { ...options, connectionName: `helen-broker-${name}` });
    let lastError = '';
    conn.on('error', (err: Error) => {
      // ioredis repeats the same error on every retry; log each distinct one once.
      connectError ||= err.message;
      if (err.message !== lastError) log.warn({ redis: where, role: name, err: err.message }, 'redis connection error');
      lastError = err.message;
    });
    conn.on('ready', () => {
      if (lastError) log.info({ redis: where, role: name }, 'redis connection restored');
      lastError = '';
    });
    return conn;
  };
  const store = role('store');
  const pub = role('pub');
  const sub = role('sub');
  const persistence = redisPersistence({ conn: store });
  const mq = mqemitterRedis({ subConn: sub, pubConn: pub });
  // mqemitter-redis re-emits its connections' errors here; unobserved, they would be thrown.
  mq.state.on('error', () => { /* already logged by the connection's own listener */ });
  let closed = false;

  return {
    kind: 'redis',
    aedesOptions: { mq, persistence },
    async connect() {
      try {
        await Promise.all([store, pub, sub].map((c) => (c.status === 'wait' ? c.connect() : Promise.resolve())));
      } catch (err) {
        for (const c of [store, pub, sub]) c.disconnect();
        closed = true;
        throw new Error(`broker: cannot reach Redis at ${where}: ${connectError || (err as Error).message}`);
      }
      log.info({ redis: where }, 'redis persistence connected');
    },
    async close() {
      if (closed) return;
      closed = true;
      // aedes.close() has closed the emitter (pub/sub connections); the store is ours to close.
      try {
        await persistence.destroy();
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'redis persistence destroy');
      }
      store.disconnect();
    },
  };
}
