/** Messages between the bench (simulator + customers) and the service it measures, run as a child process. */
export interface ChildStart {
  type: 'start';
  env: Record<string, string>;
  /** The connector definition to save before reporting ready (input to connectorDefinitionSchema). */
  connector: Record<string, unknown>;
}

export type ToChild = ChildStart | { type: 'poll'; connectorId: string } | { type: 'rss' } | { type: 'cpu' } | { type: 'roundTrips' } | { type: 'stop' };

export type FromChild =
  | { type: 'ready'; url: string }
  /** Survey-link paths of the emails sent since the last message (the customers' mailbox). */
  | { type: 'mail'; paths: string[] }
  | { type: 'rss'; peakMb: number; memory: MemoryPeaks }
  /** CPU seconds (user + system) the service process has used so far. */
  | { type: 'cpu'; seconds: number }
  /** Statements and commands issued since start (only when started with BENCH_ROUND_TRIPS=1). */
  | { type: 'roundTrips'; counts: { postgres: Record<string, number>; redis: Record<string, number> } | null }
  | { type: 'error'; message: string };

/** Where the service's memory goes (MB): right after start, and the peaks sampled every 250 ms since. */
export interface MemoryPeaks {
  rssAtStart: number;
  heapUsed: number;
  heapTotal: number;
  /** Buffers and other memory outside the V8 heap. */
  external: number;
}
