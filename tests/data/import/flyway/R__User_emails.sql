CREATE VIEW user_emails AS SELECT email FROM users;
