import type { FastifyInstance } from 'fastify';

/** Starts a simulator's fastify app and returns the base URL clients should use (port 0 = any free port). */
export async function listenForUrl(app: FastifyInstance, port = 0, host = '127.0.0.1'): Promise<string> {
  await app.listen({ port, host });
  const addr = app.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${actualPort}`;
}

/** A simulator's listen/close, remembering the base URL (links and `self` use it once listening). */
export class SimListener {
  /** Base URL after listen() ('' before). */
  url = '';

  constructor(private readonly app: FastifyInstance) {}

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.url = await listenForUrl(this.app, port, host);
    return this.url;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
