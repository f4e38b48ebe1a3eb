/**
 * Which workers are online, from their retained status topics (and last wills). A worker
 * that is `draining` takes no new work, so only `online` counts.
 */
import { validateStatusMessage } from '@helen/schemas';

export type WorkerState = 'online' | 'offline' | 'draining';

export class WorkerTracker {
  private readonly states = new Map<string, WorkerState>();

  /** Applies one status message; returns the previous and new online counts. */
  update(workerId: string, payload: Uint8Array): { before: number; after: number; wentOffline: boolean } {
    const before = this.online();
    const prev = this.states.get(workerId);
    const next = parseState(payload);
    if (next === undefined) this.states.delete(workerId);
    else this.states.set(workerId, next);
    const wentOffline = prev === 'online' && next !== 'online';
    return { before, after: this.online(), wentOffline };
  }

  online(): number {
    let n = 0;
    for (const s of this.states.values()) if (s === 'online') n++;
    return n;
  }

  onlineIds(): string[] {
    return [...this.states].filter(([, s]) => s === 'online').map(([id]) => id);
  }

  /** After a lost connection the retained statuses are re-sent on resubscribe. */
  clear(): void {
    this.states.clear();
  }
}

/** Empty payload (a cleared retained message) or anything unreadable counts as gone. */
function parseState(payload: Uint8Array): WorkerState | undefined {
  if (payload.length === 0) return undefined;
  try {
    const checked = validateStatusMessage(JSON.parse(Buffer.from(payload).toString('utf8')));
    return checked.ok ? checked.value.state : undefined;
  } catch {
    return undefined;
  }
}
