CREATE TYPE mood AS ENUM ('sad', 'ok', 'meh', 'happy');
CREATE TABLE users (id serial PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text, created_at timestamptz NOT NULL DEFAULT now(), feeling mood);
