-- cairn: table "posts" is rebuilt, SQLite's ALTER TABLE cannot make this change: new table, copy of the rows, drop, rename.
-- It needs PRAGMA foreign_keys=OFF, set outside the transaction (cairn migrate does it), or dropping the old table deletes the rows that reference it through ON DELETE CASCADE.
--> statement-breakpoint
CREATE TABLE "__cairn_new_posts" (
  "id" integer NOT NULL,
  "user_id" integer NOT NULL,
  PRIMARY KEY ("id")
);
--> statement-breakpoint
INSERT INTO "__cairn_new_posts" ("id", "user_id") SELECT "id", "user_id" FROM "posts";
--> statement-breakpoint
DROP TABLE "posts";
--> statement-breakpoint
PRAGMA legacy_alter_table = ON;
--> statement-breakpoint
ALTER TABLE "__cairn_new_posts" RENAME TO "posts";
--> statement-breakpoint
PRAGMA legacy_alter_table = OFF;
--> statement-breakpoint
CREATE INDEX "posts_user_idx" ON "posts" ("user_id");
--> statement-breakpoint
DROP TABLE "users";
