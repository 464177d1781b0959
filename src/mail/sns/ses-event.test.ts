import { describe, expect, it } from 'vitest';
import { parseSesEvent } from './ses-event.js';

// Payloads follow the AWS SES developer guide: "Amazon SNS notification examples for Amazon SES"
// (identity notifications, `notificationType`) and "Examples of event data that Amazon SES publishes
// to Amazon SNS" (configuration-set event publishing, `eventType`). Headers trimmed.

const identityMail = {
  timestamp: '2016-01-27T14:59:38.237Z',
  source: 'john@example.com',
  sourceArn: 'arn:aws:ses:us-east-1:888888888888:identity/example.com',
  sourceIp: '127.0.3.0',
  sendingAccountId: '123456789012',
  destination: ['jane@example.com', 'mary@example.com', 'richard@example.com'],
  headersTruncated: false,
  headers: [
    { name: 'From', value: '"John Doe" <john@example.com>' },
    { name: 'Message-ID', value: 'custom-message-ID' },
    { name: 'Subject', value: 'Hello' },
  ],
  commonHeaders: { from: ['John Doe <john@example.com>'], messageId: 'custom-message-ID', subject: 'Hello' },
};

const identityPermanentBounce = {
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    reportingMTA: 'dns; email.example.com',
    bouncedRecipients: [
      {
        emailAddress: 'jane@example.com',
        status: '5.1.1',
        action: 'failed',
        diagnosticCode: 'smtp; 550 5.1.1 <jane@example.com>... User',
      },
    ],
    bounceSubType: 'General',
    timestamp: '2016-01-27T14:59:38.237Z',
    feedbackId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000',
    remoteMtaIp: '127.0.2.0',
  },
  mail: { ...identityMail, messageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000' },
};

const identityTransientBounce = {
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Transient',
    bounceSubType: 'MailboxFull',
    bouncedRecipients: [
      { emailAddress: 'jane@example.com', status: '4.2.2', action: 'failed', diagnosticCode: 'smtp; 452 4.2.2 Mailbox full' },
      { emailAddress: 'richard@example.com', status: '4.2.2', action: 'failed' },
    ],
    timestamp: '2016-01-27T14:59:38.237Z',
    feedbackId: '00000137860315fd-869464a4-8680-4114-98d3-716fe35851f9-000000',
    remoteMtaIp: '127.0.2.0',
  },
  mail: { ...identityMail, messageId: '00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000' },
};

const identityComplaint = {
  notificationType: 'Complaint',
  complaint: {
    userAgent: 'AnyCompany Feedback Loop (V0.01)',
    complainedRecipients: [{ emailAddress: 'richard@example.com' }],
    complaintFeedbackType: 'abuse',
    arrivalDate: '2016-01-27T14:59:38.237Z',
    timestamp: '2016-01-27T14:59:38.237Z',
    feedbackId: '000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000',
  },
  mail: { ...identityMail, messageId: '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000' },
};

const identityComplaintNoFeedback = {
  notificationType: 'Complaint',
  complaint: {
    complainedRecipients: [{ emailAddress: 'richard@example.com' }],
    timestamp: '2016-01-27T14:59:38.237Z',
    feedbackId: '0000013786031775-fea503bc-7497-49e1-881b-a0379bb037d3-000000',
  },
  mail: { ...identityMail, messageId: '0000013786031775-163e3910-53eb-4c8e-a04a-f29debf88a84-000000' },
};

const identityDelivery = {
  notificationType: 'Delivery',
  mail: {
    ...identityMail,
    destination: ['jane@example.com'],
    messageId: '0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000',
  },
  delivery: {
    timestamp: '2016-01-27T14:59:38.237Z',
    recipients: ['jane@example.com'],
    processingTimeMillis: 546,
    reportingMTA: 'a8-70.smtp-out.amazonses.com',
    smtpResponse: '250 ok:  Message 64111812 accepted',
    remoteMtaIp: '127.0.2.0',
  },
};

const eventMail = {
  timestamp: '2017-08-05T00:40:02.012Z',
  source: 'Sender Name <sender@example.com>',
  sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
  sendingAccountId: '123456789012',
  messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
  destination: ['recipient@example.com'],
  headersTruncated: false,
  commonHeaders: { from: ['Sender Name <sender@example.com>'], to: ['recipient@example.com'], subject: 'Message sent from Amazon SES' },
  tags: {
    'ses:configuration-set': ['ConfigSet'],
    'ses:source-ip': ['192.0.2.0'],
    'ses:from-domain': ['example.com'],
    'ses:caller-identity': ['ses_user'],
    // Our own EmailTags (opaque ids only).
    survey_id: ['sv_01HZX3'],
    tenant: ['t-42'],
  },
};

const expectedTags = {
  'ses:configuration-set': ['ConfigSet'],
  'ses:source-ip': ['192.0.2.0'],
  'ses:from-domain': ['example.com'],
  'ses:caller-identity': ['ses_user'],
  survey_id: ['sv_01HZX3'],
  tenant: ['t-42'],
};

const eventBounce = {
  eventType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [
      { emailAddress: 'recipient@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
    ],
    timestamp: '2017-08-05T00:41:02.669Z',
    feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
    reportingMTA: 'dsn; mta.example.com',
  },
  mail: eventMail,
};

const eventComplaint = {
  eventType: 'Complaint',
  complaint: {
    complainedRecipients: [{ emailAddress: 'recipient@example.com' }],
    timestamp: '2017-08-05T00:41:02.669Z',
    feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36',
    complaintFeedbackType: 'abuse',
    arrivalDate: '2017-08-05T00:41:02.669Z',
  },
  mail: eventMail,
};

const eventDelivery = {
  eventType: 'Delivery',
  mail: { ...eventMail, tags: { ...eventMail.tags, 'ses:outgoing-ip': ['192.0.2.0'] } },
  delivery: {
    timestamp: '2016-10-19T23:21:04.133Z',
    processingTimeMillis: 11893,
    recipients: ['recipient@example.com'],
    smtpResponse: '250 2.6.0 Message received',
    reportingMTA: 'mta.example.com',
  },
};

const j = (o: unknown) => JSON.stringify(o);

describe('parseSesEvent: identity notifications (notificationType)', () => {
  it('reads a permanent bounce', () => {
    expect(parseSesEvent(j(identityPermanentBounce))).toEqual({
      kind: 'bounce',
      permanent: true,
      bounceType: 'Permanent',
      subType: 'General',
      recipients: ['jane@example.com'],
      sesMessageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
      tags: {},
    });
  });

  it('reads a transient bounce with several recipients', () => {
    expect(parseSesEvent(j(identityTransientBounce))).toEqual({
      kind: 'bounce',
      permanent: false,
      bounceType: 'Transient',
      subType: 'MailboxFull',
      recipients: ['jane@example.com', 'richard@example.com'],
      sesMessageId: '00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000',
      tags: {},
    });
  });

  it('treats an Undetermined bounce as not permanent', () => {
    const m = { ...identityPermanentBounce, bounce: { ...identityPermanentBounce.bounce, bounceType: 'Undetermined', bounceSubType: 'Undetermined' } };
    expect(parseSesEvent(j(m))).toMatchObject({ kind: 'bounce', permanent: false, bounceType: 'Undetermined', subType: 'Undetermined' });
  });

  it('reads complaints with and without a feedback report', () => {
    expect(parseSesEvent(j(identityComplaint))).toEqual({
      kind: 'complaint',
      recipients: ['richard@example.com'],
      feedbackType: 'abuse',
      sesMessageId: '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000',
      tags: {},
    });
    expect(parseSesEvent(j(identityComplaintNoFeedback))).toMatchObject({
      kind: 'complaint',
      recipients: ['richard@example.com'],
      feedbackType: null,
    });
  });

  it('reads a delivery', () => {
    expect(parseSesEvent(j(identityDelivery))).toEqual({
      kind: 'delivery',
      recipients: ['jane@example.com'],
      sesMessageId: '0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000',
      tags: {},
    });
  });

  it('ignores the subscription-succeeded notice SES sends when the topic is attached', () => {
    const m = { notificationType: 'AmazonSnsSubscriptionSucceeded', message: 'You have successfully subscribed your Amazon SNS topic' };
    expect(parseSesEvent(j(m))).toEqual({ kind: 'ignored', type: 'AmazonSnsSubscriptionSucceeded' });
  });
});

describe('parseSesEvent: configuration-set events (eventType)', () => {
  it('reads a bounce with our tags', () => {
    expect(parseSesEvent(j(eventBounce))).toEqual({
      kind: 'bounce',
      permanent: true,
      bounceType: 'Permanent',
      subType: 'General',
      recipients: ['recipient@example.com'],
      sesMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
      tags: expectedTags,
    });
  });

  it('reads a complaint with our tags', () => {
    expect(parseSesEvent(j(eventComplaint))).toEqual({
      kind: 'complaint',
      recipients: ['recipient@example.com'],
      feedbackType: 'abuse',
      sesMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
      tags: expectedTags,
    });
  });

  it('reads a delivery with our tags', () => {
    expect(parseSesEvent(j(eventDelivery))).toEqual({
      kind: 'delivery',
      recipients: ['recipient@example.com'],
      sesMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
      tags: { ...expectedTags, 'ses:outgoing-ip': ['192.0.2.0'] },
    });
  });

  it('prefers eventType when both names are present', () => {
    expect(parseSesEvent(j({ ...eventDelivery, notificationType: 'Bounce' }))).toMatchObject({ kind: 'delivery' });
  });

  it.each([
    ['Send', { send: {} }],
    ['Reject', { reject: { reason: 'Bad content' } }],
    ['Open', { open: { ipAddress: '192.0.2.1', timestamp: '2017-08-09T22:00:19.652Z', userAgent: 'Mozilla/5.0' } }],
    ['Click', { click: { ipAddress: '192.0.2.1', link: 'https://example.com/', linkTags: {}, timestamp: '2017-08-09T23:51:25.570Z' } }],
    ['Rendering Failure', { failure: { errorMessage: 'Attribute name is missing', templateName: 'MyTemplate' } }],
    [
      'DeliveryDelay',
      {
        deliveryDelay: {
          timestamp: '2020-06-16T00:15:40.641Z',
          delayType: 'TransientCommunicationFailure',
          expirationTime: '2020-06-16T00:25:40.914Z',
          delayedRecipients: [{ emailAddress: 'recipient@example.com', status: '4.4.1', diagnosticCode: 'smtp; 421 4.4.1 Unable to connect' }],
        },
      },
    ],
    ['Subscription', { subscription: { contactList: 'ContactListName' } }],
  ])('ignores %s events', (type, extra) => {
    expect(parseSesEvent(j({ eventType: type, mail: eventMail, ...extra }))).toEqual({ kind: 'ignored', type });
  });
});

describe('parseSesEvent: robustness', () => {
  it.each(['', 'not json', '{"eventType":"Bounce"', 'null', '[]', '42', '"Bounce"', 'true'])('marks %j as unparseable', (input) => {
    expect(parseSesEvent(input)).toEqual({ kind: 'ignored', type: 'unparseable' });
  });

  it('marks an object without a type as unknown', () => {
    expect(parseSesEvent('{}')).toEqual({ kind: 'ignored', type: 'unknown' });
    expect(parseSesEvent(j({ eventType: 7, notificationType: null, mail: eventMail }))).toEqual({ kind: 'ignored', type: 'unknown' });
  });

  it('does not throw on wrong shapes inside a known event', () => {
    expect(parseSesEvent(j({ notificationType: 'Bounce' }))).toEqual({
      kind: 'bounce',
      permanent: false,
      bounceType: 'Undetermined',
      subType: null,
      recipients: [],
      sesMessageId: null,
      tags: {},
    });
    expect(
      parseSesEvent(
        j({
          eventType: 'Bounce',
          bounce: { bounceType: 'Permanent', bouncedRecipients: [null, 5, {}, { emailAddress: 3 }, { emailAddress: ' a@example.com ' }] },
          mail: { messageId: 12, tags: { ok: ['x', 1, null], single: 'y', bad: { a: 1 } } },
        }),
      ),
    ).toEqual({
      kind: 'bounce',
      permanent: true,
      bounceType: 'Permanent',
      subType: null,
      recipients: ['a@example.com'],
      sesMessageId: null,
      tags: { ok: ['x'], single: ['y'] },
    });
    expect(parseSesEvent(j({ eventType: 'Complaint', complaint: { complainedRecipients: 'x' }, mail: [] }))).toEqual({
      kind: 'complaint',
      recipients: [],
      feedbackType: null,
      sesMessageId: null,
      tags: {},
    });
    expect(parseSesEvent(j({ eventType: 'Delivery', delivery: { recipients: ['b@example.com', 7, 'b@example.com'] } }))).toMatchObject({
      kind: 'delivery',
      recipients: ['b@example.com'],
    });
  });

  it('reduces "Name <address>" recipients to the address', () => {
    const m = { ...eventBounce, bounce: { ...eventBounce.bounce, bouncedRecipients: [{ emailAddress: '"Jane Doe" <jane@example.com>' }] } };
    expect(parseSesEvent(j(m))).toMatchObject({ recipients: ['jane@example.com'] });
  });

  it('does not let a __proto__ tag change the result object', () => {
    const r = parseSesEvent('{"eventType":"Delivery","mail":{"tags":{"__proto__":["x"],"a":["b"]}},"delivery":{"recipients":[]}}');
    expect(r).toMatchObject({ kind: 'delivery', tags: { a: ['b'] } });
    if (r.kind === 'delivery') {
      expect(Object.getPrototypeOf(r.tags)).toBe(Object.prototype);
      expect(Object.keys(r.tags)).toEqual(['a']);
    }
  });

  it('truncates absurdly long unknown type names', () => {
    const r = parseSesEvent(j({ eventType: 'X'.repeat(500) }));
    expect(r).toEqual({ kind: 'ignored', type: 'X'.repeat(64) });
  });
});
