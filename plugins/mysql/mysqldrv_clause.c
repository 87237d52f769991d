/* The clauses of MySQL / MariaDB DDL, written into the emitter's buffer:
 * column, key, index and foreign-key definitions, table options. They know
 * nothing of the plan's order: mysqldrv_emit.c puts them into statements. */
#include <string.h>

#include "mysqldrv_emit.h"

int mysqldrv_flush(mysqldrv_em *e, uint32_t flags)
{
    int rc = e->h->stmt_add(e->out, e->h->buf_cstr(e->b), flags);
    e->h->buf_reset(e->b);
    return rc ? CAIRN_ENOMEM : 0;
}

int mysqldrv_cols(mysqldrv_em *e, const char *const *cols, size_t n)
{
    int rc = P(e, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            rc |= P(e, ", ");
        rc |= Q(e, cols[i]);
    }
    return rc | P(e, ")");
}

int mysqldrv_constraint(mysqldrv_em *e, const char *name)
{
    if (!name)
        return 0;
    int rc = P(e, "CONSTRAINT ");
    rc |= Q(e, name);
    return rc | P(e, " ");
}

/* A check named after one of the table's columns is that column's check:
 * MariaDB names a column-level CHECK after its column, and drops it only
 * with the column's MODIFY (not DROP CONSTRAINT, error 1091). */
static const cairn_check *mysqldrv_column_check(const cairn_table *t, const char *column)
{
    for (size_t i = 0; t && i < t->nchecks; i++)
        if (t->checks[i]->name && !strcmp(t->checks[i]->name, column))
            return t->checks[i];
    return NULL;
}

int mysqldrv_column_spec(mysqldrv_em *e, const cairn_table *t, const cairn_column *c,
                         int ai)
{
    int rc = Q(e, c->name);
    rc |= P(e, " ");
    rc |= P(e, c->type ? c->type : "text");
    if (c->collation) {
        rc |= P(e, " COLLATE ");
        rc |= P(e, c->collation);
    }
    if (c->generated) {
        rc |= P(e, " GENERATED ALWAYS AS (");
        rc |= P(e, c->generated);
        rc |= P(e, c->generated_stored ? ") STORED" : ") VIRTUAL");
    }
    if (c->not_null)
        rc |= P(e, " NOT NULL");
    if (c->default_expr && !c->generated) {
        rc |= P(e, " DEFAULT ");
        if (mysqldrv_default_is_literal(c->default_expr)) {
            rc |= P(e, c->default_expr);
        } else {
            /* expression defaults need parentheses (MySQL 8.0.13, MariaDB 10.2) */
            rc |= P(e, "(");
            rc |= P(e, c->default_expr);
            rc |= P(e, ")");
        }
    }
    if (c->extra) {
        rc |= P(e, " ");
        rc |= P(e, c->extra);
    }
    if (c->identity != CAIRN_IDENTITY_NONE && ai)
        rc |= P(e, " AUTO_INCREMENT");
    if (c->comment) {
        rc |= P(e, " COMMENT ");
        rc |= mysqldrv_literal(e->h, e->b, c->comment);
    }
    const cairn_check *ck = mysqldrv_column_check(t, c->name);
    if (ck) {
        rc |= P(e, " CHECK (");
        rc |= P(e, ck->expr);
        rc |= P(e, ")");
    }
    return rc;
}

int mysqldrv_column_def(mysqldrv_em *e, const cairn_table *t, const cairn_column *c)
{
    return mysqldrv_column_spec(e, t, c, 1);
}

static const char *mysqldrv_action(cairn_fk_action a)
{
    switch (a) {
    case CAIRN_FK_RESTRICT: return "RESTRICT";
    case CAIRN_FK_CASCADE: return "CASCADE";
    case CAIRN_FK_SET_NULL: return "SET NULL";
    case CAIRN_FK_SET_DEFAULT: return "SET DEFAULT";
    default: return "NO ACTION";
    }
}

int mysqldrv_index_named(const cairn_table *t, const char *name)
{
    for (size_t i = 0; t && i < t->nindexes; i++)
        if (t->indexes[i]->name && !strcmp(t->indexes[i]->name, name))
            return 1;
    for (size_t i = 0; t && i < t->nuniques; i++)
        if (t->uniques[i]->name && !strcmp(t->uniques[i]->name, name))
            return 1;
    return 0;
}

int mysqldrv_fk_led(const cairn_fkey *fk, const char *const *cols, size_t n)
{
    size_t k = 0;
    while (k < fk->ncolumns && k < n && cols[k] && !strcmp(cols[k], fk->columns[k]))
        k++;
    return k == fk->ncolumns;
}

int mysqldrv_fk_autoindex(mysqldrv_em *e, const cairn_table *t, const cairn_fkey *fk,
                          const char *pre, const char *post)
{
    if (!fk->ncolumns || !mysqldrv_fk_autonamed(t->name, fk->name))
        return 0;
    if (t->primary_key && mysqldrv_fk_led(fk, t->primary_key->columns, t->primary_key->ncolumns))
        return 0;
    for (size_t i = 0; i < t->nuniques; i++)
        if (mysqldrv_fk_led(fk, t->uniques[i]->columns, t->uniques[i]->ncolumns))
            return 0;
    for (size_t i = 0; i < t->nindexes; i++) {
        const cairn_index *ix = t->indexes[i];
        const char *cols[64];
        size_t n = ix->nparts < 64 ? ix->nparts : 64;
        for (size_t k = 0; k < n; k++)
            cols[k] = ix->parts[k]->length ? NULL : ix->parts[k]->column;
        if (mysqldrv_fk_led(fk, cols, n))
            return 0;
    }
    if (mysqldrv_index_named(t, fk->columns[0]))
        return 0;
    int rc = P(e, pre);
    rc |= P(e, "KEY ");
    rc |= Q(e, fk->columns[0]);
    rc |= P(e, " ");
    rc |= mysqldrv_cols(e, fk->columns, fk->ncolumns);
    return rc | P(e, post);
}

int mysqldrv_fkey_def(mysqldrv_em *e, const cairn_fkey *fk)
{
    int rc = mysqldrv_constraint(e, fk->name);
    rc |= P(e, "FOREIGN KEY ");
    rc |= mysqldrv_cols(e, fk->columns, fk->ncolumns);
    rc |= P(e, " REFERENCES ");
    if (fk->ref_schema) {
        rc |= Q(e, fk->ref_schema);
        rc |= P(e, ".");
    }
    rc |= Q(e, fk->ref_table);
    rc |= P(e, " ");
    rc |= mysqldrv_cols(e, fk->ref_columns, fk->nref_columns);
    rc |= P(e, " ON DELETE ");
    rc |= P(e, mysqldrv_action(fk->on_delete));
    rc |= P(e, " ON UPDATE ");
    rc |= P(e, mysqldrv_action(fk->on_update));
    return rc;
}

int mysqldrv_index_parts(mysqldrv_em *e, const cairn_index *ix)
{
    int rc = P(e, "(");
    for (size_t i = 0; i < ix->nparts; i++) {
        const cairn_index_part *p = ix->parts[i];
        if (i)
            rc |= P(e, ", ");
        if (p->column) {
            rc |= Q(e, p->column);
            if (p->length > 0)
                rc |= e->h->buf_printf(e->b, "(%d)", p->length);
        } else {
            rc |= P(e, "(");
            rc |= P(e, p->expr ? p->expr : "NULL");
            rc |= P(e, ")");
        }
        if (p->desc)
            rc |= P(e, " DESC");
    }
    return rc | P(e, ")");
}

const char *mysqldrv_index_kind(const cairn_index *ix)
{
    if (ix->method && !strcmp(ix->method, "fulltext"))
        return "FULLTEXT ";
    if (ix->method && !strcmp(ix->method, "spatial"))
        return "SPATIAL ";
    return ix->unique ? "UNIQUE " : "";
}

int mysqldrv_index_tail(mysqldrv_em *e, const cairn_index *ix)
{
    int rc = 0;
    if (ix->method && (!strcmp(ix->method, "hash") || !strcmp(ix->method, "btree"))) {
        rc |= P(e, " USING ");
        rc |= P(e, !strcmp(ix->method, "hash") ? "HASH" : "BTREE");
    }
    if (ix->comment) {
        rc |= P(e, " COMMENT ");
        rc |= mysqldrv_literal(e->h, e->b, ix->comment);
    }
    return rc;
}

int mysqldrv_check_index(mysqldrv_em *e, const cairn_index *ix)
{
    if (ix->where)
        return e->h->error(e->hc, CAIRN_EUNSUPPORTED, NULL,
                           "mysql: index %s: partial indexes (WHERE) are not supported",
                           ix->name ? ix->name : "(unnamed)");
    if (ix->ninclude)
        return e->h->error(e->hc, CAIRN_EUNSUPPORTED, NULL,
                           "mysql: index %s: INCLUDE columns are not supported",
                           ix->name ? ix->name : "(unnamed)");
    return 0;
}

int mysqldrv_table_options(mysqldrv_em *e, const cairn_table *t, int *wrote)
{
    int rc = 0;
    for (size_t i = 0; i < t->noptions; i++) {
        const char *kv = t->options[i];
        const char *eq = strchr(kv, '=');
        size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
        const char *v = eq ? eq + 1 : "";
        const char *kw = NULL;
        if (kl == 6 && !strncmp(kv, "engine", 6))
            kw = "ENGINE=";
        else if (kl == 7 && !strncmp(kv, "charset", 7))
            kw = "DEFAULT CHARSET=";
        else if (kl == 9 && !strncmp(kv, "collation", 9))
            kw = "COLLATE=";
        else if (kl == 10 && !strncmp(kv, "row_format", 10))
            kw = "ROW_FORMAT=";
        else if (kl == 14 && !strncmp(kv, "key_block_size", 14))
            kw = "KEY_BLOCK_SIZE=";
        if (!kw)
            return e->h->error(e->hc, CAIRN_EUNSUPPORTED, NULL,
                               "mysql: table %s: unknown table option '%.*s' (engine, charset, "
                               "collation, row_format, key_block_size)", t->name, (int)kl, kv);
        for (const char *p = v; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_'))
                return e->h->error(e->hc, CAIRN_ESCHEMA, NULL,
                                   "mysql: table %s: option %.*s: invalid value '%s'", t->name,
                                   (int)kl, kv, v);
        rc |= P(e, " ");
        rc |= P(e, kw);
        rc |= P(e, v);
        (*wrote)++;
    }
    return rc;
}

static int mysqldrv_has_option(const cairn_table *t, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; t && i < t->noptions; i++)
        if (!strncmp(t->options[i], key, kl) && (t->options[i][kl] == '=' || !t->options[i][kl]))
            return 1;
    return 0;
}

int mysqldrv_options_reset(mysqldrv_em *e, const cairn_table *from, const cairn_table *to,
                           int *wrote)
{
    int rc = 0;
    if (mysqldrv_has_option(from, "engine") && !mysqldrv_has_option(to, "engine")) {
        rc |= P(e, " ENGINE=InnoDB");
        (*wrote)++;
    }
    if ((mysqldrv_has_option(from, "charset") || mysqldrv_has_option(from, "collation")) &&
        !mysqldrv_has_option(to, "charset") && !mysqldrv_has_option(to, "collation")) {
        rc |= P(e, " DEFAULT CHARACTER SET = DEFAULT");
        (*wrote)++;
    }
    if (mysqldrv_has_option(from, "row_format") && !mysqldrv_has_option(to, "row_format")) {
        rc |= P(e, " ROW_FORMAT=DEFAULT");
        (*wrote)++;
    }
    if (mysqldrv_has_option(from, "key_block_size") &&
        !mysqldrv_has_option(to, "key_block_size")) {
        rc |= P(e, " KEY_BLOCK_SIZE=0");
        (*wrote)++;
    }
    return rc;
}
