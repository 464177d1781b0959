/**
 * Standalone simulator: `tsx src/sim/jira/server.ts [--port 8082] [--host 127.0.0.1] [--variant cloud|datacenter]
 * [--seed 1] [--cloud-id sim-cloud] [--base-url URL]`. Prints the base URL; drive it through /sim/* (see control-api.ts).
 * Default credentials: Basic bot@example.com:api-token, Bearer bearer-token.
 */
import { createJiraSim } from './sim.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(arg('port') ?? 8082);
const host = arg('host') ?? '127.0.0.1';
const variant = arg('variant') ?? 'cloud';
if (variant !== 'cloud' && variant !== 'datacenter') {
  process.stderr.write(`--variant must be cloud or datacenter, not ${variant}\n`);
  process.exit(2);
}
const seed = arg('seed');
const cloudId = arg('cloud-id');
const baseUrl = arg('base-url');

const sim = createJiraSim({
  variant,
  ...(seed !== undefined ? { seed: Number(seed) } : {}),
  ...(cloudId !== undefined ? { cloudId } : {}),
  ...(baseUrl !== undefined ? { baseUrl } : {}),
});
const url = await sim.listen(port, host);
process.stdout.write(`Jira ${variant} simulator listening on ${url}\n`);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void sim.close().then(() => process.exit(0));
  });
}
