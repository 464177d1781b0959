import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/env.js';
import { JiraUserLookups, type JiraUserDetails } from './user-lookups.js';

const hidden: JiraUserDetails = { emailAddress: null, displayName: 'Ann', timeZone: 'UTC', locale: 'de_DE' };

describe('JiraUserLookups', () => {
  it('asks once per account, remembers "email hidden" and "no such user", and shares concurrent misses', async () => {
    const asked: string[] = [];
    const lookups = new JiraUserLookups(async (id) => (asked.push(id), id === 'gone' ? null : hidden));
    await Promise.all([lookups.get('a'), lookups.get('a'), lookups.get('a')]);
    expect(await lookups.get('a')).toEqual(hidden);
    expect(await lookups.get('gone')).toBeNull();
    expect(await lookups.get('gone')).toBeNull();
    expect(asked).toEqual(['a', 'gone']);
    expect(lookups.peek('a')).toEqual(hidden);
    expect(lookups.peek('never-asked')).toBeUndefined();
  });

  it('forgets after the TTL, keeps at most `max` accounts, and does not remember failures', async () => {
    let calls = 0;
    let fail = true;
    const lookups = new JiraUserLookups(
      async () => {
        calls++;
        if (fail) throw new Error('HTTP 500');
        return hidden;
      },
      { ttlMs: 100, max: 3 },
    );
    await expect(lookups.get('x')).rejects.toThrow('HTTP 500');
    fail = false;
    await lookups.get('x');
    expect(calls).toBe(2);
    for (const id of ['b', 'c', 'd', 'e']) await lookups.get(id);
    expect(lookups.size).toBe(3);
    await lookups.get('e');
    expect(calls).toBe(6);
    await waitFor('the entry to expire', () => lookups.peek('e') === undefined, 2_000, 20);
    await lookups.get('e');
    expect(calls).toBe(7);
  });
});
