import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForeignRequest {
  method: string;
  url: string;
  authorization: string | null;
  body: string;
}

/**
 * A server that is not an ITSM: what a connector would reach after an admin pointed it somewhere else.
 * It records every request (with the credentials it carried) and answers `status` with an HTML page
 * holding `PAGE_MARKER`, so that a test can tell whether its content was echoed.
 */
export const PAGE_MARKER = 'INTERNAL-PAGE-CONTENT-7f3a';

export async function startForeignHost(opts: { status?: number } = {}) {
  const requests: ForeignRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', authorization: req.headers.authorization ?? null, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(opts.status ?? 404, { 'content-type': 'text/html' });
      res.end(`<html><body><h1>Admin console</h1><p>${PAGE_MARKER}: db_password=hunter2</p></body></html>`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
