import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * Who made an admin change. API callers may label themselves with the X-Admin-Actor header (a person
 * or a pipeline name; the admin token proves the right to act, the label only says who); without it
 * they are "api". The console calls the same admin API in-process and proves it is the console with a
 * key that exists only in this process's memory, so that its calls are recorded with the name the
 * admin gave at login and channel "console".
 */
export interface Actor {
  name: string;
  channel: 'console' | 'api';
}

export const ACTOR_HEADER = 'x-admin-actor';
const CONSOLE_KEY_HEADER = 'x-console-key';
const CONSOLE_KEY = randomBytes(24).toString('base64url');

/** Printable, single line, at most 80 characters; empty when nothing is left. */
export function cleanActorName(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  return raw.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim().slice(0, 80);
}

export function actorOf(req: FastifyRequest): Actor {
  const name = cleanActorName(req.headers[ACTOR_HEADER]);
  const key = req.headers[CONSOLE_KEY_HEADER];
  const fromConsole = typeof key === 'string' && key.length === CONSOLE_KEY.length && timingSafeEqual(Buffer.from(key), Buffer.from(CONSOLE_KEY));
  return { name: name || 'api', channel: fromConsole ? 'console' : 'api' };
}

/** Headers the console adds to its in-process admin API calls. */
export function consoleActorHeaders(name: string): Record<string, string> {
  return { [ACTOR_HEADER]: cleanActorName(name) || 'console', [CONSOLE_KEY_HEADER]: CONSOLE_KEY };
}
