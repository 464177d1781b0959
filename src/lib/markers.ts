import { createHmac } from 'node:crypto';

/**
 * A marker we put into every note and task we write ("FB-A123-1a2b3c"), and search for before
 * writing again after an interrupted attempt. The HMAC suffix makes it unguessable, so customer
 * text cannot forge one and make us skip a write. Only [A-Za-z0-9-]: safe inside encoded queries.
 */
export type MarkerKind = 'A' /* answer note */ | 'T' /* follow-up task */ | 'C' /* rating change on a task */ | 'E' /* escalation */ | 'I' /* improvement initiative's ITSM record */;

export function marker(secret: Buffer, kind: MarkerKind, id: string): string {
  const mac = createHmac('sha256', secret).update(`marker:${kind}:${id}`).digest('hex').slice(0, 8);
  return `FB-${kind}${id}-${mac}`;
}
