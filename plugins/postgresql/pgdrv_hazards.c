/* What a change, as this driver writes it, does to a live table's traffic
 * (the `hazards` slot, ABI 1.3; the squawk / strong_migrations catalogue).
 * The driver writes plain CREATE INDEX, constraints that validate at once,
 * SET NOT NULL and ALTER TYPE ... USING: each has its lock. */
#include <string.h>
#include <strings.h>

#include "pgdrv.h"

/* Functions whose value differs per row: a default calling one is
 * computed for every existing row (a rewrite), unlike now() or a constant
 * (stored once in the catalog since PostgreSQL 11). */
static const char *const volatile_calls[] = {
    "random(", "clock_timestamp(", "timeofday(", "gen_random_uuid(", "uuid_generate_v1(",
    "uuid_generate_v1mc(", "uuid_generate_v4(", "nextval(", "txid_current(", NULL};

static int volatile_expr(const char *expr)
{
    for (const char *p = expr; p && *p; p++)
        for (const char *const *f = volatile_calls; *f; f++)
            if (strncasecmp(p, *f, strlen(*f)) == 0)
                return 1;
    return 0;
}

/* A type change PostgreSQL makes without touching the rows: a longer or
 * unbounded varchar, varchar to text (binary coercible, no index rebuild
 * needed for these). */
static int binary_coercible(const char *from, const char *to)
{
    static const char *const strings[] = {"character varying", "varchar", "text", NULL};
    int a = 0, b = 0;
    for (const char *const *s = strings; *s; s++) {
        a |= strncasecmp(from, *s, strlen(*s)) == 0;
        b |= strncasecmp(to, *s, strlen(*s)) == 0;
    }
    return a && b;
}

uint32_t pgdrv_hazards(cairn_dsession *s, const cairn_plan *plan, const cairn_change *ch)
{
    (void)s;
    (void)plan;
    const cairn_column *to;
    /* a partition's column changes are its parent's (pgdrv_partition_column) */
    if (pgdrv_table_option(ch->table_from, "partition_of") &&
        pgdrv_table_option(ch->table_to, "partition_of") &&
        (ch->kind == CAIRN_CHANGE_ADD_COLUMN || ch->kind == CAIRN_CHANGE_ALTER_COLUMN))
        return 0;
    switch (ch->kind) {
    case CAIRN_CHANGE_CREATE_INDEX:
    case CAIRN_CHANGE_ADD_UNIQUE:
        return CAIRN_HAZARD_INDEX_BLOCKS_WRITES;
    case CAIRN_CHANGE_SET_PRIMARY_KEY:
        return ch->to.key ? CAIRN_HAZARD_INDEX_BLOCKS_WRITES : 0;
    /* NOT VALID reads no row; VALIDATE CONSTRAINT later lets writes go on */
    case CAIRN_CHANGE_ADD_FOREIGN_KEY:
        return ch->to.fkey->not_valid ? 0 : CAIRN_HAZARD_CONSTRAINT_SCAN;
    case CAIRN_CHANGE_ADD_CHECK:
        return ch->to.check->not_valid ? 0 : CAIRN_HAZARD_CONSTRAINT_SCAN;
    case CAIRN_CHANGE_ADD_COLUMN:
        to = ch->to.column;
        if (to->identity != CAIRN_IDENTITY_NONE || (to->generated && to->generated_stored) ||
            volatile_expr(to->default_expr))
            return CAIRN_HAZARD_VOLATILE_DEFAULT;
        return 0;
    case CAIRN_CHANGE_ALTER_COLUMN: {
        uint32_t bits = 0;
        const cairn_column *from = ch->from.column;
        to = ch->to.column;
        if ((ch->alter & CAIRN_ALTER_NULLABILITY) && to->not_null && !from->not_null)
            bits |= CAIRN_HAZARD_NOT_NULL_SCAN;
        if ((ch->alter & CAIRN_ALTER_TYPE) && from->type && to->type &&
            !((ch->flags & CAIRN_CHANGE_DESTRUCTIVE) == 0 && binary_coercible(from->type, to->type)))
            bits |= CAIRN_HAZARD_TABLE_REWRITE;
        return bits;
    }
    default:
        return 0;
    }
}

/* Type names of PostgreSQL and its common extensions, as normalize_type
 * writes them and their aliases (`cairn validate`). */
const char *const pgdrv_type_names[] = {
    "smallint", "int2", "integer", "int", "int4", "bigint", "int8", "real", "float4",
    "double precision", "float8", "float", "numeric", "decimal", "money", "char", "character",
    "bpchar", "varchar", "character varying", "text", "bytea", "boolean", "bool", "date", "time",
    "time without time zone", "time with time zone", "timetz", "timestamp",
    "timestamp without time zone", "timestamp with time zone", "timestamptz", "interval",
    "uuid", "json", "jsonb", "xml", "inet", "cidr", "macaddr", "macaddr8", "bit",
    "bit varying", "varbit", "tsvector", "tsquery", "point", "line", "lseg", "box", "path",
    "polygon", "circle", "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2",
    "oid", "name", "regclass", "pg_lsn", "int4range", "int8range", "numrange", "tsrange",
    "tstzrange", "daterange", "int4multirange", "int8multirange", "nummultirange",
    "tsmultirange", "tstzmultirange", "datemultirange", "citext", "hstore", "ltree",
    "geometry", "geography", "vector", NULL};
