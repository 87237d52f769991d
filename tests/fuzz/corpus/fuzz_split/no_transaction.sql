-- cairn:no-transaction
CREATE INDEX CONCURRENTLY ix ON t (a);
--> statement-breakpoint
VACUUM;
