import { describe, expect, it } from 'vitest';
import { compileJql, JqlError, parseJql } from './jql.js';
import { JiraStore } from './store.js';

describe('parseJql', () => {
  it('parses clauses, lists, AND/OR/NOT, parentheses and ORDER BY', () => {
    const q = parseJql('project in (SUP, "DEV") AND (status = Done OR statusCategory != "In Progress") AND NOT labels is EMPTY ORDER BY updated DESC, key');
    expect(q.orderBy).toEqual([
      { field: 'updated', dir: 'DESC', pos: expect.any(Number) },
      { field: 'key', dir: 'ASC', pos: expect.any(Number) },
    ]);
    expect(q.where?.type).toBe('and');
    expect(parseJql('ORDER BY key').where).toBeNull();
    expect(parseJql('status CHANGED FROM "In Progress" TO Done AFTER -15m').where).toMatchObject({ type: 'changed', field: 'status' });
  });

  it('reports syntax errors with Jira\'s wording and position', () => {
    const err = (s: string) => {
      try {
        parseJql(s);
      } catch (e) {
        return (e as JqlError).message;
      }
      return 'no error';
    };
    expect(err('project SUP')).toMatch(/^Error in the JQL Query: Expecting operator but got 'SUP'\. The valid operators are .* \(line 1, character 9\)$/);
    expect(err('project = SUP status = Done')).toMatch(/Expecting either 'OR' or 'AND' but got 'status'/);
    expect(err('project = ')).toMatch(/Expecting either a value, list or function but got end of query/);
    expect(err('project = AND')).toMatch(/You must surround 'AND' in quotation marks/);
    expect(err('project in (SUP')).toMatch(/Expecting ',' or '\)'/);
  });
});

describe('compileJql', () => {
  const store = new JiraStore('cloud');
  store.createProject({ key: 'SUP', name: 'Support', type: 'service_desk' });
  const env = { store, now: Date.parse('2025-06-01T12:00:00Z'), timeZone: 'UTC', currentUser: null };

  it('rejects unknown fields, values, operators and dates', () => {
    expect(() => compileJql('colour = red', env)).toThrow("Field 'colour' does not exist or you do not have permission to view it.");
    expect(() => compileJql('project = NOPE', env)).toThrow("The value 'NOPE' does not exist for the field 'project'.");
    expect(() => compileJql('status = Pending', env)).toThrow("The value 'Pending' does not exist for the field 'status'.");
    expect(() => compileJql('project > SUP', env)).toThrow(/operator '>' is not supported by the 'project' field/);
    expect(() => compileJql('updated > "yesterday"', env)).toThrow(/Date value 'yesterday' for field 'updated' is invalid/);
    expect(() => compileJql('project = SUP ORDER BY colour', env)).toThrow(/Field 'colour' does not exist/);
    expect(() => compileJql('assignee = whoever()', env)).toThrow(/Unable to find JQL function/);
  });

  it('an ORDER BY-only query has no restriction (unbounded)', () => {
    expect(compileJql('order by key desc', env).where).toBeNull();
    expect(compileJql('project = SUP order by key desc', env).where).not.toBeNull();
  });

  it('relative dates and functions', () => {
    const i = store.createIssue('SUP', { summary: 'x', issueTypeId: '10001', creator: null }, Date.parse('2025-06-01T11:50:00Z'));
    expect(compileJql('updated >= -15m', env).where!(i)).toBe(true);
    expect(compileJql('updated >= -5m', env).where!(i)).toBe(false);
    expect(compileJql('created >= startOfDay()', env).where!(i)).toBe(true);
    expect(compileJql('created > now()', env).where!(i)).toBe(false);
    expect(compileJql('updated = "2025-06-01"', env).where!(i)).toBe(true);
    expect(compileJql('summary ~ X', env).where!(i)).toBe(true);
  });
});
