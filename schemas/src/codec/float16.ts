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

// Reads a double's exponent bits directly: exact, and much faster than Math.log2.
const f64 = new Float64Array(1);
const f64Hi = new Uint32Array(f64.buffer, new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 4 : 0, 1);
// 2^(10-e) for e in [-14, 15].
const SCALE: number[] = [];
for (let e = -14; e <= 15; e++) SCALE[e + 14] = 2 ** (10 - e);

export function float32ToFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= FLOAT16_OVERFLOW_THRESHOLD) return sign | 0x7c00; // includes Infinity
  if (a < FLOAT16_MIN_NORMAL) {
    // Subnormal (or zero): units of 2^-24. A result of 1024 is exactly the smallest normal's bits.
    return sign | roundHalfEven(a * 2 ** 24);
  }
  f64[0] = a;
  const e = (((f64Hi[0] as number) >>> 20) & 0x7ff) - 1023; // a is normal in float64 here
  const m = roundHalfEven(a * (SCALE[e + 14] as number)); // in [1024, 2048]
  // m === 2048 carries into the exponent, which the addition does by itself.
  return sign | (((e + 15) << 10) + (m - 1024));
}

let decodeTable: Float32Array | undefined;

/** Exact value of binary16 bits `h` (0..0xffff), via a 256 KiB table built on first use. */
export function float16BitsToFloat32(h: number): number {
  decodeTable ??= buildDecodeTable();
  return decodeTable[h & 0xffff] as number;
}

function buildDecodeTable(): Float32Array {
  const t = new Float32Array(0x10000);
  for (let h = 0; h < 0x10000; h++) t[h] = float16Value(h);
  return t;
}

function float16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}
