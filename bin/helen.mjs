#!/usr/bin/env node
// One `helen` command for every service; each entry exports
// `main(argv: string[]): Promise<number | void>` and does nothing on import.
//
// What runs: the compiled bundle dist/<command>.cjs (`npm run build`) when it is newer than
// every source file, else the TypeScript sources through tsx's loader, so an edited checkout
// never runs stale code. HELEN_RUN_FROM=src forces the sources, =dist requires the bundle.
import { createRequire } from 'node:module';
import { COMMANDS } from './commands.mjs';
import { pickEntry } from './pick-entry.mjs';

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || !(name in COMMANDS)) {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([c, [, d]]) => `  ${c.padEnd(width)}  ${d}`);
  process.stdout.write(`usage: helen <command> [--help]\n\ncommands:\n${lines.join('\n')}\n`);
  process.exit(name && name !== '--help' && name !== '-h' ? 2 : 0);
}

let picked;
try {
  picked = pickEntry(name, process.env.HELEN_RUN_FROM);
} catch (err) {
  process.stderr.write(`helen ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
if (picked.note) process.stderr.write(`helen ${name}: ${picked.note}\n`);
// Started by a supervisor with an IPC channel (the `npm start` stack does this): when that
// channel closes, the supervisor is gone (even by SIGKILL), so stop the way SIGTERM does
// instead of running on as an orphan. unref: the channel alone must not keep us alive.
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
let entry;
if (picked.bundle) {
  entry = createRequire(import.meta.url)(picked.bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  entry = await import(new URL(COMMANDS[name][0], import.meta.url).href);
}
try {
  const code = await entry.main(rest);
  if (typeof code === 'number') process.exitCode = code;
} catch (err) {
  // ConfigError and other start-up failures: one clear line, no stack trace noise.
  process.stderr.write(`helen ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
