CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $f$BEGIN NEW.created_at := now(); RETURN NEW; END$f$;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'meh', 'happy');
CREATE SEQUENCE order_no START 1000 INCREMENT 10;
CREATE TABLE members (id serial PRIMARY KEY, email varchar(100) NOT NULL UNIQUE COLLATE "C", full_name varchar(200) NOT NULL DEFAULT 'anon', created_at timestamptz NOT NULL DEFAULT now(), feeling mood);
CREATE TABLE tags (member_id int NOT NULL REFERENCES members (id), tag text NOT NULL, PRIMARY KEY (member_id, tag));
CREATE INDEX users_lower_email ON members (lower(email));
COMMENT ON TABLE members IS 'everyone';
COMMENT ON COLUMN members.email IS 'login';
