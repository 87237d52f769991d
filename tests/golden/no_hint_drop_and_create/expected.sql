ALTER TABLE "users" DROP COLUMN "mail";
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email" text;
