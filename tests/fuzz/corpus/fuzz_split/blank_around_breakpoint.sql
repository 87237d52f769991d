SELECT 1;
 	--> statement-breakpoint 	
SELECT 2;
--> statement-breakpointx
SELECT 3;
