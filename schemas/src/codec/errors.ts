/**
 * A payload that cannot be decoded or a sequence that cannot be encoded. `id` / `reply_to`
 * are set when they could still be read, so a worker can send an error reply to the caller.
 */
export class WireError extends Error {
  readonly code = 'invalid_request' as const;
  readonly id: string | undefined;
  readonly reply_to: string | undefined;

  constructor(message: string, ids: { id?: string | undefined; reply_to?: string | undefined } = {}) {
    super(message);
    this.name = 'WireError';
    this.id = ids.id;
    this.reply_to = ids.reply_to;
  }
}
