/* The context's dialect: loaded once, opened once, used by every command. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int cairn_session_get(cairn_ctx *cx, cairn_session **out)
{
    if (cx->session) {
        *out = cx->session;
        return 0;
    }
    const char *name = cairn_ctx_get(cx, "dialect");
    const char *url = cairn_ctx_get(cx, "url");
    if (!name && !url)
        return cairn_err(cx, CAIRN_ECONFIG,
                         "no dialect: set \"dialect\" in cairn.json, --dialect, or a url");
    cairn_session *s = calloc(1, sizeof *s);
    if (!s)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    int rc = cairn_loader_find(cx, name, url, &s->drv);
    if (rc) {
        free(s);
        return rc;
    }
    rc = s->drv.d->open(cairn_host_table(), (cairn_hostctx *)(void *)cx, &s->ds);
    if (rc) {
        if (!cx->err.code)
            cairn_err(cx, rc, "%s: dialect '%s' refused to open", s->drv.path, s->drv.d->name);
        cairn_driver_release(&s->drv);
        free(s);
        return rc;
    }
    cx->session = s;
    *out = s;
    return 0;
}

void cairn_session_free(cairn_session *s)
{
    if (!s)
        return;
    if (s->ds)
        s->drv.d->close(s->ds);
    cairn_driver_release(&s->drv);
    free(s);
}

int cairn_session_connect(cairn_ctx *cx, cairn_session *s, cairn_dconn **out)
{
    const char *url = cairn_ctx_get(cx, "url");
    if (!url || !*url)
        return cairn_err(cx, CAIRN_ECONFIG,
                         "no database: set \"url\" in cairn.json, --url, or DATABASE_URL");
    /* A URL of another dialect's scheme is a configuration mistake, not a
     * file name for this dialect to open. */
    const char *sep = strstr(url, "://");
    if (sep) {
        size_t n = (size_t)(sep - url);
        int served = 0;
        for (const char *const *sc = s->drv.d->schemes; sc && *sc; sc++)
            served |= strlen(*sc) == n && strncmp(*sc, url, n) == 0;
        if (!served)
            return cairn_err(cx, CAIRN_ECONFIG,
                             "the url's scheme '%.*s' is not served by dialect '%s'", (int)n, url,
                             s->drv.d->name);
    }
    int rc = s->drv.d->connect(s->ds, url, out);
    if (rc && !cx->err.code) {
        char *safe = cairn_url_redact(url);
        cairn_err(cx, rc, "cannot connect to %s", safe ? safe : "the database");
        free(safe);
    }
    return rc;
}

void cairn_session_history_opts(cairn_ctx *cx, cairn_history_opts *h)
{
    memset(h, 0, sizeof *h);
    h->table = cairn_ctx_get(cx, "migrations_table");
    h->schema = cairn_ctx_get(cx, "migrations_schema");
    const char *t = cairn_ctx_get(cx, "lock_timeout");
    h->lock_timeout_ms = t ? strtol(t, NULL, 10) : 60000;
    h->lock_name = h->table;
}

/* Replace *expr with the dialect's spelling of it (ABI 1.1 slot). */
static int normalize_expr(cairn_session *s, cairn_schema *schema, cairn_buf *b, const char **expr)
{
    if (!*expr)
        return 0;
    cairn_buf_reset(b);
    int rc = s->drv.d->normalize_expr(s->ds, *expr, b);
    if (!rc && b->len && !(*expr = cairn_schema_strdup(schema, cairn_buf_cstr(b))))
        rc = CAIRN_ENOMEM;
    return rc;
}

static int normalize_exprs(cairn_ctx *cx, cairn_session *s, cairn_schema *schema)
{
    if (!CAIRN_DIALECT_HAS(s->drv.d, normalize_expr))
        return 0;
    cairn_buf b;
    cairn_buf_init(&b);
    int rc = 0;
    for (size_t i = 0; i < schema->ntables && !rc; i++) {
        cairn_table *t = schema->tables[i];
        for (size_t j = 0; j < t->nchecks && !rc; j++)
            rc = normalize_expr(s, schema, &b, &t->checks[j]->expr);
        for (size_t j = 0; j < t->ncolumns && !rc; j++)
            rc = normalize_expr(s, schema, &b, &t->columns[j]->generated);
        for (size_t j = 0; j < t->nindexes && !rc; j++) {
            cairn_index *ix = t->indexes[j];
            rc = normalize_expr(s, schema, &b, &ix->where);
            for (size_t k = 0; k < ix->nparts && !rc; k++)
                rc = normalize_expr(s, schema, &b, &ix->parts[k]->expr);
        }
        if (rc && !cx->err.code)
            cairn_err(cx, rc, "table %s: cannot normalise an expression", t->name);
    }
    cairn_buf_release(&b);
    return rc;
}

int cairn_session_normalize(cairn_ctx *cx, cairn_session *s, cairn_schema *schema)
{
    const cairn_dialect *d = s->drv.d;
    if (d->caps & CAIRN_CAP_PK_NOT_NULL)
        for (size_t i = 0; i < schema->ntables; i++) {
            const cairn_table *t = schema->tables[i];
            for (size_t k = 0; t->primary_key && k < t->primary_key->ncolumns; k++) {
                cairn_column *pc = cairn_table_find_column(t, t->primary_key->columns[k]);
                if (pc)
                    pc->not_null = 1;
            }
        }
    int rc = normalize_exprs(cx, s, schema);
    if (rc || (!d->normalize_type && !d->normalize_default))
        return rc;
    cairn_buf b;
    cairn_buf_init(&b);
    for (size_t i = 0; i < schema->ntables && !rc; i++) {
        cairn_table *t = schema->tables[i];
        for (size_t j = 0; j < t->ncolumns && !rc; j++) {
            cairn_column *c = t->columns[j];
            if (d->normalize_type && c->type) {
                cairn_buf_reset(&b);
                rc = d->normalize_type(s->ds, c->type, &b);
                if (!rc && b.len)
                    c->type = cairn_schema_strdup(schema, cairn_buf_cstr(&b));
            }
            if (!rc && d->normalize_default && c->default_expr) {
                cairn_buf_reset(&b);
                rc = d->normalize_default(s->ds, c->type, c->default_expr, &b);
                if (!rc)
                    c->default_expr = b.len ? cairn_schema_strdup(schema, cairn_buf_cstr(&b)) : NULL;
            }
            if (rc && !cx->err.code)
                cairn_err(cx, rc, "table %s, column %s: cannot normalise", t->name, c->name);
        }
    }
    cairn_buf_release(&b);
    return rc;
}

/* Split a comma-separated setting into a vector (malloc'd strings). */
static int split_list(const char *s, char ***v, size_t *n)
{
    *v = NULL;
    *n = 0;
    if (!s || !*s)
        return 0;
    char *copy = strdup(s), *save = NULL;
    if (!copy)
        return CAIRN_ENOMEM;
    for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        while (*p == ' ')
            p++;
        char **nv = realloc(*v, (*n + 1) * sizeof *nv);
        if (!nv) {
            free(copy);
            return CAIRN_ENOMEM;
        }
        *v = nv;
        (*v)[(*n)++] = strdup(p);
    }
    free(copy);
    return 0;
}

int cairn_session_introspect(cairn_ctx *cx, cairn_session *s, cairn_dconn *c, cairn_schema **out)
{
    cairn_schema *schema = cairn_schema_new();
    if (!schema)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    char **tables = NULL, **nss = NULL;
    size_t ntables = 0, nns = 0;
    const char *hist = cairn_ctx_get(cx, "migrations_table");
    const char *exclude[1] = {hist};
    int rc = split_list(cairn_ctx_get(cx, "tables"), &tables, &ntables);
    if (!rc)
        rc = split_list(cairn_ctx_get(cx, "namespaces"), &nss, &nns);
    if (!rc) {
        cairn_filter f = {.namespaces = (const char *const *)nss, .nnamespaces = nns,
                          .tables = (const char *const *)tables, .ntables = ntables,
                          .exclude = exclude, .nexclude = 1};
        rc = s->drv.d->introspect(c, &f, schema);
        if (rc && !cx->err.code)
            cairn_err(cx, rc, "introspection failed");
    }
    cairn_strv_free(tables, ntables);
    cairn_strv_free(nss, nns);
    if (rc) {
        cairn_schema_free(schema);
        return rc;
    }
    schema->dialect = cairn_schema_strdup(schema, s->drv.d->name);
    cairn_schema_sort(schema);
    *out = schema;
    return 0;
}

int cairn_session_emit(cairn_ctx *cx, cairn_session *s, const cairn_plan *p, cairn_stmts *out)
{
    int rc = s->drv.d->emit(s->ds, p, out);
    if (rc && !cx->err.code)
        cairn_err(cx, rc, "dialect '%s' could not write the SQL for this change", s->drv.d->name);
    return rc;
}
