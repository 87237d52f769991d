-- migrate:up
CREATE TABLE users (
  id integer PRIMARY KEY,
  email text NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);

-- migrate:down
DROP TABLE users;
