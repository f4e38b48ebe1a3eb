/**
 * A 21-point hand in MediaPipe's layout (wrist 0, thumb 1-4, index 5-8, middle 9-12,
 * ring 13-16, pinky 17-20), built by forward kinematics from joint angles, so every frame
 * keeps real bone proportions whatever the pose.
 *
 * Hand frame (a right hand, palm towards the camera, as MediaPipe sees it in a mirrored
 * selfie image): x to the image right (the thumb is on the -x side), y up, z out of the palm
 * towards the camera. Lengths are in units of the palm length (wrist to middle MCP, about
 * 9 cm on an adult hand).
 */
export type Vec3 = [number, number, number];

/** Bone lengths in palm lengths, from adult phalanx and metacarpal means (index..pinky). */
export const FINGER_BONES: readonly (readonly [number, number, number])[] = [
  [0.44, 0.26, 0.2], // index: proximal, middle, distal
  [0.5, 0.31, 0.21], // middle
  [0.47, 0.3, 0.21], // ring
  [0.37, 0.21, 0.19], // pinky
];
/** Thumb: CMC->MCP (metacarpal), MCP->IP (proximal phalanx), IP->tip (distal phalanx). */
export const THUMB_BONES = [0.45, 0.34, 0.27] as const;

/** MCP joints (landmarks 5, 9, 13, 17) and the thumb CMC (landmark 1) in the hand frame. */
const MCP: readonly Vec3[] = [[-0.27, 0.95, 0.0], [0, 1, 0], [0.22, 0.94, 0.01], [0.42, 0.84, 0.03]];
const THUMB_CMC: Vec3 = [-0.27, 0.3, 0.06];
/** Resting splay of each finger from +y towards the pinky side, degrees. */
const FINGER_SPLAY = [-7, 0, 7, 15];

/** Joint angles in degrees. Flexion curls towards the palm (the camera side). */
export interface FingerAngles { mcp: number; abd: number; pip: number; dip: number }
export interface ThumbAngles {
  /** Metacarpal swing away from the index in the palm plane. */
  spread: number;
  /** Metacarpal rotation out of the palm plane towards the camera (opposition). */
  oppose: number;
  mcp: number;
  ip: number;
}
export interface HandAngles { fingers: [FingerAngles, FingerAngles, FingerAngles, FingerAngles]; thumb: ThumbAngles }

/** Physiological ranges used to clamp every generated angle. */
export const RANGES = {
  mcp: [-15, 95], abd: [-20, 20], pip: [0, 115], dip: [-5, 85],
  spread: [-10, 75], oppose: [-10, 85], thumbMcp: [-10, 65], ip: [-15, 85],
} as const;

const RAD = Math.PI / 180;
const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, v));

export function clampAngles(a: HandAngles): HandAngles {
  return {
    fingers: a.fingers.map((f) => ({
      mcp: clamp(f.mcp, RANGES.mcp), abd: clamp(f.abd, RANGES.abd),
      pip: clamp(f.pip, RANGES.pip), dip: clamp(f.dip, RANGES.dip),
    })) as HandAngles['fingers'],
    thumb: {
      spread: clamp(a.thumb.spread, RANGES.spread), oppose: clamp(a.thumb.oppose, RANGES.oppose),
      mcp: clamp(a.thumb.mcp, RANGES.thumbMcp), ip: clamp(a.thumb.ip, RANGES.ip),
    },
  };
}

export const add = (a: Vec3, b: Vec3, k = 1): Vec3 => [a[0] + k * b[0], a[1] + k * b[1], a[2] + k * b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const dist = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** Rodrigues rotation of v about the unit axis k. */
function rotate(v: Vec3, k: Vec3, deg: number): Vec3 {
  const c = Math.cos(deg * RAD);
  const s = Math.sin(deg * RAD);
  const kxv = cross(k, v);
  const kdv = dot(k, v) * (1 - c);
  return [v[0] * c + kxv[0] * s + k[0] * kdv, v[1] * c + kxv[1] * s + k[1] * kdv, v[2] * c + kxv[2] * s + k[2] * kdv];
}

/** The 21 joints in the hand frame for the given angles (no rotation, no noise). */
export function handSkeleton(angles: HandAngles): Vec3[] {
  const pts: Vec3[] = new Array<Vec3>(21);
  pts[0] = [0, 0, 0];
  angles.fingers.forEach((f, i) => {
    const splay = ((FINGER_SPLAY[i] ?? 0) + f.abd) * RAD;
    const dir0: Vec3 = [Math.sin(splay), Math.cos(splay), 0];
    // All three flexions of a finger happen in the plane of its direction and the palm normal.
    const at = (deg: number): Vec3 => {
      const t = deg * RAD;
      return [dir0[0] * Math.cos(t), dir0[1] * Math.cos(t), Math.sin(t)];
    };
    const bones = FINGER_BONES[i] ?? [0, 0, 0];
    const base = 5 + 4 * i;
    const mcp = MCP[i] ?? [0, 0, 0];
    pts[base] = mcp;
    pts[base + 1] = add(mcp, at(f.mcp), bones[0]);
    pts[base + 2] = add(pts[base + 1] as Vec3, at(f.mcp + f.pip), bones[1]);
    pts[base + 3] = add(pts[base + 2] as Vec3, at(f.mcp + f.pip + f.dip), bones[2]);
  });
  const t = angles.thumb;
  // Neutral thumb metacarpal points 25 degrees towards the thumb side of the palm's long axis.
  const a = (25 + t.spread) * RAD;
  const o = t.oppose * RAD;
  const meta: Vec3 = [-Math.sin(a) * Math.cos(o), Math.cos(a) * Math.cos(o), Math.sin(o)];
  // Thumb flexion curls across the front of the palm towards the pinky side.
  const axis = normalize(cross(meta, normalize([1, 0.15, 0.55])));
  pts[1] = THUMB_CMC;
  pts[2] = add(THUMB_CMC, meta, THUMB_BONES[0]);
  pts[3] = add(pts[2], rotate(meta, axis, t.mcp), THUMB_BONES[1]);
  pts[4] = add(pts[3], rotate(meta, axis, t.mcp + t.ip), THUMB_BONES[2]);
  return pts;
}

/** Rotates points about the wrist: roll (in the image plane), pitch (about x), yaw (about y). */
export function orient(points: Vec3[], rollDeg: number, pitchDeg: number, yawDeg: number): Vec3[] {
  const [cr, sr] = [Math.cos(rollDeg * RAD), Math.sin(rollDeg * RAD)];
  const [cp, sp] = [Math.cos(pitchDeg * RAD), Math.sin(pitchDeg * RAD)];
  const [cy, sy] = [Math.cos(yawDeg * RAD), Math.sin(yawDeg * RAD)];
  return points.map(([x0, y0, z0]) => {
    // yaw (about y), then pitch (about x), then roll (about z): R = Rz * Rx * Ry.
    const x1 = x0 * cy + z0 * sy;
    const z1 = -x0 * sy + z0 * cy;
    const y2 = y0 * cp - z1 * sp;
    const z2 = y0 * sp + z1 * cp;
    return [x1 * cr - y2 * sr, x1 * sr + y2 * cr, z2];
  });
}

/**
 * Small numeric inverse kinematics: moves the thumb (and, if it cannot reach, the index)
 * until the thumb tip meets the index tip, for pinch poses (`0`, `Foco`). Coordinate
 * descent with shrinking steps, always inside RANGES, so the result stays anatomical.
 */
export function solvePinch(start: HandAngles, gap = 0.03): HandAngles {
  let best = clampAngles(structuredClone(start));
  const cost = (a: HandAngles) => {
    const p = handSkeleton(a);
    return Math.abs(dist(p[4] as Vec3, p[8] as Vec3) - gap);
  };
  let bestCost = cost(best);
  const knobs: ((a: HandAngles, d: number) => void)[] = [
    (a, d) => { a.thumb.spread += d; }, (a, d) => { a.thumb.oppose += d; },
    (a, d) => { a.thumb.mcp += d; }, (a, d) => { a.thumb.ip += d; },
    (a, d) => { a.fingers[0].mcp += d; }, (a, d) => { a.fingers[0].pip += d; },
  ];
  for (const step of [8, 4, 2, 1, 0.5]) {
    for (let round = 0; round < 12; round++) {
      let improved = false;
      for (const knob of knobs) {
        for (const d of [step, -step]) {
          const cand = structuredClone(best);
          knob(cand, d);
          const clamped = clampAngles(cand);
          const c = cost(clamped);
          if (c < bestCost - 1e-6) { best = clamped; bestCost = c; improved = true; }
        }
      }
      if (!improved) break;
    }
  }
  return best;
}
