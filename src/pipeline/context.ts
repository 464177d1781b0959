import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { ConnectorRuntime } from '../connectors/runtime.js';
import type { ConnectorStore } from '../store/connectors.js';
import type { RateGate } from '../lib/rate-gate.js';
import type { MailTransport } from '../mail/transport.js';
import type { Metrics } from '../ops/metrics.js';
import type { StageLoaders } from './stage-loaders.js';
import type { MailPace } from './mail-pace.js';
import type { Queues } from './queues.js';
import type { HostPolicy } from '../connectors/http/host-policy.js';
import type { DigestProviders } from '../digest/providers.js';

/** What the stages need; built once by the composition root (src/main.ts). */
export interface StageContext {
  db: Db;
  logger: Logger;
  queues: Queues;
  connectors: ConnectorStore;
  runtime: ConnectorRuntime;
  now: () => Date;
  reconcileGraceSeconds: number;
  reconcileStuckSeconds: number;
  /**
   * How long a claim on outbound work (creating a task) protects it. Twice the job lock: by then
   * BullMQ has handed a dead worker's job to another, and the taker looks for the marker first.
   */
  claimLeaseMs: number;
  gate: RateGate;
  /** Reads, writes and enqueues the stages make per job, shared by the jobs running at once (see stage-loaders.ts). */
  loaders: StageLoaders;
  metrics?: Metrics;
  /** Derives markers and signed links (from SECRET_KEY). */
  secret: Buffer;
  /** The team digest: what other modules show in it (targets, initiatives) and the minimum group size. */
  digest?: { providers: DigestProviders; minGroupSize: number };
  mail: {
    transport: MailTransport;
    fromAddress: string;
    fromName?: string;
    /** Base URL of the survey and opt-out pages. */
    publicUrl: string;
    /** A claimed send older than this with no outcome is reported as unknown (never re-sent). */
    claimTimeoutSeconds: number;
    /** How long the agents' answer-history link in a note or task keeps working (default: agent-links.ts). */
    agentLinkTtlDays?: number;
    /** The survey sends' share of MAIL_MAX_PER_SECOND, across processes, per email. */
    pace: MailPace;
  };
  /** ITSM_ALLOWED_HOSTS (connector saves are checked against it; calls are checked by the connectors). */
  hostPolicy?: HostPolicy;
}
