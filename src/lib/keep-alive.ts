/**
 * Keeps a claim on outbound work fresh while that work runs (429 waits, retries), so that the claim
 * only expires when its worker is really gone: `touch` is called every third of the lease. Returns a
 * stop function. A failed touch is ignored; the next one tries again.
 */
export function keepAlive(touch: () => Promise<unknown>, leaseMs: number): () => void {
  const timer = setInterval(() => void touch().catch(() => {}), Math.max(500, Math.floor(leaseMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}
