export interface Good {
  id: number;
  projectId: number;
  name: string;
  description: string;
  priority: number;
  removed: boolean;
  createdAt: string;
}

/** One audit event: the good's state after a change. */
export interface AuditEvent {
  eventId: string;
  id: number;
  projectId: number;
  name: string;
  description: string;
  priority: number;
  removed: boolean;
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
