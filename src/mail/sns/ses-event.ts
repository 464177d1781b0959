/**
 * Parses the `Message` of a verified SNS notification carrying an Amazon SES event.
 *
 * Two producer forms exist (AWS SES developer guide, "notification contents" and "event data
 * published to Amazon SNS"):
 * - identity feedback notifications: `notificationType` = Bounce | Complaint | Delivery
 *   (plus `AmazonSnsSubscriptionSucceeded` when the topic is attached); no `mail.tags`;
 * - configuration-set event publishing: `eventType` = Bounce | Complaint | Delivery | Send | Reject |
 *   Open | Click | Rendering Failure | DeliveryDelay | Subscription; `mail.tags` holds the
 *   `EmailTags` given at send time (our opaque ids) next to the `ses:*` ones.
 *
 * SES may add fields at any time, so unknown fields are ignored. Never throws.
 */

export type SesEvent =
  | {
      kind: 'bounce';
      permanent: boolean;
      bounceType: string;
      subType: string | null;
      recipients: string[];
      sesMessageId: string | null;
      tags: Record<string, string[]>;
    }
  | {
      kind: 'complaint';
      recipients: string[];
      feedbackType: string | null;
      sesMessageId: string | null;
      tags: Record<string, string[]>;
    }
  | { kind: 'delivery'; recipients: string[]; sesMessageId: string | null; tags: Record<string, string[]> }
  | { kind: 'ignored'; type: string };

const MAX_TYPE_LENGTH = 64;

export function parseSesEvent(messageJson: string): SesEvent {
  try {
    return parse(messageJson);
  } catch {
    return { kind: 'ignored', type: 'unparseable' };
  }
}

function parse(messageJson: string): SesEvent {
  let data: unknown;
  try {
    data = JSON.parse(messageJson);
  } catch {
    return { kind: 'ignored', type: 'unparseable' };
  }
  if (!isRecord(data)) return { kind: 'ignored', type: 'unparseable' };

  const type = str(data.eventType) ?? str(data.notificationType);
  if (type === null) return { kind: 'ignored', type: 'unknown' };

  const mail = isRecord(data.mail) ? data.mail : {};
  const sesMessageId = str(mail.messageId);
  const tags = readTags(mail.tags);

  switch (type) {
    case 'Bounce': {
      const bounce = isRecord(data.bounce) ? data.bounce : {};
      // SES documents Undetermined | Permanent | Transient; a missing type is treated as Undetermined.
      const bounceType = str(bounce.bounceType) ?? 'Undetermined';
      return {
        kind: 'bounce',
        permanent: bounceType === 'Permanent',
        bounceType,
        subType: str(bounce.bounceSubType),
        recipients: addresses(bounce.bouncedRecipients, (r) => (isRecord(r) ? r.emailAddress : undefined)),
        sesMessageId,
        tags,
      };
    }
    case 'Complaint': {
      const complaint = isRecord(data.complaint) ? data.complaint : {};
      return {
        kind: 'complaint',
        recipients: addresses(complaint.complainedRecipients, (r) => (isRecord(r) ? r.emailAddress : undefined)),
        feedbackType: str(complaint.complaintFeedbackType),
        sesMessageId,
        tags,
      };
    }
    case 'Delivery': {
      const delivery = isRecord(data.delivery) ? data.delivery : {};
      return { kind: 'delivery', recipients: addresses(delivery.recipients, (r) => r), sesMessageId, tags };
    }
    default:
      return { kind: 'ignored', type: type.slice(0, MAX_TYPE_LENGTH) };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Email addresses from a list; `Name <a@b>` forms are reduced to the address, blanks dropped. */
function addresses(list: unknown, pick: (item: unknown) => unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const item of list) {
    const raw = pick(item);
    if (typeof raw !== 'string') continue;
    const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(raw);
    const addr = (angle?.[1] ?? raw).trim();
    if (addr !== '' && !out.includes(addr)) out.push(addr);
  }
  return out;
}

function readTags(v: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!isRecord(v)) return out;
  for (const [key, values] of Object.entries(v)) {
    if (key === '__proto__') continue; // would replace the prototype instead of adding a key
    if (Array.isArray(values)) out[key] = values.filter((x): x is string => typeof x === 'string');
    else if (typeof values === 'string') out[key] = [values];
  }
  return out;
}
