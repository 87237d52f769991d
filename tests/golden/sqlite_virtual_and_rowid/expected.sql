DROP VIEW "titles";
--> statement-breakpoint
DROP TABLE "docs";
--> statement-breakpoint
DROP TABLE "notes_fts";
--> statement-breakpoint
CREATE VIRTUAL TABLE "docs" USING "fts4"(subject, text, extra);
--> statement-breakpoint
CREATE VIRTUAL TABLE "notes_fts" USING "fts5"(title, content='notes', content_rowid='id', tokenize='porter');
--> statement-breakpoint
-- cairn: table "tags" is rebuilt, SQLite's ALTER TABLE cannot make this change: new table, copy of the rows, drop, rename.
-- It needs PRAGMA foreign_keys=OFF, set outside the transaction (cairn migrate does it), or dropping the old table deletes the rows that reference it through ON DELETE CASCADE.
--> statement-breakpoint
CREATE TABLE "__cairn_new_tags" (
  "label" text,
  "weight" bigint
);
--> statement-breakpoint
INSERT INTO "__cairn_new_tags" (rowid, "label", "weight") SELECT rowid, "label", "weight" FROM "tags";
--> statement-breakpoint
DROP TABLE "tags";
--> statement-breakpoint
PRAGMA legacy_alter_table = ON;
--> statement-breakpoint
ALTER TABLE "__cairn_new_tags" RENAME TO "tags";
--> statement-breakpoint
PRAGMA legacy_alter_table = OFF;
--> statement-breakpoint
CREATE VIEW "titles" ("note_id", "note_title") AS SELECT id, title FROM notes;
--> statement-breakpoint
INSERT INTO "notes_fts" ("notes_fts") VALUES ('rebuild');
