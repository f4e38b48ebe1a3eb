/**
 * What one `npm run bench` run measures, as written to reports/bench/latest.json. Times are
 * milliseconds, sizes bytes, memory MB. Every phase fills its own part; the report and the
 * README tables are generated from this object only.
 */
export interface Latency {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  mean: number;
  max: number;
}

/** In-process ONNX Runtime: the floor nothing over a network can beat. */
export interface FloorResult {
  intraOpThreads: number;
  batch1: Latency;
  /** Windows per second at each batch size (8, 32, 128). */
  throughput: { batch: number; windowsPerSec: number }[];
}

export type Encoding = 'json' | 'f32' | 'f16';

/** A closed-loop MQTT requester at one concurrency against broker + worker processes. */
export interface MqttResult {
  encoding: Encoding;
  /** Payload bytes of one request on the wire (the MQTT message body). */
  requestBytes: number;
  concurrency: number;
  latency: Latency;
  /** Of each round trip, the time inside the worker (receipt to reply); absent in older reports. */
  workerLatency?: Latency;
  /** Of the worker's share, the model run of the reply's batch; absent in older reports. */
  modelLatency?: Latency;
  requestsPerSec: number;
  errors: number;
}

/** One HTTP load run (wrk, its own process) against a /predict endpoint. */
export interface HttpResult {
  target: 'facade' | 'baseline';
  concurrency: number;
  latency: Latency;
  requestsPerSec: number;
  /** Non-2xx answers plus socket errors and timeouts. */
  errors: number;
  durationSec: number;
}

export interface WorkersResult {
  workers: number;
  concurrency: number;
  requestsPerSec: number;
  latency: Latency;
}

export interface MemoryResult {
  process: 'broker' | 'worker' | 'facade' | 'edge' | 'baseline';
  /** e.g. "idle", "after load", "100 devices connected". */
  when: string;
  rssMb: number;
}

/** `helen broker` from the TypeScript sources (tsx) against the compiled bundle: medians over rounds. */
export interface RuntimeResult {
  runFrom: 'src' | 'dist';
  rounds: number;
  /** Spawn to MQTT port open. */
  startMs: number;
  /** Idle, 2 s after start. */
  rssMb: number;
}

export interface CpuResult {
  process: string;
  /** CPU milliseconds (user + system) spent per 1,000 predictions during a load run. */
  msPer1000: number;
}

export interface BenchResults {
  meta: {
    date: string;
    commit: string;
    node: string;
    cpus: number;
    cpuModel: string;
    modelId: string;
    quick: boolean;
    /** What the services ran: the TypeScript sources through tsx, or the `npm run build` bundles. */
    services: 'src' | 'dist';
    /** 1-minute load average when the run started and ended. */
    load: [number, number];
    seconds: number;
  };
  floor: FloorResult[];
  mqtt: MqttResult[];
  http: HttpResult[];
  workers: WorkersResult[];
  /** The worker's helen_worker_batch_size histogram during the saturated MQTT run (bucket upper bound -> batches). */
  batchSizes: { le: string; count: number }[];
  memory: MemoryResult[];
  cpu: CpuResult[];
  runtime: RuntimeResult[];
  /** Request body of the same window: original JSON vs f16 binary (the issue's <= 11 % target). */
  requestSizes: { encoding: Encoding | 'http-json'; bytes: number }[];
  /** Latency at fixed percentiles per run, for the distribution chart (label e.g. "facade c=1"). */
  curves: { label: string; points: { p: number; ms: number }[] }[];
  /** Anything a phase could not measure, with why (a missing tool, a failure). */
  notes: string[];
}
