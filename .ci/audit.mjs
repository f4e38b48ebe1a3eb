#!/usr/bin/env node
// CI step (issue 14): `npm audit --omit=dev` summary. Fails on high or critical advisories in
// production dependencies. Where the advisory service cannot be reached (this project's build
// machines reach only the registry's package endpoints), it says so and checks nothing; then
// `npm outdated` at least shows which production dependencies lag their latest release.
import { spawnSync } from 'node:child_process';

const run = (args) => spawnSync('npm', args, { encoding: 'utf8', timeout: 120_000 });
const audit = run(['audit', '--omit=dev', '--json']);
let report;
try {
  report = JSON.parse(audit.stdout);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (counts) {
  const line = Object.entries(counts).map(([level, n]) => `${level} ${n}`).join(', ');
  console.log(`npm audit --omit=dev: ${line}`);
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    if (v.severity === 'high' || v.severity === 'critical') console.log(`  ${v.severity}: ${name} (${v.range})`);
  }
  process.exitCode = (counts.high ?? 0) + (counts.critical ?? 0) > 0 ? 1 : 0;
} else {
  const why = report?.message ?? report?.error?.summary ?? (audit.stderr.trim().split('\n').pop() || 'no answer');
  console.log(`npm audit --omit=dev: the advisory service could not be reached (${why}); nothing was checked`);
  const outdated = run(['outdated', '--omit=dev', '--json', '--workspaces', '--include-workspace-root']);
  let lagging = {};
  try {
    lagging = JSON.parse(outdated.stdout || '{}');
  } catch { /* printed below as none */ }
  const names = Object.keys(lagging);
  console.log(`npm outdated --omit=dev: ${names.length === 0 ? 'every production dependency is at its wanted version or newer' : names.map((n) => {
    const e = Array.isArray(lagging[n]) ? lagging[n][0] : lagging[n];
    return `${n} ${e.current ?? '?'} (latest ${e.latest})`;
  }).join(', ')}`);
}
