import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPastSurveys } from '../src/analytics/history.js';
import { seedActingOnFeedback } from '../src/demo/acting.js';
import { demoHistory } from '../src/demo/history.js';
import { snowConnector, startHarness, type Harness } from './support/harness.js';

/**
 * The demo's "acting on feedback" seed, on the demo's own history: targets, a done initiative whose
 * measured effect is improved on both measures, one in progress (mirrored as a problem in the
 * simulator), imported focus-group feedback, and a published "you said, we did" page.
 */
describe('demo: acting on feedback', () => {
  let h: Harness;
  let seeded: Awaited<ReturnType<typeof seedActingOnFeedback>>;

  beforeAll(async () => {
    h = await startHarness();
    const id = 'demo-servicenow';
    expect((await h.api('POST', '/admin/connectors', snowConnector(h.sim, { id, intake: { mode: 'push' }, analytics: { publicYouSaidWeDid: true, youSaidWeDidInEmail: true } }))).status).toBe(201);
    const teams = ['Service Desk', 'Network', 'End User Computing'].map((name, i) => {
      const g = h.sim.createGroup({ name });
      return { id: g.sys_id!, name, agents: [`A${i}`, `B${i}`, `C${i}`].map((n) => ({ id: `u-${n}`, name: `Agent ${n}` })) };
    });
    const now = new Date();
    await insertPastSurveys(h.te.db, demoHistory({ connectorId: id, now, teams }));
    seeded = await seedActingOnFeedback({ db: h.te.db, mirror: { ...h.service.ctx, publicUrl: h.te.config.PUBLIC_URL }, connectorId: id, teams, now });
  }, 120_000);
  afterAll(() => h?.close());

  it('the done initiative improved on both measures, beyond noise', async () => {
    const e = (await h.api('GET', `/admin/initiatives/${seeded.done}/effect`)).body;
    expect(e.windows.afterPartial).toBe(false);
    expect(e.topic.verdict).toBe('improved');
    expect(e.csat.verdict).toBe('improved');
    expect(e.verdict).toBe('improved');
    expect(e.topic.before.n).toBeGreaterThan(60);
    expect(e.topic.after.n).toBeGreaterThan(30);
    expect(e.csat.difference.low).toBeGreaterThan(0.05);
  });

  it('seeds targets, an initiative in progress mirrored as a problem, and imported focus-group feedback', async () => {
    const i = (await h.api('GET', `/admin/initiatives/${seeded.inProgress}`)).body;
    expect(i).toMatchObject({ status: 'in_progress', themes: ['vpn'], mirror: { status: 'done', key: expect.stringMatching(/^PRB/) } });
    expect(seeded.mirrorKey).toBe(i.mirror.key);
    expect(h.sim.table('problem')).toHaveLength(1);
    expect((await h.api('GET', '/admin/targets')).body.targets.map((t: any) => t.team)).toHaveLength(2);
    expect((await h.api('GET', '/admin/targets/status')).body.teams.length).toBeGreaterThanOrEqual(3);
    const items = (await h.api('GET', '/admin/feedback/items?kind=focus_group')).body.items;
    expect(items).toHaveLength(3);
    expect(seeded.items).toBe(5);
  });

  it('publishes the done initiative on the "you said, we did" page', async () => {
    const page = await h.service.app!.inject({ method: 'GET', url: '/you-said-we-did/demo-servicenow?lang=en' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Docking stations at every desk');
    expect(page.body).toContain('A clear improvement.');
    expect(page.body).not.toContain('Stabilise the VPN');
    expect(page.body).not.toContain('Hana Sato');
  });
});
