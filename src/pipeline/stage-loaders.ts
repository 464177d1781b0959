import type { Db } from '../db/client.js';
import { MicroBatcher } from '../lib/micro-batcher.js';
import { loadSurveysForDelivery, type SurveyForDelivery } from '../store/surveys.js';
import { loadWritebacks, type WritebackWork } from '../store/writebacks.js';
import type { StageContext } from './context.js';

/**
 * One per process: the send, reminder and write-back jobs running at once read their rows in shared
 * queries (20 concurrent sends: two or three round trips instead of twenty). Writes stay per job.
 */
export function stageLoaders(db: Db): StageContext['loaders'] {
  return {
    surveyForDelivery: new MicroBatcher<string, SurveyForDelivery | null>((ids) => loadSurveysForDelivery(db, ids), null),
    writeback: new MicroBatcher<string, WritebackWork | null>((ids) => loadWritebacks(db, ids), null),
  };
}
