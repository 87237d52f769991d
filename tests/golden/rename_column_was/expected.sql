ALTER TABLE "users" RENAME COLUMN "mail" TO "email";
