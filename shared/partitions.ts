import { z } from 'zod';

/**
 * How the audit events are spread over the ingest partitions. Every project belongs to one of
 * PARTITION_SLOTS fixed slots; partition p of P holds the slots s with s mod P = p. The edge and
 * the relay put the partition into the subject, each partition has its own durable consumer,
 * and the ingest worker's write lock is taken per slot. So the lock does not depend on P: two
 * batches that may hold copies of one event (same project, same slot) exclude each other even
 * while P changes and copies of an event travel in two partitions.
 */
export const PARTITION_SLOTS = 64;

/** Partitions unless INGEST_PARTITIONS says otherwise (the edge's and the worker's). */
export const DEFAULT_PARTITIONS = 1;

/** INGEST_PARTITIONS, as the edge and the worker read it. */
export const partitionCount = z.coerce.number().int().min(1).max(PARTITION_SLOTS);

/** The lock slot of a project: its id modulo PARTITION_SLOTS (sequential ids spread evenly). */
export function slotOf(projectId: number): number {
  return ((projectId % PARTITION_SLOTS) + PARTITION_SLOTS) % PARTITION_SLOTS;
}

/** The partition of a project when there are `partitions` of them. */
export function partitionOf(projectId: number, partitions: number): number {
  return slotOf(projectId) % partitions;
}

/** The JetStream subject of a project's events: the prefix, the partition, then the project. */
export function eventSubject(prefix: string, projectId: number, partitions: number): string {
  return `${prefix}.${partitionOf(projectId, partitions)}.${projectId}`;
}

/** The subjects of one partition's events (its consumer's filter). */
export function partitionSubjects(prefix: string, partition: number): string {
  return `${prefix}.${partition}.>`;
}
