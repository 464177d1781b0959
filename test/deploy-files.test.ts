import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** docker compose cannot run here (no engine): the files are checked as data instead. */
const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required: boolean }>;
  depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
  const { services } = compose;

  it('runs the migrations once in a one-shot service that api and worker wait for', () => {
    expect(services.migrate?.command).toEqual(['migrate']);
    expect(services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      expect(services[name]?.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
      expect(services[name]?.depends_on?.redis?.condition, name).toBe('service_healthy');
    }
  });

  it('builds one image for migrate, api and worker, each with the settings it needs and the optional .env', () => {
    for (const name of ['migrate', 'api', 'worker']) {
      const s = services[name]!;
      expect(s.build, name).toBe('.');
      expect(s.image, name).toBe('closed-loop-feedback:local');
      expect(s.env_file, name).toEqual([{ path: '.env', required: false }]);
      for (const key of ['DATABASE_URL', 'REDIS_URL', 'PUBLIC_URL', 'ADMIN_TOKEN', 'SECRET_KEY']) expect(s.environment?.[key], `${name} ${key}`).toBeTruthy();
    }
    expect(services.api?.environment?.ROLES).toBe('api,scheduler');
  });

  it('uses Node 24 wherever it runs Node', () => {
    expect(services.ses?.image).toMatch(/^node:24/);
    expect(read('Dockerfile').match(/^FROM\s+\S+/gm)).toEqual(['FROM node:24-bookworm-slim', 'FROM node:24-bookworm-slim']);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('runs node dist/main.js (so `docker compose run --rm api migrate` applies migrations) with migrations and templates beside dist', () => {
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "dist\/main.js"\]$/m);
    expect(dockerfile).toMatch(/^COPY migrations \.\/migrations$/m);
    expect(dockerfile).toMatch(/^COPY templates \.\/templates$/m);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });
});
