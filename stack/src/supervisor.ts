/**
 * The EC2 side on one machine: broker, N inference workers and the HTTP facade as separate
 * processes (ONNX Runtime's run() blocks its event loop, so inference must not share one
 * with the broker), wired together through the environment and supervised.
 */
import type { Logger } from 'pino';
import type { StackConfig } from './config';
import { SupervisedChild } from './child';
import { freePort, waitForHealth, waitForTcp } from '@helen/runtime';

export interface StackAddresses {
  mqtt: string;
  ws: string;
  http: string;
  /** True when /health answered 200 within the ready timeout. */
  ready: boolean;
}

export interface Stack {
  start(): Promise<StackAddresses>;
  /** Facade first, then workers (they drain while the broker is still up), broker last. */
  stop(): Promise<void>;
  /** Last resort on a hard exit: SIGKILL every child now. */
  killNow(): void;
  children(): SupervisedChild[];
}

export function createStack(config: StackConfig, log: Logger): Stack {
  let broker: SupervisedChild | undefined;
  let workers: SupervisedChild[] = [];
  let api: SupervisedChild | undefined;
  let stopping = false;
  const all = () => [api, ...workers, broker].filter((c): c is SupervisedChild => c !== undefined);
  const policy = {
    restartMinMs: config.restartMinMs,
    restartMaxMs: config.restartMaxMs,
    stableMs: config.stableMs,
    stopTimeoutMs: config.stopTimeoutMs,
  };

  return {
    async start() {
      const mqttPort = config.mqttPort || (await freePort());
      const wsPort = config.wsPort || (await freePort());
      const httpPort = config.httpPort || (await freePort());
      const env = {
        // Development default: the embedded broker takes clients without a username unless
        // the user's environment says otherwise (then HELEN_BROKER_USERS_FILE is needed).
        HELEN_BROKER_ALLOW_ANONYMOUS: 'true',
        ...config.childEnv,
        HELEN_MQTT_PORT: String(mqttPort),
        HELEN_MQTT_WS_PORT: String(wsPort),
        HELEN_HTTP_PORT: String(httpPort),
        HELEN_MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
        HELEN_LOG_LEVEL: config.logLevel,
      };
      const addresses = {
        mqtt: `mqtt://127.0.0.1:${mqttPort}`,
        ws: `ws://127.0.0.1:${wsPort}`,
        http: `http://127.0.0.1:${httpPort}`,
      };

      broker = new SupervisedChild({ name: 'broker', command: 'broker', env }, policy, log);
      broker.start();
      if (!(await waitForTcp(mqttPort, config.readyTimeoutMs, () => stopping))) {
        if (stopping) return { ...addresses, ready: false };
        log.warn({ port: mqttPort }, `broker not listening on ${mqttPort} after ${config.readyTimeoutMs} ms; starting the rest anyway`);
      }
      workers = Array.from({ length: config.workers }, (_, i) =>
        new SupervisedChild({ name: config.workers === 1 ? 'worker' : `worker-${i + 1}`, command: 'worker', env }, policy, log));
      api = new SupervisedChild({ name: 'api', command: 'api', env }, policy, log);
      for (const w of workers) w.start();
      api.start();
      const ready = await waitForHealth(`${addresses.http}/health`, config.readyTimeoutMs, () => stopping);
      if (!ready && !stopping) log.warn(`${addresses.http}/health not ok after ${config.readyTimeoutMs} ms; still supervising`);
      return { ...addresses, ready };
    },
    async stop() {
      stopping = true;
      await api?.stop();
      await Promise.all(workers.map((w) => w.stop()));
      await broker?.stop();
    },
    killNow() {
      stopping = true;
      for (const c of all()) c.killNow();
    },
    children: all,
  };
}
