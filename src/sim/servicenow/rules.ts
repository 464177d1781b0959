/** The few business rules of a stock instance that a client can observe through the Table API. */
import type { SnRecord, SnStore } from './store.js';

const TASK_CLOSED_STATES = new Set(['3', '4', '7']);

/** Defaults an out-of-box instance sets on insert. Mutates `rec`. */
export function applyInsertDefaults(store: SnStore, table: string, rec: SnRecord, user: string, at: string): void {
  if (table === 'incident') {
    if (!rec.state) rec.state = rec.incident_state || '1';
    if (!rec.incident_state) rec.incident_state = rec.state;
    if (!rec.impact) rec.impact = '3';
    if (!rec.urgency) rec.urgency = '3';
    if (!rec.priority) {
      const p = Number(rec.impact) + Number(rec.urgency) - 1;
      rec.priority = Number.isFinite(p) ? String(Math.min(5, Math.max(1, p))) : '5';
    }
  } else if (table === 'incident_task') {
    if (!rec.state) rec.state = '1';
    if (!rec.priority) rec.priority = '4';
  } else if (table === 'problem') {
    if (!rec.state) rec.state = rec.problem_state || '101';
    if (!rec.problem_state) rec.problem_state = rec.state;
    if (!rec.priority) rec.priority = '4';
  } else {
    return;
  }
  rec.active = rec.active || 'true';
  rec.opened_at = rec.opened_at || at;
  rec.opened_by = rec.opened_by || store.userSysId(user);
  rec.sys_class_name = table;
}

/** Keeps state/incident_state in sync and fills resolved/closed fields like the stock rules. Mutates `next`. */
export function applyStateRules(store: SnStore, table: string, before: SnRecord | undefined, next: SnRecord, user: string, at: string): void {
  if (table === 'incident') {
    const stateChanged = next.state !== before?.state;
    const isChanged = next.incident_state !== before?.incident_state;
    if (stateChanged && !isChanged) next.incident_state = next.state ?? '';
    else if (isChanged && !stateChanged) next.state = next.incident_state ?? '';
    if (next.state === before?.state) return;
    const userId = store.userSysId(user);
    const s = next.state ?? '';
    if (s === '6' || s === '7') {
      next.resolved_at = next.resolved_at || at;
      next.resolved_by = next.resolved_by || userId;
    }
    if (s === '7') {
      next.closed_at = next.closed_at || at;
      next.closed_by = next.closed_by || userId;
    }
    if (s === '7' || s === '8') next.active = 'false';
    if (['1', '2', '3'].includes(s) && before && ['6', '7'].includes(before.state ?? '')) {
      next.resolved_at = '';
      next.resolved_by = '';
      next.closed_at = '';
      next.closed_by = '';
      next.active = 'true';
    }
  } else if (table === 'incident_task') {
    if (next.state === before?.state) return;
    if (TASK_CLOSED_STATES.has(next.state ?? '')) {
      next.active = 'false';
      next.closed_at = next.closed_at || at;
      next.closed_by = next.closed_by || store.userSysId(user);
    }
  }
}
