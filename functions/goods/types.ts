import type { GoodEvent } from '../../shared/event.ts';

export interface Good {
  id: number;
  projectId: number;
  name: string;
  description: string;
  priority: number;
  removed: boolean;
  createdAt: string;
}

/** A good's state, as the audit log records it. */
export type GoodState = Omit<Good, 'createdAt'>;

/** What every write returns: its result and the audit events it recorded in the outbox. */
export interface WriteResult<T> {
  result: T;
  events: GoodEvent[];
}

export interface RemovedGood {
  id: number;
  campaignId: number;
  removed: true;
}

export interface PriorityChange {
  id: number;
  priority: number;
}

export interface GoodsPage {
  meta: { total: number; removed: number; limit: number; offset: number };
  goods: Good[];
}
