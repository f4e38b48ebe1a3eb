// The `helen` commands: source entry (relative to bin/) and one line of help. Shared by the
// launcher (bin/helen.mjs) and the build (bin/build.mjs).
export const COMMANDS = {
  stack: ['../stack/src/main.ts', 'embedded broker + one inference worker + HTTP facade (development / single VM)'],
  broker: ['../broker/src/main.ts', 'MQTT broker (aedes) with TCP and WebSocket listeners and shared subscriptions'],
  worker: ['../inference-worker/src/main.ts', 'ONNX inference worker on the shared predict subscription'],
  api: ['../http-api/src/main.ts', 'HTTP facade: /health, /metadata, /predict over MQTT'],
  edge: ['../edge-publisher/src/main.ts', 'Raspberry Pi edge publisher (sources, windows, decisions, sinks); `helen edge record --help` records'],
  monitor: ['../monitor/src/main.ts', 'watch helen/# with binary requests decoded, compact replies and gestures, per-device rates (--json)'],
  models: ['../models/src/cli.ts', 'synthetic recordings, dataset building and model checks'],
};