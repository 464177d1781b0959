/**
 * An initiative's life (pure): proposed → in_progress → done, forward only, one step at a time.
 * Entering in_progress needs a start date (today unless given); entering done needs an end date
 * (today unless given), never before the start.
 */
export const INITIATIVE_STATUSES = ['proposed', 'in_progress', 'done'] as const;
export type InitiativeStatus = (typeof INITIATIVE_STATUSES)[number];

const NEXT: Record<InitiativeStatus, InitiativeStatus | null> = { proposed: 'in_progress', in_progress: 'done', done: null };

export type TransitionCheck = { ok: true } | { ok: false; message: string };

export function checkTransition(from: InitiativeStatus, to: InitiativeStatus): TransitionCheck {
  if (from === to) return { ok: true };
  const next = NEXT[from];
  if (next === to) return { ok: true };
  return {
    ok: false,
    message: next ? `status: ${from} can only move to ${next} (not ${to})` : `status: the initiative is done; it cannot move to ${to}`,
  };
}

/** The dates an initiative has after reaching `status`: missing ones default to `today` (YYYY-MM-DD). */
export function datesFor(status: InitiativeStatus, dates: { startDate: string | null; endDate: string | null }, today: string): { startDate: string | null; endDate: string | null } | { error: string } {
  const startDate = status === 'proposed' ? dates.startDate : (dates.startDate ?? today);
  const endDate = status === 'done' ? (dates.endDate ?? (startDate && startDate > today ? startDate : today)) : dates.endDate;
  if (startDate && endDate && endDate < startDate) return { error: `endDate: ${endDate} is before startDate ${startDate}` };
  if (endDate && !startDate) return { error: 'startDate: an initiative with an end date needs a start date' };
  return { startDate, endDate };
}
