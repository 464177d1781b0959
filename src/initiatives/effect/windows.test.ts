import { describe, expect, it } from 'vitest';
import { effectWindows } from './windows.js';

describe('effect windows', () => {
  it('N weeks before the start, N weeks after the end; the work itself in neither', () => {
    const w = effectWindows('2026-03-02', '2026-03-20', 6, new Date('2026-06-01T10:00:00Z'));
    expect(w.before).toEqual({ from: '2026-01-19', to: '2026-03-01' });
    expect(w.after).toEqual({ from: '2026-03-21', to: '2026-05-01' });
    expect(w.ranges.after!.to.toISOString()).toBe('2026-05-02T00:00:00.000Z');
    expect([w.afterNotStarted, w.afterPartial]).toEqual([false, false]);
  });

  it('knows when the weeks after are still running, or have not begun', () => {
    expect(effectWindows('2026-03-02', '2026-03-20', 6, new Date('2026-04-10T10:00:00Z'))).toMatchObject({ afterNotStarted: false, afterPartial: true });
    expect(effectWindows('2026-03-02', '2026-03-20', 6, new Date('2026-03-20T10:00:00Z'))).toMatchObject({ afterNotStarted: true });
    expect(effectWindows('2026-03-02', null, 6, new Date('2026-04-10T10:00:00Z'))).toMatchObject({ after: null, afterNotStarted: true });
  });
});
