import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { parseSesEvent, type SnsVerifier } from '../../mail/sns/index.js';
import { applySesEvent, firstSighting } from '../../store/mail-events.js';
import { HttpError } from '../app.js';

/**
 * SES bounce / complaint / delivery events through an SNS HTTPS subscription. The signature is
 * verified before anything is stored or fetched; subscriptions are confirmed only after that.
 */
export function registerSesEventRoutes(app: FastifyInstance, deps: { db: Db; logger: Logger; verifier: SnsVerifier; certHostPattern: RegExp; confirm: (url: string) => Promise<void> }) {
  void app.register(async (scope) => {
    // SNS posts JSON with Content-Type text/plain.
    scope.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => {
      try {
        done(null, JSON.parse(String(body)));
      } catch {
        done(new HttpError(400, 'body is not valid JSON'), undefined);
      }
    });

    scope.post('/ses/events', { bodyLimit: 256 * 1024 }, async (req, reply) => {
      const result = await deps.verifier.verify(req.body);
      if (!result.ok) {
        deps.logger.warn({ reason: result.reason }, 'SNS message rejected');
        throw new HttpError(403, `SNS message rejected: ${result.reason}`);
      }
      const m = result.message;
      if (!(await firstSighting(deps.db, m.MessageId, m.TopicArn, m.Type))) return reply.status(200).send({ duplicate: true });

      if (m.Type === 'SubscriptionConfirmation') {
        const url = new URL(m.SubscribeURL!);
        if (url.protocol !== 'https:' || !deps.certHostPattern.test(url.hostname)) throw new HttpError(403, 'SubscribeURL is not on an allowed SNS host');
        await deps.confirm(url.toString());
        deps.logger.info({ topicArn: m.TopicArn }, 'SNS subscription confirmed');
        return reply.status(200).send({ confirmed: true });
      }
      if (m.Type === 'UnsubscribeConfirmation') return reply.status(200).send({ ok: true });

      const event = parseSesEvent(m.Message);
      if (event.kind === 'ignored') return reply.status(200).send({ ignored: event.type });
      const outcome = await applySesEvent(deps.db, event);
      deps.logger.info({ kind: event.kind, ...outcome }, 'SES event applied');
      return reply.status(200).send({ kind: event.kind, ...outcome });
    });
  });
}
