/**
 * V8 flags every long-running helen service starts with (the `npm start` supervisor, the
 * Dockerfile's ENTRYPOINT, the systemd units and the bench pass them the same way).
 *
 * --max-semi-space-size=2 (MB): V8 lets the young generation grow to 3 x 16 MB under load and
 * keeps it; a request's garbage (a 25 KB JSON body parsed, a 5 KB message decoded) dies young
 * either way, so a small nursery costs more frequent but shorter scavenges and saves ~20-30 MB
 * of RSS per process after load (bench/README.md "Memory").
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
