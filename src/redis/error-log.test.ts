import { describe, expect, it } from 'vitest';
import { RedisErrorLog } from './error-log.js';

describe('RedisErrorLog', () => {
  it('writes one line per interval per kind of client, with the count of repeats it left out', () => {
    const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
    const push = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
    const logger = { warn: push('warn'), info: push('info') } as unknown as ConstructorParameters<typeof RedisErrorLog>[0];
    let now = 0;
    const log = new RedisErrorLog(logger, 'redis://10.0.0.1:6379', 30_000, () => now);
    // Nine queues' workers and the producer all failing every 100 ms for a minute.
    for (; now < 60_000; now += 100) {
      for (let q = 0; q < 9; q++) log.report('worker', new Error('connect ECONNREFUSED 10.0.0.1:6379'));
      log.report('producer', new Error('connect ECONNREFUSED 10.0.0.1:6379'));
    }
    expect(lines.filter((l) => l.obj.client === 'worker')).toHaveLength(2);
    expect(lines.filter((l) => l.obj.client === 'producer')).toHaveLength(2);
    const second = lines.filter((l) => l.obj.client === 'worker')[1]!;
    expect(second.obj).toMatchObject({ redis: 'redis://10.0.0.1:6379', err: 'connect ECONNREFUSED 10.0.0.1:6379', suppressed: 300 * 9 - 1 });
    expect(second.msg).toMatch(/worker connections to redis:\/\/10\.0\.0\.1:6379.*2699 more in the last 30 s/);
    log.recovered('worker');
    log.recovered('worker');
    expect(lines.filter((l) => l.level === 'info')).toHaveLength(1);
    expect(lines.at(-1)!.obj).toMatchObject({ client: 'worker', suppressed: 2699 });
    // After recovering, the next failure is reported at once.
    log.report('worker', new Error('MOVED 11624 10.0.0.2:6379'));
    expect(lines.at(-1)!.obj).toMatchObject({ client: 'worker', err: 'MOVED 11624 10.0.0.2:6379' });
  });
});
