import type { FastifyInstance } from 'fastify';
import { consoleActorHeaders } from '../audit/actor.js';

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
}

/**
 * The console changes things only through the admin API (the same validation, the same audit entry):
 * it calls the routes in-process, as the admin who is signed in.
 */
export class AdminApi {
  constructor(private readonly app: FastifyInstance, private readonly adminToken: string) {}

  async call<T = any>(actor: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<ApiAnswer<T>> {
    const res = await this.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${this.adminToken}`, ...consoleActorHeaders(actor), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    let parsed: unknown = res.body;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      /* not JSON (e.g. CSV) */
    }
    return { status: res.statusCode, body: parsed as T };
  }
}

/** The API's error message (and field issues) from a 4xx answer. */
export function apiProblem(a: ApiAnswer): { message: string; issues: Array<{ path: string; message: string }> } {
  const b = (a.body ?? {}) as { message?: unknown; details?: unknown };
  const issues = Array.isArray(b.details) ? (b.details as Array<{ path?: unknown; message?: unknown }>).filter((i) => typeof i?.path === 'string' && typeof i?.message === 'string').map((i) => ({ path: i.path as string, message: i.message as string })) : [];
  return { message: typeof b.message === 'string' ? b.message : `HTTP ${a.status}`, issues };
}
