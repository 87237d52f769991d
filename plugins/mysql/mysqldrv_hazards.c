/* Which changes, as this driver writes them, MySQL / MariaDB cannot run
 * with ALGORITHM=INPLACE or INSTANT (the `hazards` slot, ABI 1.3): the
 * table is copied while writes wait. From the online DDL tables of the
 * MySQL 8.0 manual; MariaDB copies in the same cases. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysqldrv_partition.h"

/* A VARCHAR keeps its length prefix of 1 byte up to 255 bytes (63
 * characters of utf8mb4): widening within one prefix size is in place. */
static long varchar_len(const char *type)
{
    if (strncasecmp(type, "varchar(", 8) != 0)
        return -1;
    return strtol(type + 8, NULL, 10);
}

static int widening_in_place(const char *from, const char *to)
{
    long a = varchar_len(from), b = varchar_len(to);
    return a > 0 && b >= a && (b * 4 <= 255 || a * 4 > 255) &&
           strcasecmp(strchr(from, ')'), strchr(to, ')')) == 0;
}

/* A change of table options: a partition added or dropped (RANGE, LIST)
 * is in place, a dropped one deletes its rows; a re-partition, REMOVE
 * PARTITIONING, REORGANIZE or COALESCE copies rows, as any other option
 * does (ENGINE, ROW_FORMAT, the character set). */
static uint32_t mysqldrv_options_hazards(const cairn_table *from, const cairn_table *to)
{
    int drops = 0;
    mysqldrv_part_kind k = mysqldrv_part_kind_of(mysqldrv_part_of(from), mysqldrv_part_of(to),
                                                 &drops);
    uint32_t bits = drops ? CAIRN_HAZARD_DELETES_ROWS : 0;
    if ((k != MYSQLDRV_PART_SAME && k != MYSQLDRV_PART_EDIT) ||
        mysqldrv_options_differ_besides_partition(from, to))
        bits |= CAIRN_HAZARD_TABLE_COPY;
    return bits;
}

uint32_t mysqldrv_hazards(cairn_dsession *s, const cairn_plan *plan, const cairn_change *ch)
{
    (void)s;
    (void)plan;
    const cairn_column *from, *to;
    switch (ch->kind) {
    case CAIRN_CHANGE_ADD_FOREIGN_KEY: /* in place only with foreign_key_checks off */
    case CAIRN_CHANGE_ADD_CHECK:
        return CAIRN_HAZARD_TABLE_COPY;
    case CAIRN_CHANGE_SET_TABLE_OPTIONS:
        return mysqldrv_options_hazards(ch->from.table, ch->to.table);
    case CAIRN_CHANGE_SET_PRIMARY_KEY:
        /* dropping a primary key without adding another in the statement */
        return ch->from.key && !ch->to.key ? CAIRN_HAZARD_TABLE_COPY : 0;
    case CAIRN_CHANGE_ADD_COLUMN:
        to = ch->to.column;
        return to->identity != CAIRN_IDENTITY_NONE || (to->generated && to->generated_stored)
                   ? CAIRN_HAZARD_TABLE_COPY
                   : 0;
    case CAIRN_CHANGE_ALTER_COLUMN:
        from = ch->from.column;
        to = ch->to.column;
        if ((ch->alter & CAIRN_ALTER_COLLATION) ||
            ((ch->alter & CAIRN_ALTER_TYPE) && from->type && to->type &&
             !widening_in_place(from->type, to->type)))
            return CAIRN_HAZARD_TABLE_COPY;
        return 0;
    default:
        return 0;
    }
}

/* Type names of MySQL and MariaDB, with the words that qualify them
 * (`cairn validate`). */
const char *const mysqldrv_type_names[] = {
    "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "float", "double",
    "double precision", "real", "decimal", "numeric", "dec", "fixed", "bit", "bool", "boolean",
    "serial", "char", "varchar", "binary", "varbinary", "tinytext", "text", "mediumtext",
    "longtext", "tinyblob", "blob", "mediumblob", "longblob", "enum", "set", "date", "time",
    "datetime", "timestamp", "year", "json", "geometry", "point", "linestring", "polygon",
    "multipoint", "multilinestring", "multipolygon", "geometrycollection", "uuid", "inet4",
    "inet6", "unsigned", "signed", "zerofill", "national", "character", "varying", NULL};
