import { z } from 'zod';
import { CHANGE_KINDS } from '../../shared/event.ts';
import { GoodSchema } from '../goods/types.ts';

// What the audit log endpoints answer, as zod schemas (types inferred; /openapi.json from them).

const int = z.number().int();
const kind = z
  .enum([...CHANGE_KINDS, 'unknown'])
  .meta({ description: "What changed the good; 'unknown' for changes logged before kinds were recorded." });

/** A good's state after one change: the good's fields (but createdAt), then when and what. */
export const HistoryEntrySchema = GoodSchema.omit({ createdAt: true })
  .extend({ eventTime: z.iso.datetime(), kind })
  .meta({ id: 'HistoryEntry' });
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const HistorySchema = z
  .object({
    meta: z.object({ total: int, limit: int, offset: int }),
    history: z.array(HistoryEntrySchema).meta({ description: 'Every logged state of the good, newest first.' }),
  })
  .meta({ id: 'History' });
export type History = z.infer<typeof HistorySchema>;

export const ProjectStatsSchema = z
  .object({
    projectId: int,
    from: z.iso.date(),
    to: z.iso.date(),
    days: z
      .array(z.object({ day: z.iso.date(), kind, changes: int }))
      .meta({ description: 'Changes per day (UTC) and kind, oldest first; days and kinds without changes are left out.' }),
  })
  .meta({ id: 'ProjectStats' });
export type ProjectStats = z.infer<typeof ProjectStatsSchema>;

/** Reads the audit log (ClickHouse goods_log). Throws AuditLogUnavailable when it cannot. */
export interface AuditLogReader {
  history(good: { id: number; projectId: number }, page: { limit: number; offset: number }): Promise<History>;
  /** Changes from day `from` through day `to` (YYYY-MM-DD, UTC, both included). */
  projectStats(projectId: number, days: { from: string; to: string }): Promise<ProjectStats>;
}

export class AuditLogUnavailable extends Error {}
