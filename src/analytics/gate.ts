import { abortError } from './reader.js';

/**
 * At most `max` heavy requests at a time in this process (dashboards: their queries, then building
 * and rendering a page of up to half a megabyte). Five five-year dashboards at once would otherwise
 * share two cores with the survey pages and queue their JavaScript back to back (a customer's
 * answer took up to 316 ms with two at a time, 65 ms with one, at load 6.5 on two cores). A request
 * whose client goes away while it waits leaves the queue at once.
 */
export class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    await this.enter(signal);
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  /** Requests waiting for their turn (for tests and metrics). */
  get queued(): number {
    return this.waiting.length;
  }

  private enter(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const admit = () => {
        signal?.removeEventListener('abort', leave);
        this.active++;
        resolve();
      };
      const leave = () => {
        const i = this.waiting.indexOf(admit);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError());
      };
      this.waiting.push(admit);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }
}
