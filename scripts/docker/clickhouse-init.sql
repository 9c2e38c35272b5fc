-- Runs on the first start of an empty volume (docker-entrypoint-initdb.d).
-- Same databases as scripts/services.sh creates: CLICKHOUSE_DATABASE and its _test twin.
CREATE DATABASE IF NOT EXISTS goods;
CREATE DATABASE IF NOT EXISTS goods_test;
