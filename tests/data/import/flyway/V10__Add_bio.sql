ALTER TABLE users ADD COLUMN bio varchar(200);
