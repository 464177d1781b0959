/** At most `slots` holders at once; the others wait in arrival order. */
export class Semaphore {
  private readonly waiting: Array<() => void> = [];

  constructor(private slots: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.slots > 0) this.slots--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.slots++;
    }
  }
}
