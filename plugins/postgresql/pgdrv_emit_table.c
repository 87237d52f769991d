/* DDL emission for tables: CREATE TABLE, keys, checks, foreign keys,
 * indexes and triggers, and the changes of those kinds. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrv.h"

static int pgdrv_constraint_name(pgdrv_emitter *em, const char *name)
{
    if (!name)
        return 0;
    int rc = em->h->buf_puts(em->b, "CONSTRAINT ");
    if (!rc)
        rc = pgdrv_quote(em, name);
    if (!rc)
        rc = em->h->buf_puts(em->b, " ");
    return rc;
}

static int pgdrv_key_def(pgdrv_emitter *em, const cairn_key *k, int primary)
{
    int rc = pgdrv_constraint_name(em, k->name);
    if (!rc)
        rc = em->h->buf_puts(em->b, primary ? "PRIMARY KEY " : k->nulls_not_distinct
                                                                   ? "UNIQUE NULLS NOT DISTINCT "
                                                                   : "UNIQUE ");
    if (!rc)
        rc = pgdrv_ident_list(em, k->columns, k->ncolumns);
    return rc;
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

static int pgdrv_check_def(pgdrv_emitter *em, const cairn_check *c)
{
    int rc = pgdrv_constraint_name(em, c->name);
    size_t body = pgdrv_check_body(c->expr);
    if (!rc)
        rc = em->h->buf_printf(em->b, "CHECK (%.*s)%s", (int)body, c->expr,
                               c->expr[body] ? " NO INHERIT" : "");
    return rc;
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

/* ALTER TABLE t ADD CONSTRAINT ... FOREIGN KEY ..., into `b`. */
static int pgdrv_fkey_stmt(pgdrv_emitter *em, const cairn_table *t, const cairn_fkey *fk)
{
    const cairn_host *h = em->h;
    int rc = pgdrv_alter_table(em, t);
    if (!rc)
        rc = h->buf_puts(em->b, "ADD ");
    if (!rc)
        rc = pgdrv_constraint_name(em, fk->name);
    if (!rc)
        rc = h->buf_puts(em->b, "FOREIGN KEY ");
    if (!rc)
        rc = pgdrv_ident_list(em, fk->columns, fk->ncolumns);
    if (!rc)
        rc = h->buf_puts(em->b, " REFERENCES ");
    if (!rc)
        rc = pgdrv_qname(h, em->b, fk->ref_schema ? fk->ref_schema : t->schema, fk->ref_table);
    if (!rc && fk->nref_columns) {
        rc = h->buf_puts(em->b, " ");
        if (!rc)
            rc = pgdrv_ident_list(em, fk->ref_columns, fk->nref_columns);
    }
    const char *del = pgdrv_fk_action_sql(fk->on_delete), *upd = pgdrv_fk_action_sql(fk->on_update);
    if (!rc && del)
        rc = h->buf_printf(em->b, " ON DELETE %s", del);
    if (!rc && upd)
        rc = h->buf_printf(em->b, " ON UPDATE %s", upd);
    if (!rc && fk->deferrable)
        rc = h->buf_puts(em->b, fk->initially_deferred ? " DEFERRABLE INITIALLY DEFERRED"
                                                       : " DEFERRABLE");
    return rc;
}

static int pgdrv_index_stmt(pgdrv_emitter *em, const cairn_table *t, const cairn_index *ix)
{
    const cairn_host *h = em->h;
    int rc = h->buf_puts(em->b, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (!rc && ix->name) {
        rc = pgdrv_quote(em, ix->name);
        if (!rc)
            rc = h->buf_puts(em->b, " ");
    }
    if (!rc)
        rc = h->buf_puts(em->b, "ON ");
    if (!rc)
        rc = pgdrv_table_name(em, t);
    /* the access method, then the index options (see pgdrv_split_element) */
    size_t am_len = ix->method ? strcspn(ix->method, " \t\n") : 0;
    const char *options = ix->method ? ix->method + pgdrv_skip_space(ix->method, am_len) : "";
    if (!rc && ix->method && !pgdrv_word_is(ix->method, 0, am_len, "btree")) {
        rc = h->buf_puts(em->b, " USING ");
        if (!rc) {
            char *am = strndup(ix->method, am_len);
            rc = am ? pgdrv_quote(em, am) : CAIRN_ENOMEM;
            free(am);
        }
    }
    if (!rc)
        rc = h->buf_puts(em->b, " (");
    for (size_t i = 0; i < ix->nparts && !rc; i++) {
        const cairn_index_part *p = ix->parts[i];
        size_t key_end = 0, opc_b = 0, opc_e = 0, nulls_b = 0;
        int element =
            !p->column && pgdrv_split_element(p->expr, &key_end, &opc_b, &opc_e, &nulls_b);
        if (i)
            rc = h->buf_puts(em->b, ", ");
        if (!rc && p->column)
            rc = pgdrv_quote(em, p->column);
        else if (!rc && element)
            rc = h->buf_append(em->b, p->expr, key_end);
        else if (!rc)
            rc = h->buf_printf(em->b, "(%s)", p->expr);
        if (!rc && p->collation) {
            rc = h->buf_puts(em->b, " COLLATE ");
            if (!rc)
                rc = pgdrv_quote(em, p->collation);
        }
        if (!rc && element && opc_e > opc_b)
            rc = h->buf_printf(em->b, " %.*s", (int)(opc_e - opc_b), p->expr + opc_b);
        if (!rc && p->desc)
            rc = h->buf_puts(em->b, " DESC");
        if (!rc && element && p->expr[nulls_b])
            rc = h->buf_printf(em->b, " %s", p->expr + nulls_b);
    }
    if (!rc)
        rc = h->buf_puts(em->b, ")");
    if (!rc && ix->ninclude) {
        rc = h->buf_puts(em->b, " INCLUDE ");
        if (!rc)
            rc = pgdrv_ident_list(em, ix->include, ix->ninclude);
    }
    if (!rc && *options)
        rc = h->buf_printf(em->b, " %s", options);
    if (!rc && ix->where)
        rc = h->buf_printf(em->b, " WHERE %s", ix->where);
    return rc;
}

int pgdrv_emit_create_table(pgdrv_emitter *em, const cairn_table *t)
{
    const cairn_host *h = em->h;
    int rc = h->buf_puts(em->b, "CREATE TABLE ");
    if (!rc)
        rc = pgdrv_table_name(em, t);
    if (!rc)
        rc = h->buf_puts(em->b, " (");
    const char *sep = "\n  ";
    for (size_t i = 0; i < t->ncolumns && !rc; i++) {
        rc = h->buf_puts(em->b, sep);
        if (!rc)
            rc = pgdrv_column_def(em, t->columns[i]);
        sep = ",\n  ";
    }
    if (!rc && t->primary_key) {
        rc = h->buf_puts(em->b, sep);
        if (!rc)
            rc = pgdrv_key_def(em, t->primary_key, 1);
        sep = ",\n  ";
    }
    for (size_t i = 0; i < t->nuniques && !rc; i++) {
        rc = h->buf_puts(em->b, sep);
        if (!rc)
            rc = pgdrv_key_def(em, t->uniques[i], 0);
        sep = ",\n  ";
    }
    for (size_t i = 0; i < t->nchecks && !rc; i++) {
        rc = h->buf_puts(em->b, sep);
        if (!rc)
            rc = pgdrv_check_def(em, t->checks[i]);
        sep = ",\n  ";
    }
    if (!rc)
        rc = h->buf_puts(em->b, "\n)");
    if (!rc)
        rc = pgdrv_flush(em, 0);
    for (size_t i = 0; i < t->nindexes && !rc; i++) {
        rc = pgdrv_index_stmt(em, t, t->indexes[i]);
        if (!rc)
            rc = pgdrv_flush(em, 0);
        if (!rc && t->indexes[i]->comment)
            rc = pgdrv_comment(em, "INDEX", t->schema, t->indexes[i]->name, NULL,
                               t->indexes[i]->comment);
    }
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
    for (size_t i = 0; i < t->nfkeys && !rc; i++) {
        rc = pgdrv_fkey_stmt(em, t, t->fkeys[i]);
        if (!rc)
            rc = pgdrv_flush(em, 0);
    }
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
    int rc = pgdrv_alter_table(em, pgdrv_table_after(ch));
    if (!rc)
        rc = em->h->buf_puts(em->b, "ADD ");
    if (!rc)
        rc = pgdrv_key_def(em, ch->to.key, 1);
    return rc ? rc : pgdrv_flush(em, 0);
}

/* ---- table-level changes ---------------------------------------------------------- */

int pgdrv_emit_drop_table(pgdrv_emitter *em, const cairn_change *ch)
{
    int rc = em->h->buf_puts(em->b, "DROP TABLE ");
    if (!rc)
        rc = pgdrv_table_name(em, ch->from.table);
    return rc ? rc : pgdrv_flush(em, CAIRN_STMT_DESTRUCTIVE);
}

/* A move to another schema, then a rename within it. */
int pgdrv_emit_rename_table(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_host *h = em->h;
    const cairn_table *a = ch->from.table, *b = ch->to.table;
    const char *as = a->schema ? a->schema : "public", *bs = b->schema ? b->schema : "public";
    int rc = 0;
    if (strcmp(as, bs) != 0) {
        rc = pgdrv_alter_table(em, a);
        if (!rc)
            rc = h->buf_puts(em->b, "SET SCHEMA ");
        if (!rc)
            rc = pgdrv_quote(em, bs);
        if (!rc)
            rc = pgdrv_flush(em, 0);
    }
    if (!rc && strcmp(a->name, b->name) != 0) {
        rc = h->buf_puts(em->b, "ALTER TABLE ");
        if (!rc)
            rc = pgdrv_qname(h, em->b, b->schema, a->name);
        if (!rc)
            rc = h->buf_puts(em->b, " RENAME TO ");
        if (!rc)
            rc = pgdrv_quote(em, b->name);
        if (!rc)
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
    int rc = pgdrv_alter_table(em, pgdrv_table_after(ch));
    if (!rc)
        rc = em->h->buf_puts(em->b, "ADD ");
    if (!rc)
        rc = ch->kind == CAIRN_CHANGE_ADD_UNIQUE ? pgdrv_key_def(em, ch->to.key, 0)
                                                 : pgdrv_check_def(em, ch->to.check);
    return rc ? rc : pgdrv_flush(em, 0);
}

int pgdrv_emit_add_foreign_key(pgdrv_emitter *em, const cairn_change *ch)
{
    int rc = pgdrv_fkey_stmt(em, pgdrv_table_after(ch), ch->to.fkey);
    return rc ? rc : pgdrv_flush(em, 0);
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
    const cairn_table *tt = pgdrv_table_after(ch);
    const cairn_index *ix = ch->to.index;
    int rc = pgdrv_index_stmt(em, tt, ix);
    if (!rc)
        rc = pgdrv_flush(em, 0);
    if (!rc && ix->comment)
        rc = pgdrv_comment(em, "INDEX", tt->schema, ix->name, NULL, ix->comment);
    return rc;
}

int pgdrv_emit_drop_index(pgdrv_emitter *em, const cairn_change *ch)
{
    int rc = em->h->buf_puts(em->b, "DROP INDEX ");
    if (!rc)
        rc = pgdrv_qname(em->h, em->b, pgdrv_table_before(ch)->schema, ch->from.index->name);
    return rc ? rc : pgdrv_flush(em, pgdrv_stmt_flags(ch));
}

int pgdrv_emit_drop_trigger(pgdrv_emitter *em, const cairn_change *ch)
{
    int rc = em->h->buf_puts(em->b, "DROP TRIGGER ");
    if (!rc)
        rc = pgdrv_quote(em, ch->from.trigger->name);
    if (!rc)
        rc = em->h->buf_puts(em->b, " ON ");
    if (!rc)
        rc = pgdrv_table_name(em, pgdrv_table_before(ch));
    return rc ? rc : pgdrv_flush(em, 0);
}
