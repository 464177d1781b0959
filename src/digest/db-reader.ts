import type { RawBuilder } from 'kysely';
import type { AnalyticsReader } from '../analytics/reader.js';
import type { Db } from '../db/client.js';

/**
 * The digest's queries run in the worker (one team, one trend window, once a week), which has no
 * analytics pool of its own: an AnalyticsReader over the pipeline's connection pool.
 */
export function dbReader(db: Db): AnalyticsReader {
  return {
    async rows<T>(query: RawBuilder<T>): Promise<T[]> {
      return (await query.execute(db)).rows;
    },
    async *cursor<T>(query: RawBuilder<T>): AsyncGenerator<T[]> {
      yield (await query.execute(db)).rows;
    },
  };
}
