import { parseGlideDateTime } from '../../src/connectors/servicenow/dates.js';
import type { ServiceNowSim } from '../../src/sim/servicenow/sim.js';

/** What the simulated ServiceNow holds after the loop: work notes per ticket and follow-up tasks. */
export function loopState(sim: ServiceNowSim) {
  const notes = sim.table('sys_journal_field').filter((j) => j.element === 'work_notes' && j.name === 'incident');
  const notesByTicket = new Map<string, string[]>();
  for (const n of notes) notesByTicket.set(n.element_id!, [...(notesByTicket.get(n.element_id!) ?? []), n.value!]);
  const tasks = sim.table('incident_task');
  return { notes, notesByTicket, tasks, due: (t: Record<string, string>) => parseGlideDateTime(t.due_date)! };
}

/** 30% detractors, deterministic: index i gets a low score when i % 10 < 3. */
export const scoreFor = (i: number) => (i % 10 < 3 ? 1 + (i % 2) : 3 + (i % 3));
