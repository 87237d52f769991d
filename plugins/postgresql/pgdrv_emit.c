/* DDL emission: the emit slot and the order of its statements, one
 * function per change kind, the schema-level kinds (namespaces, enums,
 * sequences, views) here. Tables, keys and indexes are in
 * pgdrv_emit_table.c, columns in pgdrv_emit_column.c. */
#include <stdlib.h>
#include <string.h>

#include "pgdrv.h"

/* Hand the statement in em->b over to the host and start a new one. The
 * appends that wrote it went unchecked: the buffer keeps their first
 * failure, asked here once before its text is used. */
int pgdrv_flush(pgdrv_emitter *em, uint32_t flags)
{
    const cairn_host *h = em->h;
    int rc = h->buf_status(em->b);
    if (!rc)
        rc = h->stmt_add(em->out, h->buf_cstr(em->b), flags);
    h->buf_reset(em->b);
    return rc;
}

void pgdrv_quote(pgdrv_emitter *em, const char *ident)
{
    em->h->buf_quote(em->b, ident, '"');
}

void pgdrv_table_name(pgdrv_emitter *em, const cairn_table *t)
{
    pgdrv_qname(em->h, em->b, t->schema, t->name);
}

void pgdrv_ident_list(pgdrv_emitter *em, const char *const *v, size_t n)
{
    em->h->buf_puts(em->b, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            em->h->buf_puts(em->b, ", ");
        pgdrv_quote(em, v[i]);
    }
    em->h->buf_puts(em->b, ")");
}

/* "ALTER TABLE <t> " */
void pgdrv_alter_table(pgdrv_emitter *em, const cairn_table *t)
{
    em->h->buf_puts(em->b, "ALTER TABLE ");
    pgdrv_table_name(em, t);
    em->h->buf_puts(em->b, " ");
}

/* "ALTER TABLE <t> <drop><name>" as one statement: `drop` is "DROP COLUMN "
 * or "DROP CONSTRAINT ". */
int pgdrv_alter_table_drop(pgdrv_emitter *em, const cairn_table *t, const char *drop,
                           const char *name, uint32_t flags)
{
    pgdrv_alter_table(em, t);
    em->h->buf_puts(em->b, drop);
    pgdrv_quote(em, name);
    return pgdrv_flush(em, flags);
}

/* COMMENT ON <what> <schema>.<name>[.<column>] IS '...' | NULL, as one
 * statement. */
int pgdrv_comment(pgdrv_emitter *em, const char *what, const char *schema,
                  const char *name, const char *column, const char *comment)
{
    const cairn_host *h = em->h;
    h->buf_printf(em->b, "COMMENT ON %s ", what);
    pgdrv_qname(h, em->b, schema, name);
    if (column) {
        h->buf_puts(em->b, ".");
        pgdrv_quote(em, column);
    }
    return pgdrv_comment_is(em, comment);
}

int pgdrv_comment_is(pgdrv_emitter *em, const char *comment)
{
    em->h->buf_puts(em->b, " IS ");
    if (comment)
        em->h->buf_literal(em->b, comment);
    else
        em->h->buf_puts(em->b, "NULL");
    return pgdrv_flush(em, 0);
}

/* What a change works on: the table as the change leaves it (its new name
 * after a rename) and as it finds it. */
const cairn_table *pgdrv_table_after(const cairn_change *ch)
{
    return ch->table_to ? ch->table_to : ch->table_from;
}

const cairn_table *pgdrv_table_before(const cairn_change *ch)
{
    return ch->table_from ? ch->table_from : ch->table_to;
}

/* The statement flags of a change the core marked destructive. */
uint32_t pgdrv_stmt_flags(const cairn_change *ch)
{
    return (ch->flags & CAIRN_CHANGE_DESTRUCTIVE) ? CAIRN_STMT_DESTRUCTIVE : 0;
}

/* ---- schema-level changes: namespaces, enums, sequences, views ---------------- */

static int pgdrv_emit_create_namespace(pgdrv_emitter *em, const cairn_change *ch)
{
    em->h->buf_puts(em->b, "CREATE SCHEMA ");
    pgdrv_quote(em, ch->to.name);
    return pgdrv_flush(em, 0);
}

static int pgdrv_emit_drop_namespace(pgdrv_emitter *em, const cairn_change *ch)
{
    em->h->buf_puts(em->b, "DROP SCHEMA ");
    pgdrv_quote(em, ch->from.name);
    return pgdrv_flush(em, CAIRN_STMT_DESTRUCTIVE | pgdrv_stmt_flags(ch));
}

int pgdrv_emit_create_enum(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_host *h = em->h;
    const cairn_enum *e = ch->to.enm;
    h->buf_puts(em->b, "CREATE TYPE ");
    pgdrv_qname(h, em->b, e->schema, e->name);
    h->buf_puts(em->b, " AS ENUM (");
    for (size_t i = 0; i < e->nvalues; i++) {
        if (i)
            h->buf_puts(em->b, ", ");
        h->buf_literal(em->b, e->values[i]);
    }
    h->buf_puts(em->b, ")");
    int rc = pgdrv_flush(em, 0);
    if (!rc && e->comment)
        rc = pgdrv_comment(em, "TYPE", e->schema, e->name, NULL, e->comment);
    return rc;
}

/* PostgreSQL 12+ runs ADD VALUE inside a transaction, but the new value
 * cannot be used before that transaction commits: a migration that also
 * uses it fails with "unsafe use of new value" and rolls back whole.
 * Keeping the migration atomic is worth more; the documented fix is to use
 * the value in the next migration. */
static int pgdrv_emit_alter_enum(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_host *h = em->h;
    const cairn_enum *from = ch->from.enm, *to = ch->to.enm;
    if (ch->alter & CAIRN_ALTER_COMMENT)
        return pgdrv_comment(em, "TYPE", to->schema, to->name, NULL, to->comment);
    int rc = 0;
    for (size_t i = 0; i < to->nvalues && !rc; i++) {
        int known = 0;
        for (size_t j = 0; j < from->nvalues && !known; j++)
            known = strcmp(from->values[j], to->values[i]) == 0;
        if (known)
            continue;
        h->buf_puts(em->b, "ALTER TYPE ");
        pgdrv_qname(h, em->b, to->schema, to->name);
        h->buf_puts(em->b, " ADD VALUE ");
        h->buf_literal(em->b, to->values[i]);
        /* Place it after its predecessor in the new order (which
         * exists by now), or before the first old value. */
        if (i > 0) {
            h->buf_puts(em->b, " AFTER ");
            h->buf_literal(em->b, to->values[i - 1]);
        } else if (from->nvalues) {
            h->buf_puts(em->b, " BEFORE ");
            h->buf_literal(em->b, from->values[0]);
        }
        rc = pgdrv_flush(em, 0);
    }
    return rc;
}

static int pgdrv_emit_drop_enum(pgdrv_emitter *em, const cairn_change *ch)
{
    em->h->buf_puts(em->b, "DROP TYPE ");
    pgdrv_qname(em->h, em->b, ch->from.enm->schema, ch->from.enm->name);
    return pgdrv_flush(em, pgdrv_stmt_flags(ch));
}

static void pgdrv_sequence_options(pgdrv_emitter *em, const cairn_sequence *q, int alter)
{
    const cairn_host *h = em->h;
    if (q->type || alter)
        h->buf_printf(em->b, " AS %s", q->type ? q->type : "bigint");
    if (q->increment || alter)
        h->buf_printf(em->b, " INCREMENT BY %lld", (long long)(q->increment ? q->increment : 1));
    if (q->has_min)
        h->buf_printf(em->b, " MINVALUE %lld", (long long)q->min_value);
    else
        h->buf_puts(em->b, " NO MINVALUE");
    if (q->has_max)
        h->buf_printf(em->b, " MAXVALUE %lld", (long long)q->max_value);
    else
        h->buf_puts(em->b, " NO MAXVALUE");
    /* start 0 = unset: the type's and direction's default */
    if (q->start)
        h->buf_printf(em->b, " START WITH %lld", (long long)q->start);
    if (q->cache > 0)
        h->buf_printf(em->b, " CACHE %lld", (long long)q->cache);
    h->buf_puts(em->b, q->cycle ? " CYCLE" : " NO CYCLE");
}

/* CREATE_SEQUENCE and ALTER_SEQUENCE: the same options. */
static int pgdrv_emit_sequence(pgdrv_emitter *em, const cairn_change *ch)
{
    int alter = ch->kind == CAIRN_CHANGE_ALTER_SEQUENCE;
    const cairn_sequence *q = ch->to.sequence;
    em->h->buf_puts(em->b, alter ? "ALTER SEQUENCE " : "CREATE SEQUENCE ");
    pgdrv_qname(em->h, em->b, q->schema, q->name);
    pgdrv_sequence_options(em, q, alter);
    return pgdrv_flush(em, 0);
}

static int pgdrv_emit_drop_sequence(pgdrv_emitter *em, const cairn_change *ch)
{
    em->h->buf_puts(em->b, "DROP SEQUENCE ");
    pgdrv_qname(em->h, em->b, ch->from.sequence->schema, ch->from.sequence->name);
    return pgdrv_flush(em, pgdrv_stmt_flags(ch));
}

static int pgdrv_emit_create_view(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_host *h = em->h;
    const cairn_view *v = ch->to.view;
    pgdrv_view_grants_unknown(em, v);
    h->buf_puts(em->b, v->materialized ? "CREATE MATERIALIZED VIEW " : "CREATE VIEW ");
    pgdrv_qname(h, em->b, v->schema, v->name);
    int rc = pgdrv_create_view_with(em, v);
    h->buf_printf(em->b, " AS %s", v->definition);
    rc = rc ? rc : pgdrv_flush(em, 0);
    if (!rc && v->comment)
        rc = pgdrv_comment(em, v->materialized ? "MATERIALIZED VIEW" : "VIEW", v->schema, v->name,
                           NULL, v->comment);
    return rc ? rc : pgdrv_view_regrant(em, v);
}

static int pgdrv_emit_drop_view(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_view *v = ch->from.view;
    em->h->buf_puts(em->b, v->materialized ? "DROP MATERIALIZED VIEW " : "DROP VIEW ");
    pgdrv_qname(em->h, em->b, v->schema, v->name);
    return pgdrv_flush(em, pgdrv_stmt_flags(ch));
}

/* ---- one change ------------------------------------------------------------------ */

/* One function per change kind; kinds that differ only in a word share one. */
static int pgdrv_emit_change(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_table *tt = pgdrv_table_after(ch);
    int rc;
    if (pgdrv_partition_column(em, ch, &rc))
        return rc;
    switch (ch->kind) {
    case CAIRN_CHANGE_CREATE_NAMESPACE: return pgdrv_emit_create_namespace(em, ch);
    case CAIRN_CHANGE_DROP_NAMESPACE: return pgdrv_emit_drop_namespace(em, ch);
    case CAIRN_CHANGE_CREATE_ENUM: return pgdrv_emit_create_enum(em, ch);
    case CAIRN_CHANGE_ALTER_ENUM: return pgdrv_emit_alter_enum(em, ch);
    case CAIRN_CHANGE_DROP_ENUM: return pgdrv_emit_drop_enum(em, ch);
    case CAIRN_CHANGE_CREATE_SEQUENCE:
    case CAIRN_CHANGE_ALTER_SEQUENCE: return pgdrv_emit_sequence(em, ch);
    case CAIRN_CHANGE_DROP_SEQUENCE: return pgdrv_emit_drop_sequence(em, ch);
    case CAIRN_CHANGE_CREATE_TABLE: return pgdrv_emit_new_table(em, ch->to.table);
    case CAIRN_CHANGE_DROP_TABLE: return pgdrv_emit_drop_table(em, ch);
    case CAIRN_CHANGE_RENAME_TABLE: return pgdrv_emit_rename_table(em, ch);
    case CAIRN_CHANGE_ADD_COLUMN: return pgdrv_add_column(em, tt, ch->to.column);
    /* after a rename of the table: its new name */
    case CAIRN_CHANGE_DROP_COLUMN:
        return pgdrv_alter_table_drop(em, tt, "DROP COLUMN ", ch->from.column->name,
                                      CAIRN_STMT_DESTRUCTIVE);
    case CAIRN_CHANGE_RENAME_COLUMN: return pgdrv_emit_rename_column(em, ch);
    case CAIRN_CHANGE_ALTER_COLUMN: return pgdrv_emit_alter_column(em, ch);
    case CAIRN_CHANGE_SET_PRIMARY_KEY: return pgdrv_emit_set_primary_key(em, ch);
    case CAIRN_CHANGE_ADD_UNIQUE:
    case CAIRN_CHANGE_ADD_CHECK: return pgdrv_emit_add_constraint(em, ch);
    case CAIRN_CHANGE_ADD_FOREIGN_KEY: return pgdrv_emit_add_foreign_key(em, ch);
    case CAIRN_CHANGE_DROP_UNIQUE:
    case CAIRN_CHANGE_DROP_CHECK:
    case CAIRN_CHANGE_DROP_FOREIGN_KEY: return pgdrv_emit_drop_constraint(em, ch);
    case CAIRN_CHANGE_CREATE_INDEX: return pgdrv_emit_create_index(em, ch);
    case CAIRN_CHANGE_DROP_INDEX: return pgdrv_emit_drop_index(em, ch);
    case CAIRN_CHANGE_CREATE_TRIGGER: return pgdrv_create_trigger(em, tt, ch->to.trigger);
    case CAIRN_CHANGE_ALTER_KEY:
    case CAIRN_CHANGE_ALTER_CHECK:
    case CAIRN_CHANGE_ALTER_FOREIGN_KEY:
    case CAIRN_CHANGE_ALTER_TRIGGER: return pgdrv_emit_alter_constraint(em, ch);
    case CAIRN_CHANGE_DROP_TRIGGER: return pgdrv_emit_drop_trigger(em, ch);
    case CAIRN_CHANGE_CREATE_VIEW: return pgdrv_emit_create_view(em, ch);
    case CAIRN_CHANGE_DROP_VIEW: return pgdrv_emit_drop_view(em, ch);
    case CAIRN_CHANGE_SET_TABLE_COMMENT:
        return pgdrv_comment(em, "TABLE", tt->schema, tt->name, NULL,
                             ch->to.table ? ch->to.table->comment : NULL);
    case CAIRN_CHANGE_SET_TABLE_OPTIONS: {
        int orc = pgdrv_emit_table_options(em, ch);
        if (!orc)
            orc = pgdrv_row_security(em, ch->table_from, ch->table_to);
        return orc ? orc : pgdrv_storage_change(em, ch->table_from, ch->table_to);
    }
    case CAIRN_CHANGE_CREATE_OBJECT:
    case CAIRN_CHANGE_DROP_OBJECT:
    case CAIRN_CHANGE_REPLACE_OBJECT: return pgdrv_emit_object(em, ch);
    }
    return em->h->error(em->s->hc, CAIRN_EUNSUPPORTED, NULL,
                        "postgresql: change kind %d is not supported by this driver version",
                        (int)ch->kind);
}

static int pgdrv_has_str(const char *const *v, size_t n, const char *str)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], str) == 0)
            return 1;
    return 0;
}

/* What the schema asks of a server older than its feature: one line naming
 * the table, the object and both versions, before any statement. Offline
 * (`generate`, no server yet) nothing is known and nothing is refused: the
 * migration meets its server later. */
static int pgdrv_too_old(cairn_dsession *s, const cairn_table *t, const char *what,
                         const char *name, int since, const char *instead)
{
    return s->host->error(s->hc, CAIRN_ESCHEMA, NULL,
                          "table %s%s%s, %s %s: needs PostgreSQL %d, the server is %d.%d: %s",
                          t->schema ? t->schema : "", t->schema ? "." : "", t->name, what,
                          name, since, s->server_version / 10000, s->server_version % 10000,
                          instead);
}

static int pgdrv_check_version(cairn_dsession *s, const cairn_schema *to)
{
    int v = s->server_version;
    if (!to || v == 0)
        return 0;
    for (size_t i = 0; i < to->ntables; i++) {
        const cairn_table *t = to->tables[i];
        for (size_t j = 0; j < t->ncolumns && v < 180000; j++) {
            const cairn_column *c = t->columns[j];
            if (c->generated && !c->generated_stored)
                return pgdrv_too_old(s, t, "VIRTUAL generated column", c->name, 18,
                                     "make it \"stored\": true");
        }
        for (size_t j = 0; j < t->nuniques && v < 150000; j++) {
            const cairn_key *k = t->uniques[j];
            if (k->nulls_not_distinct)
                return pgdrv_too_old(s, t, "UNIQUE NULLS NOT DISTINCT",
                                     k->name ? k->name : k->columns[0], 15,
                                     "drop \"nulls_not_distinct\"");
        }
    }
    return 0;
}

int pgdrv_emit(cairn_dsession *s, const cairn_plan *plan, cairn_stmts *out)
{
    const cairn_host *h = s->host;
    int vrc = pgdrv_check_version(s, plan->to);
    if (vrc)
        return vrc;
    pgdrv_emitter em = {.s = s, .plan = plan, .h = h, .out = out, .b = h->buf_new(s->hc)};
    if (!em.b)
        return h->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    /* A column's type or collation cannot change once a generated column
     * added in the same plan uses it: such ALTER COLUMNs move ahead of the
     * table's first ADD COLUMN (they need only columns that already exist). */
    unsigned char *done = calloc(plan->nchanges + 1, 1);
    int rc = done ? pgdrv_partition_unlink(&em) : CAIRN_ENOMEM;
    /* done[i]: 1 emitted, 2 only the old primary key dropped (ahead of a
     * DROP COLUMN of one of its columns) */
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        const cairn_change *ch = plan->changes[i];
        if (done[i] == 1)
            continue;
        if (done[i] == 2) {
            rc = pgdrv_add_primary_key(&em, ch);
            done[i] = 1;
            continue;
        }
        if (pgdrv_is_enum_rebuild(plan, i)) {
            rc = pgdrv_emit_enum_rebuild(&em, ch, plan->changes[i + 1]);
            done[i] = done[i + 1] = 1;
            continue;
        }
        if (ch->kind == CAIRN_CHANGE_DROP_COLUMN)
            for (size_t j = i + 1; j < plan->nchanges && !rc; j++) {
                const cairn_change *k = plan->changes[j];
                if (!done[j] && k->kind == CAIRN_CHANGE_SET_PRIMARY_KEY && k->from.key &&
                    k->table_from == ch->table_from &&
                    pgdrv_has_str(k->from.key->columns, k->from.key->ncolumns,
                                  ch->from.column->name)) {
                    rc = pgdrv_drop_primary_key(&em, k);
                    done[j] = 2;
                }
            }
        if (ch->kind == CAIRN_CHANGE_ADD_COLUMN)
            for (size_t j = i + 1; j < plan->nchanges && !rc; j++) {
                const cairn_change *a = plan->changes[j];
                if (!done[j] && a->kind == CAIRN_CHANGE_ALTER_COLUMN &&
                    a->table_to == ch->table_to &&
                    strcmp(a->from.column->name, a->to.column->name) == 0) {
                    rc = pgdrv_emit_change(&em, a);
                    done[j] = 1;
                }
            }
        if (!rc)
            rc = pgdrv_emit_change(&em, ch);
        done[i] = 1;
    }
    free(done);
    if (!rc)
        rc = pgdrv_partition_defaults(&em);
    /* a failure no check above returned is still kept by the buffer or the list */
    if (!rc)
        rc = h->buf_status(em.b);
    if (!rc)
        rc = h->stmts_status(out);
    h->buf_free(em.b);
    if (rc == CAIRN_ENOMEM)
        return h->error(s->hc, rc, NULL, "out of memory");
    return rc;
}
