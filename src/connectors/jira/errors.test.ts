import { describe, expect, it } from 'vitest';
import { describeJiraError } from './connector.js';

describe('describeJiraError', () => {
  it('surfaces platform, JSM and gateway error shapes', () => {
    expect(describeJiraError({ errorMessages: ['Issue does not exist'], errors: { summary: 'Summary is required' } })).toBe('Issue does not exist; summary: Summary is required');
    expect(describeJiraError({ errorMessage: 'The request is not a service desk request', i18nErrorMessage: { i18nKey: 'x', parameters: [] } })).toBe('The request is not a service desk request');
    expect(describeJiraError({ code: 401, message: 'Unauthorized' })).toBe('Unauthorized');
    expect(describeJiraError(null)).toBe('no structured error message in the answer');
  });

  it('never echoes an unstructured body, and cleans and caps structured messages', () => {
    expect(describeJiraError('<html><body>internal admin page: db-password=hunter2</body></html>')).toBe('no structured error message in the answer');
    expect(describeJiraError({ errorMessages: ['bad\u0000\u202eline\nnext', 'x'.repeat(1000)] })).toMatch(/^bad line next; x{100,}…$/);
    expect(describeJiraError({ errorMessages: ['x'.repeat(1000)] }).length).toBeLessThanOrEqual(400);
  });
});
