/**
 * Where the CPU goes: self time per function and per package in V8 CPU profiles, the ones
 * `npm run bench -- --profile DIR` writes (one folder per service, one .cpuprofile per thread).
 *
 *   npx tsx bench/src/profile-summary.ts DIR [--top 25] [--per 1000]
 *
 * `--per N`: also prints each row as microseconds per request, for N requests served while
 * the profile ran (read it off the report's wrk rows). Idle time is left out of the shares.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame }
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface SelfTime {
  /** Microseconds of samples, idle excluded. */
  busyUs: number;
  idleUs: number;
  byFunction: Map<string, number>;
  byArea: Map<string, number>;
}

/** The package (node_modules), Node internal module, bundle or source file a frame belongs to. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const bundle = /\/dist\/([\w-]+)\.cjs$/.exec(url);
  if (bundle) return `dist/${bundle[1] as string}`;
  // A source file of this repository: the path from the top folder (broker/src/...).
  return url.replace(/^file:\/\//, '').replace(/^.*?\/((?:broker|inference-worker|edge-publisher|http-api|schemas|features|runtime|model-runtime|bench)\/)/, '$1');
}

export function selfTime(profile: CpuProfile): SelfTime {
  const us = new Map<number, number>();
  profile.samples.forEach((id, i) => us.set(id, (us.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const out: SelfTime = { busyUs: 0, idleUs: 0, byFunction: new Map(), byArea: new Map() };
  for (const node of profile.nodes) {
    const t = us.get(node.id) ?? 0;
    if (t === 0) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') { out.idleUs += t; continue; }
    out.busyUs += t;
    const area = areaOf(cf);
    const fn = `${cf.functionName || '(anonymous)'} (${area}${cf.url ? `:${cf.lineNumber + 1}` : ''})`;
    out.byFunction.set(fn, (out.byFunction.get(fn) ?? 0) + t);
    out.byArea.set(area, (out.byArea.get(area) ?? 0) + t);
  }
  return out;
}

function profilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return profilesUnder(path);
    return name.endsWith('.cpuprofile') ? [path] : [];
  }).sort();
}

function table(rows: Map<string, number>, busyUs: number, top: number, per: number | undefined): string {
  return [...rows].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, t]) => {
    const share = `${((100 * t) / busyUs).toFixed(1)}%`.padStart(6);
    const perRequest = per ? `${(t / per).toFixed(1).padStart(7)} us/req` : '';
    return `${share} ${(t / 1000).toFixed(0).padStart(7)} ms ${perRequest}  ${name}`;
  }).join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, per: { type: 'string' } } });
  const dir = positionals[0];
  if (!dir) {
    console.error('usage: profile-summary.ts DIR [--top N] [--per REQUESTS]');
    process.exit(2);
  }
  const top = Number(values.top);
  const per = values.per === undefined ? undefined : Number(values.per);
  for (const file of profilesUnder(dir)) {
    const s = selfTime(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    if (s.busyUs < 50_000) continue; // a helper thread that only started up (tsx's loader, an idle pool)
    console.log(`\n## ${relative(dir, file)}: ${(s.busyUs / 1000).toFixed(0)} ms busy, ${(s.idleUs / 1000).toFixed(0)} ms idle`);
    console.log(`\nby package or file\n${table(s.byArea, s.busyUs, top, per)}\n\nby function\n${table(s.byFunction, s.busyUs, top, per)}`);
  }
}
