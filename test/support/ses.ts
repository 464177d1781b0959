import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocalModule from 'aws-ses-v2-local';

// A CommonJS module with a default export: ESM sees it under .default.
const sesLocal = ((sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ?? sesLocalModule) as unknown as (c: { host: string; port: number }) => Promise<http.Server>;

export interface EmulatedMail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
}

export type Fault = 'throttle' | 'reject' | 'hang' | 'server-error';

/**
 * The aws-ses-v2-local emulator, behind a proxy that can answer SendEmail the way SES does when it
 * refuses (x-amzn-ErrorType + JSON body), or never answer at all (a crash mid-send).
 */
export async function startSes() {
  const emulator = await sesLocal({ host: '127.0.0.1', port: 0 });
  const emulatorUrl = `http://127.0.0.1:${(emulator.address() as AddressInfo).port}`;
  const faults: Fault[] = [];
  let sendRequests = 0;
  const hanging: http.ServerResponse[] = [];

  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const isSend = req.method === 'POST' && (req.url ?? '').startsWith('/v2/email/outbound-emails');
      if (isSend) {
        sendRequests++;
        const fault = faults.shift();
        if (fault === 'hang') return void hanging.push(res);
        if (fault) {
          const [status, type, message] =
            fault === 'throttle' ? [429, 'TooManyRequestsException', 'Maximum sending rate exceeded.']
            : fault === 'reject' ? [400, 'MessageRejected', 'Email address is not verified.']
            : [500, 'InternalFailure', 'internal error'];
          res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-ErrorType': type });
          return void res.end(JSON.stringify({ message }));
        }
      }
      const upstream = await fetch(`${emulatorUrl}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: chunks.length ? Buffer.concat(chunks) : undefined });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  return {
    url,
    emulatorUrl,
    fail: (...f: Fault[]) => faults.push(...f),
    sendRequests: () => sendRequests,
    async mails(): Promise<EmulatedMail[]> {
      return ((await (await fetch(`${emulatorUrl}/store`)).json()) as { emails: EmulatedMail[] }).emails;
    },
    async clear() {
      await fetch(`${emulatorUrl}/clear-store`, { method: 'POST' });
    },
    async close() {
      for (const r of hanging) r.destroy();
      await new Promise((r) => proxy.close(r));
      await new Promise((r) => emulator.close(r));
    },
  };
}

export const sesEnv = (url: string) => ({ MAIL_TRANSPORT: 'ses', SES_ENDPOINT: url, SES_REGION: 'eu-west-1', SES_ACCESS_KEY_ID: 'local', SES_SECRET_ACCESS_KEY: 'local', MAIL_FROM: 'feedback@it.example.com' });

/** Every href in an HTML part. */
export const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '='));
