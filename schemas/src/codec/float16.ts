/**
 * IEEE 754 binary16 conversion, exact for any JS number (no double rounding through
 * float32): round to nearest, ties to even; subnormals down to 2^-24; NaN -> 0x7e00.
 * A finite input whose magnitude rounds past 65504 (|x| >= 65520) gives Infinity bits,
 * as IEEE says; the request encoder refuses such values (see `float16Overflows`).
 */

export const FLOAT16_MAX = 65504;
/** Smallest magnitude that rounds to Infinity in binary16 (65504 + half an ulp of 32). */
export const FLOAT16_OVERFLOW_THRESHOLD = 65520;
export const FLOAT16_MIN_SUBNORMAL = 2 ** -24;
export const FLOAT16_MIN_NORMAL = 2 ** -14;

function roundHalfEven(y: number): number {
  const f = Math.floor(y);
  const d = y - f; // exact: y < 2^12 here
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** True when a finite `x` would become ±Infinity in binary16. */
export function float16Overflows(x: number): boolean {
  return Math.abs(x) >= FLOAT16_OVERFLOW_THRESHOLD;
}

// 2^e for e in [-14, 15] without Math.pow in the hot loop.
const POW2: number[] = [];
for (let e = -14; e <= 15; e++) POW2[e + 14] = 2 ** e;

export function float32ToFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= FLOAT16_OVERFLOW_THRESHOLD) return sign | 0x7c00; // includes Infinity
  if (a < FLOAT16_MIN_NORMAL) {
    // Subnormal (or zero): units of 2^-24. A result of 1024 is exactly the smallest normal's bits.
    return sign | roundHalfEven(a * 2 ** 24);
  }
  let e = Math.floor(Math.log2(a));
  // Math.log2 may be off by one right at powers of two; fix against exact powers.
  if (e > 15) e = 15;
  if (e < -14) e = -14;
  while (e > -14 && (POW2[e + 14] as number) > a) e--;
  while (e < 15 && (POW2[e + 15] as number) <= a) e++;
  const m = roundHalfEven(a * 2 ** (10 - e)); // in [1024, 2048]
  // m === 2048 carries into the exponent, which the addition does by itself.
  return sign | (((e + 15) << 10) + (m - 1024));
}

export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}
