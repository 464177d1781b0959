/** The /sim/faults and /sim/stats routes both simulators share, over real HTTP; ITSM-specific JSON is tested per ITSM. */
import { afterEach, describe, expect, it } from 'vitest';
import { callJson, listeningSims } from './test-support.js';
import { SIMS } from './test-targets.js';

describe.each(SIMS)('$itsm control API: faults and stats', ({ create, probe, authorization }) => {
  const { started, closeAll } = listeningSims(create);
  afterEach(closeAll);

  it('rejects fault settings out of range or unknown with 400 and a message', async () => {
    const { base } = await started();
    for (const body of [{ rate429: 2 }, { bogus: 1 }, { latencyMs: [-1, 0] }]) {
      const r = await callJson(base, 'PUT', '/sim/faults', body);
      expect(r.status).toBe(400);
      expect(typeof r.body.error).toBe('string');
    }
  });

  it('applies fault settings, counts API requests (not /sim/*) and resets the counts', async () => {
    const { sim, base } = await started();
    expect((await callJson(base, 'PUT', '/sim/faults', { rate500: 1, latencyMs: [0, 1] })).body).toMatchObject({ rate500: 1, latencyMs: [0, 1] });
    expect((await fetch(`${base}${probe}`, { headers: { authorization } })).status).toBe(500);
    await callJson(base, 'PUT', '/sim/faults', { rate500: 0 });
    expect((await fetch(`${base}${probe}`, { headers: { authorization } })).status).toBe(200);
    const stats = await callJson(base, 'GET', '/sim/stats');
    expect(stats.body).toMatchObject({ requests: 2, status: { '500': 1, '200': 1 }, rateLimitViolations: 0 });
    expect(Object.values(stats.body.byRoute)).toEqual([2]);
    expect((await callJson(base, 'POST', '/sim/stats/reset')).status).toBe(204);
    expect(sim.stats()).toMatchObject({ requests: 0, byRoute: {}, status: {}, log: [] });
  });
});
