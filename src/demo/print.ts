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
