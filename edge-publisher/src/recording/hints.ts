/**
 * One-line descriptions of the signs for the guided recorder, read off the synthetic signer's
 * poses (which fingers are out, how the thumb sits, how the hand turns and moves), so the
 * prompt and the training data's stand-in signs can never disagree.
 */
import { CLASS_LABELS, type ClassLabel } from '@helen/schemas';
import { CLASS_POSES, type PoseSpec } from '@helen/synthetic-signer';

type Finger = PoseSpec['angles']['fingers'][number];
type Thumb = PoseSpec['angles']['thumb'];
const FINGER_NAMES = ['index', 'middle', 'ring', 'pinky'] as const;

/** Angle bands (degrees) that separate the generator's finger shapes: straight, hooked, bent flat, folded, rounded. */
function fingerShape(f: Finger): 'up' | 'hooked' | 'bent' | 'folded' | 'rounded' {
  if (f.mcp <= 10 && f.pip <= 10) return 'up';
  if (f.mcp < 30 && f.pip >= 70) return 'hooked';
  if (f.mcp >= 70 && f.pip < 20) return 'bent';
  if (f.mcp >= 70 && f.pip >= 70) return 'folded';
  return 'rounded';
}

function thumbShape(t: Thumb): string {
  if (t.oppose >= 55) return 'thumb folded in';
  if (t.spread >= 45) return 'thumb out';
  if (t.spread >= 30) return 'thumb curved';
  if (t.spread < 0) return 'thumb straight up';
  return 'thumb alongside';
}

const list = (names: readonly string[]): string =>
  names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] as string}`;

function handDescription(p: PoseSpec): string {
  const shapes = p.angles.fingers.map(fingerShape);
  const named = (s: string) => FINGER_NAMES.filter((_, i) => shapes[i] === s);
  const parts: string[] = [];
  const up = named('up');
  if (up.length === 4) parts.push('all fingers up');
  else if (up.length > 0) {
    const [index, middle] = p.angles.fingers;
    let how = 'up';
    if (up.length === 2 && up[0] === 'index' && up[1] === 'middle' && index && middle) {
      // Abduction: negative spreads towards the thumb side; the middle finger left of the index means crossed.
      if (index.abd > middle.abd) how = 'crossed';
      else if (middle.abd - index.abd >= 20) how = 'up in a V';
      else if (middle.abd - index.abd <= 4) how = 'up together';
    }
    parts.push(`${list(up)} ${how}`);
  }
  for (const shape of ['hooked', 'bent', 'rounded'] as const) {
    const fingers = named(shape);
    if (fingers.length === 4) parts.push(`all fingers ${shape}`);
    else if (fingers.length > 0) parts.push(`${list(fingers)} ${shape}`);
  }
  if (named('folded').length === 4) parts.push('fist');
  parts.push(p.pinch ? 'thumb tip on index tip' : thumbShape(p.angles.thumb));
  if ((p.roll ?? 0) >= 60) parts.push('hand turned sideways');
  if ((p.yaw ?? 0) >= 30) parts.push('palm turned to the side');
  return parts.join(', ');
}

const MOTIONS: Record<string, string> = { swipe: 'swipe side to side', shake: 'shake the hand', push: 'push forward' };

export function signHint(label: string): string {
  if (label === 'idle') return 'no sign: hands resting or moving naturally';
  if (label === 'none') return 'no sign: hands out of view';
  if (!(CLASS_LABELS as readonly string[]).includes(label)) return '';
  const pose = CLASS_POSES[label as ClassLabel];
  const parts = [handDescription(pose)];
  if (pose.partner) parts.push(`other hand: ${handDescription(pose.partner)}, across it`);
  if (pose.motion && pose.motion !== 'none') parts.push(MOTIONS[pose.motion] ?? pose.motion);
  return parts.join('; ');
}
