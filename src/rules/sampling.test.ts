import { describe, expect, it } from 'vitest';
import { sampleDraw, seededRandom } from './sampling.js';

describe('sampleDraw', () => {
  it('is stable for a key and differs between keys', () => {
    expect(sampleDraw('servicenow:INC0010001:2026-03-01T10:00:00Z')).toBe(
      sampleDraw('servicenow:INC0010001:2026-03-01T10:00:00Z'),
    );
    expect(sampleDraw('INC0010001')).not.toBe(sampleDraw('INC0010002'));
  });

  it('pins a known value so the hash cannot change silently (that would re-sample retries)', () => {
    expect(sampleDraw('abc')).toBe(0.1124456962570548);
  });

  it('stays in [0, 1) and is roughly uniform over sequential ticket keys', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const d = sampleDraw(`INC${String(i).padStart(7, '0')}`);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(1);
      buckets[Math.floor(d * 10)]! += 1;
    }
    // 1,000 expected per bucket; ±15 % is > 4 standard deviations.
    for (const b of buckets) expect(Math.abs(b - 1000)).toBeLessThan(150);
  });
});

describe('seededRandom', () => {
  it('repeats for the same seed and differs for another', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
  });

  it('stays in [0, 1) with a mean near 0.5', () => {
    const r = seededRandom(7);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
  });
});
