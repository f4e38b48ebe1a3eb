/**
 * V8 flags a long-running helen service starts with, per command (the `npm start` supervisor,
 * the systemd units, docker-compose's NODE_OPTIONS and the bench pass the same ones).
 *
 * They cap the young generation, which V8 otherwise lets grow to 2 x 16 MB under load and
 * keeps. Measured with `npm run bench` and A/B runs (bench/README.md "Memory"):
 *
 * - --max-semi-space-size=2 (MB) for the broker, the workers and the edge: their per-message
 *   garbage (a 5 KB request decoded, a reply encoded) dies within a millisecond either way.
 *   Broker 82 -> 73 MB idle and 121 -> 92 MB after load, worker 201 -> 171 MB after load,
 *   same throughput within noise.
 * - --max-semi-space-size=8 for the facade (`api`): a /predict holds its parsed 25 KB body
 *   for the whole round trip (tens of ms under load). With 2 MB the nursery fills faster than
 *   that and the bodies get promoted (after load 126 -> 156-174 MB, +13-30 % CPU per request);
 *   8 MB still outlives a round trip: after load 112-116 -> 96-99 MB, same CPU per request.
 */
const SMALL_NURSERY = ['--max-semi-space-size=2'] as const;
const FACADE_NURSERY = ['--max-semi-space-size=8'] as const;

export function nodeFlagsFor(command: string): readonly string[] {
  return command === 'api' ? FACADE_NURSERY : SMALL_NURSERY;
}
