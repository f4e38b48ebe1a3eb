import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BINARY_HEADER_BYTES, encodeRequestBinary, sequenceFromRows } from '../../src/index';

// A doc that drifts from the code is a bug: the README's layout table must match the encoder.
describe('schemas/README.md binary layout', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| (\d+)\s+\| (\d+)\s+\|/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);

  it('lists contiguous fixed-size header fields ending at the header size', () => {
    expect(rows.length).toBeGreaterThan(5);
    let next = 0;
    for (const [offset, size] of rows) {
      expect(offset).toBe(next);
      next = offset + size;
    }
    expect(next).toBe(BINARY_HEADER_BYTES);
    expect(readme).toContain(`| ${BINARY_HEADER_BYTES}     | idLen`);
  });

  it('states the sizes the bench measures within rounding', () => {
    const seq = sequenceFromRows(Array.from({ length: 30 }, () => new Array(84).fill(0.5)), Array.from({ length: 30 }, () => [1, 1]));
    const f = { id: '01JD7Y0Z8Q9M2W3X4Y5Z6A7B8C', reply_to: 'helen/v1/devices/pi-kitchen/predictions', deadline: 1, trace: { capture: 1732530000000 } };
    expect((encodeRequestBinary(f, seq, 'f16').length / 1000).toFixed(1)).toBe('5.3');
    expect((encodeRequestBinary(f, seq, 'f32').length / 1000).toFixed(1)).toBe('10.4');
    expect(readme).toContain('about 5.3 kB as f16, 10.4 kB as f32');
  });
});
