// Randomness for sampling, without Math.random(): the draw is a pure function of a key, so a
// retried job for the same closure makes the same sampling decision.

const TWO_POW_32 = 4294967296;

/**
 * Deterministic draw in [0, 1) from a key (e.g. the closure id). FNV-1a 32-bit over the UTF-16
 * code units, then the murmur3 finaliser: plain FNV-1a mixes its last characters poorly, and
 * keys such as `INC0010001`/`INC0010002` differ only at the end.
 */
export function sampleDraw(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / TWO_POW_32;
}

/** mulberry32: a tiny seeded PRNG returning [0, 1), for tests and the simulators. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  };
}
