import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float16Overflows, float32ToFloat16Bits, FLOAT16_MAX } from '../../src/index';

const isNaNBits = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

describe('float16', () => {
  it('round-trips every non-NaN bit pattern exactly (including -0 and ±Infinity)', () => {
    for (let h = 0; h <= 0xffff; h++) {
      if (isNaNBits(h)) continue;
      const back = float32ToFloat16Bits(float16BitsToFloat32(h));
      if (back !== h) expect.fail(`0x${h.toString(16)} -> ${float16BitsToFloat32(h)} -> 0x${back.toString(16)}`);
    }
  });

  it('rounds exact midpoints to the even neighbour, and just off a midpoint to the nearer one', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const lo = float16BitsToFloat32(h);
      const hi = float16BitsToFloat32(h + 1);
      const mid = (lo + hi) / 2; // exact in float64
      const even = h % 2 === 0 ? h : h + 1;
      if (float32ToFloat16Bits(mid) !== even) expect.fail(`midpoint of 0x${h.toString(16)} did not round to even`);
      if (float32ToFloat16Bits(-mid) !== (even | 0x8000)) expect.fail(`negative midpoint of 0x${h.toString(16)}`);
      const step = (hi - lo) / 1024;
      if (float32ToFloat16Bits(mid - step) !== h) expect.fail(`below midpoint of 0x${h.toString(16)}`);
      if (float32ToFloat16Bits(mid + step) !== h + 1) expect.fail(`above midpoint of 0x${h.toString(16)}`);
    }
  });

  it('handles the named edge cases', () => {
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(FLOAT16_MAX).toBe(65504);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    // Values between 65504 and the midpoint 65520 round down to max; the midpoint ties to even (Infinity).
    expect(float32ToFloat16Bits(65519.99)).toBe(0x7bff);
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-70000)).toBe(0xfc00);
    expect(float16Overflows(65519.99)).toBe(false);
    expect(float16Overflows(65520)).toBe(true);
    expect(float16Overflows(-65520)).toBe(true);
    // Smallest subnormal 2^-24; half of it ties to even (zero); a bit more rounds up.
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0x0000);
    expect(float32ToFloat16Bits(2 ** -25 * 1.0001)).toBe(0x0001);
    expect(float32ToFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 ulp ties to even 2
    // Largest subnormal rounding up into the smallest normal.
    expect(float32ToFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400);
    expect(float16BitsToFloat32(0x03ff)).toBe(1023 * 2 ** -24);
    // Ties to even around 1 (ulp 2^-10).
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // Signed zero survives.
    expect(float32ToFloat16Bits(-0)).toBe(0x8000);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
    expect(float32ToFloat16Bits(0)).toBe(0);
    // Non-finite.
    expect(float32ToFloat16Bits(Infinity)).toBe(0x7c00);
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(float32ToFloat16Bits(NaN)).toBe(0x7e00);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
    expect(float32ToFloat16Bits(0.1)).toBe(0x2e66);
  });
});
