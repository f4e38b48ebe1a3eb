import type { GestureEvent } from '@helen/schemas';

/** Where a gesture event goes. `send` returns at once: a sink never blocks the pipeline. */
export interface GestureSink {
  readonly name: string;
  send(event: GestureEvent): void;
  stop?(): Promise<void>;
}
