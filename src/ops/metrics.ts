import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sql } from 'kysely';
import type { Db } from '../db/client.js';
import { QUEUE_NAMES } from '../pipeline/catalog.js';
import type { Queues } from '../pipeline/queues.js';

/**
 * Prometheus metrics. Per-process counters and histograms (jobs, ITSM calls, mail sends) are summed
 * across instances by Prometheus; queue and business gauges are read from Redis and Postgres at scrape
 * time, so they are the same on every instance (aggregate them with max(), not sum()).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly jobDuration = new Histogram({ name: 'feedback_job_duration_seconds', help: 'Job processing time by queue and outcome', labelNames: ['queue', 'outcome'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });
  readonly itsmCalls = new Counter({ name: 'feedback_itsm_calls_total', help: 'Calls to ServiceNow / Jira by connector, operation and HTTP status', labelNames: ['connector', 'operation', 'status'] as const, registers: [this.registry] });
  readonly mailSends = new Counter({ name: 'feedback_mail_sends_total', help: 'Survey and reminder sends by result', labelNames: ['result'] as const, registers: [this.registry] });

  constructor(private readonly deps: { db: Db; queues: Queues }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'feedback_' });
    const self = this;
    new Gauge({
      name: 'feedback_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'] as const, registers: [this.registry],
      async collect() {
        this.reset();
        await Promise.all(QUEUE_NAMES.map(async (q) => {
          const c = await self.deps.queues.get(q).getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
          for (const [state, n] of Object.entries(c)) this.set({ queue: q, state }, n);
        }));
      },
    });
    new Gauge({
      name: 'feedback_queue_oldest_waiting_seconds', help: 'Age of the oldest waiting job per queue (0 when none)', labelNames: ['queue'] as const, registers: [this.registry],
      async collect() {
        const now = Date.now();
        await Promise.all(QUEUE_NAMES.map(async (q) => {
          const [oldest] = await self.deps.queues.get(q).getJobs(['wait'], 0, 0, true);
          this.set({ queue: q }, oldest ? Math.max(0, (now - oldest.timestamp) / 1000) : 0);
        }));
      },
    });
    new Gauge({
      name: 'feedback_queue_paused', help: '1 when a queue is paused (the send queue pauses on an SES alarm)', labelNames: ['queue'] as const, registers: [this.registry],
      async collect() {
        await Promise.all(QUEUE_NAMES.map(async (q) => this.set({ queue: q }, (await self.deps.queues.get(q).isPaused()) ? 1 : 0)));
      },
    });
    this.dbGauge('feedback_decisions', 'Anti-spam decisions by outcome and reason', ['outcome', 'reason'], sql`SELECT outcome, reason, count(*)::int AS n FROM survey_decisions GROUP BY 1, 2`);
    this.dbGauge('feedback_surveys', 'Surveys by delivery status', ['status'], sql`SELECT status, count(*)::int AS n FROM surveys GROUP BY 1`);
    this.dbGauge('feedback_answers', 'Active answers by scale and score', ['scale', 'score'], sql`SELECT s.scale, r.score::text AS score, count(*)::int AS n FROM responses r JOIN surveys s ON s.id = r.survey_id WHERE r.is_active GROUP BY 1, 2`);
    this.dbGauge('feedback_follow_ups', 'Follow-ups by status, and open ones overdue', ['status', 'overdue'], sql`SELECT status, (overdue_at IS NOT NULL)::text AS overdue, count(*)::int AS n FROM follow_ups GROUP BY 1, 2`);
    this.dbGauge('feedback_suppressions', 'Active suppressions by reason', ['reason'], sql`SELECT reason, count(*)::int AS n FROM suppressions WHERE lifted_at IS NULL GROUP BY 1`);
  }

  private dbGauge(name: string, help: string, labels: string[], query: ReturnType<typeof sql>) {
    const db = this.deps.db;
    new Gauge({
      name, help, labelNames: labels, registers: [this.registry],
      async collect() {
        this.reset();
        const { rows } = await query.execute(db);
        for (const r of rows as Array<Record<string, string | number>>) this.set(Object.fromEntries(labels.map((l) => [l, String(r[l])])), Number(r.n));
      },
    });
  }
}
