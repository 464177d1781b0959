import type { FastifyInstance } from 'fastify';

/** A signed-in console session driven through app.inject (no browser): cookies, CSRF token, forms. */
export interface ConsoleClient {
  cookie: string;
  csrf: string;
  get(url: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
  post(url: string, form: Record<string, string | string[]>, opts?: { csrf?: string | null; headers?: Record<string, string>; cookie?: string | null }): Promise<{ status: number; body: string; headers: Record<string, unknown> }>;
}

const setCookies = (h: unknown): string[] => (Array.isArray(h) ? h : typeof h === 'string' ? [h] : []).map(String);
export const formBody = (form: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) p.append(k, x);
  return p.toString();
};
export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

export async function consoleLogin(app: FastifyInstance, token: string, name = 'Dana Admin'): Promise<ConsoleClient> {
  const page = await app.inject({ method: 'GET', url: '/admin/login' });
  const nonce = setCookies(page.headers['set-cookie']).map((c) => c.split(';')[0]!).find((c) => c.startsWith('fb_console_login='))!;
  const loginToken = /name="_login" value="([^"]+)"/.exec(page.body)![1]!;
  const res = await app.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: nonce }, payload: formBody({ _login: loginToken, name, token, next: '/admin/' }) });
  if (res.statusCode !== 303) throw new Error(`login failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const cookie = setCookies(res.headers['set-cookie']).map((c) => c.split(';')[0]!).find((c) => c.startsWith('fb_console='))!;
  const home = await app.inject({ method: 'GET', url: '/admin/', headers: { cookie } });
  const client: ConsoleClient = {
    cookie,
    csrf: csrfOf(home.body),
    async get(url) {
      const r = await app.inject({ method: 'GET', url, headers: { cookie } });
      return { status: r.statusCode, body: r.body, headers: r.headers };
    },
    async post(url, form, opts = {}) {
      const csrf = opts.csrf === undefined ? client.csrf : opts.csrf;
      const r = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.cookie === null ? {} : { cookie: opts.cookie ?? cookie }), ...opts.headers },
        payload: formBody({ ...(csrf === null ? {} : { _csrf: csrf }), ...form }),
      });
      return { status: r.statusCode, body: r.body, headers: r.headers };
    },
  };
  return client;
}

/** Text of an HTML fragment as a browser reads it (the entities Handlebars writes). */
export const unescapeHtml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#x27|#x3D|#x60|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#x3D': '=', '#x60': '`', '#39': "'" })[e]!);
