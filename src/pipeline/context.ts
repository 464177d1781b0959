import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { ConnectorRuntime } from '../connectors/runtime.js';
import type { ConnectorStore } from '../store/connectors.js';
import type { Queues } from './queues.js';

/** What the stages need; built once by the composition root (src/main.ts). */
export interface StageContext {
  db: Db;
  logger: Logger;
  queues: Queues;
  connectors: ConnectorStore;
  runtime: ConnectorRuntime;
  now: () => Date;
  reconcileGraceSeconds: number;
}
