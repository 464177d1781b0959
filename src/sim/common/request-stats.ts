/** Request accounting both simulators share: requests per route and per status, and a capped request log. */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Logs keep the most recent entries only, so a long benchmark cannot grow memory without bound. */
export const LOG_CAP = 10_000;

export interface RequestLogEntry {
  method: string;
  url: string;
  status: number;
  at: number;
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

  constructor(private readonly routeKey: (req: FastifyRequest) => string) {}

  /** onSend hook. The control API (/sim/*) is not counted: tests assert on what clients did. */
  record(req: FastifyRequest, reply: FastifyReply): void {
    if ((req.url.split('?')[0] ?? '').startsWith('/sim/')) return;
    this.requests++;
    const key = this.routeKey(req);
    this.byRoute[key] = (this.byRoute[key] ?? 0) + 1;
    const code = String(reply.statusCode);
    this.status[code] = (this.status[code] ?? 0) + 1;
    this.log.push({ method: req.method, url: req.url, status: reply.statusCode, at: Date.now() });
    if (this.log.length > LOG_CAP) this.log.shift();
  }

  reset(): void {
    this.requests = 0;
    this.byRoute = {};
    this.status = {};
    this.log = [];
  }
}
