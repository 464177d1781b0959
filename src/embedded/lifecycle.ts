/**
 * What a command started, stopped in reverse order, each step bounded so that one that hangs never
 * keeps the rest running. It also turns SIGINT / SIGTERM / SIGHUP into an abort signal from the first
 * moment, so a Ctrl+C during start-up (an initdb, a container pull) stops what was already started
 * instead of killing Node and leaving servers behind.
 */
export class Lifecycle {
  private readonly steps: Array<{ what: string; stop: () => Promise<unknown>; ms: number }> = [];
  private readonly controller = new AbortController();
  private stopping: Promise<void> | null = null;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    // The terminal and a wrapper (npm, tsx) may both deliver the same Ctrl+C: act on the first.
    if (this.signal.aborted) return;
    this.warn(`${signal}: stopping`);
    this.controller.abort(new StopRequested(signal));
  };

  constructor(private readonly warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {}

  /** Aborted once a stop signal arrived. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Catches the stop signals until `stopAll` has finished (a second Ctrl+C does not cut it short). */
  catchSignals(): this {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, this.onSignal);
    return this;
  }

  /** Throws StopRequested if a stop signal arrived (call between start-up steps). */
  check(): void {
    if (this.signal.aborted) throw this.signal.reason;
  }

  /** Registers how to stop something that has just started. */
  add(what: string, stop: () => Promise<unknown>, ms = 15_000): void {
    this.steps.push({ what, stop, ms });
  }

  /** Resolves when a stop signal arrives, or after `ms` if given. */
  untilStopped(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.signal.aborted) return resolve();
      const timer = ms === undefined ? null : setTimeout(resolve, ms);
      this.signal.addEventListener('abort', () => (timer && clearTimeout(timer), resolve()), { once: true });
    });
  }

  /** Stops everything in reverse order of starting; safe to call more than once. */
  stopAll(): Promise<void> {
    return (this.stopping ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          step.stop().then(
            () => false,
            (e: unknown) => (this.warn(`stopping ${step.what} failed: ${e instanceof Error ? e.message : String(e)}`), false),
          ),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(true), step.ms))),
        ]);
        clearTimeout(timer);
        if (timedOut) this.warn(`stopping ${step.what} took longer than ${step.ms / 1000} s; going on`);
      }
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, this.onSignal);
    })());
  }
}

export class StopRequested extends Error {
  constructor(readonly signalName: NodeJS.Signals) {
    super(`stopped by ${signalName}`);
    this.name = 'StopRequested';
  }
}
