import type { Queryable } from '../db/queryable.ts';

/** Whether the good exists in the project, removed or not. */
export async function goodExists(db: Queryable, good: { id: number; projectId: number }): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM goods WHERE id = $1 AND project_id = $2', [good.id, good.projectId]);
  return rows.length > 0;
}

export async function projectExists(db: Queryable, projectId: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM projects WHERE id = $1', [projectId]);
  return rows.length > 0;
}
