/* DDL emission for tables: CREATE TABLE, keys, checks, foreign keys and
 * indexes. */
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

int pgdrv_key_def(pgdrv_emitter *em, const cairn_key *k, int primary)
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

int pgdrv_check_def(pgdrv_emitter *em, const cairn_check *c)
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
int pgdrv_fkey_stmt(pgdrv_emitter *em, const cairn_table *t, const cairn_fkey *fk)
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

int pgdrv_index_stmt(pgdrv_emitter *em, const cairn_table *t, const cairn_index *ix)
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
    for (size_t i = 0; i < t->nfkeys && !rc; i++) {
        cairn_buf *fb = h->buf_new(em->s->hc);
        cairn_buf **nv = fb ? realloc(em->later, (em->nlater + 1) * sizeof *nv) : NULL;
        if (!nv) {
            h->buf_free(fb);
            return CAIRN_ENOMEM;
        }
        em->later = nv;
        em->later[em->nlater++] = fb;
        cairn_buf *keep = em->b;
        em->b = fb;
        rc = pgdrv_fkey_stmt(em, t, t->fkeys[i]);
        em->b = keep;
    }
    return rc;
}

/* The two halves of SET_PRIMARY_KEY: the old key goes before a column of it
 * is dropped (which would take the key with it), the new one after. */
int pgdrv_drop_primary_key(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_table *tt = ch->table_to ? ch->table_to : ch->table_from;
    const cairn_table *tf = ch->table_from ? ch->table_from : ch->table_to;
    if (!ch->from.key)
        return 0;
    int rc = pgdrv_alter_table(em, tt);
    if (!rc)
        rc = em->h->buf_puts(em->b, "DROP CONSTRAINT ");
    if (!rc) {
        /* Unnamed keys get PostgreSQL's default name. */
        char def[512];
        snprintf(def, sizeof def, "%s_pkey", tf->name);
        rc = pgdrv_quote(em, ch->from.key->name ? ch->from.key->name : def);
    }
    return rc ? rc
              : pgdrv_flush(em, (ch->flags & CAIRN_CHANGE_DESTRUCTIVE) ? CAIRN_STMT_DESTRUCTIVE : 0);
}

int pgdrv_add_primary_key(pgdrv_emitter *em, const cairn_change *ch)
{
    if (!ch->to.key)
        return 0;
    const cairn_table *tt = ch->table_to ? ch->table_to : ch->table_from;
    int rc = pgdrv_alter_table(em, tt);
    if (!rc)
        rc = em->h->buf_puts(em->b, "ADD ");
    if (!rc)
        rc = pgdrv_key_def(em, ch->to.key, 1);
    return rc ? rc : pgdrv_flush(em, 0);
}
