import { defaultCameraConfig, type CameraConfig } from '../../src/camera/config';

/** A named set of camera settings; the baseline is the current defaults. */
export interface Variant {
  name: string;
  overrides: Partial<CameraConfig>;
}

export const BASELINE: Variant = { name: 'default', overrides: {} };

/** What `--preset all` compares against the defaults: one library option each. */
export const PRESETS: Record<string, string> = {
  n1: 'numHands=1',
  n2: 'numHands=2',
  image: 'runningMode=IMAGE',
  track03: 'minTrackingConfidence=0.3',
  det07: 'minDetectionConfidence=0.7,minTrackingConfidence=0.3',
  w320: 'processWidth=320',
  w480: 'processWidth=480',
  worker: 'worker=true',
  rvfc: 'frameSource=video',
  nopreview: 'preview=false',
  probe30: 'probeEvery=30',
};

function parseValue(raw: string): string | number | boolean {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}

/**
 * `name:key=value,key=value` (CameraConfig keys, e.g. `w320:processWidth=320`) or a preset
 * name. Unknown keys are refused, so a typo cannot silently bench the defaults.
 */
export function parseVariant(spec: string): Variant {
  const preset = PRESETS[spec];
  const [name, body] = preset ? [spec, preset] : (spec.includes(':') ? spec.split(/:(.*)/s).slice(0, 2) : [spec, spec]) as [string, string];
  const known = defaultCameraConfig();
  const overrides: Record<string, unknown> = {};
  for (const pair of body.split(',').filter(Boolean)) {
    const [key = '', value = ''] = pair.split('=');
    if (!(key in known)) throw new Error(`variant ${spec}: unknown setting ${key} (one of ${Object.keys(known).join(', ')})`);
    overrides[key] = parseValue(value);
  }
  return { name, overrides: overrides as Partial<CameraConfig> };
}
