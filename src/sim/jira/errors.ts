/** Jira's error envelopes. */

/** Platform REST API: {"errorMessages":[…],"errors":{"field":"message"}}. */
export function jiraError(errorMessages: string[], errors: Record<string, string> = {}): { errorMessages: string[]; errors: Record<string, string> } {
  return { errorMessages, errors };
}

/** JSM (servicedeskapi): {"errorMessage":"…","i18nErrorMessage":{"i18nKey":"…","parameters":[]}}. */
export function jsmError(errorMessage: string, i18nKey: string, parameters: string[] = []): {
  errorMessage: string;
  i18nErrorMessage: { i18nKey: string; parameters: string[] };
} {
  return { errorMessage, i18nErrorMessage: { i18nKey, parameters } };
}

export const ISSUE_NOT_FOUND = jiraError(['Issue does not exist or you do not have permission to see it.']);
