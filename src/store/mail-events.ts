import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import type { SesEvent } from '../mail/sns/ses-event.js';
import { normaliseEmail } from '../rules/email.js';

/** SNS delivers at least once: true the first time a MessageId is seen. */
export async function firstSighting(db: Db, messageId: string, topicArn: string, type: string): Promise<boolean> {
  const r = await db.insertInto('sns_messages').values({ message_id: messageId.slice(0, 200), topic_arn: topicArn, type }).onConflict((oc) => oc.column('message_id').doNothing()).returning('message_id').executeTakeFirst();
  return r !== undefined;
}

/**
 * Applies one SES event: deliveries are recorded (response-rate analytics); permanent bounces and
 * complaints also put each address on the suppression list. Returns what it did, for the log.
 */
export async function applySesEvent(db: Db, e: Exclude<SesEvent, { kind: 'ignored' }>): Promise<{ recorded: number; suppressed: number }> {
  const tagged = e.tags.survey_id?.[0];
  const surveyId = tagged && /^\d+$/.test(tagged) ? tagged : null;
  return db.transaction().execute(async (trx) => {
    const survey = surveyId
      ? await trx.selectFrom('surveys').select('id').where('id', '=', surveyId).executeTakeFirst()
      : e.sesMessageId
        ? await trx.selectFrom('surveys').select('id').where((eb) => eb.or([eb('message_id', '=', e.sesMessageId!), eb('reminder_message_id', '=', e.sesMessageId!)])).executeTakeFirst()
        : undefined;
    let recorded = 0;
    let suppressed = 0;
    const detail = e.kind === 'bounce' ? `${e.bounceType}/${e.subType ?? ''}` : e.kind === 'complaint' ? (e.feedbackType ?? null) : null;
    for (const raw of e.recipients) {
      const email = normaliseEmail(raw);
      if (!email) continue;
      await trx.insertInto('mail_events').values({ survey_id: survey?.id ?? null, ses_message_id: e.sesMessageId, kind: e.kind, recipient: email, detail }).execute();
      recorded++;
      if ((e.kind === 'bounce' && e.permanent) || e.kind === 'complaint') {
        const reason = e.kind === 'bounce' ? 'bounced' : 'complained';
        await trx
          .insertInto('suppressions')
          .values({ email, reason, source: `ses:${e.sesMessageId ?? 'unknown'}` })
          .onConflict((oc) => oc.column('email').doUpdateSet({ reason, source: `ses:${e.sesMessageId ?? 'unknown'}`, created_at: sql`now()`, lifted_at: null, lifted_by: null }))
          .execute();
        suppressed++;
      }
    }
    if (e.kind === 'delivery' && survey) await trx.updateTable('surveys').set({ delivered_at: sql`coalesce(delivered_at, now())` }).where('id', '=', survey.id).execute();
    return { recorded, suppressed };
  });
}
