DROP INDEX "users_gone_idx";
--> statement-breakpoint
DROP INDEX "users_name_idx";
--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_idx" ON "users" ("email");
--> statement-breakpoint
CREATE INDEX "users_name_idx" ON "users" ("name" DESC);
