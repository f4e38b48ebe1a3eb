#!/usr/bin/env node
// One `helen` command for every service. TypeScript runs through tsx's loader, so the
// sources are the artefact (no build step to forget); each entry exports
// `main(argv: string[]): Promise<number | void>` and does nothing on import.
import { register } from 'tsx/esm/api';

const commands = {
  stack: ['../stack/src/main.ts', 'embedded broker + one inference worker + HTTP facade (development / single VM)'],
  broker: ['../broker/src/main.ts', 'MQTT broker (aedes) with TCP and WebSocket listeners and shared subscriptions'],
  worker: ['../inference-worker/src/main.ts', 'ONNX inference worker on the shared predict subscription'],
  api: ['../http-api/src/main.ts', 'HTTP facade: /health, /metadata, /predict over MQTT'],
  edge: ['../edge-publisher/src/main.ts', 'Raspberry Pi edge publisher (sources, windows, decisions, sinks); `helen edge record --help` records'],
  monitor: ['../monitor/src/main.ts', 'watch helen/# with binary requests decoded, compact replies and gestures, per-device rates (--json)'],
  models: ['../models/src/cli.ts', 'synthetic recordings, dataset building and model checks'],
};

const [name, ...rest] = process.argv.slice(2);
if (!name || name === '--help' || name === '-h' || !(name in commands)) {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([c, [, d]]) => `  ${c.padEnd(width)}  ${d}`);
  process.stdout.write(`usage: helen <command> [--help]\n\ncommands:\n${lines.join('\n')}\n`);
  process.exit(name && name !== '--help' && name !== '-h' ? 2 : 0);
}

register();
// Started by a supervisor with an IPC channel (the `npm start` stack does this): when that
// channel closes, the supervisor is gone (even by SIGKILL), so stop the way SIGTERM does
// instead of running on as an orphan. unref: the channel alone must not keep us alive.
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
const entry = await import(new URL(commands[name][0], import.meta.url).href);
try {
  const code = await entry.main(rest);
  if (typeof code === 'number') process.exitCode = code;
} catch (err) {
  // ConfigError and other start-up failures: one clear line, no stack trace noise.
  process.stderr.write(`helen ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
