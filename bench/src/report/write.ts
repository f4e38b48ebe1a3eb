import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults } from '../results';
import { latencyChart, throughputChart } from './charts';
import { renderReport } from './markdown';

/** latest.json (machine-readable), latest.md and its two SVG charts; returns the paths written. */
export async function writeReport(dir: string, results: BenchResults): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ['latest.json', `${JSON.stringify(results, null, 2)}\n`],
    ['latest.md', renderReport(results)],
    ['latency.svg', latencyChart(results)],
    ['throughput.svg', throughputChart(results)],
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}
