/** What a transaction needs of a Postgres client. */
export interface SqlClient {
  query(sql: string): Promise<unknown>;
}

/**
 * Runs `work` in one transaction on `client`: COMMIT when it resolves, ROLLBACK when anything
 * throws (the rollback's own failure, as on a lost connection, is not the error reported).
 * `begin` may carry the transaction's first statements along with BEGIN, in one round trip; `work`
 * is given what they returned.
 */
export async function inTransaction<T>(client: SqlClient, work: (begun: unknown) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  try {
    const begun = await client.query(begin);
    const result = await work(begun);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
