CREATE SCHEMA billing;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'meh', 'happy');
CREATE TABLE users (id serial PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text, created_at timestamptz NOT NULL DEFAULT now(), feeling mood);
CREATE TABLE billing.invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int NOT NULL REFERENCES public.users (id) ON DELETE CASCADE, amount numeric(10,2) CONSTRAINT amount_positive CHECK (amount >= 0));
CREATE INDEX users_lower_email ON users (lower(email));
CREATE INDEX users_named ON users (created_at DESC) INCLUDE (name) WHERE name IS NOT NULL;
