/**
 * Standalone simulator: `tsx src/sim/servicenow/server.ts [--port 8081] [--host 127.0.0.1] [--seed 1] [--instance-url URL]`.
 * Prints the base URL; drive it through /sim/* (see control-api.ts).
 */
import { createServiceNowSim } from './sim.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(arg('port') ?? 8081);
const host = arg('host') ?? '127.0.0.1';
const seed = arg('seed');
const instanceUrl = arg('instance-url');

const sim = createServiceNowSim({
  ...(seed !== undefined ? { seed: Number(seed) } : {}),
  ...(instanceUrl !== undefined ? { instanceUrl } : {}),
});
const url = await sim.listen(port, host);
process.stdout.write(`ServiceNow simulator listening on ${url}\n`);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void sim.close().then(() => process.exit(0));
  });
}
