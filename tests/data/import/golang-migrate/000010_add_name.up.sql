ALTER TABLE users ADD COLUMN name varchar(100);
