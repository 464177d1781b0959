import type { Db } from '../db/client.js';

/** Prints decisions newer than `afterId`, one line each; returns the last id printed. */
export async function printDecisions(db: Db, afterId: string, out: NodeJS.WritableStream): Promise<string> {
  const rows = await db
    .selectFrom('survey_decisions as d')
    .innerJoin('closures as c', 'c.id', 'd.closure_id')
    .innerJoin('tickets as t', 't.id', 'c.ticket_id')
    .leftJoin('people as p', 'p.id', 'd.person_id')
    .leftJoin('surveys as s', 's.decision_id', 'd.id')
    .select(['d.id', 't.external_key', 'p.display_name', 'c.source', 'd.outcome', 'd.reason', 'd.detail', 's.send_after'])
    .where('d.id', '>', afterId)
    .orderBy('d.id')
    .execute();
  for (const r of rows) {
    const verdict = r.outcome === 'survey' ? `SURVEY     send at ${r.send_after?.toISOString().slice(11, 19)}Z` : `suppressed ${r.reason}: ${r.detail}`;
    out.write(`  ${(r.external_key ?? '?').padEnd(11)} ${(r.display_name ?? '(no requester)').padEnd(16)} via ${r.source.padEnd(7)} → ${verdict}\n`);
  }
  return rows.at(-1)?.id ?? afterId;
}

/** What a write-back and a follow-up are called in each ITSM, so the output reads right for both. */
const WORDS = {
  servicenow: { note: 'work note', on: 'ticket', task: '' }, // TASK0010001 says what it is
  jira: { note: 'comment', on: 'issue', task: 'issue ' }, // DEMO-15 does not
} as const;

/** Prints write-backs and follow-up tasks that happened since the cursors; returns the new cursors. */
export async function printLoop(db: Db, after: { writeback: string; followUp: string }, out: NodeJS.WritableStream) {
  const notes = await db
    .selectFrom('writebacks as w')
    .innerJoin('responses as r', 'r.id', 'w.response_id')
    .innerJoin('surveys as s', 's.id', 'w.survey_id')
    .innerJoin('tickets as t', 't.id', 's.ticket_id')
    .innerJoin('connectors as k', 'k.id', 't.connector_id')
    .select(['w.id', 't.external_key', 'r.score', 'k.kind'])
    .where('w.status', '=', 'done')
    .where('w.id', '>', after.writeback)
    .orderBy('w.id')
    .execute();
  for (const n of notes) out.write(`  ${(n.external_key ?? '?').padEnd(11)} ${''.padEnd(16)} ${WORDS[n.kind].note.padEnd(12)} → answer ${n.score} written on the ${WORDS[n.kind].on}\n`);
  const tasks = await db
    .selectFrom('follow_ups as f')
    .innerJoin('tickets as t', 't.id', 'f.ticket_id')
    .innerJoin('connectors as k', 'k.id', 't.connector_id')
    .select(['f.id', 't.external_key', 'f.external_key as task', 'f.due_at', 'f.assignment_group_id', 'k.kind'])
    .where('f.status', '=', 'open')
    .where('f.id', '>', after.followUp)
    .orderBy('f.id')
    .execute();
  for (const t of tasks) out.write(`  ${(t.external_key ?? '?').padEnd(11)} ${''.padEnd(16)} FOLLOW-UP    → ${WORDS[t.kind].task}${t.task} for the ticket's team, due ${t.due_at.toISOString().slice(0, 16).replace('T', ' ')}Z (24 h)\n`);
  return { writeback: notes.at(-1)?.id ?? after.writeback, followUp: tasks.at(-1)?.id ?? after.followUp };
}

/** Cursors past everything already in the database (the seeded history is not news). */
export async function printCursors(db: Db) {
  const max = async (table: 'survey_decisions' | 'writebacks' | 'follow_ups') =>
    String((await db.selectFrom(table).select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? '0');
  return { decision: await max('survey_decisions'), loop: { writeback: await max('writebacks'), followUp: await max('follow_ups') } };
}
