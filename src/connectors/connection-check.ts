import { RetryLaterError } from '../lib/retry.js';
import { ItsmError } from './http/itsm-http.js';
import type { CheckStep, ConnectionCheck } from './types.js';

/**
 * The answer of POST /admin/connectors/:id/test when the call failed: the HTTP status and a short
 * classified reason, plus the ITSM's own structured error message (already cleaned and capped by the
 * connector's describe…Error). The body of whatever answered is never echoed, so pointing a connector
 * at an internal address cannot be used to read that address's pages.
 */
export type CheckReason =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'server_error'
  | 'redirected'
  | 'unexpected_status'
  | 'unreachable'
  | 'host_not_allowed'
  | 'failed';

const HINTS: Record<CheckReason, string> = {
  unauthorized: 'the credentials were refused',
  forbidden: 'the integration user lacks a permission or role',
  not_found: 'the address or table does not exist there (check baseUrl)',
  rate_limited: 'the ITSM asks us to slow down; try again later',
  server_error: 'the ITSM (or a proxy before it) failed',
  redirected: 'the address redirects elsewhere (redirects are never followed: set baseUrl to the final address)',
  unexpected_status: 'the answer was not what the ITSM API sends',
  unreachable: 'no connection could be made',
  host_not_allowed: 'the host is not in ITSM_ALLOWED_HOSTS',
  failed: 'the check failed',
};

function classify(status: number | 'network'): CheckReason {
  if (status === 'network') return 'unreachable';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status >= 300 && status < 400) return 'redirected';
  return 'unexpected_status';
}

/** The network error's code (ECONNREFUSED, ENOTFOUND, timeout…), never the whole message. */
function networkCode(message: string): string {
  if (/timeout|ETIMEDOUT|ESOCKETTIMEDOUT/i.test(message)) return 'timeout';
  return /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(message)?.[1] ?? 'connection failed';
}

export function failedCheck(e: unknown, latencyMs: number): ConnectionCheck {
  if (e instanceof ItsmError) {
    if (/refused before sending: /.test(e.message)) {
      return { ok: false, latencyMs, status: null, reason: 'host_not_allowed', message: e.message.slice(e.message.indexOf('refused before sending: ')) };
    }
    const reason = classify(e.status);
    if (e.status === 'network') return { ok: false, latencyMs, status: null, reason, message: `${HINTS[reason]} (${networkCode(e.message)})` };
    // "<id> <operation>: HTTP <status>: [gave up after N attempts: ]<described error>"
    const described = e.message.replace(/^.*?: HTTP \d+: (gave up after \d+ attempts: )?/, '');
    return { ok: false, latencyMs, status: e.status, reason, message: `HTTP ${e.status}: ${HINTS[reason]} — ${described}` };
  }
  if (e instanceof RetryLaterError) return { ok: false, latencyMs, status: 429, reason: 'rate_limited', message: HINTS.rate_limited };
  return { ok: false, latencyMs, status: null, reason: 'failed', message: HINTS.failed };
}

/**
 * The steps of one connection check as a connector runs them: `pass` / `warn` record a step, `fail`
 * records a failed call (its status and classified reason, never a remote body) and gives the answer to
 * return, `result` the answer once every step ran. The message names the first failed step.
 */
export class CheckSteps {
  readonly steps: CheckStep[] = [];
  private readonly started = Date.now();

  push(step: CheckStep): void {
    this.steps.push(step);
  }

  result(extra: Partial<ConnectionCheck> = {}): ConnectionCheck {
    const failed = this.steps.find((s) => s.ok === false);
    return { ok: !failed, latencyMs: Date.now() - this.started, message: failed ? `${failed.label}: ${failed.detail}` : this.steps.map((s) => s.detail).join('; '), steps: this.steps, ...extra };
  }

  /** A step whose call failed: recorded with the classified failure; the check ends there. */
  fail(check: CheckStep['check'], label: string, e: unknown): ConnectionCheck {
    const f = failedCheck(e, Date.now() - this.started);
    this.push({ check, label, ok: false, detail: f.message });
    return this.result({ status: f.status ?? null, reason: f.reason ?? 'failed' });
  }

  /** A step that got an answer which is not the ITSM's (a login page, a proxy): the check ends there. */
  unexpected(check: CheckStep['check'], label: string, status: number, detail: string): ConnectionCheck {
    this.push({ check, label, ok: false, detail });
    return this.result({ status, reason: 'unexpected_status' });
  }
}
