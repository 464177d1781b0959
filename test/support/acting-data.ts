import type { PastSurvey } from '../../src/analytics/history.js';

/**
 * Hand-made surveys for the "acting on feedback" tests: every figure they lead to is worked out in
 * the test that uses them.
 */
const HOUR = 3_600_000;
let n = 0;

export interface PastOptions {
  comment?: string | null;
  category?: string;
  /** Hours from the answer to the follow-up task's closing; null: still open. Only for detractors. */
  closedAfterHours?: number | null;
}

/** A survey of `team` on `connectorId`, sent at `sent` (ISO, UTC), answered an hour later with `score` (null: unanswered). */
export function pastSurvey(connectorId: string, scale: PastSurvey['scale'], team: string, sent: string, score: number | null, o: PastOptions = {}): PastSurvey {
  n++;
  const sentAt = new Date(`${sent}Z`);
  const answeredAt = new Date(sentAt.getTime() + HOUR);
  const followUp =
    o.closedAfterHours === undefined
      ? null
      : {
          createdAt: new Date(answeredAt.getTime() + 5 * 60_000),
          // Far ahead: no SLA job runs for these during a test; "on time" is judged from the answer and the connector's due hours.
          dueAt: new Date('2099-01-01T00:00:00Z'),
          closedAt: o.closedAfterHours === null ? null : new Date(answeredAt.getTime() + o.closedAfterHours * HOUR),
          outcome: o.closedAfterHours === null ? null : 'Called back',
        };
  return {
    connectorId,
    ticket: { externalId: `acting-${n}`, key: `INC${700000 + n}`, title: 'Something', category: o.category ?? 'general', priority: '3', groupId: `g-${team}`, groupName: team, assigneeId: 'a-1', assigneeName: 'Agent Avery', },
    requester: { email: `customer${n}@example.com`, name: `Customer ${n}` },
    scale,
    sentAt,
    deliveredAt: null,
    answer: score === null ? null : { score, comment: o.comment ?? null, submittedAt: answeredAt },
    followUp,
  };
}

/** `count` surveys spread over the days of [from, from + days), at 09:00 + i minutes. */
export function spread(from: string, days: number, count: number, make: (sent: string, i: number) => PastSurvey): PastSurvey[] {
  const start = Date.parse(`${from}T09:00:00Z`);
  return Array.from({ length: count }, (_, i) => make(new Date(start + (i % days) * 86_400_000 + i * 60_000).toISOString().slice(0, 19), i));
}
