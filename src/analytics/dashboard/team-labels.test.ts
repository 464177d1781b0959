import { describe, expect, it } from 'vitest';
import { teamLabeller } from './team-labels.js';

describe('team labels across connectors', () => {
  it('adds the connector only where a team name is on two connectors', () => {
    const label = teamLabeller(
      [
        { key: 'snow:g1', label: 'Service Desk' },
        { key: 'jira:SD', label: 'Service Desk' },
        { key: 'snow:g2', label: 'Network' },
        { key: 'snow:g3', label: 'Service Desk' }, // same connector, another group id: the name alone is ambiguous within it too, but not across connectors
      ],
      new Map([['snow', 'ServiceNow'], ['jira', 'Jira Cloud']]),
    );
    expect(label('snow:g1', 'Service Desk')).toBe('Service Desk · ServiceNow');
    expect(label('jira:SD', 'Service Desk')).toBe('Service Desk · Jira Cloud');
    expect(label('snow:g2', 'Network')).toBe('Network');
    expect(label('', 'All')).toBe('All');
  });
});
