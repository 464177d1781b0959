import { describe, expect, it } from 'vitest';
import { themesWithSources } from './themes.js';

describe('themes with imported feedback (pure)', () => {
  const comments = [
    { groupKey: 'snow:net', groupLabel: 'Network', text: 'VPN drops every hour' },
    { groupKey: 'snow:net', groupLabel: 'Network', text: 'The VPN is slow' },
    { groupKey: 'snow:sd', groupLabel: 'Service Desk', text: 'Password reset was quick' },
    { groupKey: 'snow:sd', groupLabel: 'Service Desk', text: 'Password reset took days' },
  ];
  const items = [
    { groupKey: 'snow:net', groupLabel: 'Network', text: 'VPN keeps dropping in the Berlin office', kind: 'focus_group' as const },
    { groupKey: '', groupLabel: '(no team)', text: 'Nobody knows where to report VPN problems', kind: 'hallway' as const },
  ];

  it('counts an item like a comment and says how many of each term are imported, and from which sources', () => {
    const r = themesWithSources(comments, items, { from: '2026-01-01', to: '2026-01-31', mode: 'include' });
    expect(r.overall.comments).toBe(6);
    expect(r.overall.imported).toBe(2);
    expect(r.sources).toEqual({ focus_group: 1, interview: 0, hallway: 1, other_tool: 0, other: 0 });
    expect(r.overall.terms.find((t) => t.term === 'vpn')).toMatchObject({ count: 4, imported: 2, importedSources: { focus_group: 1, hallway: 1 }, groups: 2 });
    const net = r.groups.find((g) => g.key === 'snow:net')!;
    expect(net).toMatchObject({ comments: 3, imported: 1 });
    expect(net.terms.find((t) => t.term === 'vpn')).toEqual(expect.objectContaining({ count: 3, imported: 1, importedSources: { focus_group: 1 } }));
    expect(r.groups.find((g) => g.key === 'snow:sd')!.terms.find((t) => t.term === 'password reset')).toMatchObject({ count: 2, imported: 0 });
  });

  it('only: the imported items alone', () => {
    const r = themesWithSources([], items, { from: '2026-01-01', to: '2026-01-31', mode: 'only' });
    expect(r.overall).toMatchObject({ comments: 2, imported: 2 });
    expect(r.overall.terms.find((t) => t.term === 'vpn')).toMatchObject({ count: 2, imported: 2 });
  });
});
