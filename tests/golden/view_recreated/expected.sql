DROP VIEW "ages";
--> statement-breakpoint
DROP VIEW "old_view";
--> statement-breakpoint
-- cairn: table "users" is rebuilt, SQLite's ALTER TABLE cannot make this change: new table, copy of the rows, drop, rename.
-- It needs PRAGMA foreign_keys=OFF, set outside the transaction (cairn migrate does it), or dropping the old table deletes the rows that reference it through ON DELETE CASCADE.
--> statement-breakpoint
CREATE TABLE "__cairn_new_users" (
  "id" integer NOT NULL,
  "name" text NOT NULL,
  "age" real NOT NULL DEFAULT 0,
  PRIMARY KEY ("id")
);
--> statement-breakpoint
INSERT INTO "__cairn_new_users" ("id", "name", "age") SELECT "id", "name", coalesce("age", 0) FROM "users";
--> statement-breakpoint
DROP TABLE "users";
--> statement-breakpoint
PRAGMA legacy_alter_table = ON;
--> statement-breakpoint
ALTER TABLE "__cairn_new_users" RENAME TO "users";
--> statement-breakpoint
PRAGMA legacy_alter_table = OFF;
--> statement-breakpoint
CREATE VIEW "adults" AS SELECT id FROM users WHERE age >= 18;
--> statement-breakpoint
CREATE VIEW "ages" AS SELECT age FROM users;
