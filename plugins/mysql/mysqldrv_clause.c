/* The clauses of MySQL / MariaDB DDL, written into the emitter's buffer:
 * column, key, index and foreign-key definitions, table options. They know
 * nothing of the plan's order: mysqldrv_emit.c puts them into statements. */
#include <string.h>

#include "mysqldrv_emit.h"

int mysqldrv_flush(mysqldrv_em *e, uint32_t flags)
{
    int rc = e->h->buf_status(e->b);
    if (!rc)
        rc = e->h->stmt_add(e->out, e->h->buf_cstr(e->b), flags);
    e->h->buf_reset(e->b);
    return rc;
}

void mysqldrv_cols(mysqldrv_em *e, const char *const *cols, size_t n)
{
    P(e, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            P(e, ", ");
        Q(e, cols[i]);
    }
    P(e, ")");
}

void mysqldrv_pk(mysqldrv_em *e, const cairn_key *k)
{
    P(e, "PRIMARY KEY ");
    mysqldrv_cols(e, k->columns, k->ncolumns);
    if (k->comment) {
        P(e, " COMMENT ");
        mysqldrv_literal(e->h, e->b, k->comment);
    }
}

void mysqldrv_constraint(mysqldrv_em *e, const char *name)
{
    if (!name)
        return;
    P(e, "CONSTRAINT ");
    Q(e, name);
    P(e, " ");
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

void mysqldrv_column_spec(mysqldrv_em *e, const cairn_table *t, const cairn_column *c,
                          int ai)
{
    Q(e, c->name);
    P(e, " ");
    P(e, c->type ? c->type : "text");
    if (c->collation) {
        P(e, " COLLATE ");
        P(e, c->collation);
    }
    if (c->generated) {
        P(e, " GENERATED ALWAYS AS (");
        P(e, c->generated);
        P(e, c->generated_stored ? ") STORED" : ") VIRTUAL");
    }
    if (c->not_null)
        P(e, " NOT NULL");
    if (c->default_expr && !c->generated) {
        P(e, " DEFAULT ");
        if (mysqldrv_default_is_literal(c->default_expr)) {
            P(e, c->default_expr);
        } else {
            /* expression defaults need parentheses (MySQL 8.0.13, MariaDB 10.2) */
            P(e, "(");
            P(e, c->default_expr);
            P(e, ")");
        }
    }
    if (c->extra) {
        P(e, " ");
        P(e, c->extra);
    }
    if (c->identity != CAIRN_IDENTITY_NONE && ai)
        P(e, " AUTO_INCREMENT");
    if (c->comment) {
        P(e, " COMMENT ");
        mysqldrv_literal(e->h, e->b, c->comment);
    }
    const cairn_check *ck = mysqldrv_column_check(t, c->name);
    if (ck) {
        P(e, " CHECK (");
        P(e, ck->expr);
        P(e, ")");
    }
}

void mysqldrv_column_def(mysqldrv_em *e, const cairn_table *t, const cairn_column *c)
{
    mysqldrv_column_spec(e, t, c, 1);
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

void mysqldrv_fk_autoindex(mysqldrv_em *e, const cairn_table *t, const cairn_fkey *fk,
                           const char *pre, const char *post)
{
    if (!fk->ncolumns || !mysqldrv_fk_autonamed(t->name, fk->name))
        return;
    if (t->primary_key && mysqldrv_fk_led(fk, t->primary_key->columns, t->primary_key->ncolumns))
        return;
    for (size_t i = 0; i < t->nuniques; i++)
        if (mysqldrv_fk_led(fk, t->uniques[i]->columns, t->uniques[i]->ncolumns))
            return;
    for (size_t i = 0; i < t->nindexes; i++) {
        const cairn_index *ix = t->indexes[i];
        const char *cols[64];
        size_t n = ix->nparts < 64 ? ix->nparts : 64;
        for (size_t k = 0; k < n; k++)
            cols[k] = ix->parts[k]->length ? NULL : ix->parts[k]->column;
        if (mysqldrv_fk_led(fk, cols, n))
            return;
    }
    if (mysqldrv_index_named(t, fk->columns[0]))
        return;
    P(e, pre);
    P(e, "KEY ");
    Q(e, fk->columns[0]);
    P(e, " ");
    mysqldrv_cols(e, fk->columns, fk->ncolumns);
    P(e, post);
}

void mysqldrv_fkey_def(mysqldrv_em *e, const cairn_fkey *fk)
{
    mysqldrv_constraint(e, fk->name);
    P(e, "FOREIGN KEY ");
    mysqldrv_cols(e, fk->columns, fk->ncolumns);
    P(e, " REFERENCES ");
    if (fk->ref_schema) {
        Q(e, fk->ref_schema);
        P(e, ".");
    }
    Q(e, fk->ref_table);
    P(e, " ");
    mysqldrv_cols(e, fk->ref_columns, fk->nref_columns);
    P(e, " ON DELETE ");
    P(e, mysqldrv_action(fk->on_delete));
    P(e, " ON UPDATE ");
    P(e, mysqldrv_action(fk->on_update));
}

void mysqldrv_index_parts(mysqldrv_em *e, const cairn_index *ix)
{
    P(e, "(");
    for (size_t i = 0; i < ix->nparts; i++) {
        const cairn_index_part *p = ix->parts[i];
        if (i)
            P(e, ", ");
        if (p->column) {
            Q(e, p->column);
            if (p->length > 0)
                e->h->buf_printf(e->b, "(%d)", p->length);
        } else {
            P(e, "(");
            P(e, p->expr ? p->expr : "NULL");
            P(e, ")");
        }
        if (p->desc)
            P(e, " DESC");
    }
    P(e, ")");
}

const char *mysqldrv_index_kind(const cairn_index *ix)
{
    if (ix->method && !strcmp(ix->method, "fulltext"))
        return "FULLTEXT ";
    if (ix->method && !strcmp(ix->method, "spatial"))
        return "SPATIAL ";
    return ix->unique ? "UNIQUE " : "";
}

void mysqldrv_index_tail(mysqldrv_em *e, const cairn_index *ix)
{
    if (ix->method && (!strcmp(ix->method, "hash") || !strcmp(ix->method, "btree"))) {
        P(e, " USING ");
        P(e, !strcmp(ix->method, "hash") ? "HASH" : "BTREE");
    }
    if (ix->comment) {
        P(e, " COMMENT ");
        mysqldrv_literal(e->h, e->b, ix->comment);
    }
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

int mysqldrv_view_options(mysqldrv_em *e, const cairn_view *v, const char **algorithm,
                          const char **security, const char **check)
{
    static const struct {
        const char *key, *values[4], *keywords[4];
    } known[] = {
        {"algorithm", {"undefined", "merge", "temptable"}, {NULL, "MERGE", "TEMPTABLE"}},
        {"security", {"definer", "invoker"}, {NULL, "INVOKER"}},
        {"check_option", {"cascaded", "local"}, {"CASCADED", "LOCAL"}},
    };
    const char **out[] = {algorithm, security, check};
    for (size_t i = 0; i < v->noptions; i++) {
        const char *kv = v->options[i], *eq = strchr(kv, '=');
        size_t kl = eq ? (size_t)(eq - kv) : strlen(kv), k = 0;
        if (kl == 7 && !strncmp(kv, "definer", 7))
            continue; /* an account: mysqldrv_view_definer_put */
        while (k < 3 && (strlen(known[k].key) != kl || strncmp(kv, known[k].key, kl)))
            k++;
        if (k == 3)
            return e->h->error(e->hc, CAIRN_EUNSUPPORTED, NULL,
                               "mysql: view %s: unknown view option '%.*s' (algorithm, "
                               "security, check_option, definer)", v->name, (int)kl, kv);
        size_t j = 0;
        while (j < 4 && known[k].values[j] && strcmp(known[k].values[j], eq ? eq + 1 : ""))
            j++;
        if (j == 4 || !known[k].values[j])
            return e->h->error(e->hc, CAIRN_ESCHEMA, NULL,
                               "mysql: view %s: option %s: invalid value '%s' (%s, %s%s%s)",
                               v->name, known[k].key, eq ? eq + 1 : "", known[k].values[0],
                               known[k].values[1], known[k].values[2] ? ", " : "",
                               known[k].values[2] ? known[k].values[2] : "");
        *out[k] = known[k].keywords[j];
    }
    return 0;
}

int mysqldrv_table_options(mysqldrv_em *e, const cairn_table *t, int *wrote)
{
    for (size_t i = 0; i < t->noptions; i++) {
        const char *kv = t->options[i];
        const char *eq = strchr(kv, '=');
        size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
        const char *v = eq ? eq + 1 : "";
        const char *kw = NULL;
        if (kl == 9 && !strncmp(kv, "partition", 9))
            continue; /* after the options, by the caller (mysqldrv_partition.c) */
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
                               "collation, row_format, key_block_size, partition)", t->name,
                               (int)kl, kv);
        for (const char *p = v; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_'))
                return e->h->error(e->hc, CAIRN_ESCHEMA, NULL,
                                   "mysql: table %s: option %.*s: invalid value '%s'", t->name,
                                   (int)kl, kv, v);
        P(e, " ");
        P(e, kw);
        P(e, v);
        (*wrote)++;
    }
    return 0;
}

static int mysqldrv_has_option(const cairn_table *t, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; t && i < t->noptions; i++)
        if (!strncmp(t->options[i], key, kl) && (t->options[i][kl] == '=' || !t->options[i][kl]))
            return 1;
    return 0;
}

void mysqldrv_options_reset(mysqldrv_em *e, const cairn_table *from, const cairn_table *to,
                            int *wrote)
{
    if (mysqldrv_has_option(from, "engine") && !mysqldrv_has_option(to, "engine")) {
        P(e, " ENGINE=InnoDB");
        (*wrote)++;
    }
    if ((mysqldrv_has_option(from, "charset") || mysqldrv_has_option(from, "collation")) &&
        !mysqldrv_has_option(to, "charset") && !mysqldrv_has_option(to, "collation")) {
        P(e, " DEFAULT CHARACTER SET = DEFAULT");
        (*wrote)++;
    }
    if (mysqldrv_has_option(from, "row_format") && !mysqldrv_has_option(to, "row_format")) {
        P(e, " ROW_FORMAT=DEFAULT");
        (*wrote)++;
    }
    if (mysqldrv_has_option(from, "key_block_size") &&
        !mysqldrv_has_option(to, "key_block_size")) {
        P(e, " KEY_BLOCK_SIZE=0");
        (*wrote)++;
    }
}
