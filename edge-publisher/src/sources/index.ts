/** Builds the configured source. The camera module (Chromium, MediaPipe) loads only when chosen. */
import type { Logger } from 'pino';
import type { EdgeConfig, EdgeEnvSource } from '../config';
import { ReplaySource } from './replay';
import type { LandmarkSource } from './source';
import { SyntheticSource } from './synthetic';

export interface SourceContext {
  log: Logger;
  /** The raw environment, for the camera's own settings (HELEN_CAMERA_*). */
  env: EdgeEnvSource;
}

export async function createSource(config: EdgeConfig, ctx: SourceContext): Promise<LandmarkSource> {
  const s = config.source;
  switch (s.kind) {
    case 'replay':
      return new ReplaySource({ file: s.replayFile as string, timing: s.replayTiming, loop: s.replayLoop });
    case 'synthetic':
      return new SyntheticSource({ script: s.script, seed: s.seed, fps: s.fps, loop: s.loop, handScale: s.handScale });
    case 'camera': {
      const { CameraSource, cameraConfigFromEnv } = await import('../camera/index');
      return new CameraSource(cameraConfigFromEnv(ctx.env), { logger: ctx.log });
    }
  }
}
