import { z } from 'zod';
import { commonFields, httpUrlSchema, nonEmpty } from '../common-definition.js';

const projectKey = z.string().regex(/^[A-Z][A-Z0-9_]{0,19}$/, 'must be a Jira project key like SUP');

const auth = z.discriminatedUnion('type', [
  /** Jira Cloud: an Atlassian account's email and API token. */
  z.object({ type: z.literal('basic'), email: z.email('must be an email address'), apiToken: nonEmpty }).strict(),
  /**
   * Jira Cloud through an OAuth 2.0 (3LO) app: calls go to api.atlassian.com/ex/jira/{cloudId}. Either
   * clientId + clientSecret + refreshToken (the access token is refreshed, the rotating refresh token kept
   * encrypted in oauth_tokens), or a static accessToken (never refreshed: it stops working after about an hour).
   */
  z
    .object({
      type: z.literal('oauth'),
      cloudId: nonEmpty,
      clientId: nonEmpty.optional(),
      clientSecret: nonEmpty.optional(),
      refreshToken: nonEmpty.optional(),
      accessToken: nonEmpty.optional(),
    })
    .strict()
    .superRefine((a, ctx) => {
      const refreshFields = (['clientId', 'clientSecret', 'refreshToken'] as const).filter((f) => a[f] !== undefined);
      if (a.accessToken !== undefined) {
        for (const f of refreshFields) {
          ctx.addIssue({ code: 'custom', path: [f], message: `${f} cannot be combined with accessToken: give either clientId, clientSecret and refreshToken (refreshed automatically), or a static accessToken (expires after about an hour)` });
        }
        return;
      }
      if (refreshFields.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['refreshToken'], message: 'refreshToken is required (with clientId and clientSecret), unless a static accessToken is given' });
        return;
      }
      for (const f of (['clientId', 'clientSecret', 'refreshToken'] as const).filter((x) => a[x] === undefined)) {
        ctx.addIssue({ code: 'custom', path: [f], message: `${f} is required: refreshing OAuth needs clientId, clientSecret and refreshToken` });
      }
    }),
  /** Jira Data Center / Server: a personal access token. */
  z.object({ type: z.literal('pat'), token: nonEmpty }).strict(),
]);

export const jiraDefinitionSchema = z
  .object({
    ...commonFields,
    kind: z.literal('jira'),
    auth,
    jira: z
      .object({
        /** cloud: REST v3, ADF bodies, signed webhooks. datacenter: REST v2, wiki-markup text, unsigned webhooks (secret in the URL). */
        variant: z.enum(['cloud', 'datacenter']).default('cloud'),
        /** Projects whose closures are surveyed (bounds every JQL query). */
        projects: z.array(projectKey).min(1, 'name at least one project'),
        issueTypes: z.array(z.string().min(1).max(60)).default([]),
        /** Statuses that count as closed; empty = any status in the done category. */
        doneStatuses: z.array(z.string().min(1).max(60)).default([]),
        /** Where an agent's "team" comes from for follow-up routing and analytics. */
        teamFrom: z.enum(['component', 'project']).default('component'),
        /** Follow-up issues: project (default: the ticket's own), type, labels. */
        followUpProject: projectKey.nullable().default(null),
        followUpIssueType: z.string().min(1).max(60).default('Task'),
        followUpLabels: z.array(z.string().regex(/^\S{1,100}$/, 'labels cannot contain spaces')).default(['customer-feedback']),
        /** Jira's duedate is a date: the exact 24 h deadline can also go to a date-time custom field. */
        dueDateTimeField: z.string().regex(/^customfield_\d+$/).nullable().default(null),
        /** The calendar date of the due moment is taken in this zone (default UTC). */
        dueDateTimeZone: z.string().default('UTC'),
        linkType: z.string().min(1).max(60).default('Relates'),
        /** Improvement initiatives mirrored as issues: project (default: the first of projects), type and labels. */
        improvementProject: projectKey.nullable().default(null),
        improvementIssueType: z.string().min(1).max(60).default('Task'),
        improvementLabels: z.array(z.string().regex(/^\S{1,100}$/, 'labels cannot contain spaces')).default(['improvement-initiative']),
        /** Issue property holding the structured answer. */
        propertyKey: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/).default('csat'),
        /** OAuth: base of the Atlassian API gateway (override only for tests). */
        oauthApiUrl: httpUrlSchema.default('https://api.atlassian.com'),
        /** OAuth: Atlassian's token endpoint, used to refresh access tokens (override only for tests). */
        oauthTokenUrl: httpUrlSchema.default('https://auth.atlassian.com/oauth/token'),
      })
      .strict(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const dc = d.jira.variant === 'datacenter';
    if (dc && d.auth.type !== 'pat') ctx.addIssue({ code: 'custom', path: ['auth', 'type'], message: 'Jira Data Center uses a personal access token (type: pat)' });
    if (!dc && d.auth.type === 'pat') ctx.addIssue({ code: 'custom', path: ['auth', 'type'], message: 'Jira Cloud uses basic (email + API token) or oauth' });
  });

export type JiraDefinition = z.infer<typeof jiraDefinitionSchema>;

/**
 * Where this connector's calls — and with them its credentials — go (ITSM_ALLOWED_HOSTS, credential
 * binding): the site itself, or, with OAuth, Atlassian's API gateway and token endpoint.
 */
export const jiraOutboundUrls = (def: JiraDefinition): Record<string, string> =>
  def.auth.type === 'oauth' ? { 'jira.oauthApiUrl': def.jira.oauthApiUrl, 'jira.oauthTokenUrl': def.jira.oauthTokenUrl } : { baseUrl: def.baseUrl };
export const jiraSecretPaths = ['auth.apiToken', 'auth.accessToken', 'auth.clientSecret', 'auth.refreshToken', 'auth.token', 'webhookSecret'] as const;

/** The two OAuth forms: refreshing (client credentials + rotating refresh token) or a static access token. */
export type JiraOAuthGrant = { kind: 'refresh'; clientId: string; clientSecret: string; refreshToken: string } | { kind: 'static'; accessToken: string };

/** Which OAuth form a (validated) oauth auth block uses; null for basic / pat. */
export function jiraOAuthGrant(auth: JiraDefinition['auth']): JiraOAuthGrant | null {
  if (auth.type !== 'oauth') return null;
  if (auth.accessToken !== undefined) return { kind: 'static', accessToken: auth.accessToken };
  if (auth.clientId === undefined || auth.clientSecret === undefined || auth.refreshToken === undefined) throw new Error('unvalidated Jira OAuth auth block');
  return { kind: 'refresh', clientId: auth.clientId, clientSecret: auth.clientSecret, refreshToken: auth.refreshToken };
}
