-- Projects and goods, as in the API contract.

CREATE TABLE projects (
  id         serial PRIMARY KEY,
  name       varchar(255) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO projects (name) VALUES ('Первая запись');

CREATE TABLE goods (
  id          serial,
  project_id  int NOT NULL REFERENCES projects (id),
  name        varchar(255) NOT NULL,
  description text NOT NULL DEFAULT '',
  priority    int NOT NULL,
  removed     boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, project_id)
);

CREATE INDEX goods_project_id_idx ON goods (project_id);
CREATE INDEX goods_name_idx ON goods (name);
-- The list's order, and max(priority) for new goods.
CREATE INDEX goods_priority_idx ON goods (priority, id);

-- Everything that assigns or shifts priorities takes this transaction-scoped lock first, so
-- "max + 1" is computed on committed data and priorities stay distinct under concurrency.
-- (Not a unique constraint: its check would make a name update that waits for a reprioritize's
-- row lock and that reprioritize wait for each other's uniqueness, a deadlock.)
CREATE FUNCTION goods_lock_priorities() RETURNS void
LANGUAGE sql VOLATILE AS $$ SELECT pg_advisory_xact_lock(738201) $$;

CREATE FUNCTION goods_assign_priority() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM goods_lock_priorities();
  NEW.priority := COALESCE((SELECT max(priority) FROM goods), 0) + 1;
  RETURN NEW;
END
$$;

CREATE TRIGGER goods_assign_priority BEFORE INSERT ON goods
FOR EACH ROW EXECUTE FUNCTION goods_assign_priority();
