/* Reading a live SQLite database into the schema model: the pragmas for
 * what they report reliably, the stored CREATE text for the rest. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlitedrv.h"

typedef struct intro {
    cairn_dconn *c;
    const cairn_host *h;
    cairn_schema *out;
    cairn_buf *buf;
    sqlitedrv_pool pool;
    char **shadow; /* the virtual tables' own storage tables */
    size_t nshadow, cap_shadow;
} intro;

static int prepare(intro *in, const char *sql, const char *arg, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(in->c->db, sql, -1, st, NULL) != SQLITE_OK)
        return sqlitedrv_dberr(in->c, "introspection");
    if (arg && sqlite3_bind_text(*st, 1, arg, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        sqlite3_finalize(*st);
        return sqlitedrv_dberr(in->c, "introspection");
    }
    return 0;
}

/* Finish a step loop: SQLITE_DONE is success. */
static int step_done(intro *in, sqlite3_stmt *st, int src)
{
    sqlite3_finalize(st);
    if (src != SQLITE_DONE && src != SQLITE_ROW)
        return sqlitedrv_dberr(in->c, "introspection");
    return 0;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int keep_table(const cairn_filter *f, const char *name)
{
    if (!f)
        return 1;
    for (size_t i = 0; i < f->nexclude; i++)
        if (f->exclude[i] && strcmp(f->exclude[i], name) == 0)
            return 0;
    if (!f->ntables)
        return 1;
    for (size_t i = 0; i < f->ntables; i++)
        if (fnmatch(f->tables[i], name, 0) == 0)
            return 1;
    return 0;
}

static cairn_fk_action fk_action(const char *s)
{
    if (!s)
        return CAIRN_FK_NO_ACTION;
    if (strcasecmp(s, "CASCADE") == 0)
        return CAIRN_FK_CASCADE;
    if (strcasecmp(s, "RESTRICT") == 0)
        return CAIRN_FK_RESTRICT;
    if (strcasecmp(s, "SET NULL") == 0)
        return CAIRN_FK_SET_NULL;
    if (strcasecmp(s, "SET DEFAULT") == 0)
        return CAIRN_FK_SET_DEFAULT;
    return CAIRN_FK_NO_ACTION;
}

/* The parsed constraint of `kind` over exactly `cols` (in order), unused. */
static sqlitedrv_pcons *find_cons(sqlitedrv_ptable *pt, int kind, const char *ref_table,
                                  char **cols, size_t ncols)
{
    for (size_t i = 0; i < pt->ncons; i++) {
        sqlitedrv_pcons *c = &pt->cons[i];
        if (c->kind != kind || c->used || c->ncols != ncols)
            continue;
        if (ref_table && (!c->ref_table || strcasecmp(c->ref_table, ref_table) != 0))
            continue;
        size_t j = 0;
        while (j < ncols && strcasecmp(c->cols[j], cols[j]) == 0)
            j++;
        if (j == ncols)
            return c;
    }
    return NULL;
}

static int canon(intro *in, int is_type, const char *text, const char **out)
{
    in->h->buf_reset(in->buf);
    int rc = is_type ? sqlitedrv_normalize_type(in->c->s, text, in->buf)
                     : sqlitedrv_normalize_default(in->c->s, NULL, text, in->buf);
    if (rc)
        return rc;
    *out = in->h->buf_len(in->buf) ? in->h->strdup(in->out, in->h->buf_cstr(in->buf)) : NULL;
    return 0;
}

static int read_columns(intro *in, cairn_table *t, sqlitedrv_ptable *pt)
{
    sqlite3_stmt *st;
    int rc = prepare(in, "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
                         "FROM pragma_table_xinfo(?) ORDER BY cid", t->name, &st);
    if (rc)
        return rc;
    /* primary key columns, by their position in the key */
    const char *pkcols[64] = {0};
    size_t npk = 0;
    int src;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = col_text(st, 0);
        int hidden = sqlite3_column_int(st, 5);
        if (hidden == 1)
            continue; /* a virtual table's hidden column */
        cairn_column *col = in->h->add_column(in->out, t, name);
        if (!col)
            return sqlite3_finalize(st), CAIRN_ENOMEM;
        const char *type = col_text(st, 1);
        if (type && *type)
            rc = canon(in, 1, type, &col->type);
        col->not_null = sqlite3_column_int(st, 2);
        if (!rc && col_text(st, 3))
            rc = canon(in, 0, col_text(st, 3), &col->default_expr);
        int pk = sqlite3_column_int(st, 4);
        if (pk > 0 && (size_t)pk <= sizeof pkcols / sizeof *pkcols) {
            pkcols[pk - 1] = col->name;
            if ((size_t)pk > npk)
                npk = (size_t)pk;
        }
        const sqlitedrv_pcol *pc = sqlitedrv_ptable_col(pt, name);
        if (pc) {
            col->collation = in->h->strdup(in->out, pc->collation);
            if (pc->autoincrement)
                col->identity = CAIRN_IDENTITY_AUTO;
            if (hidden == 2 || hidden == 3) {
                col->generated = in->h->strdup(in->out, pc->generated ? pc->generated : "");
                col->generated_stored = hidden == 3;
            }
        }
    }
    rc = rc ? (sqlite3_finalize(st), rc) : step_done(in, st, src);
    if (rc || !npk)
        return rc;
    sqlitedrv_pcons *pc = find_cons(pt, SQLITEDRV_PK, NULL, (char **)pkcols, npk);
    cairn_key *k = in->h->set_primary_key(in->out, t, pc ? pc->name : NULL);
    if (!k)
        return CAIRN_ENOMEM;
    for (size_t i = 0; i < npk && !rc; i++)
        rc = in->h->key_add_column(in->out, k, pkcols[i] ? pkcols[i] : "");
    return rc;
}

/* Columns of an index, by their position in it. */
static int index_columns(intro *in, const char *index, char ***cols, size_t *n)
{
    sqlite3_stmt *st;
    int rc = prepare(in, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", index, &st);
    if (rc)
        return rc;
    *cols = NULL;
    *n = 0;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = col_text(st, 0);
        char **nv = sqlitedrv_pool_alloc(&in->pool, (*n + 1) * sizeof *nv);
        if (!nv)
            return sqlite3_finalize(st), CAIRN_ENOMEM;
        if (*n)
            memcpy(nv, *cols, *n * sizeof *nv);
        nv[*n] = sqlitedrv_pool_strndup(&in->pool, name ? name : "", name ? strlen(name) : 0);
        *cols = nv;
        (*n)++;
    }
    return step_done(in, st, src);
}

static int read_index(intro *in, cairn_table *t, const char *name)
{
    sqlite3_stmt *st;
    int rc = prepare(in, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", name,
                     &st);
    if (rc)
        return rc;
    sqlitedrv_pindex pi;
    int found = sqlite3_step(st) == SQLITE_ROW && col_text(st, 0);
    if (found)
        rc = sqlitedrv_parse_index(&in->pool, col_text(st, 0), &pi);
    sqlite3_finalize(st);
    if (!found)
        return 0; /* no text: not an index created with CREATE INDEX */
    if (rc)
        return in->h->error(in->c->s->hc, rc, NULL, "sqlite: cannot read index %s", name);
    cairn_index *ix = in->h->add_index(in->out, t, name);
    if (!ix)
        return CAIRN_ENOMEM;
    ix->unique = pi.unique;
    ix->where = in->h->strdup(in->out, pi.where);
    for (size_t i = 0; i < pi.nparts; i++) {
        cairn_index_part *part = in->h->index_add_part(in->out, ix);
        if (!part)
            return CAIRN_ENOMEM;
        part->column = in->h->strdup(in->out, pi.parts[i].column);
        part->expr = in->h->strdup(in->out, pi.parts[i].expr);
        part->collation = in->h->strdup(in->out, pi.parts[i].collation);
        part->desc = pi.parts[i].desc;
    }
    return 0;
}

typedef struct uindex {
    char **cols;
    size_t ncols;
    int used;
} uindex;

static int read_indexes(intro *in, cairn_table *t, sqlitedrv_ptable *pt)
{
    sqlite3_stmt *st;
    int rc = prepare(in, "SELECT name, origin FROM pragma_index_list(?) ORDER BY name", t->name,
                     &st);
    if (rc)
        return rc;
    uindex *u = NULL;
    size_t nu = 0;
    int src;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = col_text(st, 0), *origin = col_text(st, 1);
        if (origin && strcmp(origin, "c") == 0) {
            rc = read_index(in, t, name);
        } else if (origin && strcmp(origin, "u") == 0) {
            uindex *nv = sqlitedrv_pool_alloc(&in->pool, (nu + 1) * sizeof *nv);
            if (!nv) {
                rc = CAIRN_ENOMEM;
                break;
            }
            if (nu)
                memcpy(nv, u, nu * sizeof *nv);
            u = nv;
            rc = index_columns(in, name, &u[nu].cols, &u[nu].ncols);
            nu++;
        }
    }
    rc = rc ? (sqlite3_finalize(st), rc) : step_done(in, st, src);
    /* unique constraints in the order of the CREATE text, with its names */
    for (size_t i = 0; !rc && i < pt->ncons + nu; i++) {
        uindex *x = NULL;
        const char *cname = NULL;
        if (i < pt->ncons) {
            sqlitedrv_pcons *c = &pt->cons[i];
            if (c->kind != SQLITEDRV_UNIQUE || c->used)
                continue;
            for (size_t j = 0; j < nu && !x; j++)
                if (!u[j].used && find_cons(pt, SQLITEDRV_UNIQUE, NULL, u[j].cols, u[j].ncols) == c)
                    x = &u[j];
            c->used = 1;
            cname = c->name;
        } else if (!u[i - pt->ncons].used) {
            x = &u[i - pt->ncons];
        }
        if (!x)
            continue;
        x->used = 1;
        cairn_key *k = in->h->add_unique(in->out, t, cname);
        if (!k)
            return CAIRN_ENOMEM;
        for (size_t j = 0; j < x->ncols && !rc; j++)
            rc = in->h->key_add_column(in->out, k, x->cols[j]);
    }
    return rc;
}

/* The primary key columns of `table`, for a foreign key that names none. */
static int parent_key(intro *in, const char *table, cairn_fkey *fk)
{
    sqlite3_stmt *st;
    int rc = prepare(in, "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", table,
                     &st);
    if (rc)
        return rc;
    int src;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW)
        rc = in->h->fkey_add_columns(in->out, fk, NULL, col_text(st, 0));
    return rc ? (sqlite3_finalize(st), rc) : step_done(in, st, src);
}

static int read_fkeys(intro *in, cairn_table *t, sqlitedrv_ptable *pt)
{
    sqlite3_stmt *st;
    /* ids count from the last declared key: descending id is source order */
    int rc = prepare(in, "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete "
                         "FROM pragma_foreign_key_list(?) ORDER BY id DESC, seq", t->name, &st);
    if (rc)
        return rc;
    cairn_fkey *fk = NULL;
    int id = -1, missing_to = 0, src;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        if (!fk || sqlite3_column_int(st, 0) != id) {
            if (fk && missing_to)
                rc = parent_key(in, fk->ref_table, fk);
            id = sqlite3_column_int(st, 0);
            if (rc || !(fk = in->h->add_fkey(in->out, t, NULL))) {
                rc = rc ? rc : CAIRN_ENOMEM;
                break;
            }
            fk->ref_table = in->h->strdup(in->out, col_text(st, 1));
            fk->on_update = fk_action(col_text(st, 4));
            fk->on_delete = fk_action(col_text(st, 5));
            missing_to = col_text(st, 3) == NULL;
        }
        rc = in->h->fkey_add_columns(in->out, fk, col_text(st, 2), col_text(st, 3));
    }
    if (!rc && fk && missing_to)
        rc = parent_key(in, fk->ref_table, fk);
    rc = rc ? (sqlite3_finalize(st), rc) : step_done(in, st, src);
    for (size_t i = 0; !rc && i < t->nfkeys; i++) {
        cairn_fkey *k = t->fkeys[i];
        sqlitedrv_pcons *c =
            find_cons(pt, SQLITEDRV_FK, k->ref_table, (char **)k->columns, k->ncolumns);
        if (c) {
            c->used = 1;
            k->name = in->h->strdup(in->out, c->name);
            k->deferrable = c->deferrable;
            k->initially_deferred = c->initially_deferred;
        }
    }
    return rc;
}

static int read_triggers(intro *in, cairn_table *t)
{
    sqlite3_stmt *st;
    int rc = prepare(in, "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' "
                         "AND tbl_name = ? ORDER BY name", t->name, &st);
    if (rc)
        return rc;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW)
        if (!in->h->add_trigger(in->out, t, col_text(st, 0), col_text(st, 1)))
            return sqlite3_finalize(st), CAIRN_ENOMEM;
    return step_done(in, st, src);
}

/* ---- virtual tables -------------------------------------------------------- */

/* The shadow tables of the modules SQLite ships, by suffix: the fallback
 * where PRAGMA table_list (3.37) does not tell them, or the module is not
 * loaded to tell. */
static const struct {
    const char *module;
    const char *suffixes[6];
} shadow_suffixes[] = {
    {"fts5", {"_data", "_idx", "_content", "_docsize", "_config", NULL}},
    {"fts4", {"_content", "_segments", "_segdir", "_docsize", "_stat", NULL}},
    {"fts3", {"_content", "_segments", "_segdir", "_docsize", "_stat", NULL}},
    {"rtree", {"_node", "_parent", "_rowid", NULL}},
    {"rtree_i32", {"_node", "_parent", "_rowid", NULL}},
    {"geopoly", {"_node", "_parent", "_rowid", NULL}},
};

static int add_shadow(intro *in, const char *name, size_t len)
{
    if (in->nshadow == in->cap_shadow) {
        size_t cap = in->cap_shadow ? in->cap_shadow * 2 : 16;
        char **nv = sqlitedrv_pool_alloc(&in->pool, cap * sizeof *nv);
        if (!nv)
            return CAIRN_ENOMEM;
        if (in->nshadow)
            memcpy(nv, in->shadow, in->nshadow * sizeof *nv);
        in->shadow = nv;
        in->cap_shadow = cap;
    }
    if (!(in->shadow[in->nshadow] = sqlitedrv_pool_strndup(&in->pool, name, len)))
        return CAIRN_ENOMEM;
    in->nshadow++;
    return 0;
}

static int is_shadow(const intro *in, const char *name)
{
    for (size_t i = 0; i < in->nshadow; i++)
        if (strcasecmp(in->shadow[i], name) == 0)
            return 1;
    return 0;
}

/* Every shadow table: what PRAGMA table_list calls one, and the known
 * suffixes of every virtual table of a module SQLite ships. */
static int find_shadows(intro *in)
{
    sqlite3_stmt *st;
    int src, rc = 0;
    if (sqlite3_prepare_v2(in->c->db, "SELECT name FROM pragma_table_list "
                           "WHERE schema = 'main' AND type = 'shadow'", -1, &st, NULL) == SQLITE_OK) {
        while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW)
            rc = add_shadow(in, col_text(st, 0), strlen(col_text(st, 0)));
        rc = rc ? (sqlite3_finalize(st), rc) : step_done(in, st, src);
        if (rc)
            return rc;
    }
    rc = prepare(in, "SELECT name, sql FROM sqlite_schema WHERE type = 'table' "
                     "AND sql LIKE 'CREATE VIRTUAL%'", NULL, &st);
    if (rc)
        return rc;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = col_text(st, 0);
        char *module, *args;
        if (sqlitedrv_parse_virtual(&in->pool, col_text(st, 1), &module, &args))
            continue; /* read_virtual says what is wrong with it */
        for (size_t m = 0; m < sizeof shadow_suffixes / sizeof *shadow_suffixes; m++) {
            if (strcasecmp(module, shadow_suffixes[m].module) != 0)
                continue;
            for (const char *const *sfx = shadow_suffixes[m].suffixes; *sfx && !rc; sfx++) {
                in->h->buf_reset(in->buf);
                in->h->buf_puts(in->buf, name);
                in->h->buf_puts(in->buf, *sfx);
                rc = in->h->buf_status(in->buf);
                if (!rc)
                    rc = add_shadow(in, in->h->buf_cstr(in->buf), in->h->buf_len(in->buf));
            }
        }
    }
    return rc ? (sqlite3_finalize(st), rc) : step_done(in, st, src);
}

/* A virtual table is its module and the module's arguments, as written. */
static int read_virtual(intro *in, const char *name, const char *sql)
{
    char *module, *args;
    int rc = sqlitedrv_parse_virtual(&in->pool, sql, &module, &args);
    if (rc)
        return in->h->error(in->c->s->hc, rc, NULL,
                            "sqlite: cannot read CREATE VIRTUAL TABLE of %s", name);
    cairn_table *t = in->h->add_table(in->out, NULL, name);
    if (!t)
        return CAIRN_ENOMEM;
    rc = in->h->set_table_option(in->out, t, "using", module);
    return rc || !*args ? rc : in->h->set_table_option(in->out, t, "args", args);
}

/* What the model cannot hold: INSTEAD OF triggers live on views. */
static int report_left_out(intro *in)
{
    if (!CAIRN_HOST_HAS(in->h, left_out))
        return 0;
    sqlite3_stmt *st;
    int rc = prepare(in, "SELECT t.name FROM sqlite_schema t JOIN sqlite_schema v "
                         "ON v.type = 'view' AND v.name = t.tbl_name "
                         "WHERE t.type = 'trigger' ORDER BY t.name", NULL, &st);
    if (rc)
        return rc;
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW)
        in->h->left_out(in->c->s->hc, "trigger on a view", "triggers on views", col_text(st, 0));
    return step_done(in, st, src);
}

static int read_view(intro *in, const char *name, const char *sql)
{
    char **cols;
    size_t ncols;
    const char *body = sqlitedrv_view_body(&in->pool, sql, &cols, &ncols);
    cairn_view *v = in->h->add_view(in->out, NULL, name, body ? body : "");
    if (!v)
        return CAIRN_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < ncols && !rc && CAIRN_HOST_HAS(in->h, view_add_column); i++)
        rc = in->h->view_add_column(in->out, v, cols[i]);
    return rc;
}

static int read_table(intro *in, const char *name, const char *sql)
{
    sqlitedrv_ptable pt;
    int rc = sqlitedrv_parse_table(&in->pool, sql, &pt);
    if (rc)
        return in->h->error(in->c->s->hc, rc, NULL, "sqlite: cannot read CREATE TABLE of %s", name);
    cairn_table *t = in->h->add_table(in->out, NULL, name);
    if (!t)
        return CAIRN_ENOMEM;
    rc = read_columns(in, t, &pt);
    if (!rc)
        rc = read_indexes(in, t, &pt);
    if (!rc)
        rc = read_fkeys(in, t, &pt);
    for (size_t i = 0; !rc && i < pt.ncons; i++)
        if (pt.cons[i].kind == SQLITEDRV_CHECK &&
            !in->h->add_check(in->out, t, pt.cons[i].name, pt.cons[i].expr))
            rc = CAIRN_ENOMEM;
    if (!rc)
        rc = read_triggers(in, t);
    if (!rc && pt.strict)
        rc = in->h->set_table_option(in->out, t, "strict", "true");
    if (!rc && pt.without_rowid)
        rc = in->h->set_table_option(in->out, t, "without_rowid", "true");
    return rc;
}

int sqlitedrv_introspect(cairn_dconn *c, const cairn_filter *filter, cairn_schema *out)
{
    intro in = {.c = c, .h = c->s->host, .out = out};
    if (!(in.buf = in.h->buf_new(c->s->hc)))
        return CAIRN_ENOMEM;
    sqlite3_stmt *st = NULL;
    int rc = find_shadows(&in);
    /* how many to read, for the progress of a big database */
    size_t done = 0, total = 0;
    if (!rc && CAIRN_HOST_HAS(in.h, progress) &&
        !(rc = prepare(&in, "SELECT count(*) FROM sqlite_schema WHERE type IN ('table', 'view')",
                       NULL, &st))) {
        int src = sqlite3_step(st);
        if (src == SQLITE_ROW)
            total = (size_t)sqlite3_column_int64(st, 0);
        rc = step_done(&in, st, src);
        st = NULL;
    }
    if (!rc)
        rc = prepare(&in, "SELECT type, name, sql FROM sqlite_schema "
                          "WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                          "ORDER BY type, name", NULL, &st);
    int src = SQLITE_DONE;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = col_text(st, 0), *name = col_text(st, 1), *sql = col_text(st, 2);
        if (total && done < total)
            in.h->progress(c->s->hc, "reading tables", name, ++done, total);
        if (!sql)
            continue;
        if (strcmp(type, "view") == 0)
            rc = read_view(&in, name, sql);
        else if (is_shadow(&in, name) || !keep_table(filter, name))
            continue;
        else if (strncasecmp(sql, "CREATE VIRTUAL", 14) == 0)
            rc = read_virtual(&in, name, sql);
        else
            rc = read_table(&in, name, sql);
    }
    if (!rc)
        rc = step_done(&in, st, src);
    else if (st)
        sqlite3_finalize(st);
    if (total && done < total)
        in.h->progress(c->s->hc, "reading tables", NULL, total, total);
    if (!rc)
        rc = report_left_out(&in);
    if (!rc && in.pool.oom)
        rc = CAIRN_ENOMEM;
    sqlitedrv_pool_free(&in.pool);
    in.h->buf_free(in.buf);
    return rc;
}
