import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MailPace } from '../src/pipeline/mail-pace.js';
import { deleteKeys, REDIS_URL } from './support/env.js';

/** Two processes' paces on one Redis: the sends of both share one budget per second, counted per email. */
describe('MailPace across processes', () => {
  const prefix = `fbtpace${Date.now()}`;
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = new Redis(REDIS_URL);
    b = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeys(a, `${prefix}:*`);
    a.disconnect();
    b.disconnect();
  });

  it('lets 24 sends asked at once by two processes go at 4 per second', async () => {
    const paces = [new MailPace(a, prefix, 4), new MailPace(b, prefix, 4)];
    const at: number[] = [];
    await Promise.all(Array.from({ length: 24 }, (_, i) => paces[i % 2]!.turn().then(() => at.push(Date.now()))));
    at.sort((x, y) => x - y);
    // Six windows of a second each: the last opens at least 5 s after the first.
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(5000);
    for (const t of at) expect(at.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(4 + 4);
  });
});
