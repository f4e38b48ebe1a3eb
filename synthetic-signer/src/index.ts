export { createRng, mixSeed, type Rng } from './prng';
export { handSkeleton, FINGER_BONES, THUMB_BONES, RANGES, type HandAngles, type Vec3 } from './hand';
export { CLASS_POSES, type PoseSpec } from './poses';
export type { StepLabel, Side } from './performance';
export { generateRecording, scriptedStream, renderLandmarks, ASPECT, GENERATOR_VERSION, DEFAULT_FPS, type ScriptStep } from './generator';
export { writeRecording, readRecording, parseRecording, RecordingError } from './recording';
