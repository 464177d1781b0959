/**
 * Which source holds which days of a range (pure). Rollups hold every day before the bound that is
 * not dirty (see migrations/0011_analytics_rollups.sql); a month is held when all its days are.
 * A figure over [from, to) then adds up: whole held months from rollup_monthly, other held days from
 * rollup_team_daily (team-level figures only), and every other day — recent, dirty, or not held at
 * the grain needed — from survey_facts. Whatever the state, every day is read exactly once.
 */

export const DAY_MS = 86_400_000;

/** [from, to) in whole UTC days. */
export interface DayRange {
  from: Date;
  to: Date;
}

export interface RollupState {
  /** Days before this UTC midnight may be held; null: none is. */
  until: Date | null;
  /** Days marked for rebuilding (YYYY-MM-DD): never read from rollups. */
  dirty: ReadonlySet<string>;
}

/** Which rollups a figure can be read from: monthly totals, and daily rows (team-level only). */
export interface Grains {
  month: boolean;
  day: boolean;
}

export interface SourcePlan {
  months: DayRange[];
  days: DayRange[];
  facts: DayRange[];
}

/** Above this many separate ranges of facts, the smallest gaps between them are read from facts too (one simpler query). */
export const MAX_FACT_RANGES = 24;

const FACTS = 0;
const DAY = 1;
const MONTH = 2;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

export function planSources(from: Date, to: Date, state: RollupState, grains: Grains, maxFactRanges = MAX_FACT_RANGES): SourcePlan {
  const start = from.getTime();
  const n = Math.max(0, Math.round((to.getTime() - start) / DAY_MS));
  const until = state.until?.getTime() ?? -Infinity;
  const held = (i: number) => start + i * DAY_MS < until && !state.dirty.has(iso(start + i * DAY_MS));

  const source = new Uint8Array(n); // FACTS by default
  if (grains.day) for (let i = 0; i < n; i++) if (held(i)) source[i] = DAY;
  if (grains.month) {
    // Calendar months that lie wholly inside the range and are held entirely.
    for (let d = new Date(start); d.getTime() < start + n * DAY_MS; ) {
      const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      const monthEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      const a = (monthStart - start) / DAY_MS;
      const b = (monthEnd - start) / DAY_MS;
      if (a >= 0 && b <= n) {
        let whole = true;
        for (let i = a; i < b && whole; i++) whole = held(i);
        if (whole) source.fill(MONTH, a, b);
      }
      d = new Date(monthEnd);
    }
  }
  limitFactRuns(source, maxFactRanges);

  const plan: SourcePlan = { months: [], days: [], facts: [] };
  const lists = [plan.facts, plan.days, plan.months];
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && source[j] === source[i]) j++;
    lists[source[i]!]!.push({ from: new Date(start + i * DAY_MS), to: new Date(start + j * DAY_MS) });
    i = j;
  }
  return plan;
}

/** Turns the shortest gaps between runs of fact days into fact days until at most `max` runs remain. */
function limitFactRuns(source: Uint8Array, max: number): void {
  for (;;) {
    const runs: [number, number][] = [];
    for (let i = 0; i < source.length; ) {
      let j = i + 1;
      while (j < source.length && (source[j] === FACTS) === (source[i] === FACTS)) j++;
      if (source[i] === FACTS) runs.push([i, j]);
      i = j;
    }
    if (runs.length <= Math.max(1, max)) return;
    let best = 1;
    for (let k = 2; k < runs.length; k++) if (runs[k]![0] - runs[k - 1]![1] < runs[best]![0] - runs[best - 1]![1]) best = k;
    // A gap between two fact runs holds whole months or held days only: reading it all from facts keeps months whole.
    source.fill(FACTS, runs[best - 1]![1], runs[best]![0]);
  }
}
