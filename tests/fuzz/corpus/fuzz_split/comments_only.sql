-- nothing
/* at all */ ;
--> statement-breakpoint
/* unterminated
