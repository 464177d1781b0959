import type { ConnectorDefinition } from '../connectors/registry.js';
import type { Connector } from '../connectors/types.js';

/**
 * Where a team's digest goes and in which language. The team is named by its survey_facts key,
 * '<connector>:<assignment group id, else name>'; settings may name it by group id or by name.
 * Address: analytics.digest.teamEmails, else (groupEmailFromItsm) the ITSM group's own address —
 * ServiceNow's sys_user_group.email; Jira has no group address, so its teams need teamEmails.
 */
export const groupRefOf = (connectorId: string, teamKey: string) => teamKey.slice(connectorId.length + 1);

function lookup<T>(map: Record<string, T>, ref: string, label: string): T | undefined {
  return Object.hasOwn(map, ref) ? map[ref] : Object.hasOwn(map, label) ? map[label] : undefined;
}

export async function digestRecipient(def: ConnectorDefinition, connector: Connector, team: { key: string; label: string }): Promise<{ address: string | null; why: string | null }> {
  const s = def.analytics.digest;
  const ref = groupRefOf(def.id, team.key);
  const configured = lookup(s.teamEmails, ref, team.label);
  if (configured) return { address: configured, why: null };
  if (!s.groupEmailFromItsm) return { address: null, why: 'no address: add the team to analytics.digest.teamEmails' };
  if (!connector.groupEmail) return { address: null, why: `no address: ${def.kind} has no group email; add the team to analytics.digest.teamEmails` };
  const fromItsm = await connector.groupEmail(ref);
  return fromItsm ? { address: fromItsm, why: null } : { address: null, why: 'no address: the ITSM group has no email; set one there or in analytics.digest.teamEmails' };
}

export function digestLocale(def: ConnectorDefinition, team: { key: string; label: string }): string {
  const s = def.analytics.digest;
  return lookup(s.teamLocales, groupRefOf(def.id, team.key), team.label) ?? s.locale ?? def.survey.defaultLocale;
}
