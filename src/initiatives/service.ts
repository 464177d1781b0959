import type { Db } from '../db/client.js';
import { HttpError } from '../http/app.js';
import { TeamDirectory } from '../analytics/team-directory.js';
import { createInitiativeSchema, issuesText, patchInitiativeSchema } from './schema.js';
import { InitiativeStore, type Initiative, type InitiativeDetail, type InitiativeValues } from './store.js';
import { checkTransition, datesFor } from './transitions.js';

/**
 * Creating and changing initiatives: the body is validated (400 naming each field), the team is
 * resolved (a key, or a name only one team has), cited feedback items must exist, and a change of
 * status must follow proposed → in_progress → done (409 otherwise).
 */
export class InitiativeService {
  readonly store: InitiativeStore;

  constructor(private readonly db: Db, private readonly now: () => Date) {
    this.store = new InitiativeStore(db);
  }

  private today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  private async team(input: string | null): Promise<InitiativeValues['team']> {
    if (input === null) return null;
    const r = await new TeamDirectory(this.db).resolve(input);
    if (!r.ok) throw new HttpError(400, `team: ${r.message}`);
    return r.team;
  }

  private async checkItems(ids: readonly string[]): Promise<void> {
    const missing = await this.store.missingItems(ids);
    if (missing.length) throw new HttpError(400, `citedItems: no feedback item ${missing.join(', ')}`);
  }

  async create(body: unknown): Promise<InitiativeDetail> {
    const parsed = createInitiativeSchema.safeParse(body ?? {});
    if (!parsed.success) throw new HttpError(400, issuesText(parsed.error), parsed.error.issues);
    const b = parsed.data;
    const dates = datesFor(b.status, { startDate: b.startDate, endDate: b.endDate }, this.today());
    if ('error' in dates) throw new HttpError(400, dates.error);
    await this.checkItems(b.citedItems);
    const id = await this.store.create({ ...b, ...dates, team: await this.team(b.team) });
    return (await this.store.get(id))!;
  }

  async update(id: string, body: unknown): Promise<InitiativeDetail> {
    const before = await this.mustGet(id);
    const parsed = patchInitiativeSchema.safeParse(body ?? {});
    if (!parsed.success) throw new HttpError(400, issuesText(parsed.error), parsed.error.issues);
    const p = parsed.data;
    const status = p.status ?? before.status;
    const step = checkTransition(before.status, status);
    if (!step.ok) throw new HttpError(409, step.message);
    const dates = datesFor(status, { startDate: p.startDate === undefined ? before.startDate : p.startDate, endDate: p.endDate === undefined ? before.endDate : p.endDate }, this.today());
    if ('error' in dates) throw new HttpError(400, dates.error);
    const citedItems = p.citedItems ?? before.citedItems.map((i) => i.id);
    if (p.citedItems) await this.checkItems(p.citedItems);
    const values: InitiativeValues = {
      title: p.title ?? before.title,
      owner: p.owner ?? before.owner,
      team: p.team === undefined ? before.team : await this.team(p.team),
      status,
      ...dates,
      themes: p.themes ?? before.themes,
      categories: p.categories ?? before.categories,
      notes: p.notes ?? before.notes,
      publicSummary: p.publicSummary ?? before.publicSummary,
      effectWeeks: p.effectWeeks ?? before.effectWeeks,
      citedItems,
    };
    await this.store.update(before.id, before, values);
    return (await this.store.get(before.id))!;
  }

  async mustGet(id: string): Promise<InitiativeDetail> {
    const i = await this.store.get(id);
    if (!i) throw new HttpError(404, `no initiative ${id.slice(0, 40)}`);
    return i;
  }

  list(filter: Parameters<InitiativeStore['list']>[0]): Promise<Initiative[]> {
    return this.store.list(filter);
  }
}
