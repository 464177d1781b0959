/** The part of the public API every simulator has, whatever its ITSM. */
import type { FastifyInstance } from 'fastify';
import type { CommonFaults } from './faults.js';

export interface SimServerApi {
  app: FastifyInstance;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Base URL after listen() ('' before). */
  readonly url: string;
}

export interface FaultControl<F extends CommonFaults> {
  setFaults(f: Partial<F>): void;
  getFaults(): F;
}
