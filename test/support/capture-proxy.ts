import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  method: string;
  path: string;
  body: unknown;
}

/**
 * Forwards everything to `target` and records each request's method, path and JSON body, so that a
 * test can validate exactly what our client sent (contract tests against the official OpenAPI file).
 */
export async function startCaptureProxy(target: string) {
  const captured: CapturedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        body = raw.toString('utf8');
      }
      const url = new URL(req.url ?? '/', 'http://x');
      captured.push({ method: req.method ?? 'GET', path: url.pathname, body });
      const headers = { ...req.headers } as Record<string, string>;
      delete headers.host;
      delete headers['content-length'];
      try {
        const up = await fetch(`${target}${req.url}`, { method: req.method, headers, body: raw.length ? raw : undefined });
        const out: Record<string, string> = {};
        up.headers.forEach((v, k) => (out[k] = v));
        delete out['content-encoding'];
        delete out['content-length'];
        delete out['transfer-encoding'];
        res.writeHead(up.status, out);
        res.end(Buffer.from(await up.arrayBuffer()));
      } catch {
        res.writeHead(502);
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, captured, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** /rest/api/3/issue/10001/comment → /rest/api/3/issue/{issueIdOrKey}/comment (the OpenAPI path template). */
export function pathTemplate(path: string): string {
  return path
    .replace(/^\/ex\/jira\/[^/]+/, '')
    .replace(/^(\/rest\/api\/[23]\/issue\/)[^/]+(\/comment)$/, '$1{issueIdOrKey}$2')
    .replace(/^(\/rest\/api\/[23]\/issue\/)[^/]+(\/properties\/)[^/]+$/, '$1{issueIdOrKey}$2{propertyKey}')
    .replace(/^(\/rest\/api\/[23]\/issue\/)[^/]+$/, '$1{issueIdOrKey}')
    .replace(/^(\/rest\/servicedeskapi\/request\/)[^/]+(\/comment)$/, '$1{issueIdOrKey}$2');
}
