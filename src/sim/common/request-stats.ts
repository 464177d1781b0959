/** Request accounting both simulators share: requests per route and per status, and a capped request log. */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Logs keep the most recent entries only, so a long benchmark cannot grow memory without bound. */
export const LOG_CAP = 10_000;

export interface RequestLogEntry {
  method: string;
  url: string;
  status: number;
  /** Epoch ms the answer was sent. */
  at: number;
  /** Epoch ms the request arrived (before any simulated latency): when the client's call started. */
  startedAt: number;
  /** The answer's Retry-After header in seconds, when it had one (429, 503). */
  retryAfterSeconds: number | null;
  /** The request's X-Sim-Ref header (extension): lets a test pair what it sent with what arrived. */
  ref: string | null;
}

/** `METHOD path`, where path is the matched route template as `render` writes it, else the raw path. */
export function routeKeyOf(req: FastifyRequest, render: (template: string) => string): string {
  const template = req.routeOptions.url;
  const path = template ? render(template) : (req.url.split('?')[0] ?? req.url);
  return `${req.method} ${path}`;
}

export class RequestStats {
  requests = 0;
  byRoute: Record<string, number> = {};
  status: Record<string, number> = {};
  log: RequestLogEntry[] = [];
  private readonly arrivals = new WeakMap<FastifyRequest, number>();

  constructor(private readonly routeKey: (req: FastifyRequest) => string) {}

  /** onRequest hook, before fault injection: the moment the request reached the simulator. */
  arrived(req: FastifyRequest): void {
    this.arrivals.set(req, Date.now());
  }

  /** onSend hook. The control API (/sim/*) is not counted: tests assert on what clients did. */
  record(req: FastifyRequest, reply: FastifyReply): void {
    if ((req.url.split('?')[0] ?? '').startsWith('/sim/')) return;
    this.requests++;
    const key = this.routeKey(req);
    this.byRoute[key] = (this.byRoute[key] ?? 0) + 1;
    const code = String(reply.statusCode);
    this.status[code] = (this.status[code] ?? 0) + 1;
    const retryAfter = Number(reply.getHeader('retry-after'));
    const at = Date.now();
    this.log.push({ method: req.method, url: req.url, status: reply.statusCode, at, startedAt: this.arrivals.get(req) ?? at, retryAfterSeconds: Number.isFinite(retryAfter) && reply.hasHeader('retry-after') ? retryAfter : null, ref: typeof req.headers['x-sim-ref'] === 'string' ? req.headers['x-sim-ref'] : null });
    if (this.log.length > LOG_CAP) this.log.shift();
  }

  reset(): void {
    this.requests = 0;
    this.byRoute = {};
    this.status = {};
    this.log = [];
  }
}
