import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import { backoffMs, parseRetryAfter, RetryLaterError, sleep } from '../../lib/retry.js';
import type { RateGate } from '../../lib/rate-gate.js';
import { SingleFile, type Turn } from './single-file.js';
import type { ConnectorDeps } from '../types.js';
import { HostNotAllowedError } from './host-policy.js';
import { outboundHttp } from './outbound.js';

/**
 * Adds credentials to a request; `invalidate` forces a new token after a 401 (the call is then retried
 * once). It is given the headers the refused request carried, so a token that another request has
 * already replaced is not thrown away again.
 */
export interface AuthProvider {
  headers(): Promise<Record<string, string>>;
  invalidate?(rejected?: Record<string, string>): void;
}

/** A call the ITSM refused for good (4xx other than 401-after-refresh/408/429), or that kept failing. */
export class ItsmError extends Error {
  constructor(
    readonly connectorId: string,
    readonly operation: string,
    readonly status: number | 'network',
    readonly permanent: boolean,
    message: string,
  ) {
    super(`${connectorId} ${operation}: ${status === 'network' ? 'network error' : `HTTP ${status}`}: ${message}`);
    this.name = 'ItsmError';
  }
}

export interface ItsmRequest {
  operation: string;
  method: Method;
  url: string;
  params?: Record<string, string | number | boolean>;
  data?: unknown;
  headers?: Record<string, string>;
  /** Status codes the caller handles itself (e.g. 404 on a re-read). */
  accept?: number[];
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
/** X-RateLimit-Reset as epoch seconds (ServiceNow) or an ISO timestamp (Jira): ms from now, or null. */
export function parseRateLimitReset(value: unknown, nowMs = Date.now()): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const at = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/**
 * Waits until the gate of `key` is open (also used before token requests to the same ITSM). A wait longer
 * than `maxInlineWaitMs` is not done in place: RetryLaterError parks the job instead.
 */
export async function waitForGate(gate: RateGate, key: string, maxInlineWaitMs: number): Promise<void> {
  for (;;) {
    const openAt = await gate.openAt(key);
    const wait = openAt - Date.now();
    if (wait <= 0) return;
    if (wait > maxInlineWaitMs) throw new RetryLaterError(openAt, `${key} is rate limited until ${new Date(openAt).toISOString()}`);
    // Resume spread out, not all at once: a burst at the opening instant just trips the limit again.
    await sleep(wait + 5 + Math.floor(Math.random() * Math.min(1000, wait)));
  }
}

/**
 * Sends a request that does not go through ItsmHttp (an OAuth token request to the same instance) only
 * when the gate is open, looking at it synchronously right before `send`.
 */
export async function sendWhenOpen<T>(gate: RateGate, key: string, maxInlineWaitMs: number, send: () => Promise<T>): Promise<T> {
  for (;;) {
    await waitForGate(gate, key, maxInlineWaitMs);
    if (gate.knownOpenAt(key) <= Date.now()) return send();
  }
}

/** "Come back later" answers are waits, not failures: they have their own, larger budget per call. */
const MAX_RATE_LIMITED_WAITS = 30;

/**
 * One HTTP client per connector. Every call: waits for the shared rate gate, adds auth, looks at the gate
 * once more right before it is sent, and on 429/503 closes the gate for Retry-After (this process at once,
 * the others within SHARED_READ_MS), backs off with jitter on 5xx and network errors, refreshes
 * credentials once on 401, and turns the ITSM's error body into a message.
 */
export class ItsmHttp {
  private readonly axios: AxiosInstance;
  /** One call at a time after a 429/503 until the ITSM answers normally again (see single-file.ts). */
  private readonly lane = new SingleFile();

  constructor(
    private readonly connectorId: string,
    baseURL: string,
    private readonly auth: AuthProvider,
    private readonly deps: ConnectorDeps,
    private readonly describeError: (body: unknown) => string,
    /** Our own ceiling on calls per second to this ITSM, shared by every process (0 = none). */
    private readonly perSecond = 0,
  ) {
    // Every request is checked against ITSM_ALLOWED_HOSTS (deps.hostPolicy) before it is sent.
    this.axios = outboundHttp(deps.hostPolicy, { baseURL, timeout: deps.http.timeoutMs, validateStatus: () => true });
  }

  async request<T>(req: ItsmRequest): Promise<AxiosResponse<T>> {
    const { maxAttempts, maxInlineWaitMs } = this.deps.http;
    let refreshed = false;
    let last = 'no attempt made';
    let lastStatus: number | 'network' = 'network';
    let rateLimitedWaits = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let res: AxiosResponse<T>;
      let authHeaders: Record<string, string>;
      let turn: Turn | null = null;
      try {
        try {
          for (;;) {
            if (this.lane.active && !turn) turn = await this.lane.enter();
            authHeaders = await this.admit(maxInlineWaitMs);
            // The last look at the gate and the send are one synchronous step: a 429 that any call of this
            // connector in this process has received by now is seen here, however long we waited above.
            if (this.deps.gate.knownOpenAt(this.connectorId) > Date.now()) continue;
            if (this.lane.active && !turn) continue; // a storm began while we waited: queue up
            break;
          }
          res = await this.axios.request<T>({
            method: req.method,
            url: req.url,
            params: req.params,
            data: req.data,
            headers: { Accept: 'application/json', ...(req.data !== undefined ? { 'Content-Type': 'application/json' } : {}), ...req.headers, ...authHeaders },
          });
        } catch (e) {
          if (e instanceof ItsmError || e instanceof RetryLaterError) throw e; // from the gate or the auth provider
          if (e instanceof HostNotAllowedError) throw new ItsmError(this.connectorId, req.operation, 'network', true, e.message);
          lastStatus = 'network';
          last = (e as Error).message;
          this.observe(req.operation, 'network');
          turn?.leave();
          turn = null;
          if (attempt < maxAttempts) await sleep(backoffMs(attempt));
          continue;
        }
        this.observe(req.operation, res.status);
        const retryAfter = RETRYABLE_STATUS.has(res.status) ? (parseRetryAfter(res.headers['retry-after']) ?? (res.status === 429 ? parseRateLimitReset(res.headers['x-ratelimit-reset']) : null)) : null;
        this.lane.observe(retryAfter !== null);
        if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return res;
        lastStatus = res.status;
        last = this.describeError(res.data);
        if (res.status === 401 && !refreshed && this.auth.invalidate) {
          refreshed = true;
          this.auth.invalidate(authHeaders);
          attempt--; // a token refresh is not a failed attempt
          continue;
        }
        if (!RETRYABLE_STATUS.has(res.status)) throw new ItsmError(this.connectorId, req.operation, res.status, true, last);
        if (retryAfter !== null) {
          // Closed here (synchronously, in this process) before the lane passes to the next call.
          const closing = this.deps.gate.closeUntil(this.connectorId, Date.now() + retryAfter);
          turn?.leave();
          turn = null;
          await closing;
          this.deps.logger.warn({ connectorId: this.connectorId, operation: req.operation, status: res.status, retryAfterMs: retryAfter }, 'ITSM asked us to slow down');
          if (++rateLimitedWaits <= MAX_RATE_LIMITED_WAITS) attempt--;
        } else {
          turn?.leave();
          turn = null;
          if (attempt < maxAttempts) await sleep(backoffMs(attempt));
        }
      } finally {
        turn?.leave();
      }
    }
    throw new ItsmError(this.connectorId, req.operation, lastStatus, false, `gave up after ${maxAttempts} attempts: ${last}`);
  }

  /**
   * Everything a call waits for before it may be sent: the gate, a slot in the per-second limiter,
   * credentials (perhaps a token refresh). Each can take a while, and a 429 may close the gate meanwhile,
   * so the gate is asked again after them (refreshing a stale read of the shared gate) until it is open.
   */
  private async admit(maxInlineWaitMs: number): Promise<Record<string, string>> {
    for (;;) {
      await waitForGate(this.deps.gate, this.connectorId, maxInlineWaitMs);
      if (this.perSecond > 0) await this.deps.gate.acquire(this.connectorId, this.perSecond);
      const headers = await this.auth.headers();
      if ((await this.deps.gate.openAt(this.connectorId)) <= Date.now()) return headers;
    }
  }

  private observe(operation: string, status: number | 'network') {
    try {
      this.deps.onCall?.({ connectorId: this.connectorId, operation, status });
    } catch {
      /* metrics must never break a call */
    }
  }
}
