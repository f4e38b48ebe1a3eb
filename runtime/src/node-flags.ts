/**
 * V8 flags a long-running helen service starts with, per command (the `npm start` supervisor,
 * the systemd units, docker-compose's NODE_OPTIONS and the bench pass the same ones).
 *
 * --max-semi-space-size=2 (MB) for the broker, the workers and the edge: V8 lets the young
 * generation grow to 2 x 16 MB under load and keeps it, while their per-message garbage (a 5 KB
 * request decoded, a reply encoded) dies within a millisecond either way. Measured with
 * `npm run bench` (bench/README.md "Memory"): broker 82 -> 73 MB idle and 121 -> 92 MB after
 * load, worker 201 -> 171 MB after load, same throughput within noise.
 *
 * Not for the facade (`api`): a /predict holds its parsed 25 KB body for the whole round trip
 * (tens of ms under load), longer than a 2 MB nursery takes to fill, so bodies get promoted
 * and the old generation grows instead: after load 126 -> 156-174 MB and +13-30 % CPU per
 * request in the same A/B runs.
 */
const SMALL_NURSERY = ['--max-semi-space-size=2'] as const;

export function nodeFlagsFor(command: string): readonly string[] {
  return command === 'api' ? [] : SMALL_NURSERY;
}
