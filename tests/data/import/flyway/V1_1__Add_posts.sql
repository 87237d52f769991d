CREATE TABLE posts (
    id integer PRIMARY KEY,
    user_id integer NOT NULL,
    title varchar(200) NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users (id)
);
