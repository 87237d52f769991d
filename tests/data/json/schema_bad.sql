CREATE TABLE a (id INTEGER PRIMARY KEY);
--> statement-breakpoint

CREATE TABLE b (
  id INTEGER PRIMARY KEY,
  a_id INTEGER REFERENCES a(id),
);
