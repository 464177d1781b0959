import { z } from 'zod';
import { commonFields, nonEmpty } from '../common-definition.js';

const auth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('basic'), username: nonEmpty, password: nonEmpty }).strict(),
  z.object({ type: z.literal('oauth_password'), clientId: nonEmpty, clientSecret: nonEmpty, username: nonEmpty, password: nonEmpty }).strict(),
  z.object({ type: z.literal('oauth_client_credentials'), clientId: nonEmpty, clientSecret: nonEmpty }).strict(),
]);

export const serviceNowDefinitionSchema = z
  .object({
    ...commonFields,
    kind: z.literal('servicenow'),
    auth,
    servicenow: z
      .object({
        /** incident, or a CSM / custom task table. */
        table: z.string().regex(/^[a-z][a-z0-9_]{0,79}$/, 'must be a ServiceNow table name').default('incident'),
        /** State values that count as closed (instances customise them; 6 = Resolved, 7 = Closed). */
        closedStates: z.array(z.string().regex(/^-?\d+$/, 'must be a numeric state value')).min(1).default(['7']),
        /** Header carrying the push secret. */
        webhookHeader: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).default('X-Feedback-Secret'),
        /** Follow-up tasks: the table (CSM: sn_customerservice_task), its reference to the ticket, and its closed states. */
        taskTable: z.string().regex(/^[a-z][a-z0-9_]{0,79}$/, 'must be a ServiceNow table name').default('incident_task'),
        taskParentField: z.string().regex(/^[a-z][a-z0-9_]{0,79}$/).default('incident'),
        taskClosedStates: z.array(z.string().regex(/^-?\d+$/)).min(1).default(['3', '4', '7']),
        /** Improvement initiatives mirrored as records of this table (problem, or e.g. an improvement task table). */
        improvementTable: z.string().regex(/^[a-z][a-z0-9_]{0,79}$/, 'must be a ServiceNow table name').default('problem'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ServiceNowDefinition = z.infer<typeof serviceNowDefinitionSchema>;

/** Where secrets sit in the definition: encrypted at rest, masked on read. */
export const serviceNowSecretPaths = ['auth.password', 'auth.clientSecret', 'webhookSecret'] as const;

/** Where this connector's calls — and with them its credentials — go (ITSM_ALLOWED_HOSTS, credential binding). */
export const serviceNowOutboundUrls = (def: ServiceNowDefinition): Record<string, string> => ({ baseUrl: def.baseUrl });
