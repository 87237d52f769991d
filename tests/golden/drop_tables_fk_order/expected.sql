DROP TABLE "posts";
--> statement-breakpoint
DROP TABLE "users";
