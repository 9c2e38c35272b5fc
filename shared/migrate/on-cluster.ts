// A migration statement for a replicated cluster: the same file serves one node, ClickHouse Cloud
// and a cluster of replicas, rewritten here when CLICKHOUSE_CLUSTER names the cluster.

const CREATE_DATABASE = /^(CREATE\s+DATABASE\s+(?:IF\s+NOT\s+EXISTS\s+)?\w+)(\s*)$/i;
const CREATE_TABLE = /^(CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+))(\s*\()/i;
const ALTER_TABLE = /^(ALTER\s+TABLE\s+\w+)(\s)/i;
const ENGINE = /ENGINE\s*=\s*(\w*)MergeTree\(\s*([^)]*?)\s*\)/i;

/**
 * `statement` run `ON CLUSTER cluster`, a MergeTree family engine made its replicated twin with
 * its ZooKeeper path per shard, database and table, and the replica's name from the macros of
 * each server. Throws for a statement it does not know how to spread over the cluster.
 */
export function onCluster(statement: string, cluster: string, database: string): string {
  const db = CREATE_DATABASE.exec(statement);
  if (db) return `${db[1]} ON CLUSTER ${cluster}`;
  const alter = ALTER_TABLE.exec(statement);
  if (alter) return statement.replace(ALTER_TABLE, `$1 ON CLUSTER ${cluster}$2`);
  const create = CREATE_TABLE.exec(statement);
  if (!create) throw new Error(`cannot run on cluster ${cluster}: ${statement.slice(0, 80)}`);
  const table = create[2]!;
  const engine = ENGINE.exec(statement);
  if (!engine) throw new Error(`cannot replicate ${table}: its engine is not of the MergeTree family`);
  const args = [`'/clickhouse/tables/{shard}/${database}/${table}'`, `'{replica}'`, ...(engine[2] ? [engine[2]] : [])];
  return statement
    .replace(CREATE_TABLE, `$1 ON CLUSTER ${cluster}$3`)
    .replace(ENGINE, `ENGINE = Replicated${engine[1]}MergeTree(${args.join(', ')})`);
}
