import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Db } from '../db/client.js';
import type { Database } from '../db/schema.js';

/** Tables of migrations/0042 (typed here: they belong to this folder). */
export type ActivityTables = {
  connector_activity: { connector_id: string; minute: ColumnType<Date, Date, Date>; kind: 'webhook' | 'itsm'; outcome: string; reason: string; count: number };
  webhook_deliveries: { id: Generated<string>; connector_id: string; received_at: ColumnType<Date, Date, Date>; status: number; outcome: string; reason: string | null; summary: string | null; test: Generated<boolean> };
};
export type ActivityDb = Kysely<Database & ActivityTables>;
export const activityDb = (db: Db): ActivityDb => db.withTables<ActivityTables>();
