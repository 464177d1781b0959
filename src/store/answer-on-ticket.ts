import { sql } from 'kysely';

/** An answer with the ticket it is about: what write-back and follow-up stages both work from. */
export interface AnswerOnTicket {
  responseId: string;
  surveyId: string;
  connectorId: string;
  scale: 'csat' | 'nps' | 'ces';
  score: number;
  comment: string | null;
  submittedAt: Date;
  ticketExternalId: string;
  ticketKey: string | null;
  ticketTitle: string | null;
  assignmentGroupId: string | null;
  assignmentGroupName: string | null;
  /** The requester's display name (or "the customer"). */
  customer: string;
}

/**
 * The columns of AnswerOnTicket that come from the answer, its survey, ticket and requester, for a
 * query that joins them as responses r, surveys s, tickets t and people p (responseId and connectorId
 * come from the caller's own table).
 */
export const ANSWER_ON_TICKET_COLUMNS = [
  's.id as surveyId', 's.scale', 'r.score', 'r.comment', 'r.submitted_at as submittedAt',
  't.external_id as ticketExternalId', 't.external_key as ticketKey', 't.title as ticketTitle',
  't.assignment_group_id as assignmentGroupId', 't.assignment_group_name as assignmentGroupName',
  sql<string>`coalesce(p.display_name, 'the customer')`.as('customer'),
] as const;
