DROP VIEW "mails";
--> statement-breakpoint
ALTER TABLE "users" RENAME TO "accounts";
--> statement-breakpoint
ALTER TABLE "accounts" RENAME COLUMN "mail" TO "email";
--> statement-breakpoint
CREATE VIEW "mails" AS SELECT email FROM accounts;
