import { RetryLaterError } from '../lib/retry.js';
import type { Semaphore } from '../lib/semaphore.js';
import type { StageContext } from './context.js';

/**
 * Runs the items of a batch job, each exactly as a job of its own would run it (so claims, markers and
 * checks are unchanged), at once within the process's item slots for the stage; their statements are
 * shared through the stage batchers. An item that does not finish — it must wait (another worker holds
 * its claim, a Retry-After), or failed — is handed to a job of its own, which then waits, retries with
 * backoff or fails visibly as if the item had never been batched. If handing it over fails, the batch
 * job fails and is retried: finished items are skipped then, as a job run twice skips them.
 * Once the process is stopping, items not yet started are left: the job comes back a moment later (to
 * another process, or this one restarted), so that no batch keeps a shutdown waiting.
 */
export async function runBatchItems(
  ctx: StageContext,
  stage: string,
  ids: string[],
  slots: Semaphore,
  item: (id: string) => Promise<string>,
  handOff: (id: string, delayMs: number) => Promise<void>,
  stopping: () => boolean = () => false,
): Promise<{ done: number; handedOff: number }> {
  const left: string[] = [];
  const outcomes = await Promise.allSettled(
    ids.map((id) =>
      slots.run(async () => {
        if (!stopping()) return item(id);
        left.push(id);
        return 'left for after the restart';
      }),
    ),
  );
  if (left.length > 0) throw new RetryLaterError(Date.now() + 1000, `stopping: ${left.length} of ${ids.length} items left for later`);
  const handOffs: Array<Promise<void>> = [];
  outcomes.forEach((o, i) => {
    if (o.status === 'fulfilled') return;
    const err = o.reason as Error;
    const delayMs = err instanceof RetryLaterError ? Math.max(0, err.untilMs - Date.now()) : 0;
    if (!(err instanceof RetryLaterError)) ctx.logger.warn({ stage, item: ids[i], err }, 'batch item failed; handed to a job of its own');
    handOffs.push(handOff(ids[i]!, delayMs));
  });
  await Promise.all(handOffs);
  return { done: ids.length - handOffs.length, handedOff: handOffs.length };
}
