import { describe, expect, it } from 'vitest';
import { followUpAction, followUpDueAt, isDetractor } from './follow-up-policy.js';

const detractorMax = { csat: 2, nps: 6, ces: 3 };
const input = (score: number, existing: Parameters<typeof followUpAction>[0]['existing'], scale: 'csat' | 'nps' | 'ces' = 'csat', enabled = true) => ({ enabled, scale, score, detractorMax, existing });

describe('follow-up policy', () => {
  it('draws the detractor line at the configured maximum per scale', () => {
    expect([1, 2, 3].map((s) => isDetractor('csat', s, detractorMax))).toEqual([true, true, false]);
    expect([0, 6, 7].map((s) => isDetractor('nps', s, detractorMax))).toEqual([true, true, false]);
    expect([3, 4].map((s) => isDetractor('ces', s, detractorMax))).toEqual([true, false]);
  });

  it('creates a task for a new detractor, and not when disabled or satisfied', () => {
    expect(followUpAction(input(1, null))).toBe('create');
    expect(followUpAction(input(1, null, 'csat', false))).toBe('none');
    expect(followUpAction(input(4, null))).toBe('none');
  });

  it('a change to satisfied before the task exists cancels it; after, notes it', () => {
    expect(followUpAction(input(5, 'pending'))).toBe('cancel');
    expect(followUpAction(input(5, 'open'))).toBe('note');
    expect(followUpAction(input(5, 'claimed'))).toBe('note');
    expect(followUpAction(input(1, 'open'))).toBe('note');
    expect(followUpAction(input(2, 'pending'))).toBe('none');
  });

  it('unhappy again after a cancel creates it again; closed recoveries stay closed', () => {
    expect(followUpAction(input(1, 'cancelled'))).toBe('create');
    expect(followUpAction(input(1, 'closed'))).toBe('none');
  });

  it('is due 24 hours after the answer by default', () => {
    expect(followUpDueAt(new Date('2026-01-01T10:00:00Z'), 24).toISOString()).toBe('2026-01-02T10:00:00.000Z');
  });
});
