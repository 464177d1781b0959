/**
 * The two windows an initiative's effect compares (pure, whole UTC days): the N weeks before its
 * start date, [start − 7N days, start), and the N weeks after its end date, [end + 1 day, end + 1 + 7N
 * days) — the work itself (start … end, both inclusive) belongs to neither. Surveys count in the window
 * of their send date, as every other figure does.
 */
const DAY = 86_400_000;
const day = (ymd: string) => new Date(`${ymd}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

export interface EffectWindows {
  weeks: number;
  before: { from: string; to: string };
  /** null until the initiative has an end date. */
  after: { from: string; to: string } | null;
  /** The after window has not begun yet (its first day is after today). */
  afterNotStarted: boolean;
  /** The after window is still running: figures are "so far". */
  afterPartial: boolean;
}

/** `to` is exclusive in the Date pairs; the ISO strings give the inclusive last day. */
export function effectWindows(startDate: string, endDate: string | null, weeks: number, today: Date): EffectWindows & { ranges: { before: { from: Date; to: Date }; after: { from: Date; to: Date } | null } } {
  const start = day(startDate);
  const before = { from: new Date(start.getTime() - weeks * 7 * DAY), to: start };
  const after = endDate ? { from: new Date(day(endDate).getTime() + DAY), to: new Date(day(endDate).getTime() + DAY + weeks * 7 * DAY) } : null;
  const tomorrow = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) + DAY;
  const inclusive = (r: { from: Date; to: Date }) => ({ from: iso(r.from), to: iso(new Date(r.to.getTime() - DAY)) });
  return {
    weeks,
    before: inclusive(before),
    after: after ? inclusive(after) : null,
    afterNotStarted: !after || after.from.getTime() >= tomorrow,
    afterPartial: !!after && after.to.getTime() > tomorrow,
    ranges: { before, after },
  };
}
