/* DDL emission for tables: CREATE TABLE, keys, checks, foreign keys,
 * indexes and triggers, and the changes of those kinds. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrv.h"

static void pgdrv_constraint_name(pgdrv_emitter *em, const char *name)
{
    if (!name)
        return;
    em->h->buf_puts(em->b, "CONSTRAINT ");
    pgdrv_quote(em, name);
    em->h->buf_puts(em->b, " ");
}

static void pgdrv_key_def(pgdrv_emitter *em, const cairn_key *k, int primary)
{
    const char *kind = primary                 ? "PRIMARY KEY "
                       : k->nulls_not_distinct ? "UNIQUE NULLS NOT DISTINCT "
                                               : "UNIQUE ";
    pgdrv_constraint_name(em, k->name);
    em->h->buf_puts(em->b, kind);
    pgdrv_ident_list(em, k->columns, k->ncolumns);
}

/* Length of a check's expression without a trailing NO INHERIT, which the
 * model has no field for and so rides at the end of `expr` ("n > 0 NO
 * INHERIT"): no boolean expression ends in those two words. */
static size_t pgdrv_check_body(const char *expr)
{
    size_t n = strlen(expr), e = n;
    while (e && isspace((unsigned char)expr[e - 1]))
        e--;
    if (e < 10 || strncasecmp(expr + e - 7, "inherit", 7) != 0)
        return n;
    size_t p = e - 7;
    if (!isspace((unsigned char)expr[p - 1]))
        return n;
    while (p && isspace((unsigned char)expr[p - 1]))
        p--;
    if (p < 2 || strncasecmp(expr + p - 2, "no", 2) != 0 ||
        (p > 2 && !isspace((unsigned char)expr[p - 3]) && expr[p - 3] != ')'))
        return n;
    p -= 2;
    while (p && isspace((unsigned char)expr[p - 1]))
        p--;
    return p;
}

static void pgdrv_check_def(pgdrv_emitter *em, const cairn_check *c)
{
    pgdrv_constraint_name(em, c->name);
    size_t body = pgdrv_check_body(c->expr);
    em->h->buf_printf(em->b, "CHECK (%.*s)%s", (int)body, c->expr,
                      c->expr[body] ? " NO INHERIT" : "");
}

static const char *pgdrv_fk_action_sql(cairn_fk_action a)
{
    switch (a) {
    case CAIRN_FK_RESTRICT: return "RESTRICT";
    case CAIRN_FK_CASCADE: return "CASCADE";
    case CAIRN_FK_SET_NULL: return "SET NULL";
    case CAIRN_FK_SET_DEFAULT: return "SET DEFAULT";
    default: return NULL;
    }
}

/* ALTER TABLE t ADD CONSTRAINT ... FOREIGN KEY ..., as one statement. */
static int pgdrv_fkey_stmt(pgdrv_emitter *em, const cairn_table *t, const cairn_fkey *fk)
{
    const cairn_host *h = em->h;
    pgdrv_alter_table(em, t);
    h->buf_puts(em->b, "ADD ");
    pgdrv_constraint_name(em, fk->name);
    h->buf_puts(em->b, "FOREIGN KEY ");
    pgdrv_ident_list(em, fk->columns, fk->ncolumns);
    h->buf_puts(em->b, " REFERENCES ");
    pgdrv_qname(h, em->b, fk->ref_schema ? fk->ref_schema : t->schema, fk->ref_table);
    if (fk->nref_columns) {
        h->buf_puts(em->b, " ");
        pgdrv_ident_list(em, fk->ref_columns, fk->nref_columns);
    }
    const char *del = pgdrv_fk_action_sql(fk->on_delete), *upd = pgdrv_fk_action_sql(fk->on_update);
    if (del)
        h->buf_printf(em->b, " ON DELETE %s", del);
    if (upd)
        h->buf_printf(em->b, " ON UPDATE %s", upd);
    if (fk->deferrable)
        h->buf_puts(em->b,
                    fk->initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
    return pgdrv_flush(em, 0);
}

/* One key part of an index: column or expression, COLLATE, operator class,
 * DESC, NULLS ordering. */
static void pgdrv_index_part(pgdrv_emitter *em, const cairn_index_part *p)
{
    const cairn_host *h = em->h;
    size_t key_end = 0, opc_b = 0, opc_e = 0, nulls_b = 0;
    int element = !p->column && pgdrv_split_element(p->expr, &key_end, &opc_b, &opc_e, &nulls_b);
    if (p->column)
        pgdrv_quote(em, p->column);
    else if (element)
        h->buf_append(em->b, p->expr, key_end);
    else
        h->buf_printf(em->b, "(%s)", p->expr);
    if (p->collation) {
        h->buf_puts(em->b, " COLLATE ");
        pgdrv_quote(em, p->collation);
    }
    if (element && opc_e > opc_b)
        h->buf_printf(em->b, " %.*s", (int)(opc_e - opc_b), p->expr + opc_b);
    if (p->desc)
        h->buf_puts(em->b, " DESC");
    if (element && p->expr[nulls_b])
        h->buf_printf(em->b, " %s", p->expr + nulls_b);
}

/* CREATE INDEX as one statement, then its comment. */
static int pgdrv_create_index(pgdrv_emitter *em, const cairn_table *t, const cairn_index *ix)
{
    const cairn_host *h = em->h;
    /* the access method, then the index options (see pgdrv_split_element) */
    size_t am_len = ix->method ? strcspn(ix->method, " \t\n") : 0;
    const char *options = ix->method ? ix->method + pgdrv_skip_space(ix->method, am_len) : "";
    h->buf_puts(em->b, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (ix->name) {
        pgdrv_quote(em, ix->name);
        h->buf_puts(em->b, " ");
    }
    h->buf_puts(em->b, "ON ");
    pgdrv_table_name(em, t);
    if (ix->method && !pgdrv_word_is(ix->method, 0, am_len, "btree")) {
        char *am = strndup(ix->method, am_len);
        if (!am)
            return CAIRN_ENOMEM;
        h->buf_puts(em->b, " USING ");
        pgdrv_quote(em, am);
        free(am);
    }
    h->buf_puts(em->b, " (");
    for (size_t i = 0; i < ix->nparts; i++) {
        if (i)
            h->buf_puts(em->b, ", ");
        pgdrv_index_part(em, ix->parts[i]);
    }
    h->buf_puts(em->b, ")");
    if (ix->ninclude) {
        h->buf_puts(em->b, " INCLUDE ");
        pgdrv_ident_list(em, ix->include, ix->ninclude);
    }
    if (*options)
        h->buf_printf(em->b, " %s", options);
    if (ix->where)
        h->buf_printf(em->b, " WHERE %s", ix->where);
    int rc = pgdrv_flush(em, 0);
    if (!rc && ix->comment)
        rc = pgdrv_comment(em, "INDEX", t->schema, ix->name, NULL, ix->comment);
    return rc;
}

int pgdrv_emit_create_table(pgdrv_emitter *em, const cairn_table *t)
{
    const cairn_host *h = em->h;
    int rc = pgdrv_create_table_head(em, t);
    pgdrv_table_name(em, t);
    if (!rc)
        rc = pgdrv_create_table_of(em, t);
    /* a partition's columns are its parent's: its list, of constraints
     * only, opens with the first one, if any */
    int partition = pgdrv_table_option(t, "partition_of") != NULL;
    const char *sep = partition ? " (\n  " : "\n  ";
    if (!partition)
        h->buf_puts(em->b, " (");
    for (size_t i = 0; i < t->ncolumns && !partition; i++) {
        h->buf_puts(em->b, sep);
        pgdrv_column_def(em, t->columns[i]);
        sep = ",\n  ";
    }
    if (t->primary_key) {
        h->buf_puts(em->b, sep);
        pgdrv_key_def(em, t->primary_key, 1);
        sep = ",\n  ";
    }
    for (size_t i = 0; i < t->nuniques; i++) {
        h->buf_puts(em->b, sep);
        pgdrv_key_def(em, t->uniques[i], 0);
        sep = ",\n  ";
    }
    for (size_t i = 0; i < t->nchecks; i++) {
        h->buf_puts(em->b, sep);
        pgdrv_check_def(em, t->checks[i]);
        sep = ",\n  ";
    }
    if (!partition || sep[0] == ',')
        h->buf_puts(em->b, "\n)");
    if (!rc)
        rc = pgdrv_create_table_tail(em, t);
    if (!rc)
        rc = pgdrv_create_table_with(em, t);
    if (!rc)
        rc = pgdrv_flush(em, 0);
    for (size_t i = 0; i < t->ncolumns && !rc && !partition; i++)
        if (pgdrv_is_serial_with_options(t->columns[i]))
            rc = pgdrv_serial_options(em, t, t->columns[i], 1);
    for (size_t i = 0; i < t->ncolumns && !rc && !partition; i++)
        rc = pgdrv_column_storage(em, t, NULL, t->columns[i]);
    for (size_t i = 0; i < t->nindexes && !rc; i++)
        rc = pgdrv_create_index(em, t, t->indexes[i]);
    if (!rc && t->comment)
        rc = pgdrv_comment(em, "TABLE", t->schema, t->name, NULL, t->comment);
    for (size_t i = 0; i < t->ncolumns && !rc; i++)
        if (t->columns[i]->comment)
            rc = pgdrv_comment(em, "COLUMN", t->schema, t->name, t->columns[i]->name,
                               t->columns[i]->comment);
    for (size_t i = 0; i < t->ntriggers && !rc; i++)
        rc = h->stmt_add(em->out, t->triggers[i]->sql, 0);
    /* the host moved a key whose target is not complete yet to an
     * ADD_FOREIGN_KEY at the end (CAIRN_CAP_FKEY_NEEDS_TARGET) */
    for (size_t i = 0; i < t->nfkeys && !rc; i++)
        rc = pgdrv_fkey_stmt(em, t, t->fkeys[i]);
    return rc;
}

/* The two halves of SET_PRIMARY_KEY: the old key goes before a column of it
 * is dropped (which would take the key with it), the new one after. */
int pgdrv_drop_primary_key(pgdrv_emitter *em, const cairn_change *ch)
{
    if (!ch->from.key)
        return 0;
    /* Unnamed keys get PostgreSQL's default name. */
    char def[512];
    snprintf(def, sizeof def, "%s_pkey", pgdrv_table_before(ch)->name);
    return pgdrv_alter_table_drop(em, pgdrv_table_after(ch), "DROP CONSTRAINT ",
                                  ch->from.key->name ? ch->from.key->name : def,
                                  pgdrv_stmt_flags(ch));
}

int pgdrv_add_primary_key(pgdrv_emitter *em, const cairn_change *ch)
{
    if (!ch->to.key)
        return 0;
    pgdrv_alter_table(em, pgdrv_table_after(ch));
    em->h->buf_puts(em->b, "ADD ");
    pgdrv_key_def(em, ch->to.key, 1);
    return pgdrv_flush(em, 0);
}

/* ---- table-level changes ---------------------------------------------------------- */

int pgdrv_emit_drop_table(pgdrv_emitter *em, const cairn_change *ch)
{
    em->h->buf_puts(em->b, "DROP TABLE ");
    pgdrv_table_name(em, ch->from.table);
    return pgdrv_flush(em, CAIRN_STMT_DESTRUCTIVE);
}

/* A move to another schema, then a rename within it. */
int pgdrv_emit_rename_table(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_host *h = em->h;
    const cairn_table *a = ch->from.table, *b = ch->to.table;
    const char *as = a->schema ? a->schema : "public", *bs = b->schema ? b->schema : "public";
    int rc = 0;
    if (strcmp(as, bs) != 0) {
        pgdrv_alter_table(em, a);
        h->buf_puts(em->b, "SET SCHEMA ");
        pgdrv_quote(em, bs);
        rc = pgdrv_flush(em, 0);
    }
    if (!rc && strcmp(a->name, b->name) != 0) {
        h->buf_puts(em->b, "ALTER TABLE ");
        pgdrv_qname(h, em->b, b->schema, a->name);
        h->buf_puts(em->b, " RENAME TO ");
        pgdrv_quote(em, b->name);
        rc = pgdrv_flush(em, 0);
    }
    return rc;
}

int pgdrv_emit_set_primary_key(pgdrv_emitter *em, const cairn_change *ch)
{
    int rc = pgdrv_drop_primary_key(em, ch);
    return rc ? rc : pgdrv_add_primary_key(em, ch);
}

/* ADD_UNIQUE and ADD_CHECK */
int pgdrv_emit_add_constraint(pgdrv_emitter *em, const cairn_change *ch)
{
    pgdrv_alter_table(em, pgdrv_table_after(ch));
    em->h->buf_puts(em->b, "ADD ");
    if (ch->kind == CAIRN_CHANGE_ADD_UNIQUE)
        pgdrv_key_def(em, ch->to.key, 0);
    else
        pgdrv_check_def(em, ch->to.check);
    return pgdrv_flush(em, 0);
}

int pgdrv_emit_add_foreign_key(pgdrv_emitter *em, const cairn_change *ch)
{
    return pgdrv_fkey_stmt(em, pgdrv_table_after(ch), ch->to.fkey);
}

/* DROP_UNIQUE, DROP_CHECK and DROP_FOREIGN_KEY: by name. */
int pgdrv_emit_drop_constraint(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_table *tf = pgdrv_table_before(ch);
    const char *name = ch->kind == CAIRN_CHANGE_DROP_UNIQUE  ? ch->from.key->name
                       : ch->kind == CAIRN_CHANGE_DROP_CHECK ? ch->from.check->name
                                                              : ch->from.fkey->name;
    if (!name)
        return em->h->error(em->s->hc, CAIRN_EUNSUPPORTED, NULL,
                            "postgresql: cannot drop an unnamed constraint of table %s",
                            tf->name);
    return pgdrv_alter_table_drop(em, tf, "DROP CONSTRAINT ", name, pgdrv_stmt_flags(ch));
}

int pgdrv_emit_create_index(pgdrv_emitter *em, const cairn_change *ch)
{
    return pgdrv_create_index(em, pgdrv_table_after(ch), ch->to.index);
}

int pgdrv_emit_drop_index(pgdrv_emitter *em, const cairn_change *ch)
{
    em->h->buf_puts(em->b, "DROP INDEX ");
    pgdrv_qname(em->h, em->b, pgdrv_table_before(ch)->schema, ch->from.index->name);
    return pgdrv_flush(em, pgdrv_stmt_flags(ch));
}

int pgdrv_emit_drop_trigger(pgdrv_emitter *em, const cairn_change *ch)
{
    em->h->buf_puts(em->b, "DROP TRIGGER ");
    pgdrv_quote(em, ch->from.trigger->name);
    em->h->buf_puts(em->b, " ON ");
    pgdrv_table_name(em, pgdrv_table_before(ch));
    return pgdrv_flush(em, 0);
}
