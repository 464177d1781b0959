import type { TicketSnapshot } from '../types.js';

/** Fields asked for explicitly: search/jql returns only ids otherwise. */
export const JIRA_FIELDS = ['summary', 'status', 'resolution', 'resolutiondate', 'statuscategorychangedate', 'reporter', 'assignee', 'project', 'issuetype', 'priority', 'labels', 'components', 'updated', 'created'] as const;

type Obj = Record<string, any>;

/** Jira dates look like 2024-06-01T10:00:00.000+0000: add the colon ISO-8601 parsers expect. */
export function parseJiraDate(v: unknown): Date | null {
  if (typeof v !== 'string' || v === '') return null;
  const iso = v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export interface JiraDoneRule {
  doneStatuses: readonly string[];
}

export function isDone(status: Obj | undefined, rule: JiraDoneRule): boolean {
  if (!status) return false;
  if (rule.doneStatuses.length > 0) return rule.doneStatuses.some((s) => s.toLowerCase() === String(status.name ?? '').toLowerCase());
  return status.statusCategory?.key === 'done';
}

export function mapJiraIssue(issue: Obj, rule: JiraDoneRule & { teamFrom: 'component' | 'project' }): TicketSnapshot | null {
  const f: Obj = issue.fields ?? {};
  const updatedAt = parseJiraDate(f.updated);
  if (!issue.id || !updatedAt) return null;
  const closed = isDone(f.status, rule);
  const component = Array.isArray(f.components) ? f.components[0] : undefined;
  const team = rule.teamFrom === 'component' && component ? { id: String(component.id ?? component.name), name: String(component.name ?? '') } : { id: f.project?.key ?? null, name: f.project?.name ?? f.project?.key ?? null };
  const reporter: Obj | null = f.reporter ?? null;
  return {
    externalId: String(issue.id),
    key: issue.key ?? null,
    title: f.summary ?? null,
    category: f.issuetype?.name ?? null,
    subcategory: null,
    priority: f.priority?.name ?? null,
    state: f.status?.name ?? null,
    isClosed: closed,
    closedAt: closed ? (parseJiraDate(f.resolutiondate) ?? parseJiraDate(f.statuscategorychangedate) ?? updatedAt) : null,
    closeCode: f.resolution?.name ?? null,
    assignmentGroupId: team.id,
    assignmentGroupName: team.name,
    assigneeId: f.assignee?.accountId ?? f.assignee?.name ?? null,
    assigneeName: f.assignee?.displayName ?? null,
    // Jira records no "resolved by"; the assignee is who resolved it in practice.
    resolverId: f.assignee?.accountId ?? f.assignee?.name ?? null,
    resolverName: f.assignee?.displayName ?? null,
    requester: {
      externalId: reporter?.accountId ?? reporter?.name ?? null,
      email: reporter?.emailAddress || null,
      name: reporter?.displayName ?? null,
      locale: reporter?.locale ?? null,
      timeZone: reporter?.timeZone ?? null,
    },
    openedAt: parseJiraDate(f.created),
    updatedAt,
  };
}
