import { z } from 'zod';
import { hostPatternProblem } from './connectors/http/host-policy.js';
import { parseRedisUrl, RedisUrlError } from './redis/url.js';

/**
 * The only module that reads the environment. Everything else receives a typed, frozen Config.
 * Bad values stop start-up with the exact variable and the reason (see ConfigError).
 */

const ROLES = ['api', 'worker', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

const url = (protocols: string[]) =>
  z.string().trim().min(1, 'is required').refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${protocols.map((p) => p.replace(':', '://')).join(' or ')}`);

/** REDIS_URL: a single node, a Sentinel set or a Cluster (src/redis/url.ts); checked here, parsed again by the factory. */
const redisUrl = z
  .string()
  .trim()
  .min(1, 'is required')
  .superRefine((v, ctx) => {
    try {
      parseRedisUrl(v);
    } catch (e) {
      if (!(e instanceof RedisUrlError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
    }
  });

const int = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);

/** 32 bytes, given as 64 hex characters or base64/base64url. */
const secretKey = z
  .string()
  .trim()
  .min(1, 'is required')
  .transform((v, ctx) => {
    const key = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 random bytes as 64 hex characters or base64 (generate one with: openssl rand -hex 32)' });
      return z.NEVER;
    }
    return key;
  });

/** Comma list of host patterns (host, *.domain, [ipv6], each optionally :port); empty = any host. */
const hostPatterns = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const patterns = v.split(',').map((s) => s.trim()).filter(Boolean);
    for (const p of patterns) {
      const problem = hostPatternProblem(p);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
    return patterns;
  });

const dbShape = {
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DB_POOL_MAX: int(1, 200).default(10),
  // Hot statements run prepared (see src/db/prepared.ts); off for a PgBouncer older than 1.21 in transaction mode.
  DB_PREPARED_STATEMENTS: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true').transform((v) => v === 'true'),
  SECRET_KEY: secretKey,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  /** The only hosts connectors may call (and be saved with); empty = whatever an admin configures. */
  ITSM_ALLOWED_HOSTS: hostPatterns,
};

const fullShape = {
  ...dbShape,
  REDIS_URL: redisUrl,
  /**
   * Every Redis key starts with it; each queue adds its own hash tag (src/redis/keys.ts). Braces, which
   * earlier versions asked for on Redis Cluster (`{fb}`), are dropped: a tag around the whole prefix
   * would put every queue in one slot.
   */
  QUEUE_PREFIX: z
    .string()
    .trim()
    .transform((v) => v.replace(/^\{([^{}]*)\}$/, '$1'))
    .pipe(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 characters of A-Z a-z 0-9 _ - (each queue gets its own Redis Cluster hash tag; no braces needed)'))
    .default('fb'),
  PUBLIC_URL: url(['http:', 'https:']).transform((v) => v.replace(/\/+$/, '')),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  ADMIN_TOKEN: z.string().trim().min(24, 'must be at least 24 characters (generate one with: openssl rand -hex 24)'),
  ROLES: z
    .string()
    .trim()
    .default('api,worker,scheduler')
    .transform((v, ctx) => {
      const roles = v.split(',').map((r) => r.trim()).filter(Boolean);
      const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
      if (roles.length === 0 || bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must be a comma list of ${ROLES.join(', ')} (got "${v}")` });
        return z.NEVER;
      }
      return [...new Set(roles)] as Role[];
    }),
  WORKER_CONCURRENCY: int(1, 500).default(10),
  SHUTDOWN_TIMEOUT_MS: int(1000, 600_000).default(8000),
  /** A job whose worker died is handed to another worker after this long (BullMQ lock duration). */
  JOB_LOCK_MS: int(1000, 600_000).default(30_000),
  RECONCILE_INTERVAL_SECONDS: int(1, 3600).default(30),
  RECONCILE_GRACE_SECONDS: int(0, 3600).default(15),
  /** Work still owed this long after it should have been done gets its job checked and, if it is orphaned or finished, replaced. */
  RECONCILE_STUCK_SECONDS: int(5, 86_400).default(180),
  SCHEDULER_SYNC_SECONDS: int(1, 3600).default(30),
  WEBHOOK_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  ITSM_TIMEOUT_MS: int(1000, 300_000).default(20_000),
  ITSM_MAX_ATTEMPTS: int(1, 20).default(6),
  ITSM_MAX_INLINE_WAIT_MS: int(0, 600_000).default(30_000),
  /** Bearer token for GET /metrics; required for the api role unless METRICS_PORT gives metrics their own listener. */
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  /** Serve /metrics on this port only (its own listener, every role), not on the public PORT. */
  METRICS_PORT: int(0, 65535).optional(),
  /** Address the metrics listener binds to (default: HOST). */
  METRICS_HOST: z.string().trim().min(1).optional(),
  /** A request (headers and body) must arrive within this long, or its connection is closed (stalled uploads). */
  HTTP_REQUEST_TIMEOUT_MS: int(1000, 600_000).default(15_000),
  /** Jira Cloud webhooks whose signed timestamp is older than this are refused as replays (Jira retries for about 30 minutes). */
  JIRA_WEBHOOK_MAX_AGE_SECONDS: int(60, 7 * 86_400).default(3600),
  /** How long the agents' answer-history link written into a ticket keeps working. */
  AGENT_LINK_TTL_DAYS: int(1, 3650).default(90),
  /** Behind a load balancer: how many proxy hops to trust for the client address (rate limits). */
  TRUST_PROXY_HOPS: int(0, 10).default(0),

  // --- Mail ---
  MAIL_TRANSPORT: z.enum(['ses', 'smtp', 'memory'], { error: 'must be one of ses, smtp, memory' }).default('ses'),
  MAIL_FROM: z.email('must be an email address').default('feedback@example.com'),
  MAIL_FROM_NAME: z.string().trim().min(1).max(100).optional(),
  /** Emails per second across all processes (SES: your account's MaxSendRate). */
  MAIL_MAX_PER_SECOND: int(1, 10_000).default(10),
  SES_REGION: z.string().trim().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region like eu-west-1').default('eu-west-1'),
  /** Only for the local emulator or a VPC endpoint; credentials come from the AWS SDK's default chain. */
  SES_ENDPOINT: url(['http:', 'https:']).optional(),
  SES_CONFIGURATION_SET: z.string().trim().min(1).max(64).optional(),
  /** Static SES credentials; leave unset to use the AWS SDK's default chain (IAM role, AWS_* variables, profiles). */
  SES_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  SES_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  /** Comma list of SNS topic ARNs allowed to post SES events to /ses/events. */
  SNS_TOPIC_ARNS: z
    .string()
    .trim()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  /** Hosts SNS signing certificates may come from (a regular expression). */
  SNS_CERT_HOST_PATTERN: z
    .string()
    .default('^sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$')
    .transform((v, ctx) => {
      try {
        return new RegExp(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a valid regular expression' });
        return z.NEVER;
      }
    }),
  /** A survey claimed for sending this long ago with no recorded outcome is reported as unknown (never re-sent). */
  SEND_CLAIM_TIMEOUT_SECONDS: int(1, 86_400).default(600),
  /** A survey answer submitted sooner than this after the email was sent is flagged as a likely bot. */
  BOT_MIN_SECONDS_AFTER_SEND: int(0, 3600).default(5),
  /** Requests per minute per client address on survey and opt-out pages, and per survey token. */
  PAGE_RATE_LIMIT_PER_MINUTE: int(1, 100_000).default(60),
  TOKEN_RATE_LIMIT_PER_MINUTE: int(1, 100_000).default(20),
  /** Agent-level figures (and teams on the public scoreboard) with fewer answers than this are withheld. */
  STATS_MIN_GROUP_SIZE: int(1, 1000).default(5),
  /** Admin console: a session ends after this long without a request, and after CONSOLE_SESSION_MAX_HOURS in any case. */
  CONSOLE_SESSION_IDLE_MINUTES: int(1, 24 * 60).default(120),
  CONSOLE_SESSION_MAX_HOURS: int(1, 24 * 30).default(12),
  /** Admin console sign-in attempts per minute per client address. */
  CONSOLE_LOGIN_PER_MINUTE: int(1, 1000).default(10),
  /** Connections of the analytics pool (dashboard, stats API, exports), on top of DB_POOL_MAX: dashboards never take the pipeline's. */
  ANALYTICS_DB_POOL_MAX: int(1, 50).default(3),
  /** Longest one analytics statement may run before Postgres cancels it (the request then answers 503). */
  ANALYTICS_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(20_000),
  /** How often the scheduler role brings the analytics rollups up to date (new days, late changes). */
  ROLLUP_REFRESH_SECONDS: int(10, 86_400).default(300),
};

const dbSchema = z.object(dbShape);
const fullSchema = z.object(fullShape).superRefine((c, ctx) => {
  if (c.MAIL_TRANSPORT === 'smtp' && !c.SMTP_URL) ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when MAIL_TRANSPORT=smtp' });
  if (c.ROLES.includes('api') && !c.METRICS_TOKEN && c.METRICS_PORT === undefined) {
    ctx.addIssue({ code: 'custom', path: ['METRICS_TOKEN'], message: 'is required unless METRICS_PORT serves /metrics on a listener of its own: /metrics is never public on PORT (generate one with: openssl rand -hex 24)' });
  }
  if (c.METRICS_PORT !== undefined && c.METRICS_PORT !== 0 && c.METRICS_PORT === c.PORT) ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: `must differ from PORT (${c.PORT}): it is a listener of its own` });
  if (!!c.SES_ACCESS_KEY_ID !== !!c.SES_SECRET_ACCESS_KEY) ctx.addIssue({ code: 'custom', path: [c.SES_ACCESS_KEY_ID ? 'SES_SECRET_ACCESS_KEY' : 'SES_ACCESS_KEY_ID'], message: 'is required together with its pair (SES_ACCESS_KEY_ID and SES_SECRET_ACCESS_KEY)' });
});

export type DbConfig = Readonly<z.infer<typeof dbSchema>>;
export type Config = Readonly<z.infer<typeof fullSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: Array<{ key: string; reason: string }>) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.key}: ${p.reason}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function parse<T extends z.ZodType>(schema: T, env: Env): Readonly<z.infer<T>> {
  // Empty strings mean "unset", so that a blank line in .env falls back to the default or is reported as missing.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => ({
        key: String(i.path[0] ?? '(root)'),
        reason: i.code === 'invalid_type' && !(String(i.path[0]) in cleaned) ? 'is required' : i.message,
      })),
    );
  }
  return Object.freeze(result.data);
}

/** Everything the service needs (api, worker, scheduler roles). */
export const loadConfig = (env: Env): Config => parse(fullSchema, env);
/** What database-only commands (migrate, connectors apply) need. */
export const loadDbConfig = (env: Env): DbConfig => parse(dbSchema, env);
