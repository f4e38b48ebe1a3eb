import type { LandmarkFrame } from '@helen/schemas';

/**
 * Where landmark frames come from: a recording (`replay`), the synthetic generator
 * (`synthetic`) or MediaPipe in a Chromium page (`camera`). The pipeline does not care which.
 */
export interface LandmarkSource {
  readonly kind: 'replay' | 'synthetic' | 'camera';
  /** Starts producing frames into `onFrame`; resolves once producing has started. */
  start(onFrame: (frame: LandmarkFrame) => void): Promise<void>;
  /** Stops producing and releases everything it holds (browser, sockets, timers). Idempotent. */
  stop(): Promise<void>;
  /** Resolves when a finite source (a replay) has delivered its last frame; never for live ones. */
  readonly finished: Promise<void>;
}

/**
 * What the edge shows on a debug screen (the camera page renders it). Pushed by the
 * pipeline to any source that can display it.
 */
export interface EdgeDisplayStatus {
  prediction?: { label: string; probability: number; servedBy: 'cloud' | 'edge' | 'http' };
  lastGesture?: { label: string; score: number; at: string };
  broker: 'connected' | 'disconnected' | 'http-mode';
  workersOnline: number | null;
  fallbackActive: boolean;
}

export interface DisplaysStatus {
  showStatus(status: EdgeDisplayStatus): void;
}

export function displaysStatus(source: LandmarkSource): source is LandmarkSource & DisplaysStatus {
  return typeof (source as Partial<DisplaysStatus>).showStatus === 'function';
}
