import { describe, expect, it } from 'vitest';
import { onCluster } from './on-cluster.ts';

describe('onCluster', () => {
  it('creates a database on every server of the cluster', () => {
    expect(onCluster('CREATE DATABASE IF NOT EXISTS goods', 'c', 'goods')).toBe('CREATE DATABASE IF NOT EXISTS goods ON CLUSTER c');
  });

  it('makes a MergeTree family table replicated, with a ZooKeeper path per shard, database and table', () => {
    const sql = 'CREATE TABLE IF NOT EXISTS goods_log (\n  Id Int32\n)\nENGINE = ReplacingMergeTree()\nORDER BY Id';
    expect(onCluster(sql, 'c', 'goods')).toBe(
      "CREATE TABLE IF NOT EXISTS goods_log ON CLUSTER c (\n  Id Int32\n)\nENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/goods/goods_log', '{replica}')\nORDER BY Id",
    );
    expect(onCluster('CREATE TABLE t (v UInt8) ENGINE = CollapsingMergeTree(v) ORDER BY v', 'c', 'd')).toBe(
      "CREATE TABLE t ON CLUSTER c (v UInt8) ENGINE = ReplicatedCollapsingMergeTree('/clickhouse/tables/{shard}/d/t', '{replica}', v) ORDER BY v",
    );
  });

  it('runs an ALTER on the cluster', () => {
    expect(onCluster("ALTER TABLE goods_log ADD COLUMN Kind String DEFAULT ''", 'c', 'goods')).toBe(
      "ALTER TABLE goods_log ON CLUSTER c ADD COLUMN Kind String DEFAULT ''",
    );
  });

  it('refuses what it cannot spread over the cluster', () => {
    expect(() => onCluster('INSERT INTO t VALUES (1)', 'c', 'd')).toThrow(/cannot run on cluster c/);
    expect(() => onCluster('CREATE TABLE t (v UInt8) ENGINE = Log', 'c', 'd')).toThrow(/not of the MergeTree family/);
  });
});
