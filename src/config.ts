import { z } from 'zod';

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

const dbShape = {
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DB_POOL_MAX: int(1, 200).default(10),
  SECRET_KEY: secretKey,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
};

const fullShape = {
  ...dbShape,
  REDIS_URL: url(['redis:', 'rediss:']),
  QUEUE_PREFIX: z.string().trim().regex(/^[A-Za-z0-9_{}-]{1,40}$/, 'must be 1-40 characters of A-Z a-z 0-9 _ - { } (use {name} for Redis Cluster hash tags)').default('fb'),
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
  RECONCILE_INTERVAL_SECONDS: int(1, 3600).default(30),
  RECONCILE_GRACE_SECONDS: int(0, 3600).default(15),
  SCHEDULER_SYNC_SECONDS: int(1, 3600).default(30),
  WEBHOOK_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  ITSM_TIMEOUT_MS: int(1000, 300_000).default(20_000),
  ITSM_MAX_ATTEMPTS: int(1, 20).default(6),
  ITSM_MAX_INLINE_WAIT_MS: int(0, 600_000).default(30_000),
};

const dbSchema = z.object(dbShape);
const fullSchema = z.object(fullShape);

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
        reason: i.path[0] !== undefined && !(String(i.path[0]) in cleaned) ? 'is required' : i.message,
      })),
    );
  }
  return Object.freeze(result.data);
}

/** Everything the service needs (api, worker, scheduler roles). */
export const loadConfig = (env: Env): Config => parse(fullSchema, env);
/** What database-only commands (migrate, connectors apply) need. */
export const loadDbConfig = (env: Env): DbConfig => parse(dbSchema, env);
