/** The control routes both simulators share: /sim/faults and /sim/stats (never faulted, not counted). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from './control-body.js';
import type { CommonFaults } from './faults.js';
import type { FaultControl } from './sim-api.js';

/**
 * Validators for the fields of a PUT /sim/faults body. Each ITSM lists its fields in its own order (the
 * order zod reports errors in), wrapped with faultsSchema.
 */
export const faultField = {
  rate: z.number().min(0).max(1),
  latencyMs: z.tuple([z.number().min(0), z.number().min(0)]),
  nonNegative: z.number().min(0),
};

/** Every field optional (a PUT changes only what it names); unknown fields are a 400. */
export const faultsSchema = <S extends z.ZodRawShape>(shape: S) => z.object(shape).partial().strict();

/** PUT /sim/faults answers with the faults now in effect; GET /sim/faults only where the ITSM's API always had it. */
export function registerFaultRoutes<F extends CommonFaults>(
  app: FastifyInstance,
  sim: FaultControl<F>,
  schema: z.ZodType<Partial<F>>,
  opts: { withGet: boolean },
): void {
  if (opts.withGet) app.get('/sim/faults', async (_req, reply) => reply.send(sim.getFaults()));
  app.put('/sim/faults', async (req, reply) => {
    const b = parseBody(req, reply, schema, undefined);
    if (!b.ok) return reply;
    sim.setFaults(b.value);
    return reply.send(sim.getFaults());
  });
}

export function registerStatsRoutes(app: FastifyInstance, sim: { stats(): unknown; resetStats(): void }): void {
  app.get('/sim/stats', async (_req, reply) => reply.send(sim.stats()));
  app.post('/sim/stats/reset', async (_req, reply) => {
    sim.resetStats();
    return reply.code(204).send();
  });
}
