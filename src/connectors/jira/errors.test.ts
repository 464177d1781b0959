import { describe, expect, it } from 'vitest';
import { describeJiraError } from './connector.js';

describe('describeJiraError', () => {
  it('surfaces platform, JSM and gateway error shapes', () => {
    expect(describeJiraError({ errorMessages: ['Issue does not exist'], errors: { summary: 'Summary is required' } })).toBe('Issue does not exist; summary: Summary is required');
    expect(describeJiraError({ errorMessage: 'The request is not a service desk request', i18nErrorMessage: { i18nKey: 'x', parameters: [] } })).toBe('The request is not a service desk request');
    expect(describeJiraError({ code: 401, message: 'Unauthorized' })).toBe('Unauthorized');
    expect(describeJiraError(null)).toBe('no error details in the answer');
  });
});
