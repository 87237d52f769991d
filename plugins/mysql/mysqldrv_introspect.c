/* Introspection for MySQL / MariaDB: the schema read from
 * information_schema in a constant number of queries whatever the number of
 * tables, into the host's schema model. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysqldrv_partition.h"

/* Case-insensitive substring search (strcasestr is a GNU extension). */
static const char *mysqldrv_has(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, n))
            return p;
    return NULL;
}

typedef struct mysqldrv_tab {
    const char *name; /* arena-owned */
    cairn_table *t;
    const char *collation; /* the table's collation (arena) */
    int partitioned;       /* CREATE_OPTIONS says so */
} mysqldrv_tab;

typedef struct mysqldrv_is {
    cairn_dconn *c;
    const cairn_host *h;
    cairn_schema *out;
    const cairn_filter *f;
    mysqldrv_tab *tabs;
    size_t ntabs, cap;
    int queries;
    char *db_charset, *db_collation, *default_engine;
    cairn_buf *b;
    /* managed tables partitioned in a way cairn does not model (MariaDB's
     * SYSTEM_TIME), read as plain ones */
    cairn_buf *parted;
    size_t nparted;
} mysqldrv_is;

static int mysqldrv_tab_cmp(const void *a, const void *b)
{
    return strcmp(((const mysqldrv_tab *)a)->name, ((const mysqldrv_tab *)b)->name);
}

static mysqldrv_tab *mysqldrv_find(mysqldrv_is *is, const char *name)
{
    mysqldrv_tab key = {.name = name};
    if (!is->ntabs)
        return NULL;
    return bsearch(&key, is->tabs, is->ntabs, sizeof key, mysqldrv_tab_cmp);
}

int mysqldrv_keep(const cairn_filter *f, const char *name)
{
    for (size_t i = 0; f && i < f->nexclude; i++)
        if (f->exclude[i] && !strcmp(f->exclude[i], name))
            return 0;
    if (!f || !f->ntables)
        return 1;
    for (size_t i = 0; i < f->ntables; i++)
        if (!fnmatch(f->tables[i], name, 0))
            return 1;
    return 0;
}

static int mysqldrv_run(mysqldrv_is *is, const char *sql, MYSQL_RES **res)
{
    is->queries++;
    return mysqldrv_query(is->c, sql, res);
}

static int mysqldrv_is_settings(mysqldrv_is *is)
{
    MYSQL_RES *res;
    int rc = mysqldrv_run(is, "SELECT @@character_set_database, @@collation_database, "
                              "@@default_storage_engine, DATABASE()", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    int have_db = 0;
    while ((row = mysql_fetch_row(res))) {
        is->db_charset = strdup(row[0] ? row[0] : "");
        is->db_collation = strdup(row[1] ? row[1] : "");
        is->default_engine = strdup(row[2] ? row[2] : "");
        have_db = row[3] != NULL;
    }
    rc = mysqldrv_query_end(is->c, res);
    if (!rc && !have_db)
        rc = is->h->error(is->c->s->hc, CAIRN_ECONFIG, NULL,
                          "mysql: no database selected: put one in the URL (mysql://host/db)");
    if (!rc && (!is->db_charset || !is->db_collation || !is->default_engine))
        rc = is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc;
}

/* The options a CREATE TABLE stated, from CREATE_OPTIONS
 * ("row_format=DYNAMIC key_block_size=8 ..."): only those the model
 * carries; the others (partitioned, ...) are not table options here. */
static int mysqldrv_create_options(mysqldrv_is *is, cairn_table *t, const char *opts)
{
    static const char *const keys[] = {"row_format", "key_block_size"};
    int rc = 0;
    for (const char *p = opts; *p && !rc;) {
        size_t n = strcspn(p, " ");
        for (size_t k = 0; k < sizeof keys / sizeof *keys && !rc; k++) {
            size_t kl = strlen(keys[k]);
            if (n > kl + 1 && !strncasecmp(p, keys[k], kl) && p[kl] == '=') {
                char v[64];
                snprintf(v, sizeof v, "%.*s", (int)(n - kl - 1), p + kl + 1);
                rc = is->h->set_table_option(is->out, t, keys[k], v);
            }
        }
        p += n;
        p += strspn(p, " ");
    }
    return rc;
}

static int mysqldrv_is_tables(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int rc = mysqldrv_run(is,
        "SELECT t.TABLE_NAME, t.ENGINE, t.TABLE_COLLATION, t.TABLE_COMMENT, "
        "c.CHARACTER_SET_NAME, c.IS_DEFAULT, t.CREATE_OPTIONS "
        "FROM information_schema.TABLES t "
        "LEFT JOIN information_schema.COLLATIONS c ON c.COLLATION_NAME = t.TABLE_COLLATION "
        "WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')",
        &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        if (!row[0] || !mysqldrv_keep(is->f, row[0]))
            continue;
        cairn_table *t = h->add_table(is->out, NULL, row[0]);
        if (!t) {
            rc = CAIRN_ENOMEM;
            break;
        }
        if (is->ntabs == is->cap) {
            size_t ncap = is->cap ? is->cap * 2 : 64;
            mysqldrv_tab *n = realloc(is->tabs, ncap * sizeof *n);
            if (!n) {
                rc = CAIRN_ENOMEM;
                break;
            }
            is->tabs = n;
            is->cap = ncap;
        }
        mysqldrv_tab *e = &is->tabs[is->ntabs++];
        e->name = t->name;
        e->t = t;
        e->collation = row[2] ? h->strdup(is->out, row[2]) : NULL;
        e->partitioned = row[6] && mysqldrv_has(row[6], "partitioned") != NULL;
        /* options only where they differ from what the database would give;
         * a failure (out of memory) ends the loop after the row */
        if (row[1] && strcasecmp(row[1], is->default_engine) &&
            h->set_table_option(is->out, t, "engine", row[1]))
            rc = CAIRN_ENOMEM;
        const char *cs = row[4];
        int is_default = row[5] && !strcasecmp(row[5], "Yes");
        if (cs && strcmp(cs, is->db_charset)) {
            if (h->set_table_option(is->out, t, "charset", cs) ||
                (!is_default && row[2] && h->set_table_option(is->out, t, "collation", row[2])))
                rc = CAIRN_ENOMEM;
        } else if (row[2] && strcmp(row[2], is->db_collation) &&
                   h->set_table_option(is->out, t, "collation", row[2])) {
            rc = CAIRN_ENOMEM;
        }
        if (row[3] && *row[3])
            t->comment = h->strdup(is->out, row[3]);
        if (row[6] && mysqldrv_create_options(is, t, row[6]))
            rc = CAIRN_ENOMEM;
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    if (rc2)
        return rc2;
    if (is->ntabs)
        qsort(is->tabs, is->ntabs, sizeof *is->tabs, mysqldrv_tab_cmp);
    return 0;
}

/* An expression of the server's, canonical (see mysqldrv_expr_canon), in
 * the schema's arena; NULL on out of memory. */
static const char *mysqldrv_is_expr(mysqldrv_is *is, const char *expr)
{
    is->h->buf_reset(is->b);
    mysqldrv_expr_canon(is->h, expr, is->b);
    if (is->h->buf_status(is->b))
        return NULL;
    return is->h->strdup(is->out, is->h->buf_cstr(is->b));
}

/* The default as the server reports it, into canonical form. MariaDB 10.2.7+
 * quotes literals and leaves expressions bare; MySQL (and older MariaDB)
 * reports literals bare and flags expressions with DEFAULT_GENERATED. */
static int mysqldrv_is_default(mysqldrv_is *is, cairn_column *col, const char *def,
                               const char *extra)
{
    const cairn_host *h = is->h;
    if (!def)
        return 0;
    h->buf_reset(is->b);
    int rc = 0;
    if (is->c->mariadb && is->c->version >= 100207) {
        if (!strcmp(def, "NULL"))
            return 0;
        rc = mysqldrv_default_canon(h, col->type, def, is->b);
    } else {
        int expr = extra && strstr(extra, "DEFAULT_GENERATED") != NULL;
        int ts = !strncmp(col->type, "timestamp", 9) || !strncmp(col->type, "datetime", 8);
        if (!expr && ts && !strncasecmp(def, "CURRENT_TIMESTAMP", 17))
            expr = 1;
        if (expr || mysqldrv_type_numeric(col->type))
            rc = mysqldrv_default_canon(h, col->type, def, is->b);
        else
            mysqldrv_literal(h, is->b, def);
    }
    if (rc || h->buf_status(is->b))
        return CAIRN_ENOMEM;
    if (h->buf_len(is->b))
        col->default_expr = h->strdup(is->out, h->buf_cstr(is->b));
    return 0;
}

/* "on update current_timestamp(3)" -> "on update CURRENT_TIMESTAMP(3)" */
static int mysqldrv_is_extra(mysqldrv_is *is, cairn_column *col, const char *extra)
{
    const char *p = extra ? mysqldrv_has(extra, "on update ") : NULL;
    if (!p)
        return 0;
    p += 10;
    is->h->buf_reset(is->b);
    is->h->buf_puts(is->b, "on update ");
    if (mysqldrv_default_canon(is->h, col->type, p, is->b))
        return CAIRN_ENOMEM; /* its own failure, or the buffer's */
    col->extra = is->h->strdup(is->out, is->h->buf_cstr(is->b));
    return 0;
}

static int mysqldrv_is_columns(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int rc = mysqldrv_run(is,
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE, "
        "COLLATION_NAME, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        "ORDER BY TABLE_NAME, ORDINAL_POSITION", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1])
            continue;
        cairn_column *col = h->add_column(is->out, tab->t, row[1]);
        if (!col) {
            rc = CAIRN_ENOMEM;
            break;
        }
        h->buf_reset(is->b);
        rc = mysqldrv_type_canon(h, row[4] ? row[4] : "text", is->b);
        if (rc)
            break;
        col->type = h->strdup(is->out, h->buf_cstr(is->b));
        col->not_null = row[3] && !strcmp(row[3], "NO");
        const char *extra = row[6] ? row[6] : "";
        if (mysqldrv_has(extra, "auto_increment"))
            col->identity = CAIRN_IDENTITY_AUTO;
        if (row[8] && *row[8] && mysqldrv_has(extra, "GENERATED")) {
            col->generated = mysqldrv_is_expr(is, row[8]);
            col->generated_stored =
                mysqldrv_has(extra, "STORED") != NULL || mysqldrv_has(extra, "PERSISTENT") != NULL;
        } else {
            rc = mysqldrv_is_default(is, col, row[2], extra);
        }
        if (!rc)
            rc = mysqldrv_is_extra(is, col, extra);
        if (row[5] && tab->collation && strcmp(row[5], tab->collation))
            col->collation = h->strdup(is->out, row[5]);
        if (row[7] && *row[7])
            col->comment = h->strdup(is->out, row[7]);
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc2;
}

static cairn_fk_action mysqldrv_rule(const char *r)
{
    if (!r)
        return CAIRN_FK_NO_ACTION;
    if (!strcmp(r, "RESTRICT"))
        return CAIRN_FK_RESTRICT;
    if (!strcmp(r, "CASCADE"))
        return CAIRN_FK_CASCADE;
    if (!strcmp(r, "SET NULL"))
        return CAIRN_FK_SET_NULL;
    if (!strcmp(r, "SET DEFAULT"))
        return CAIRN_FK_SET_DEFAULT;
    return CAIRN_FK_NO_ACTION;
}

static int mysqldrv_is_fkeys(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    /* two queries joined here: the server joins these two views without an
     * index, which costs seconds at a few thousand tables */
    int rc = mysqldrv_run(is,
        "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, "
        "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
        "FROM information_schema.KEY_COLUMN_USAGE "
        "WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL "
        "ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    cairn_fkey *fk = NULL;
    mysqldrv_tab *cur = NULL;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1] || !row[2] || !row[4] || !row[5])
            continue;
        if (!fk || cur != tab || strcmp(fk->name, row[1])) {
            fk = h->add_fkey(is->out, tab->t, row[1]);
            cur = tab;
            if (!fk) {
                rc = CAIRN_ENOMEM;
                break;
            }
            if (row[3] && strcmp(row[3], is->c->db ? is->c->db : ""))
                fk->ref_schema = h->strdup(is->out, row[3]);
            fk->ref_table = h->strdup(is->out, row[4]);
        }
        rc = h->fkey_add_columns(is->out, fk, row[2], row[5]);
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    if (rc2)
        return rc2;
    rc = mysqldrv_run(is,
        "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE "
        "FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
        &res);
    if (rc)
        return rc;
    while ((row = mysql_fetch_row(res))) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        for (size_t i = 0; tab && row[1] && i < tab->t->nfkeys; i++) {
            cairn_fkey *f = tab->t->fkeys[i];
            if (!strcmp(f->name, row[1])) {
                f->on_update = mysqldrv_rule(row[2]);
                f->on_delete = mysqldrv_rule(row[3]);
            }
        }
    }
    return mysqldrv_query_end(is->c, res);
}

/* Do the first columns of `ix` (plain, ascending, whole) serve `fk`? */
static int mysqldrv_index_serves(const cairn_index *ix, const cairn_fkey *fk)
{
    if (ix->nparts < fk->ncolumns || ix->method)
        return 0;
    for (size_t k = 0; k < fk->ncolumns; k++)
        if (!ix->parts[k]->column || ix->parts[k]->length ||
            strcmp(ix->parts[k]->column, fk->columns[k]))
            return 0;
    return 1;
}

/* Does the primary key or an index other than `ix` serve `fk`? */
static int mysqldrv_fk_served_elsewhere(const cairn_table *t, const cairn_index *ix,
                                        const cairn_fkey *fk)
{
    const cairn_key *pk = t->primary_key;
    if (pk && pk->ncolumns >= fk->ncolumns) {
        size_t k = 0;
        while (k < fk->ncolumns && !strcmp(pk->columns[k], fk->columns[k]))
            k++;
        if (k == fk->ncolumns)
            return 1;
    }
    for (size_t j = 0; j < t->nindexes; j++)
        if (t->indexes[j] && t->indexes[j] != ix && mysqldrv_index_serves(t->indexes[j], fk))
            return 1;
    return 0;
}

/* The index the server creates by itself for a foreign key: not unique,
 * exactly the key's columns, named after the constraint or its first
 * column, and only where nothing else serves the key (the server makes
 * none then, and drops its own when an index that serves is added). It is
 * not part of the schema the user wrote, except where a key named like one
 * given without a name has it named after the key: the schema named the
 * key, and the index stays so the same name comes back (see
 * mysqldrv_fk_autonamed). */
static int mysqldrv_fk_index(const cairn_table *t, const cairn_index *ix)
{
    if (ix->unique || ix->method)
        return 0;
    for (size_t i = 0; i < t->nfkeys; i++) {
        const cairn_fkey *fk = t->fkeys[i];
        if (fk->ncolumns != ix->nparts || fk->ncolumns == 0)
            continue;
        if (strcmp(ix->name, fk->name) && strcmp(ix->name, fk->columns[0]))
            continue;
        if (!strcmp(ix->name, fk->name) && mysqldrv_fk_autonamed(t->name, fk->name))
            continue;
        size_t k = 0;
        while (k < ix->nparts && !ix->parts[k]->desc)
            k++;
        if (k == ix->nparts && mysqldrv_index_serves(ix, fk) &&
            !mysqldrv_fk_served_elsewhere(t, ix, fk))
            return 1;
    }
    return 0;
}

static int mysqldrv_is_indexes(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int expr = !is->c->mariadb && is->c->version >= 80013;
    int rc = mysqldrv_run(is, expr ?
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, "
        "INDEX_TYPE, INDEX_COMMENT, EXPRESSION FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX" :
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, "
        "INDEX_TYPE, INDEX_COMMENT, NULL FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    cairn_index *ix = NULL;
    cairn_key *pk = NULL;
    mysqldrv_tab *cur = NULL;
    const char *curname = NULL;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1])
            continue;
        int same = cur == tab && curname && !strcmp(curname, row[1]);
        if (!strcmp(row[1], "PRIMARY")) {
            if (!same) {
                pk = h->set_primary_key(is->out, tab->t, NULL);
                ix = NULL;
                cur = tab;
                curname = "PRIMARY";
                if (!pk) {
                    rc = CAIRN_ENOMEM;
                    break;
                }
                if (row[7] && *row[7] && !(pk->comment = h->strdup(is->out, row[7]))) {
                    rc = CAIRN_ENOMEM;
                    break;
                }
            }
            if (row[3])
                rc = h->key_add_column(is->out, pk, row[3]);
            continue;
        }
        if (!same) {
            ix = h->add_index(is->out, tab->t, row[1]);
            if (!ix) {
                rc = CAIRN_ENOMEM;
                break;
            }
            cur = tab;
            curname = ix->name;
            ix->unique = row[2] && !strcmp(row[2], "0");
            if (row[6] && !strcmp(row[6], "FULLTEXT"))
                ix->method = "fulltext";
            else if (row[6] && !strcmp(row[6], "SPATIAL"))
                ix->method = "spatial";
            else if (row[6] && !strcmp(row[6], "HASH"))
                ix->method = "hash";
            if (row[7] && *row[7])
                ix->comment = h->strdup(is->out, row[7]);
        }
        cairn_index_part *part = h->index_add_part(is->out, ix);
        if (!part) {
            rc = CAIRN_ENOMEM;
            break;
        }
        if (row[3])
            part->column = h->strdup(is->out, row[3]);
        else if (row[8])
            part->expr = mysqldrv_is_expr(is, row[8]);
        /* a SPATIAL key reports SUB_PART 32 (the MBR's size), which
         * cannot be written back (error 1089) */
        part->length = row[4] && !(row[6] && !strcmp(row[6], "SPATIAL")) ? atoi(row[4]) : 0;
        part->desc = row[5] && !strcmp(row[5], "D");
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc || rc2)
        return rc ? is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory") : rc2;
    /* A unique index with cairn's mark is a unique constraint (see
     * MYSQLDRV_UNIQUE_MARK); the indexes the server made by itself for
     * foreign keys go. The arena-owned pointer arrays are compacted in place. */
    for (size_t i = 0; i < is->ntabs && !rc; i++) {
        cairn_table *t = is->tabs[i].t;
        size_t keep = 0;
        /* decided on the whole list before it is compacted */
        for (size_t j = 0; j < t->nindexes; j++)
            if (mysqldrv_fk_index(t, t->indexes[j]))
                t->indexes[j] = NULL;
        for (size_t j = 0; j < t->nindexes && !rc; j++) {
            cairn_index *x = t->indexes[j];
            if (!x)
                continue;
            int plain = x->unique && !x->method && x->comment &&
                        !strcmp(x->comment, MYSQLDRV_UNIQUE_MARK);
            for (size_t k = 0; plain && k < x->nparts; k++)
                plain = x->parts[k]->column && !x->parts[k]->length && !x->parts[k]->desc;
            if (plain) {
                cairn_key *u = h->add_unique(is->out, t, x->name);
                for (size_t k = 0; u && !rc && k < x->nparts; k++)
                    rc = h->key_add_column(is->out, u, x->parts[k]->column);
                if (!u)
                    rc = CAIRN_ENOMEM;
            } else {
                t->indexes[keep++] = x;
            }
        }
        t->nindexes = keep;
    }
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return 0;
}

static int mysqldrv_is_checks(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int rc;
    if (is->c->mariadb) {
        /* MariaDB names checks per table and gives the table (10.2+) */
        rc = mysqldrv_run(is,
            "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM "
            "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() "
            "ORDER BY TABLE_NAME, CONSTRAINT_NAME", &res);
    } else if (is->c->version >= 80016) {
        rc = mysqldrv_run(is,
            "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM "
            "information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc "
            "ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = "
            "tc.CONSTRAINT_NAME WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = "
            "'CHECK' ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME", &res);
    } else {
        return 0; /* no CHECK constraints before MySQL 8.0.16 */
    }
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1] || !row[2])
            continue;
        /* MariaDB's json is longtext with CHECK (json_valid(`col`)) named
         * after the column: that is the type json, not a check */
        cairn_column *col = h->find_column(tab->t, row[1]);
        if (is->c->mariadb && col && !strcmp(col->type, "longtext")) {
            h->buf_reset(is->b);
            h->buf_puts(is->b, "json_valid(");
            h->buf_quote(is->b, row[1], '`');
            h->buf_puts(is->b, ")");
            rc = h->buf_status(is->b);
            if (rc)
                break;
            if (!strcmp(h->buf_cstr(is->b), row[2])) {
                col->type = "json";
                if (col->collation && !strcmp(col->collation, "utf8mb4_bin"))
                    col->collation = NULL;
                continue;
            }
        }
        if (!h->add_check(is->out, tab->t, row[1], mysqldrv_is_expr(is, row[2])))
            rc = CAIRN_ENOMEM;
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc2;
}

/* Triggers, all tables in one query, each as the CREATE TRIGGER that makes
 * it again (after the line of its sql_mode when that is not the session's,
 * as for routines: mysqldrv_objects.c): the DEFINER as the URL's `definer`
 * says (by default none: the connecting user's) and the body as the server
 * keeps it, so a schema file's trigger and the database's compare equal.
 * Several triggers on one event come in their firing order, the order the
 * table lists (and creates) them in. */
static int mysqldrv_is_triggers(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    int rc = mysqldrv_run(is,
        "SELECT EVENT_OBJECT_TABLE, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, "
        "ACTION_STATEMENT, DEFINER, SQL_MODE, SQL_MODE = @@SESSION.sql_mode "
        "FROM information_schema.TRIGGERS "
        "WHERE TRIGGER_SCHEMA = DATABASE() "
        "ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        mysqldrv_tab *tab = row[0] ? mysqldrv_find(is, row[0]) : NULL;
        if (!tab || !row[1] || !row[2] || !row[3] || !row[4])
            continue;
        h->buf_reset(is->b);
        mysqldrv_setting_put(h, is->b, 0, row[6], row[7]);
        h->buf_puts(is->b, "CREATE ");
        mysqldrv_trigger_definer(is->c, is->b, row[5]);
        h->buf_puts(is->b, "TRIGGER ");
        h->buf_quote(is->b, row[1], '`');
        /* lower case, as mysqldef writes them: the server keeps a
         * trigger's statement as sent, and a dump shows it */
        char when[16], what[16];
        snprintf(when, sizeof when, "%s", row[2]);
        snprintf(what, sizeof what, "%s", row[3]);
        for (char *p = when; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        for (char *p = what; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        h->buf_printf(is->b, " %s %s ON ", when, what);
        h->buf_quote(is->b, row[0], '`');
        h->buf_puts(is->b, " FOR EACH ROW ");
        h->buf_puts(is->b, row[4]);
        if (h->buf_status(is->b) || !h->add_trigger(is->out, tab->t, row[1], h->buf_cstr(is->b)))
            rc = CAIRN_ENOMEM;
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc2;
}

/* Drop every "`db`." qualifier the server adds to a view's text, so the
 * same view reads the same in any database (scratch or target). */
static char *mysqldrv_unqualify(const char *def, const char *db)
{
    size_t dl = strlen(db);
    char *pat = malloc(dl * 2 + 4);
    char *o = strdup(def);
    if (!pat || !o) {
        free(pat);
        free(o);
        return NULL;
    }
    size_t k = 0;
    pat[k++] = '`';
    for (const char *p = db; *p; p++) {
        pat[k++] = *p;
        if (*p == '`')
            pat[k++] = '`';
    }
    pat[k++] = '`';
    pat[k++] = '.';
    pat[k] = 0;
    char *w = o;
    const char *r = def;
    char q = 0;
    while (*r) {
        if (!q && *r == '\'') {
            q = '\'';
        } else if (q && *r == q) {
            q = 0;
        } else if (!q && !strncmp(r, pat, k)) {
            r += k;
            continue;
        } else if (!q && *r == '`') {
            /* copy a whole quoted identifier: a qualifier only starts one */
            const char *e = r + 1;
            while (*e && !(*e == '`' && e[1] != '`'))
                e += *e == '`' ? 2 : 1;
            if (*e)
                e++;
            memcpy(w, r, (size_t)(e - r));
            w += e - r;
            r = e;
            continue;
        }
        *w++ = *r++;
    }
    *w = 0;
    free(pat);
    return o;
}

/* A view option the server reports, in lower case, unless it is the
 * default (ALGORITHM=UNDEFINED, SQL SECURITY DEFINER, no CHECK OPTION). */
static int mysqldrv_view_option(mysqldrv_is *is, cairn_view *v, const char *key,
                                const char *value, const char *dflt)
{
    /* a host older than 1.2 has no view options: it gets none */
    if (!value || !*value || !strcasecmp(value, dflt) || !CAIRN_HOST_HAS(is->h, set_view_option))
        return 0;
    char low[32];
    snprintf(low, sizeof low, "%s", value);
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return is->h->set_view_option(is->out, v, key, low);
}

/* Views with their text and options; the DEFINER only as the URL's
 * `definer` says (by default not: it names an account of one server, and a
 * view is made again under whoever runs cairn). */
static int mysqldrv_is_views(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res;
    /* MySQL's VIEWS has no ALGORITHM column */
    int rc = mysqldrv_run(is, is->c->mariadb ?
        "SELECT TABLE_NAME, VIEW_DEFINITION, SECURITY_TYPE, CHECK_OPTION, ALGORITHM, DEFINER "
        "FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME" :
        "SELECT TABLE_NAME, VIEW_DEFINITION, SECURITY_TYPE, CHECK_OPTION, NULL, DEFINER "
        "FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        if (!row[0] || !row[1] || !mysqldrv_keep(is->f, row[0]))
            continue;
        char *def = mysqldrv_unqualify(row[1], is->c->db ? is->c->db : "");
        cairn_view *v = def ? h->add_view(is->out, NULL, row[0], def) : NULL;
        if (!v || mysqldrv_view_option(is, v, "algorithm", row[4], "UNDEFINED") ||
            mysqldrv_view_option(is, v, "check_option", row[3], "NONE") ||
            mysqldrv_view_option(is, v, "security", row[2], "DEFINER") ||
            mysqldrv_view_definer_read(is->c, is->out, v, row[5]))
            rc = CAIRN_ENOMEM;
        free(def);
    }
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc2;
}

/* One table's partitions as its "partition" option, or the table in the
 * list of those read as plain ones. */
static int mysqldrv_is_parted(mysqldrv_is *is, const char *table, mysqldrv_ptab *p)
{
    const cairn_host *h = is->h;
    mysqldrv_tab *tab = mysqldrv_find(is, table);
    int rc = tab ? mysqldrv_ptab_text(h, p, is->b) : 0;
    if (rc == 1 && is->nparted++ < 5) {
        h->buf_puts(is->parted, is->nparted > 1 ? ", " : "");
        h->buf_quote(is->parted, table, '`');
    } else if (tab && rc == 0) {
        rc = h->set_table_option(is->out, tab->t, MYSQLDRV_PARTITION_KEY, h->buf_cstr(is->b));
    }
    mysqldrv_ptab_clear(p);
    return rc == 1 ? 0 : rc;
}

/* Partitions of the partitioned tables in one query, into canonical text
 * (mysqldrv_partition.c): rows come in table, partition, subpartition order.
 * Only the tables CREATE_OPTIONS calls partitioned are named: the server
 * opens every table a PARTITIONS query may cover (1.6 s at 1000 tables for
 * the whole database, 0.16 s for a list of names), and none is no query. */
static int mysqldrv_is_partitions(mysqldrv_is *is)
{
    const cairn_host *h = is->h;
    h->buf_reset(is->b);
    h->buf_puts(is->b,
        "SELECT PARTITION_NAME, SUBPARTITION_NAME, PARTITION_METHOD, SUBPARTITION_METHOD, "
        "PARTITION_EXPRESSION, SUBPARTITION_EXPRESSION, PARTITION_DESCRIPTION, "
        "PARTITION_COMMENT, TABLE_NAME FROM information_schema.PARTITIONS "
        "WHERE TABLE_SCHEMA = DATABASE() AND PARTITION_NAME IS NOT NULL AND TABLE_NAME IN (");
    size_t n = 0;
    for (size_t i = 0; i < is->ntabs; i++)
        if (is->tabs[i].partitioned) {
            h->buf_puts(is->b, n++ ? ", " : "");
            mysqldrv_literal(h, is->b, is->tabs[i].name);
        }
    h->buf_puts(is->b, ") ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, "
                       "SUBPARTITION_ORDINAL_POSITION");
    if (h->buf_status(is->b))
        return h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    if (!n)
        return 0;
    char *sql = strdup(h->buf_cstr(is->b)); /* is->b builds each table's text */
    if (!sql)
        return h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    MYSQL_RES *res;
    int rc = mysqldrv_run(is, sql, &res);
    free(sql);
    if (rc)
        return rc;
    mysqldrv_ptab p = {0};
    char *table = NULL;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) && !rc) {
        if (!row[0] || !row[2] || !row[8])
            continue;
        if (table && strcmp(table, row[8])) {
            rc = mysqldrv_is_parted(is, table, &p);
            free(table);
            table = NULL;
        }
        if (!rc && !table && !(table = strdup(row[8])))
            rc = CAIRN_ENOMEM;
        if (!rc)
            rc = mysqldrv_ptab_add(&p, row);
    }
    if (!rc && table)
        rc = mysqldrv_is_parted(is, table, &p);
    mysqldrv_ptab_clear(&p);
    free(table);
    int rc2 = mysqldrv_query_end(is->c, res);
    if (rc)
        return is->h->error(is->c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc2;
}

/* What the model leaves out, named to the host's left_out for `pull` (one
 * query), and the partitioned tables read as plain ones (a warning on every
 * read). */
static int mysqldrv_left_out(mysqldrv_is *is, int count)
{
    const cairn_host *h = is->h;
    MYSQL_RES *res = NULL;
    MYSQL_ROW row;
    int rc = 0;
    h->buf_reset(is->b);
    /* functions, procedures and events are objects where the host holds them */
    int objects = CAIRN_HOST_HAS(h, add_object);
    if (count && CAIRN_HOST_HAS(h, left_out)) {
        h->buf_printf(is->b,
            "SELECT kind, name FROM ("
            " SELECT LOWER(ROUTINE_TYPE) AS kind, ROUTINE_NAME AS name"
            "   FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()%s"
            " UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS"
            "   WHERE EVENT_SCHEMA = DATABASE()%s"
            " UNION ALL SELECT 'grant', CONCAT(PRIVILEGE_TYPE, ' to ', GRANTEE)"
            "   FROM information_schema.SCHEMA_PRIVILEGES WHERE TABLE_SCHEMA = DATABASE()"
            " UNION ALL SELECT 'grant', CONCAT(PRIVILEGE_TYPE, ' on ', TABLE_NAME, ' to ', GRANTEE)"
            "   FROM information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA = DATABASE()"
            " UNION ALL SELECT 'grant', CONCAT(PRIVILEGE_TYPE, ' on ', TABLE_NAME, '.', COLUMN_NAME,"
            "   ' to ', GRANTEE)"
            "   FROM information_schema.COLUMN_PRIVILEGES WHERE TABLE_SCHEMA = DATABASE()"
            ") k ORDER BY kind, name",
            objects ? " AND ROUTINE_TYPE NOT IN ('FUNCTION', 'PROCEDURE')" : "",
            objects ? " AND 0" : "");
        rc = h->buf_status(is->b);
        if (!rc) {
            char *sql = strdup(h->buf_cstr(is->b));
            h->buf_reset(is->b);
            rc = sql ? mysqldrv_run(is, sql, &res) : CAIRN_ENOMEM;
            free(sql);
        }
        while (!rc && (row = mysql_fetch_row(res))) {
            const char *kind = row[0] ? row[0] : "?";
            h->buf_reset(is->b);
            h->buf_printf(is->b, "%ss", kind);
            if (!(rc = h->buf_status(is->b)))
                h->left_out(is->c->s->hc, kind, h->buf_cstr(is->b), row[1]);
        }
        if (!rc)
            rc = mysqldrv_query_end(is->c, res);
        h->buf_reset(is->b);
    }
    if (!rc && is->nparted)
        h->buf_printf(is->b, "mysql: %zu table%s read as plain table%s (SYSTEM_TIME partitioning "
                      "is not modelled): %s%s",
                      is->nparted, is->nparted == 1 ? "" : "s",
                      is->nparted == 1 ? "" : "s", h->buf_cstr(is->parted),
                      is->nparted > 5 ? ", ..." : "");
    if (!rc && (rc = h->buf_status(is->b)) == 0 && h->buf_len(is->b)) {
        if (CAIRN_HOST_HAS(h, warn))
            h->warn(is->c->s->hc, "%s", h->buf_cstr(is->b));
        else
            h->debug(is->c->s->hc, "%s", h->buf_cstr(is->b));
    }
    return rc == CAIRN_ENOMEM ? h->error(is->c->s->hc, rc, NULL, "out of memory") : rc;
}

int mysqldrv_introspect(cairn_dconn *c, const cairn_filter *filter, cairn_schema *out)
{
    const cairn_host *h = c->s->host;
    mysqldrv_is is = {.c = c, .h = h, .out = out, .f = filter};
    if (filter && filter->nnamespaces)
        return h->error(c->s->hc, CAIRN_EUNSUPPORTED, NULL,
                        "mysql: namespaces are databases: put the database in the URL");
    is.b = h->buf_new(c->s->hc);
    is.parted = h->buf_new(c->s->hc);
    if (!is.b || !is.parted) {
        h->buf_free(is.b);
        h->buf_free(is.parted);
        return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    /* A big database spends its time in the server, a query at a time:
     * progress is the step (what the next query reads) of the steps. */
    static const struct {
        const char *what;
        int (*read)(mysqldrv_is *);
    } steps[] = {
        {"settings", mysqldrv_is_settings}, {"tables", mysqldrv_is_tables},
        {"columns", mysqldrv_is_columns},   {"foreign keys", mysqldrv_is_fkeys},
        {"indexes", mysqldrv_is_indexes},   {"checks", mysqldrv_is_checks},
        {"triggers", mysqldrv_is_triggers}, {"views", mysqldrv_is_views},
        {"routines and events", NULL},      {"partitions", mysqldrv_is_partitions},
    };
    size_t nsteps = sizeof steps / sizeof steps[0];
    int tick = CAIRN_HOST_HAS(h, progress), rc = 0;
    for (size_t k = 0; !rc && k < nsteps; k++) {
        if (tick)
            h->progress(c->s->hc, "reading the catalog", steps[k].what, k, nsteps);
        rc = steps[k].read ? steps[k].read(&is)
                           : mysqldrv_intro_objects(c, filter, out, is.db_charset,
                                                    is.db_collation, &is.queries);
    }
    if (!rc && tick)
        h->progress(c->s->hc, "reading the catalog", NULL, nsteps, nsteps);
    if (!rc)
        h->debug(c->s->hc, "mysql: introspected %zu tables, %zu views, %zu objects in %d queries",
                 is.ntabs, out->nviews, CAIRN_HOST_HAS(h, add_object) ? out->nobjects : 0,
                 is.queries);
    int report = filter && CAIRN_STRUCT_HAS(filter, cairn_filter, flags) &&
                 (filter->flags & CAIRN_FILTER_REPORT_LEFT_OUT);
    if (!rc && (report || is.nparted))
        rc = mysqldrv_left_out(&is, report);
    h->buf_free(is.b);
    h->buf_free(is.parted);
    free(is.tabs);
    free(is.db_charset);
    free(is.db_collation);
    free(is.default_engine);
    return rc;
}

/* ---- a schema file's table options, as introspection would report them ---- */

typedef struct mysqldrv_coll {
    char *name, *charset;
    int is_default;
} mysqldrv_coll;

typedef struct mysqldrv_defaults {
    char *engine, *charset, *collation; /* the server's and the database's */
    char **engines;                     /* the server's spelling of each engine */
    size_t nengines;
    mysqldrv_coll *colls;
    size_t ncolls;
} mysqldrv_defaults;

static void mysqldrv_defaults_free(mysqldrv_defaults *d)
{
    for (size_t i = 0; i < d->nengines; i++)
        free(d->engines[i]);
    for (size_t i = 0; i < d->ncolls; i++) {
        free(d->colls[i].name);
        free(d->colls[i].charset);
    }
    free(d->engines);
    free(d->colls);
    free(d->engine);
    free(d->charset);
    free(d->collation);
}

/* The defaults, the engines and the collations in one query. */
static int mysqldrv_defaults_read(cairn_dconn *c, mysqldrv_defaults *d)
{
    MYSQL_RES *res;
    int rc = mysqldrv_query(c,
        "SELECT 'd', @@default_storage_engine, @@character_set_database, @@collation_database "
        "UNION ALL SELECT 'e', ENGINE, NULL, NULL FROM information_schema.ENGINES "
        "UNION ALL SELECT 'c', COLLATION_NAME, CHARACTER_SET_NAME, IS_DEFAULT "
        "FROM information_schema.COLLATIONS", &res);
    if (rc)
        return rc;
    MYSQL_ROW row;
    int oom = 0;
    while ((row = mysql_fetch_row(res))) {
        if (!row[0] || !row[1] || oom)
            continue;
        if (row[0][0] == 'd') {
            d->engine = strdup(row[1]);
            d->charset = strdup(row[2] ? row[2] : "");
            d->collation = strdup(row[3] ? row[3] : "");
            oom = !d->engine || !d->charset || !d->collation;
        } else if (row[0][0] == 'e') {
            char **n = realloc(d->engines, (d->nengines + 1) * sizeof *n);
            if (n)
                d->engines = n;
            if (!n || !(n[d->nengines] = strdup(row[1])))
                oom = 1;
            else
                d->nengines++;
        } else if (row[2]) {
            mysqldrv_coll *n = realloc(d->colls, (d->ncolls + 1) * sizeof *n);
            if (n) {
                d->colls = n;
                n[d->ncolls] = (mysqldrv_coll){strdup(row[1]), strdup(row[2]),
                                               row[3] && !strcasecmp(row[3], "Yes")};
                oom = !n[d->ncolls].name || !n[d->ncolls].charset;
                d->ncolls++;
            } else {
                oom = 1;
            }
        }
    }
    rc = mysqldrv_query_end(c, res);
    if (!rc && (oom || !d->engine))
        rc = c->s->host->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc;
}

static const mysqldrv_coll *mysqldrv_coll_find(const mysqldrv_defaults *d, const char *name,
                                               const char *charset)
{
    for (size_t i = 0; i < d->ncolls; i++)
        if (name ? !strcasecmp(d->colls[i].name, name)
                 : d->colls[i].is_default && !strcasecmp(d->colls[i].charset, charset))
            return &d->colls[i];
    return NULL;
}

const char *mysqldrv_table_option(const cairn_table *t, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < t->noptions; i++)
        if (!strncmp(t->options[i], key, kl) && t->options[i][kl] == '=')
            return t->options[i] + kl + 1;
    return NULL;
}

/* Drop `key` from the table's options (an arena array, compacted). */
static void mysqldrv_option_drop(cairn_table *t, const char *key)
{
    size_t kl = strlen(key), keep = 0;
    for (size_t i = 0; i < t->noptions; i++)
        if (strncmp(t->options[i], key, kl) || t->options[i][kl] != '=')
            t->options[keep++] = t->options[i];
    t->noptions = keep;
}

/* One table's options as mysqldrv_is_tables reports them: an engine equal
 * to the server's default and a character set or collation equal to what
 * the database gives are left out, names spelt as the server spells them,
 * a row format in upper case. */
static int mysqldrv_table_defaults(const cairn_host *h, const mysqldrv_defaults *d,
                                   cairn_schema *s, cairn_table *t)
{
    int rc = 0;
    const char *engine = mysqldrv_table_option(t, "engine");
    if (engine && !strcasecmp(engine, d->engine)) {
        mysqldrv_option_drop(t, "engine");
    } else if (engine) {
        for (size_t i = 0; i < d->nengines && !rc; i++)
            if (!strcasecmp(engine, d->engines[i]) && strcmp(engine, d->engines[i]))
                rc = h->set_table_option(s, t, "engine", d->engines[i]);
    }
    const char *rf = mysqldrv_table_option(t, "row_format");
    if (rf && !rc) {
        char up[64];
        snprintf(up, sizeof up, "%s", rf);
        for (char *p = up; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        if (strcmp(up, rf))
            rc = h->set_table_option(s, t, "row_format", up);
    }
    const char *cs = mysqldrv_table_option(t, "charset");
    const char *co = mysqldrv_table_option(t, "collation");
    if (rc || (!cs && !co))
        return rc;
    /* the collation the table gets, and its character set */
    const mysqldrv_coll *coll = mysqldrv_coll_find(d, co, cs);
    if (!coll || (cs && strcasecmp(cs, coll->charset)))
        return 0; /* the server refuses it, or knows better: as written */
    const char *ncs = NULL, *nco = NULL;
    if (strcasecmp(coll->charset, d->charset)) {
        ncs = coll->charset;
        nco = coll->is_default ? NULL : coll->name;
    } else if (strcasecmp(coll->name, d->collation)) {
        nco = coll->name;
    }
    mysqldrv_option_drop(t, "charset");
    mysqldrv_option_drop(t, "collation");
    if (ncs)
        rc = h->set_table_option(s, t, "charset", ncs);
    if (nco && !rc)
        rc = h->set_table_option(s, t, "collation", nco);
    return rc;
}

/* A view's options as introspection reports them: values in lower case,
 * the defaults (algorithm undefined, security definer) left out. */
static int mysqldrv_view_defaults(const cairn_host *h, cairn_schema *s, cairn_view *v)
{
    size_t keep = 0;
    int rc = 0;
    for (size_t i = 0; i < v->noptions; i++) {
        char kv[64];
        snprintf(kv, sizeof kv, "%s", v->options[i]);
        for (char *p = strchr(kv, '='); p && *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (strcmp(kv, "algorithm=undefined") && strcmp(kv, "security=definer"))
            v->options[keep++] = v->options[i];
    }
    v->noptions = keep;
    for (size_t i = 0; i < v->noptions && !rc; i++) {
        if (!strncmp(v->options[i], "definer=", 8))
            continue; /* an account, case and all */
        char kv[64];
        snprintf(kv, sizeof kv, "%s", v->options[i]);
        char *eq = strchr(kv, '=');
        for (char *p = eq; p && *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (eq && strcmp(kv, v->options[i])) {
            *eq = '\0';
            rc = CAIRN_HOST_HAS(h, set_view_option) ? h->set_view_option(s, v, kv, eq + 1) : 0;
        }
    }
    return rc;
}

int mysqldrv_normalize_schema(cairn_dconn *c, cairn_schema *s)
{
    const cairn_host *h = c->s->host;
    int orc = mysqldrv_objects_normalize(c, s);
    if (orc)
        return orc;
    for (size_t i = 0; i < s->nviews; i++)
        if (mysqldrv_view_defaults(h, s, s->views[i]))
            return h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    int any = 0;
    for (size_t i = 0; i < s->ntables && !any; i++)
        any = s->tables[i]->noptions != 0;
    if (!any)
        return 0; /* nothing to ask the server */
    mysqldrv_defaults d = {0};
    int rc = mysqldrv_defaults_read(c, &d);
    for (size_t i = 0; i < s->ntables && !rc; i++)
        if (mysqldrv_table_defaults(h, &d, s, s->tables[i]))
            rc = h->error(c->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    mysqldrv_defaults_free(&d);
    return rc;
}
