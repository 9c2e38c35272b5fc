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

/** One audit event: the good's state after a change. */
export interface AuditEvent extends GoodState {
  eventId: string;
  eventTime: string;
}

/** What every write returns: its result and the audit events it recorded in the outbox. */
export interface WriteResult<T> {
  result: T;
  events: AuditEvent[];
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
