/**
 * Redis and Postgres as throwaway containers through testcontainers (a dev dependency, loaded only
 * when needed). testcontainers also starts its reaper, which removes the containers if this process
 * dies without stopping them.
 */
export interface StartedContainer {
  url: string;
  stop(): Promise<void>;
}

type Testcontainers = typeof import('testcontainers');

async function load(): Promise<Testcontainers | null> {
  try {
    return await import('testcontainers');
  } catch {
    return null;
  }
}

/** Whether a Docker (or compatible) engine answers, as testcontainers finds it (DOCKER_HOST, socket, …). */
export async function dockerReachable(): Promise<boolean> {
  const tc = await load();
  if (!tc) return false;
  return tc.getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
}

export async function startRedisContainer(): Promise<StartedContainer> {
  const tc = (await load())!;
  const c = await new tc.GenericContainer('redis:7')
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'])
    .withExposedPorts(6379)
    .withWaitStrategy(tc.Wait.forLogMessage('Ready to accept connections'))
    .start();
  return { url: `redis://${c.getHost()}:${c.getMappedPort(6379)}`, stop: async () => void (await c.stop()) };
}

export async function startPostgresContainer(): Promise<StartedContainer> {
  const tc = (await load())!;
  const c = await new tc.GenericContainer('postgres:15')
    .withEnvironment({ POSTGRES_PASSWORD: 'postgres', POSTGRES_INITDB_ARGS: '--locale=C --encoding=UTF8' })
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'])
    .withTmpFs({ '/var/lib/postgresql/data': 'rw' })
    .withExposedPorts(5432)
    // The entrypoint starts Postgres twice (once to initialise, then for real): wait for the second.
    .withWaitStrategy(tc.Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return { url: `postgres://postgres:postgres@${c.getHost()}:${c.getMappedPort(5432)}/postgres`, stop: async () => void (await c.stop()) };
}
