/** The slice of a Postgres client that domain code needs; any pg-compatible client fits. */
export interface Queryable {
  query<R extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}
