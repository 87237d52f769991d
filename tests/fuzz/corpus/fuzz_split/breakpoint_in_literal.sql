INSERT INTO t VALUES ('a
--> statement-breakpoint
b');
