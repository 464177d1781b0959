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
