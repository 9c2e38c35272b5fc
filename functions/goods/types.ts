import { z } from 'zod';
import type { AuditMessage } from '../../shared/event.ts';
import type { ListChange } from '../cache/list-change.ts';

// What the API answers with, as zod schemas: the TypeScript types are inferred from them, and
// /openapi.json is generated from them.

const int = z.number().int();

export const GoodSchema = z
  .object({
    id: int,
    projectId: int,
    name: z.string(),
    description: z.string(),
    priority: int,
    removed: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Good' });
export type Good = z.infer<typeof GoodSchema>;

/** A good's state, as the audit log records it. */
export type GoodState = Omit<Good, 'createdAt'>;

export const RemovedGoodSchema = z
  .object({
    id: int,
    campaignId: int.meta({ description: 'The project id; the name is kept for compatibility.' }),
    removed: z.literal(true),
  })
  .meta({ id: 'RemovedGood' });
export type RemovedGood = z.infer<typeof RemovedGoodSchema>;

export const PriorityChangeSchema = z.object({ id: int, priority: int }).meta({ id: 'PriorityChange' });
export type PriorityChange = z.infer<typeof PriorityChangeSchema>;

export const PrioritiesSchema = z
  .object({ priorities: z.array(PriorityChangeSchema).meta({ description: 'Every good whose priority changed, ordered by priority.' }) })
  .meta({ id: 'Priorities' });

export const GoodsPageSchema = z
  .object({
    meta: z.object({ total: int, removed: int, limit: int, offset: int }),
    goods: z.array(GoodSchema),
  })
  .meta({ id: 'GoodsPage' });
export type GoodsPage = z.infer<typeof GoodsPageSchema>;

/** What every write returns: its result, the audit events it recorded in the outbox, and what it changed in the list. */
export interface WriteResult<T> {
  result: T;
  events: AuditMessage[];
  list: ListChange;
}
