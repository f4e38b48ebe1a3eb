/**
 * MQTT round trip against an already running broker + worker(s): one requester process
 * (load/mqtt-requester.ts) per (encoding, concurrency), run one after another.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RequesterArgs, RequesterReport } from '../load/mqtt-requester';
import { REPO_ROOT } from '../procs';
import type { Encoding, MqttResult } from '../results';

const REQUESTER = fileURLToPath(new URL('../load/mqtt-requester.ts', import.meta.url));

/**
 * Runs the requester as its own node process (TypeScript through tsx's loader, like `helen`)
 * and parses the one JSON line it prints. Killed if it outlives its own hard stop.
 */
export function runRequesterProcess(args: RequesterArgs): Promise<RequesterReport> {
  const child = spawn(process.execPath, ['--import', 'tsx', REQUESTER, JSON.stringify(args)], {
    cwd: REPO_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-4000); });
  // The requester stops itself at warm-up + seconds + 10 s; this covers start-up and a stuck exit.
  const kill = setTimeout(() => child.kill('SIGKILL'), (args.warmupSeconds + args.seconds + 30) * 1000);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(kill);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(kill);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`);
        const report = JSON.parse(line) as RequesterReport;
        // JSON has no NaN: an empty run's percentiles come back as null.
        for (const latency of [report.latenciesMs, report.workerMs, report.inferenceMs]) {
          for (const [k, v] of Object.entries(latency)) if (v === null) (latency as unknown as Record<string, number>)[k] = NaN;
        }
        resolve(report);
      } catch (err) {
        reject(new Error(`mqtt requester (${args.encoding}, c=${args.concurrency}) failed: ${(err as Error).message}\n${stderr}`));
      }
    });
  });
}

export function mqttResultOf(encoding: Encoding, concurrency: number, r: RequesterReport): MqttResult {
  return {
    encoding,
    requestBytes: r.requestBytes,
    concurrency,
    latency: r.latenciesMs,
    workerLatency: r.workerMs,
    modelLatency: r.inferenceMs,
    requestsPerSec: r.requests / r.durationSec,
    // Timeouts are failures the same as error replies; the split is in the requester's report.
    errors: r.errors + r.timeouts,
  };
}

export interface MqttPhaseOptions {
  encodings: Encoding[];
  /** Outstanding requests; the issue asks for 1, 8, 64. */
  concurrencies: number[];
  /** Measured seconds per run. */
  seconds: number;
  /** Discarded seconds before each run (default 1). */
  warmupSeconds?: number;
  deviceId?: string;
}

export async function measureMqtt(brokerUrl: string, opts: MqttPhaseOptions): Promise<MqttResult[]> {
  const results: MqttResult[] = [];
  for (const encoding of opts.encodings) {
    for (const concurrency of opts.concurrencies) {
      const report = await runRequesterProcess({
        url: brokerUrl, encoding, concurrency, seconds: opts.seconds, warmupSeconds: opts.warmupSeconds ?? 1, deviceId: opts.deviceId ?? 'bench',
      });
      results.push(mqttResultOf(encoding, concurrency, report));
    }
  }
  return results;
}
