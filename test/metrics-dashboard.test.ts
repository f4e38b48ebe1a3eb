/**
 * The Grafana dashboard (deploy/grafana/helen-dashboard.json) uses only metrics the services
 * really export. Starts the real parts in this process: the aedes broker with its /metrics
 * listener, a worker with the real model and its HTTP listener, the facade and an edge with
 * the synthetic signer, all on port 0; drives /predict and the edge's windows so histograms
 * hold samples; scrapes each /metrics; then checks every panel query against the scrapes:
 * metric names (with a histogram's _bucket/_sum/_count), label matchers, `by (...)` labels
 * and the labels the legends print. The scrape example (deploy/prometheus/prometheus.yml)
 * is checked against the names the dashboard selects on.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { parse as parseYaml } from 'yaml';
import pino from 'pino';
import { createAuthHooks, createBroker, hashPassword, parseAcl, type HelenBroker } from '@helen/broker';
import { createEdge, edgeConfigFromEnv, type Edge } from '@helen/edge-publisher';
import { apiConfig, createApi, type Api } from '@helen/http-api';
import { createWorker, workerConfigFromEnv, type Worker } from '@helen/inference-worker';
import { postJson, REPO_ROOT, request, waitFor, window } from '@helen/runtime/testing';

// ---- Prometheus text exposition ----

interface Scrape {
  /** Names a query may use: each family's name, a histogram's _bucket/_sum/_count too. */
  declared: Set<string>;
  /** Sample name -> label names seen on its samples. */
  sampled: Map<string, Set<string>>;
}

function parseExposition(text: string, into: Scrape): void {
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      const names = kind === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
        : kind === 'summary' ? [name, `${name}_sum`, `${name}_count`] : [name];
      for (const n of names) into.declared.add(n);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels = into.sampled.get(m[1] as string) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="(?:[^"\\]|\\.)*"/g)) labels.add(l[1] as string);
    into.sampled.set(m[1] as string, labels);
  }
}

// ---- PromQL, as far as the dashboard uses it ----

const FUNCTIONS = new Set([
  'abs', 'absent', 'avg', 'avg_over_time', 'bottomk', 'ceil', 'changes', 'clamp_max', 'clamp_min', 'count', 'count_over_time',
  'delta', 'deriv', 'floor', 'histogram_quantile', 'idelta', 'increase', 'irate', 'label_replace', 'max', 'max_over_time',
  'min', 'min_over_time', 'quantile', 'rate', 'resets', 'round', 'scalar', 'sort', 'sort_desc', 'stddev', 'sum', 'sum_over_time',
  'time', 'topk', 'vector',
]);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);
/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = new Set(['job', 'instance']);

interface QueryParts {
  metrics: string[];
  /** Functions and aggregators called. */
  functions: string[];
  /** Label matchers: metric (or '' for a bare `{...}`) and the label names they test. */
  matchers: { metric: string; labels: string[] }[];
  /** Labels of `by (...)`, `without (...)`, `on (...)`, `ignoring (...)`. */
  grouping: string[];
}

function queryParts(expr: string): QueryParts {
  const parts: QueryParts = { metrics: [], functions: [], matchers: [], grouping: [] };
  let e = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  e = e.replace(/([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g, (_all, metric: string | undefined, body: string) => {
    parts.matchers.push({ metric: metric ?? '', labels: [...body.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1] as string) });
    return metric ?? '';
  });
  e = e.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_all, labels: string) => {
    parts.grouping.push(...labels.split(',').map((l) => l.trim()).filter((l) => l !== ''));
    return ' ';
  });
  e = e.replace(/\[[^\]]*\]/g, '');
  for (const m of e.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const name = m[1] as string;
    if (m[2] !== undefined) parts.functions.push(name);
    else if (!KEYWORDS.has(name)) parts.metrics.push(name);
  }
  return parts;
}

interface Target { expr: string; legendFormat?: string }
interface Panel { title: string; type: string; id: number; targets?: Target[]; panels?: Panel[]; datasource?: { uid: string } }

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every problem of one panel query against the scrapes; [] when the query only uses what is exported. */
function queryProblems(where: string, target: Target, scrape: Scrape): string[] {
  const problems: string[] = [];
  const q = queryParts(target.expr);
  for (const f of q.functions) if (!FUNCTIONS.has(f)) problems.push(`${where}: unknown function ${f}()`);
  if (q.metrics.length === 0) problems.push(`${where}: no metric in "${target.expr}"`);
  const labelsOf = (metric: string) => scrape.sampled.get(metric) ?? new Set<string>();
  for (const metric of q.metrics) {
    if (!scrape.declared.has(metric)) problems.push(`${where}: ${metric} is exported by no service`);
    // The run below makes every helen_* series the panels read move, refusals and drops included.
    else if (metric.startsWith('helen_') && !scrape.sampled.has(metric)) problems.push(`${where}: ${metric} is declared but had no sample after the test traffic`);
  }
  for (const { metric, labels } of q.matchers) {
    for (const label of labels) {
      if (!TARGET_LABELS.has(label) && !labelsOf(metric).has(label)) problems.push(`${where}: ${metric} has no label ${label}`);
    }
  }
  const available = new Set([...TARGET_LABELS, ...q.metrics.flatMap((m) => [...labelsOf(m)])]);
  for (const label of q.grouping) if (!available.has(label)) problems.push(`${where}: groups by ${label}, a label of none of ${q.metrics.join(', ')}`);
  // An aggregation keeps only its `by` labels; a legend can print nothing else.
  const aggregated = q.functions.some((f) => ['sum', 'avg', 'max', 'min', 'count', 'topk', 'bottomk', 'quantile', 'stddev'].includes(f));
  const printable = aggregated ? new Set(q.grouping) : available;
  for (const m of (target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
    if (!printable.has(m[1] as string)) problems.push(`${where}: legend prints {{${m[1]}}}, which "${target.expr}" does not keep`);
  }
  return problems;
}

const dashboard = JSON.parse(readFileSync(`${REPO_ROOT}deploy/grafana/helen-dashboard.json`, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: { name: string; type: string }[] } };
const queries = allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t, i) => ({ where: `panel "${p.title}" query ${i + 1}`, target: t, panel: p })));

describe('PromQL reading used by the dashboard check', () => {
  it('finds metrics, functions, matchers and grouping labels, and ignores label values, ranges and Grafana variables', () => {
    expect(queryParts('histogram_quantile(0.95, sum by (le, hop) (rate(helen_edge_hop_duration_seconds_bucket{hop!="x y"}[$__rate_interval])))')).toEqual({
      metrics: ['helen_edge_hop_duration_seconds_bucket'],
      functions: ['histogram_quantile', 'sum', 'rate'],
      matchers: [{ metric: 'helen_edge_hop_duration_seconds_bucket', labels: ['hop'] }],
      grouping: ['le', 'hop'],
    });
    expect(queryParts('sum(rate(a_total[5m])) / sum(rate(b_total{job=~"helen-.*"}[1m])) > 0').metrics).toEqual(['a_total', 'b_total']);
  });

  it('reports a misspelled metric, a missing label and a legend label the aggregation drops', () => {
    const scrape: Scrape = { declared: new Set(['helen_x_total']), sampled: new Map([['helen_x_total', new Set(['outcome'])]]) };
    expect(queryProblems('p', { expr: 'sum by (outcome) (rate(helen_x_total[5m]))', legendFormat: '{{outcome}}' }, scrape)).toEqual([]);
    expect(queryProblems('p', { expr: 'rate(helen_y_total[5m])' }, scrape)).toEqual(['p: helen_y_total is exported by no service']);
    expect(queryProblems('p', { expr: 'rate(helen_x_total{reason="a"}[5m])' }, scrape)).toEqual(['p: helen_x_total has no label reason']);
    expect(queryProblems('p', { expr: 'sum(rate(helen_x_total[5m]))', legendFormat: '{{outcome}}' }, scrape)).toHaveLength(1);
  });
});

describe('Grafana dashboard against the services\' /metrics', () => {
  let broker: HelenBroker;
  let worker: Worker;
  let api: Api;
  let edge: Edge;
  const scrape: Scrape = { declared: new Set(), sampled: new Map() };
  const texts: Record<string, string> = {};

  beforeAll(async () => {
    // The shipped ACL with one device user, anonymous clients (the services here) allowed:
    // so that a publish the ACL refuses can be dropped and counted below.
    const auth = createAuthHooks({
      users: new Map([['pi-other', { name: 'pi-other', role: 'device', hash: await hashPassword('pw') }]]),
      acl: parseAcl(readFileSync(`${REPO_ROOT}broker/acl/helen.acl`, 'utf8')), allowAnonymous: true, log: pino({ level: 'silent' }),
    });
    broker = createBroker({ port: 0, host: '127.0.0.1', metrics: { port: 0 }, hooks: auth });
    auth.countWith(broker.metrics);
    const { tcpPort, metricsPort } = await broker.start();
    const mqttUrl = `mqtt://127.0.0.1:${tcpPort}`;
    worker = createWorker(workerConfigFromEnv({
      HELEN_MQTT_URL: mqttUrl, HELEN_WORKER_HTTP_PORT: '0', HELEN_WORKER_INFERENCE_THREAD: 'main', HELEN_LOG_LEVEL: 'silent',
    }));
    await worker.start();
    api = createApi(apiConfig({ mqtt: { url: mqttUrl }, host: '127.0.0.1', port: 0, logLevel: 'silent' }));
    const apiUrl = (await api.start()).url;
    edge = createEdge(edgeConfigFromEnv({
      HELEN_MQTT_URL: mqttUrl, HELEN_DEVICE_ID: 'pi-metrics', HELEN_EDGE_SOURCE: 'synthetic', HELEN_EDGE_SYNTHETIC_SCRIPT: 'Inicio:2000,idle:1000',
      HELEN_EDGE_SYNTHETIC_LOOP: 'true', HELEN_BACKEND_GESTURE_URL: 'off', HELEN_EDGE_UI_PORT: '0', HELEN_EDGE_METADATA_TIMEOUT: '10',
      HELEN_EDGE_STATS_INTERVAL: '0', HELEN_LOG_LEVEL: 'silent',
    }));
    await edge.start();
    // One refusal, so the broker's refused_total{reason} has a sample: an MQTT 3.1 client id
    // longer than 3.1's 23 characters gets CONNACK 2 (identifier rejected).
    await expect(mqtt.connectAsync(mqttUrl, { protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'x'.repeat(30), reconnectPeriod: 0 }))
      .rejects.toThrow(/identifier rejected/i);
    // And one drop (dropped_total{reason}): a device publishing on another device's topic.
    const device = await mqtt.connectAsync(mqttUrl, { username: 'pi-other', password: 'pw', reconnectPeriod: 0 });
    await device.publishAsync('helen/v1/devices/pi-metrics/gestures', '{}', { qos: 1 });
    await device.endAsync();

    await waitFor('facade /health ok', async () => ((await request(`${apiUrl}/health`)).status === 200 ? true : undefined));
    for (let seed = 0; seed < 5; seed++) expect((await postJson(`${apiUrl}/predict`, { sequence: window(30, 84, seed) })).status).toBe(200);
    expect((await postJson(`${apiUrl}/predict`, { sequence: window(30, 3) })).status).toBe(400);
    await waitFor('edge predictions', () => ((edge.pipeline?.counters.results ?? 0) >= 10 ? true : undefined), 20_000);

    const endpoints = {
      broker: `http://127.0.0.1:${metricsPort}/metrics`,
      worker: `http://127.0.0.1:${worker.httpPort}/metrics`,
      api: `${apiUrl}/metrics`,
      edge: `${edge.ui?.url}/metrics`,
    };
    for (const [part, url] of Object.entries(endpoints)) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type'), url).toMatch(/^text\/plain; version=0\.0\.4/);
      texts[part] = await res.text();
      parseExposition(texts[part], scrape);
    }
  }, 90_000);

  afterAll(async () => {
    await edge?.stop();
    await api?.stop();
    await worker?.stop();
    await broker?.stop();
  });

  it('each service exports its own helen_* metrics and the unprefixed process metrics', () => {
    for (const [part, prefix] of [['broker', 'helen_broker_'], ['worker', 'helen_worker_'], ['api', 'helen_api_'], ['edge', 'helen_edge_']] as const) {
      const text = texts[part] as string;
      expect(text, part).toMatch(new RegExp(`^# TYPE ${prefix}`, 'm'));
      // No service exports another's names (each has its own registry).
      for (const other of ['helen_broker_', 'helen_worker_', 'helen_api_', 'helen_edge_'].filter((p) => p !== prefix)) {
        expect(text, `${part} exports ${other}*`).not.toMatch(new RegExp(`^# TYPE ${other}`, 'm'));
      }
      expect(text, part).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
      expect(text, part).toMatch(/^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);
    }
  });

  it('every panel query uses only exported metrics, labels they carry, and legends those labels allow', () => {
    expect(queries.length).toBeGreaterThan(30);
    const problems = queries.flatMap(({ where, target }) => queryProblems(where, target, scrape));
    expect(problems).toEqual([]);
  });

  it('covers every part, and the traffic of this run shows up in the histograms the panels read', () => {
    const used = new Set(queries.flatMap(({ target }) => queryParts(target.expr).metrics));
    for (const prefix of ['helen_broker_', 'helen_worker_', 'helen_api_', 'helen_edge_', 'process_', 'nodejs_']) {
      expect([...used].some((m) => m.startsWith(prefix)), `no panel reads ${prefix}*`).toBe(true);
    }
    const count = (part: string, line: RegExp) => Number(line.exec(texts[part] as string)?.[1] ?? 0);
    expect(count('api', /^helen_api_predict_duration_seconds_count\{status="200"\} (\d+)$/m)).toBe(5);
    expect(count('worker', /^helen_worker_request_duration_seconds_count (\d+)$/m)).toBeGreaterThanOrEqual(15);
    expect(count('edge', /^helen_edge_hop_duration_seconds_count\{hop="round_trip"\} (\d+)$/m)).toBeGreaterThanOrEqual(10);
  });

  it('is a well-formed dashboard: unique panel ids, every query on the datasource variable', () => {
    const panels = allPanels(dashboard.panels);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    for (const p of panels.filter((x) => x.type !== 'row')) expect(p.datasource?.uid, p.title).toBe('${datasource}');
  });

  it('the Prometheus example scrapes every part under the job names the dashboard selects', () => {
    const config = parseYaml(readFileSync(`${REPO_ROOT}deploy/prometheus/prometheus.yml`, 'utf8')) as { scrape_configs: { job_name: string; metrics_path?: string }[] };
    const jobs = config.scrape_configs.map((c) => c.job_name);
    expect(jobs.sort()).toEqual(['helen-api', 'helen-broker', 'helen-edge', 'helen-worker']);
    for (const c of config.scrape_configs) expect(c.metrics_path ?? '/metrics').toBe('/metrics');
    const jobSelectors = queries.flatMap(({ target }) => [...target.expr.matchAll(/job=~"([^"]+)"/g)].map((m) => new RegExp(`^(?:${m[1]})$`)));
    expect(jobSelectors.length).toBeGreaterThan(0);
    for (const selector of jobSelectors) for (const job of jobs) expect(job).toMatch(selector);
  });
});
