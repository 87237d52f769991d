--> statement-breakpoint
SELECT 1;
