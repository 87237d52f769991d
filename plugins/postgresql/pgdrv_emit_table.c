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

/* (a, b, c), the last column marked as PostgreSQL 18's temporal keys mark
 * it: "PERIOD c" in a foreign key, "c WITHOUT OVERLAPS" in a key. */
static void pgdrv_key_columns(pgdrv_emitter *em, const char *const *v, size_t n, int period,
                              int without_overlaps)
{
    em->h->buf_puts(em->b, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            em->h->buf_puts(em->b, ", ");
        if (period && i == n - 1)
            em->h->buf_puts(em->b, "PERIOD ");
        pgdrv_quote(em, v[i]);
        if (without_overlaps && i == n - 1)
            em->h->buf_puts(em->b, " WITHOUT OVERLAPS");
    }
    em->h->buf_puts(em->b, ")");
}

static void pgdrv_key_def(pgdrv_emitter *em, const cairn_key *k, int primary)
{
    const char *kind = primary                 ? "PRIMARY KEY "
                       : k->nulls_not_distinct ? "UNIQUE NULLS NOT DISTINCT "
                                               : "UNIQUE ";
    pgdrv_constraint_name(em, k->name);
    em->h->buf_puts(em->b, kind);
    pgdrv_key_columns(em, k->columns, k->ncolumns, 0, k->without_overlaps);
    if (k->initially_deferred)
        em->h->buf_puts(em->b, " DEFERRABLE INITIALLY DEFERRED");
    else if (k->deferrable)
        em->h->buf_puts(em->b, " DEFERRABLE");
}

/* COMMENT ON CONSTRAINT name ON table (`what` "CONSTRAINT") or COMMENT ON
 * TRIGGER, flushed; nothing when there is no comment and `always` is 0. */
static int pgdrv_comment_on(pgdrv_emitter *em, const char *what, const cairn_table *t,
                            const char *name, const char *comment, int always)
{
    const cairn_host *h = em->h;
    if (!comment && !always)
        return 0;
    if (!name)
        return h->error(em->s->hc, CAIRN_ESCHEMA, NULL,
                        "postgresql: table %s: a comment on an unnamed constraint needs the "
                        "constraint's \"name\"", t->name);
    h->buf_printf(em->b, "COMMENT ON %s ", what);
    pgdrv_quote(em, name);
    h->buf_puts(em->b, " ON ");
    pgdrv_table_name(em, t);
    return pgdrv_comment_is(em, comment);
}

/* The name PostgreSQL gives an unnamed primary key. */
static const char *pgdrv_pkey_name(const cairn_table *t, const cairn_key *k, char *buf,
                                   size_t size)
{
    if (k->name)
        return k->name;
    snprintf(buf, size, "%s_pkey", t->name);
    return buf;
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
    em->h->buf_printf(em->b, "CHECK (%.*s)%s%s", (int)body, c->expr,
                      c->expr[body] ? " NO INHERIT" : "", c->not_valid ? " NOT VALID" : "");
}

/* ALTER TABLE t ADD <check>, then its comment. */
static int pgdrv_add_check(pgdrv_emitter *em, const cairn_table *t, const cairn_check *c)
{
    pgdrv_alter_table(em, t);
    em->h->buf_puts(em->b, "ADD ");
    pgdrv_check_def(em, c);
    int rc = pgdrv_flush(em, 0);
    return rc ? rc : pgdrv_comment_on(em, "CONSTRAINT", t, c->name, c->comment, 0);
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
    pgdrv_key_columns(em, fk->columns, fk->ncolumns, fk->period, 0);
    h->buf_puts(em->b, " REFERENCES ");
    pgdrv_qname(h, em->b, fk->ref_schema ? fk->ref_schema : t->schema, fk->ref_table);
    if (fk->nref_columns) {
        h->buf_puts(em->b, " ");
        pgdrv_key_columns(em, fk->ref_columns, fk->nref_columns, fk->period, 0);
    }
    if (fk->match_full)
        h->buf_puts(em->b, " MATCH FULL");
    const char *del = pgdrv_fk_action_sql(fk->on_delete), *upd = pgdrv_fk_action_sql(fk->on_update);
    if (del)
        h->buf_printf(em->b, " ON DELETE %s", del);
    if (upd)
        h->buf_printf(em->b, " ON UPDATE %s", upd);
    if (fk->deferrable || fk->initially_deferred)
        h->buf_puts(em->b,
                    fk->initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
    /* the rows there are stay unchecked; VALIDATE CONSTRAINT checks them */
    if (fk->not_valid)
        h->buf_puts(em->b, " NOT VALID");
    int rc = pgdrv_flush(em, 0);
    return rc ? rc : pgdrv_comment_on(em, "CONSTRAINT", t, fk->name, fk->comment, 0);
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
    /* a NOT VALID check comes after (in CREATE TABLE it would be valid) */
    for (size_t i = 0; i < t->nchecks; i++) {
        if (t->checks[i]->not_valid)
            continue;
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
    for (size_t i = 0; i < t->nchecks && !rc; i++)
        if (t->checks[i]->not_valid)
            rc = pgdrv_add_check(em, t, t->checks[i]);
    char pk[200];
    if (!rc && t->primary_key)
        rc = pgdrv_comment_on(em, "CONSTRAINT", t,
                              pgdrv_pkey_name(t, t->primary_key, pk, sizeof pk),
                              t->primary_key->comment, 0);
    for (size_t i = 0; i < t->nuniques && !rc; i++)
        rc = pgdrv_comment_on(em, "CONSTRAINT", t, t->uniques[i]->name, t->uniques[i]->comment, 0);
    for (size_t i = 0; i < t->nchecks && !rc; i++)
        if (!t->checks[i]->not_valid)
            rc = pgdrv_comment_on(em, "CONSTRAINT", t, t->checks[i]->name,
                                  t->checks[i]->comment, 0);
    for (size_t i = 0; i < t->ntriggers && !rc; i++)
        rc = pgdrv_create_trigger(em, t, t->triggers[i]);
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
    const cairn_table *t = pgdrv_table_after(ch);
    pgdrv_alter_table(em, t);
    em->h->buf_puts(em->b, "ADD ");
    pgdrv_key_def(em, ch->to.key, 1);
    int rc = pgdrv_flush(em, 0);
    char pk[200];
    return rc ? rc : pgdrv_comment_on(em, "CONSTRAINT", t,
                                      pgdrv_pkey_name(t, ch->to.key, pk, sizeof pk),
                                      ch->to.key->comment, 0);
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
    const cairn_table *t = pgdrv_table_after(ch);
    if (ch->kind == CAIRN_CHANGE_ADD_CHECK)
        return pgdrv_add_check(em, t, ch->to.check);
    pgdrv_alter_table(em, t);
    em->h->buf_puts(em->b, "ADD ");
    pgdrv_key_def(em, ch->to.key, 0);
    int rc = pgdrv_flush(em, 0);
    return rc ? rc : pgdrv_comment_on(em, "CONSTRAINT", t, ch->to.key->name, ch->to.key->comment, 0);
}

int pgdrv_create_trigger(pgdrv_emitter *em, const cairn_table *t, const cairn_trigger *tr)
{
    int rc = em->h->stmt_add(em->out, tr->sql, 0);
    return rc ? rc : pgdrv_comment_on(em, "TRIGGER", t, tr->name, tr->comment, 0);
}

/* The database's name of the constraint (the schema file's may be absent:
 * paired by content), then VALIDATE and the comment. */
int pgdrv_emit_alter_constraint(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_table *t = pgdrv_table_after(ch);
    const char *name = NULL, *comment = NULL, *what = "CONSTRAINT";
    char pk[200];
    switch (ch->kind) {
    case CAIRN_CHANGE_ALTER_KEY: {
        const cairn_key *k = ch->to.key->name ? ch->to.key : ch->from.key;
        name = ch->table_to && ch->table_to->primary_key == ch->to.key
                   ? pgdrv_pkey_name(pgdrv_table_before(ch), k, pk, sizeof pk)
                   : k->name;
        comment = ch->to.key->comment;
        break;
    }
    case CAIRN_CHANGE_ALTER_CHECK:
        name = ch->to.check->name ? ch->to.check->name : ch->from.check->name;
        comment = ch->to.check->comment;
        break;
    case CAIRN_CHANGE_ALTER_FOREIGN_KEY:
        name = ch->to.fkey->name ? ch->to.fkey->name : ch->from.fkey->name;
        comment = ch->to.fkey->comment;
        break;
    default:
        name = ch->to.trigger->name;
        comment = ch->to.trigger->comment;
        what = "TRIGGER";
        break;
    }
    int rc = 0;
    if (ch->alter & CAIRN_ALTER_VALIDATE) {
        pgdrv_alter_table(em, t);
        em->h->buf_puts(em->b, "VALIDATE CONSTRAINT ");
        pgdrv_quote(em, name);
        rc = pgdrv_flush(em, 0);
    }
    if (!rc && (ch->alter & CAIRN_ALTER_COMMENT))
        rc = pgdrv_comment_on(em, what, t, name, comment, 1);
    return rc;
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
