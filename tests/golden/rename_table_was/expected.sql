ALTER TABLE "users" RENAME TO "accounts";
--> statement-breakpoint
ALTER TABLE "accounts" RENAME COLUMN "mail" TO "email";
