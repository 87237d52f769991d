/*
 * cairn import (import.c: the folders; import_history.c: the history
 * tables): what the two share, private to them.
 */
#ifndef CAIRN_IMPORT_H
#define CAIRN_IMPORT_H

#include "internal.h"

/* One migration of the other tool. */
typedef struct imig {
    char *name;       /* the cairn name, from assign_names */
    char *slug;       /* what the name's slug is made from */
    char *file;       /* the file it came from (messages) */
    char *sql;        /* becomes migration.sql */
    char *down;       /* becomes down.sql, or NULL */
    char *key;        /* the tool's id of it in its history table */
    int64_t stamp;    /* seconds: from the tool's own time, or -1 */
    char checksum[65];
    char file_sum[65]; /* sha256 of the file as the tool read it (drizzle, Prisma) */
    char *snapshot;   /* snapshot.json, from replay */
    int state;        /* from the tool's history: IM_* */
} imig;

enum { IM_NOT_APPLIED, IM_APPLIED, IM_FAILED };

struct ilist;
typedef struct tool {
    const char *name;  /* on the command line */
    const char *label; /* in messages */
    int (*read)(cairn_ctx *cx, struct ilist *l);
} tool;

typedef struct ilist {
    imig *v;
    size_t n, cap;
    const tool *tool;
    const char *dir;
    const char *history_table; /* cairn_import_opts.history_table */
} ilist;

CAIRN_INTERNAL int cairn_import_oom(cairn_ctx *cx);
/** The migration whose tool id is `key` by `cmp`, or NULL. */
CAIRN_INTERNAL imig *cairn_import_find(ilist *l, const char *key,
                                       int (*cmp)(const char *, const char *));
/** Flyway's version order: parts compared as numbers, "1.0" = "1". */
CAIRN_INTERNAL int cairn_import_flyway_cmp(const char *a, const char *b);
/** Numeric versions compared as numbers (leading zeros aside). */
CAIRN_INTERNAL int cairn_import_num_cmp(const char *a, const char *b);
/** Read the tool's history table on `c` into the migrations' states
 *  (failed ones reported as WARN lines); *found = 0 when there is none. */
CAIRN_INTERNAL int cairn_import_read_history(cairn_ctx *cx, cairn_conn *c,
                                             const cairn_dialect *d, ilist *l, int *found);
/** Record the applied ones in cairn's history (state baseline) with an
 *  audit row, under the migration lock and in one transaction; ones
 *  already there are kept. */
CAIRN_INTERNAL int cairn_import_record_history(cairn_ctx *cx, cairn_conn *c,
                                               const cairn_dialect *d, const ilist *l);

#endif
