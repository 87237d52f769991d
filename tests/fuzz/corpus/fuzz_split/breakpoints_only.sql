--> statement-breakpoint
--> statement-breakpoint

--> statement-breakpoint