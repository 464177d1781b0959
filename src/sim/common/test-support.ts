/** Helpers for the simulators' own tests: in-process requests through app.inject, and real HTTP calls. */
import type { FastifyInstance } from 'fastify';

export interface Res {
  status: number;
  headers: Record<string, unknown>;
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  body: any;
  raw: string;
}

export interface InjectClient {
  get(url: string, headers?: Record<string, string>): Promise<Res>;
  /** An object payload is sent as JSON; a string as is (content-type JSON unless `headers` names one). */
  send(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res>;
}

export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function toRes(r: { statusCode: number; headers: Record<string, unknown>; body: string }): Res {
  let body: unknown;
  try {
    body = r.body ? (JSON.parse(r.body) as unknown) : undefined;
  } catch {
    body = r.body;
  }
  return { status: r.statusCode, headers: r.headers, body, raw: r.body };
}

/** Requests to `app` without listening, authenticated with `authorization` unless a call overrides it. */
export function injectClient(app: FastifyInstance, authorization: string): InjectClient {
  return {
    async get(url, headers = {}) {
      return toRes(await app.inject({ method: 'GET', url, headers: { authorization, accept: 'application/json', ...headers } }));
    },
    async send(method, url, payload, headers = {}) {
      const h: Record<string, string> = { authorization, accept: 'application/json', ...headers };
      if (payload !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
      const body = payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload);
      return toRes(await app.inject({ method, url, headers: h, ...(body !== undefined ? { payload: body } : {}) }));
    },
  };
}

/** A JSON call over real HTTP, e.g. to the control API of a listening simulator. */
export async function callJson(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined, headers: res.headers };
}

/**
 * Simulators listening on free ports for one test: `started()` creates one, `closeAll` (pass it to
 * afterEach) closes them. No vitest import here: this file is also compiled by the production build.
 */
export function listeningSims<S extends { listen(port?: number): Promise<string>; close(): Promise<void> }>(create: () => S) {
  const sims: S[] = [];
  return {
    async started(): Promise<{ sim: S; base: string }> {
      const sim = create();
      sims.push(sim);
      return { sim, base: await sim.listen(0) };
    },
    async closeAll(): Promise<void> {
      for (const s of sims.splice(0)) await s.close();
    },
  };
}
