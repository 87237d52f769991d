CREATE TABLE "users" (
  "id" integer NOT NULL,
  "name" text NOT NULL,
  PRIMARY KEY ("id"),
  UNIQUE ("name"),
  CHECK (length(name) > 0)
);
--> statement-breakpoint
CREATE TABLE "posts" (
  "id" integer NOT NULL,
  "user_id" integer NOT NULL,
  "title" text NOT NULL,
  PRIMARY KEY ("id"),
  FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);
--> statement-breakpoint
CREATE INDEX "posts_user_idx" ON "posts" ("user_id");
