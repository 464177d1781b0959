import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { MemoryRateGate } from '../../lib/rate-gate.js';
import { ItsmHttp, type AuthProvider } from './itsm-http.js';
import { SingleFile } from './single-file.js';

/** A tiny ITSM: /limited answers 429 with Retry-After: 1 once; every arrival is recorded. */
function fakeItsm() {
  const arrivals: Array<{ path: string; at: number }> = [];
  let limitedAt = 0;
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    arrivals.push({ path, at: Date.now() });
    if (path === '/limited' && !limitedAt) {
      limitedAt = Date.now();
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  return { server, arrivals, limitedAt: () => limitedAt };
}

describe('ItsmHttp and the rate gate', () => {
  const itsm = fakeItsm();
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((r) => itsm.server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(itsm.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => itsm.server.close(() => r())));

  it('looks at the gate again after waiting for credentials: a 429 received meanwhile holds the call back', async () => {
    let releaseAuth!: () => void;
    const authWait = new Promise<void>((r) => (releaseAuth = r));
    let slow = true;
    // The first call's credentials take a while (a token refresh); the other call's do not.
    const auth: AuthProvider = {
      async headers() {
        if (slow) {
          slow = false;
          await authWait;
        }
        return { Authorization: 'Bearer t' };
      },
    };
    const http = new ItsmHttp('c1', base, auth, { logger: createLogger('silent'), gate: new MemoryRateGate(), http: { timeoutMs: 5000, maxAttempts: 3, maxInlineWaitMs: 5000 } }, () => 'x');
    const waiting = http.request({ operation: 'a', method: 'GET', url: '/waiting' });
    const limited = http.request({ operation: 'b', method: 'GET', url: '/limited' });
    // Once the 429 has been received (the retry is then held back by the gate), the slow credentials arrive.
    while (!itsm.limitedAt()) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    releaseAuth();
    await Promise.all([waiting, limited]);
    const sent = itsm.arrivals.find((a) => a.path === '/waiting')!;
    expect(sent.at - itsm.limitedAt()).toBeGreaterThanOrEqual(1000);
  });
});

describe('SingleFile', () => {
  it('lets calls run side by side until the ITSM asks to slow down, then one at a time (FIFO) until it is calm', async () => {
    const lane = new SingleFile(2);
    expect(await lane.enter()).toBeNull();
    lane.observe(true);
    const first = (await lane.enter())!;
    const order: number[] = [];
    const second = lane.enter().then((t) => (order.push(2), t));
    const third = lane.enter().then((t) => (order.push(3), t));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]); // nobody passes while the first holds the lane
    first.leave();
    const t2 = (await second)!;
    expect(order).toEqual([2]);
    lane.observe(false);
    lane.observe(false); // calm again: whoever still waits is let go at once
    t2.leave();
    expect(await third).toBeNull();
    expect(order).toEqual([2, 3]);
    expect(await lane.enter()).toBeNull();
  });
});
