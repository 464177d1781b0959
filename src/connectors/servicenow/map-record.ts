import type { TicketSnapshot } from '../types.js';
import { parseGlideDateTime } from './dates.js';

/**
 * The fields we ask for, and nothing else. The caller's details come in the same call by dot-walking,
 * so polling costs one request per page, not one per ticket.
 */
export const SNOW_FIELDS = [
  'sys_id', 'number', 'state', 'short_description', 'category', 'subcategory', 'priority',
  'assignment_group', 'assignment_group.name', 'assigned_to', 'assigned_to.name',
  'resolved_by', 'resolved_by.name', 'closed_by', 'resolved_at', 'closed_at', 'close_code',
  'opened_at', 'sys_updated_on',
  'caller_id', 'caller_id.email', 'caller_id.name', 'caller_id.preferred_language', 'caller_id.time_zone',
] as const;

type SnRecord = Record<string, unknown>;

// Values arrive as strings; with sysparm_exclude_reference_link=true references are bare sys_ids.
// Be lenient with the {value} object form in case an instance ignores that parameter.
function str(r: SnRecord, key: string): string | null {
  const v = r[key];
  const s = typeof v === 'string' ? v : v && typeof v === 'object' && 'value' in v ? String((v as { value: unknown }).value ?? '') : '';
  return s.trim() === '' ? null : s;
}

export function mapServiceNowRecord(r: SnRecord, closedStates: readonly string[]): TicketSnapshot | null {
  const externalId = str(r, 'sys_id');
  const updatedAt = parseGlideDateTime(str(r, 'sys_updated_on'));
  if (!externalId || !updatedAt) return null;
  const state = str(r, 'state');
  const isClosed = state !== null && closedStates.includes(state);
  // Closed (7) sets closed_at; a "Resolved" (6) closed-state only has resolved_at.
  const closedAt = isClosed ? parseGlideDateTime(str(r, 'closed_at')) ?? parseGlideDateTime(str(r, 'resolved_at')) ?? updatedAt : null;
  return {
    externalId,
    key: str(r, 'number'),
    title: str(r, 'short_description'),
    category: str(r, 'category'),
    subcategory: str(r, 'subcategory'),
    priority: str(r, 'priority'),
    state,
    isClosed,
    closedAt,
    closeCode: str(r, 'close_code'),
    assignmentGroupId: str(r, 'assignment_group'),
    assignmentGroupName: str(r, 'assignment_group.name'),
    assigneeId: str(r, 'assigned_to'),
    assigneeName: str(r, 'assigned_to.name'),
    resolverId: str(r, 'resolved_by') ?? str(r, 'closed_by'),
    resolverName: str(r, 'resolved_by.name'),
    requester: {
      externalId: str(r, 'caller_id'),
      email: str(r, 'caller_id.email'),
      name: str(r, 'caller_id.name'),
      locale: str(r, 'caller_id.preferred_language'),
      timeZone: str(r, 'caller_id.time_zone'),
    },
    openedAt: parseGlideDateTime(str(r, 'opened_at')),
    updatedAt,
  };
}
