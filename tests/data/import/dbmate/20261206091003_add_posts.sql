-- migrate:up
CREATE TABLE posts (
  id integer PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  title text NOT NULL
);

-- migrate:down
DROP TABLE posts;
