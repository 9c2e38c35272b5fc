-- Runs once, on the first start of an empty volume (docker-entrypoint-initdb.d), as the
-- POSTGRES_USER (goods). The entrypoint already created the role and the database `goods`;
-- tests use their own database, as with scripts/services.sh.
CREATE DATABASE goods_test OWNER goods;
