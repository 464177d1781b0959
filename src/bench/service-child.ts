import { loadConfig } from '../config.js';
import { connectorDefinitionSchema } from '../connectors/registry.js';
import { createLogger } from '../logger.js';
import type { MemoryTransport } from '../mail/memory-transport.js';
import { startService, type RunningService } from '../service.js';
import type { FromChild, MemoryPeaks, ToChild } from './child-protocol.js';
import { countRoundTrips } from './round-trips.js';
import { peakRssMb } from './stats.js';

/**
 * The service under test, alone in its process (api + worker roles), so that its RSS and CPU profile
 * are its own. Sent mail is handed to the parent (the customers) and dropped here, like a real mailbox.
 */
const send = (m: FromChild) => process.send!(m);
let service: RunningService | null = null;
const roundTrips = process.env.BENCH_ROUND_TRIPS === '1' ? countRoundTrips() : null;
const memory: MemoryPeaks = { rssAtStart: 0, heapUsed: 0, heapTotal: 0, external: 0 };

process.on('message', (m: ToChild) => {
  void handle(m).catch((e: unknown) => send({ type: 'error', message: (e as Error).stack ?? String(e) }));
});

async function handle(m: ToChild): Promise<void> {
  switch (m.type) {
    case 'start': {
      service = await startService(loadConfig(m.env), createLogger('error'));
      await service.ctx.connectors.save(connectorDefinitionSchema.parse(m.connector));
      forwardMail(service.ctx.mail.transport as MemoryTransport);
      memory.rssAtStart = process.memoryUsage().rss / 2 ** 20;
      setInterval(sampleMemory, 250).unref();
      send({ type: 'ready', url: service.url ?? '' }); // '' when this process has no api role
      return;
    }
    case 'poll':
      await service!.ctx.queues.enqueue('poll', { connectorId: m.connectorId });
      return;
    case 'rss':
      sampleMemory();
      send({ type: 'rss', peakMb: await peakRssMb(), memory });
      return;
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', seconds: (user + system) / 1e6 });
      return;
    }
    case 'roundTrips':
      send({ type: 'roundTrips', counts: roundTrips?.() ?? null });
      return;
    case 'stop':
      await service?.stop();
      // A normal exit, so that --cpu-prof writes its profile.
      process.exit(0);
  }
}

function sampleMemory(): void {
  const m = process.memoryUsage();
  memory.heapUsed = Math.max(memory.heapUsed, m.heapUsed / 2 ** 20);
  memory.heapTotal = Math.max(memory.heapTotal, m.heapTotal / 2 ** 20);
  memory.external = Math.max(memory.external, m.external / 2 ** 20);
}

function forwardMail(transport: MemoryTransport): void {
  const timer = setInterval(() => {
    if (transport.sent.length === 0) return;
    const paths = transport.sent.splice(0).map((mail) => new URL(/href="(http[^"]+\/s\/[^"?]+)/.exec(mail.html)![1]!).pathname);
    send({ type: 'mail', paths });
  }, 20);
  timer.unref();
}
