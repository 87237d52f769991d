SELECT 1;--> statement-breakpoint
SELECT 2;
