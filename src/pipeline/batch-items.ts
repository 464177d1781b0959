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
 */
export async function runBatchItems(
  ctx: StageContext,
  stage: string,
  ids: string[],
  slots: Semaphore,
  item: (id: string) => Promise<string>,
  handOff: (id: string, delayMs: number) => Promise<void>,
): Promise<{ done: number; handedOff: number }> {
  const outcomes = await Promise.allSettled(ids.map((id) => slots.run(() => item(id))));
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
