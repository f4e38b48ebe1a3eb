#!/usr/bin/env node
/**
 * Container health check for whichever Helen part runs in the container:
 *
 *   node deploy/docker/healthcheck.mjs [broker|worker|api|edge|stack]
 *
 * Without an argument (the image's HEALTHCHECK) the part is read from the running
 * `bin/helen.mjs <part>` process. Exit 0 = healthy, 1 = unhealthy (Docker's contract); the one
 * line it prints is what `docker inspect` shows. Plain Node without tsx: it runs every few
 * seconds on a small VM and must stay cheap. It reads the part's own environment variables;
 * DEFAULTS are the settings tables' defaults (test/compose.test.ts compares them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';

export const DEFAULTS = {
  HELEN_HTTP_HOST: '0.0.0.0',
  HELEN_HTTP_PORT: '8000',
  HELEN_MQTT_HOST: '0.0.0.0',
  HELEN_MQTT_PORT: '1883',
  HELEN_BROKER_METRICS_HOST: '127.0.0.1',
  HELEN_BROKER_METRICS_PORT: 'off',
  HELEN_WORKER_HTTP_HOST: '127.0.0.1',
  HELEN_EDGE_UI: 'true',
  HELEN_EDGE_UI_HOST: '127.0.0.1',
  HELEN_EDGE_UI_PORT: '5000',
};

const TIMEOUT_MS = 3000;
const OFF = ['off', 'none', 'disabled', 'false', '0', 'no'];

/** A variable as the part sees it: blank means the default (runtime/src/settings/setting.ts). */
function env(name) {
  const raw = process.env[name];
  return raw === undefined || raw.trim() === '' ? DEFAULTS[name] : raw.trim();
}

/** Where to reach a listener bound to `host` from inside its container. */
function reachable(host) {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function httpOk(host, port, path) {
  const url = `http://${reachable(host)}:${port}${path}`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    return res.status === 200 ? { ok: true, why: `${path} 200` } : { ok: false, why: `${url}: ${res.status} ${body.slice(0, 200)}` };
  } catch (err) {
    return { ok: false, why: `${url}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function tcpOpen(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host: reachable(host).replace(/^\[|\]$/g, ''), port: Number(port) });
    const done = (result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(TIMEOUT_MS, () => done({ ok: false, why: `MQTT port ${port}: no answer in ${TIMEOUT_MS} ms` }));
    socket.once('connect', () => done({ ok: true, why: `MQTT port ${port} open` }));
    socket.once('error', (err) => done({ ok: false, why: `MQTT port ${port}: ${err.message}` }));
  });
}

/** The parts (`bin/helen.mjs <part>`) running here, read from /proc. */
export function runningParts(proc = '/proc') {
  const parts = [];
  let entries = [];
  try {
    entries = readdirSync(proc).filter((e) => /^\d+$/.test(e));
  } catch {
    return parts;
  }
  for (const pid of entries) {
    let argv;
    try {
      argv = readFileSync(`${proc}/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    const at = argv.findIndex((a) => a.endsWith('bin/helen.mjs'));
    if (at >= 0 && argv[at + 1]) parts.push(argv[at + 1]);
  }
  return parts;
}

function processUp(part, why) {
  return runningParts().includes(part)
    ? { ok: true, why: `helen ${part} process running (${why})` }
    : { ok: false, why: `no helen ${part} process` };
}

const isOff = (value) => value === undefined || OFF.includes(value.toLowerCase());

export const CHECKS = {
  /** The facade's own verdict: 200 only with the broker connected and a worker online. */
  api: () => httpOk(env('HELEN_HTTP_HOST'), env('HELEN_HTTP_PORT'), '/health'),
  stack: () => httpOk(env('HELEN_HTTP_HOST'), env('HELEN_HTTP_PORT'), '/health'),
  /** The MQTT listener accepts connections; /metrics answers too when it is on. */
  broker: async () => {
    const mqtt = await tcpOpen(env('HELEN_MQTT_HOST'), env('HELEN_MQTT_PORT'));
    if (!mqtt.ok || isOff(env('HELEN_BROKER_METRICS_PORT'))) return mqtt;
    const metrics = await httpOk(env('HELEN_BROKER_METRICS_HOST'), env('HELEN_BROKER_METRICS_PORT'), '/metrics');
    return metrics.ok ? { ok: true, why: `${mqtt.why}, ${metrics.why}` } : metrics;
  },
  /** GET /health (model loaded, subscribed) when HELEN_WORKER_HTTP_PORT is on; else the process. */
  worker: () => (isOff(env('HELEN_WORKER_HTTP_PORT'))
    ? processUp('worker', 'HELEN_WORKER_HTTP_PORT is off')
    : httpOk(env('HELEN_WORKER_HTTP_HOST'), env('HELEN_WORKER_HTTP_PORT'), '/health')),
  edge: () => (isOff(env('HELEN_EDGE_UI'))
    ? processUp('edge', 'HELEN_EDGE_UI is off')
    : httpOk(env('HELEN_EDGE_UI_HOST'), env('HELEN_EDGE_UI_PORT'), '/health')),
};

async function main(argv) {
  const part = argv[0] ?? runningParts().find((p) => p in CHECKS);
  if (part === undefined || !(part in CHECKS)) {
    process.stdout.write(`unhealthy: ${part === undefined ? 'no helen part running' : `unknown part "${part}" (${Object.keys(CHECKS).join(', ')})`}\n`);
    return 1;
  }
  const result = await CHECKS[part]();
  process.stdout.write(`${result.ok ? 'healthy' : 'unhealthy'}: ${part}: ${result.why}\n`);
  return result.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
