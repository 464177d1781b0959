import { describe, expect, it } from 'vitest';
import { checkTransition, datesFor } from './transitions.js';

describe('initiative transitions', () => {
  it('proposed → in_progress → done, one step at a time, forward only', () => {
    expect(checkTransition('proposed', 'in_progress')).toEqual({ ok: true });
    expect(checkTransition('in_progress', 'done')).toEqual({ ok: true });
    expect(checkTransition('done', 'done')).toEqual({ ok: true });
    expect(checkTransition('proposed', 'done')).toEqual({ ok: false, message: 'status: proposed can only move to in_progress (not done)' });
    expect(checkTransition('in_progress', 'proposed')).toEqual({ ok: false, message: 'status: in_progress can only move to done (not proposed)' });
    expect(checkTransition('done', 'in_progress')).toEqual({ ok: false, message: 'status: the initiative is done; it cannot move to in_progress' });
  });

  it('starting sets the start date (today unless given); finishing sets the end date; never an end before the start', () => {
    expect(datesFor('in_progress', { startDate: null, endDate: null }, '2026-03-02')).toEqual({ startDate: '2026-03-02', endDate: null });
    expect(datesFor('done', { startDate: '2026-02-01', endDate: null }, '2026-03-02')).toEqual({ startDate: '2026-02-01', endDate: '2026-03-02' });
    expect(datesFor('proposed', { startDate: null, endDate: null }, '2026-03-02')).toEqual({ startDate: null, endDate: null });
    expect(datesFor('done', { startDate: '2026-03-05', endDate: '2026-03-01' }, '2026-03-10')).toEqual({ error: 'endDate: 2026-03-01 is before startDate 2026-03-05' });
    expect(datesFor('proposed', { startDate: null, endDate: '2026-03-01' }, '2026-03-10')).toEqual({ error: 'startDate: an initiative with an end date needs a start date' });
  });
});
