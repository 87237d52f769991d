/*
 * jansson's allocations in the command-line front end (json_arena.c).
 */
#ifndef CAIRN_CLI_JSON_ARENA_H
#define CAIRN_CLI_JSON_ARENA_H

/* Makes jansson allocate from a bump arena owned by the calling thread.
 * Call once, first thing in main(), before any jansson call. */
void cli_json_arena_install(void);

#endif
