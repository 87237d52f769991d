/* Partitioning on MySQL / MariaDB, modelled as the table option
 * "partition=PARTITION BY ..." (see docs/dialect-mysql.md, "Partitioning").
 * Introspection writes one canonical text per table from
 * information_schema.PARTITIONS; the emitter parses two such texts and
 * writes the cheapest statements that turn one into the other (ADD / DROP /
 * REORGANIZE / COALESCE PARTITION) or, where none does, a re-partition. */
#ifndef CAIRN_MYSQLDRV_PARTITION_H
#define CAIRN_MYSQLDRV_PARTITION_H

#include "mysqldrv_emit.h"

/** The option key. */
#define MYSQLDRV_PARTITION_KEY "partition"

/* ---- introspection -------------------------------------------------------- */
typedef struct mysqldrv_prow {
    char *part, *sub, *desc, *comment;
} mysqldrv_prow;

/** One table's rows of information_schema.PARTITIONS, in ordinal order. */
typedef struct mysqldrv_ptab {
    char *method, *expr, *submethod, *subexpr;
    mysqldrv_prow *rows;
    size_t n, cap;
} mysqldrv_ptab;

/** Add a row: PARTITION_NAME, SUBPARTITION_NAME, PARTITION_METHOD,
 *  SUBPARTITION_METHOD, PARTITION_EXPRESSION, SUBPARTITION_EXPRESSION,
 *  PARTITION_DESCRIPTION, PARTITION_COMMENT (any may be NULL). CAIRN_ENOMEM
 *  (not reported) or 0. */
int mysqldrv_ptab_add(mysqldrv_ptab *p, char **row);
/** The canonical text into `out` (reset first): 0, 1 when the method is
 *  one cairn does not model (MariaDB's SYSTEM_TIME), CAIRN_ENOMEM. */
int mysqldrv_ptab_text(const cairn_host *h, const mysqldrv_ptab *p, cairn_buf *out);
/** Free the rows and empty `p` for the next table. */
void mysqldrv_ptab_clear(mysqldrv_ptab *p);

/* ---- a change ------------------------------------------------------------- */
typedef enum {
    MYSQLDRV_PART_SAME,       /* nothing to do */
    MYSQLDRV_PART_REPARTITION, /* ALTER TABLE t PARTITION BY ...: rows copied */
    MYSQLDRV_PART_REMOVE,     /* REMOVE PARTITIONING: rows copied */
    MYSQLDRV_PART_EDIT,       /* DROP PARTITION (rows go) and / or ADD PARTITION */
    MYSQLDRV_PART_REORGANIZE, /* REORGANIZE PARTITION ... INTO: rows of those copied */
    MYSQLDRV_PART_COUNT       /* HASH / KEY: ADD PARTITION PARTITIONS n, COALESCE */
} mysqldrv_part_kind;

/** What turning partition text `from` into `to` (either NULL: not
 *  partitioned) takes, and whether it drops partitions (*drops set). */
mysqldrv_part_kind mysqldrv_part_kind_of(const char *from, const char *to, int *drops);

/** The statements for table `table` (its name when they run) going from
 *  partition text `from` to `to`. CAIRN_ENOMEM or 0. */
int mysqldrv_part_emit(mysqldrv_em *e, const char *table, const char *from, const char *to);

/** The table's partition text, or NULL. */
const char *mysqldrv_part_of(const cairn_table *t);

/** Refuse (CAIRN_ESCHEMA, reported, naming the table, the key and the
 *  server's error) partitioning on a column a unique key of `t` lacks:
 *  every server refuses it (ERROR 1503), and refused here nothing runs. */
int mysqldrv_part_check(mysqldrv_em *e, const cairn_table *t);

/** Do the two tables' options differ in more than their partitioning? */
int mysqldrv_options_differ_besides_partition(const cairn_table *a, const cairn_table *b);

#endif
