/*
 * The one door to the driver.
 *
 * Every call of a driver slot is in this file (as every call of a VFS
 * method in SQLite is in os.c): the rest of the core asks the session and
 * its connections, and each wrapper gives the same error treatment — a
 * driver that failed without saying why gets a message that names the
 * operation, and a slot the driver does not provide is CAIRN_EUNSUPPORTED
 * with a message that names it. The dialect's policies that are the host's
 * (the lock's wait, the scratch database for a .sql schema) live here too.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pwd.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "internal.h"

struct cairn_conn {
    cairn_session *s;
    cairn_dconn *dc;
    int scratch; /* released with scratch_release, not disconnect */
    cairn_lease *lease; /* the migration lock, with lock_strategy "lease" */
};

cairn_ctx *cairn_conn_ctx(const cairn_conn *c)
{
    return c->s->cx;
}

const cairn_dialect *cairn_conn_dialect(const cairn_conn *c)
{
    return c->s->drv.d;
}

/* lock_strategy "lease": a row with an expiry instead of the driver's lock. */
static int lease_strategy(const cairn_ctx *cx)
{
    const char *v = cairn_ctx_get(cx, "lock_strategy");
    return v && strcmp(v, "lease") == 0;
}

int cairn_session_get(cairn_ctx *cx, cairn_session **out)
{
    if (cx->session) {
        *out = cx->session;
        return 0;
    }
    const char *name = cairn_ctx_get(cx, "dialect");
    const char *url = cairn_ctx_get(cx, "url");
    if (!name && !url && !cx->config_path) {
        char *here = realpath(".", NULL);
        int rc = cairn_err(cx, CAIRN_ECONFIG,
                           "no cairn.json found (searched from %s up) and no --dialect or "
                           "--url given: 'cairn init' starts a project",
                           here ? here : ".");
        free(here);
        return rc;
    }
    if (!name && !url)
        return cairn_err(cx, CAIRN_ECONFIG,
                         "no dialect: set \"dialect\" in cairn.json, --dialect, or a url");
    cairn_session *s = calloc(1, sizeof *s);
    if (!s)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    s->cx = cx;
    int rc = cairn_loader_find(cx, name, url, &s->drv);
    if (rc) {
        free(s);
        return rc;
    }
    rc = s->drv.d->open(cairn_host_table(), (cairn_hostctx *)(void *)cx, &s->ds);
    if (rc) {
        cairn_err_default(cx, rc, "%s: dialect '%s' refused to open", s->drv.path,
                          s->drv.d->name);
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

const cairn_dialect *cairn_session_dialect(const cairn_session *s)
{
    return s->drv.d;
}

const cairn_type_family *cairn_ctx_type_families(const cairn_ctx *cx)
{
    const cairn_dialect *d = cx->session ? cx->session->drv.d : NULL;
    return d && CAIRN_DIALECT_HAS(d, type_families) ? d->type_families : NULL;
}

uint64_t cairn_ctx_dialect_caps(const cairn_ctx *cx)
{
    return cx->session ? cx->session->drv.d->caps : 0;
}

const char *cairn_ctx_default_namespace(const cairn_ctx *cx)
{
    const cairn_dialect *d = cx->session ? cx->session->drv.d : NULL;
    return d && (d->caps & CAIRN_CAP_SCHEMAS) && CAIRN_DIALECT_HAS(d, default_namespace)
               ? d->default_namespace
               : NULL;
}

const char *cairn_fkey_ref_ns(const cairn_ctx *cx, const cairn_table *t, const cairn_fkey *fk)
{
    if (!fk->ref_schema)
        return t->schema;
    const char *def = cairn_ctx_default_namespace(cx);
    return def && strcmp(fk->ref_schema, def) == 0 ? NULL : fk->ref_schema;
}

int cairn_ctx_object_recreates(const cairn_ctx *cx, const cairn_object *from,
                               const cairn_object *to)
{
    const cairn_session *s = cx->session;
    return s && CAIRN_DIALECT_HAS(s->drv.d, object_recreates) &&
           s->drv.d->object_recreates(s->ds, from, to) == 1;
}

/* ---- connections ------------------------------------------------------------ */

static int conn_new(cairn_session *s, cairn_dconn *dc, int scratch, cairn_conn **out)
{
    cairn_conn *c = calloc(1, sizeof *c);
    if (!c) {
        if (scratch)
            s->drv.d->scratch_release(dc);
        else
            s->drv.d->disconnect(dc);
        return cairn_err(s->cx, CAIRN_ENOMEM, "out of memory");
    }
    c->s = s;
    c->dc = dc;
    c->scratch = scratch;
    *out = c;
    return 0;
}

/* Connect to `url` (a URL of one of the driver's schemes, or a path where
 * the driver takes one); `what` names it in messages ("", "dev_url "). */
static int connect_dconn(cairn_session *s, const char *url, const char *what, cairn_dconn **out)
{
    cairn_ctx *cx = s->cx;
    *out = NULL;
    /* A URL of another dialect's scheme is a configuration mistake, not a
     * file name for this dialect to open. */
    char *scheme = cairn_url_scheme(url);
    char *canon = cairn_url_canonical(url);
    if (!scheme || !canon) {
        free(scheme);
        free(canon);
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    int rc = 0;
    if (strcmp(scheme, "file") != 0 && !cairn_loader_serves(s->drv.d, scheme))
        rc = cairn_err(cx, CAIRN_ECONFIG, "the %surl's scheme '%s' is not served by dialect '%s'",
                       what, scheme, s->drv.d->name);
    cairn_dconn *dc = NULL;
    if (!rc) {
        cairn_err_clear(cx);
        rc = s->drv.d->connect(s->ds, canon, &dc);
        if (rc && !cx->err.code) {
            char *safe = cairn_url_redact(url);
            cairn_err(cx, rc, "cannot connect to %s%s", what, safe ? safe : "the database");
            free(safe);
        }
    }
    free(scheme);
    free(canon);
    *out = dc;
    return rc;
}

static int connect_url(cairn_session *s, const char *url, const char *what, cairn_conn **out)
{
    cairn_dconn *dc;
    *out = NULL;
    int rc = connect_dconn(s, url, what, &dc);
    return rc ? rc : conn_new(s, dc, 0, out);
}

int cairn_session_connect_driver(cairn_ctx *cx, cairn_session *s, cairn_dconn **out)
{
    const char *url = cairn_ctx_get(cx, "url");
    *out = NULL;
    if (!url || !*url)
        return cairn_err(cx, CAIRN_ECONFIG,
                         "no database: set \"url\" in cairn.json, --url, or DATABASE_URL");
    return connect_dconn(s, url, "", out);
}

int cairn_session_connect(cairn_ctx *cx, cairn_session *s, cairn_conn **out)
{
    cairn_dconn *dc;
    *out = NULL;
    int rc = cairn_session_connect_driver(cx, s, &dc);
    return rc ? rc : conn_new(s, dc, 0, out);
}

int cairn_session_connect_scratch(cairn_ctx *cx, cairn_session *s, const char *why,
                                  cairn_conn **out)
{
    const cairn_dialect *d = s->drv.d;
    *out = NULL;
    /* A dev_url that was set is what the user wants used; otherwise the
     * dialect's own scratch database, where it has one. */
    const char *dev = cairn_ctx_get(cx, "dev_url");
    int has_dev = dev && *dev;
    int can_scratch = (d->caps & CAIRN_CAP_SCRATCH) && CAIRN_DIALECT_HAS(d, scratch_connect) &&
                      CAIRN_DIALECT_HAS(d, scratch_release);
    /* Without transactional DDL nothing empties a dev database afterwards:
     * make the scratch database on the dev_url's server instead. */
    if (can_scratch && (!has_dev || !(d->caps & CAIRN_CAP_TRANSACTIONAL_DDL))) {
        char *canon = cairn_url_canonical(has_dev ? dev : cairn_ctx_get(cx, "url"));
        cairn_dconn *dc = NULL;
        cairn_err_clear(cx);
        int rc = d->scratch_connect(s->ds, canon && *canon ? canon : NULL, &dc);
        free(canon);
        if (rc)
            return cairn_err_default(cx, rc, "dialect '%s' could not make a scratch database",
                                     d->name);
        return conn_new(s, dc, 1, out);
    }
    if (!has_dev)
        return cairn_err(cx, CAIRN_ECONFIG,
                         "%s is applied to a scratch database, and dialect '%s' has none built "
                         "in: set \"dev_url\" to an empty database",
                         why, d->name);
    return connect_url(s, dev, "dev_url ", out);
}

int cairn_conn_is_scratch(const cairn_conn *c)
{
    return c->scratch;
}

void cairn_conn_close(cairn_conn *c)
{
    if (!c)
        return;
    if (c->lease) { /* an error path that did not unlock: give it back */
        cairn_saved_err saved = {0};
        cairn_err_save(c->s->cx, &saved);
        cairn_lease_give_back(c, c->lease);
        c->lease = NULL;
        cairn_err_restore(c->s->cx, &saved);
    }
    if (c->scratch)
        c->s->drv.d->scratch_release(c->dc);
    else
        c->s->drv.d->disconnect(c->dc);
    free(c);
}

int cairn_conn_exec(cairn_conn *c, const char *sql)
{
    cairn_log(c->s->cx, CAIRN_LOG_DEBUG, "exec: %s", sql);
    return cairn_err_default(c->s->cx, c->s->drv.d->exec(c->dc, sql), "statement failed");
}

int cairn_conn_begin(cairn_conn *c)
{
    return cairn_err_default(c->s->cx, c->s->drv.d->begin(c->dc), "cannot begin a transaction");
}

int cairn_conn_commit(cairn_conn *c)
{
    return cairn_err_default(c->s->cx, c->s->drv.d->commit(c->dc), "cannot commit");
}

int cairn_conn_rollback(cairn_conn *c)
{
    return cairn_err_default(c->s->cx, c->s->drv.d->rollback(c->dc), "cannot roll back");
}

/* ---- the migration lock: the wait is the host's ------------------------------ */

int64_t cairn_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The driver tries once (lock_timeout_ms 0); the host waits and retries
 * until h->lock_timeout_ms has passed (negative: for ever), like SQLite's
 * busy handler, so every driver waits the same way. */
int cairn_conn_lock(cairn_conn *c, const cairn_history_opts *h)
{
    cairn_ctx *cx = c->s->cx;
    cairn_history_opts once = *h;
    once.lock_timeout_ms = 0;
    int64_t start = cairn_mono_ms(), nap_ms = 10;
    int lease = lease_strategy(cx);
    for (;;) {
        cairn_err_clear(cx);
        int rc = lease ? cairn_lease_take(c, h, &c->lease) : c->s->drv.d->lock(c->dc, &once);
        if (rc != CAIRN_ELOCKED)
            return cairn_err_default(cx, rc, "cannot take the migration lock");
        int64_t waited = cairn_mono_ms() - start;
        if (h->lock_timeout_ms >= 0 && waited >= h->lock_timeout_ms)
            return cairn_err(cx, CAIRN_ELOCKED,
                             "another cairn migrate holds the lock (waited %lld ms): %s",
                             (long long)waited,
                             cx->err.message ? cx->err.message : "the lock is held");
        int64_t left = h->lock_timeout_ms < 0 ? nap_ms : h->lock_timeout_ms - waited;
        int64_t nap = nap_ms < left ? nap_ms : left;
        struct timespec ts = {(time_t)(nap / 1000), (long)(nap % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        nap_ms = nap_ms * 2 < 200 ? nap_ms * 2 : 200;
    }
}

int cairn_conn_unlock(cairn_conn *c, const cairn_history_opts *h)
{
    if (c->lease) {
        cairn_lease *l = c->lease;
        c->lease = NULL;
        return cairn_lease_give_back(c, l);
    }
    return cairn_err_default(c->s->cx, c->s->drv.d->unlock(c->dc, h),
                             "cannot release the migration lock");
}

/* ---- the history store -------------------------------------------------------- */

int cairn_conn_history_ensure(cairn_conn *c, const cairn_history_opts *h)
{
    int rc = c->s->drv.d->history_ensure(c->dc, h);
    return rc ? cairn_err_prefix(c->s->cx, rc, "cannot create the migration history %s", h->table)
              : 0;
}

int cairn_conn_history_list(cairn_conn *c, const cairn_history_opts *h, cairn_history *out)
{
    out->legacy_rows = c->s->drv.d->abi_minor < 2;
    int rc = c->s->drv.d->history_list(c->dc, h, out);
    return rc ? cairn_err_prefix(c->s->cx, rc, "cannot read the migration history %s", h->table)
              : 0;
}

int cairn_conn_history_record(cairn_conn *c, const cairn_history_opts *h, const cairn_applied *in)
{
    cairn_applied row = *in;
    row.struct_size = sizeof row;
    int rc = c->s->drv.d->history_record(c->dc, h, &row);
    return rc ? cairn_err_prefix(c->s->cx, rc, "migration %s: cannot record it in the history",
                                 row.name)
              : 0;
}

int cairn_conn_history_remove(cairn_conn *c, const cairn_history_opts *h, const char *name)
{
    const cairn_dialect *d = c->s->drv.d;
    if (!d->history_remove)
        return cairn_err(c->s->cx, CAIRN_EUNSUPPORTED,
                         "dialect %s cannot remove a history row (no history_remove)", d->name);
    int rc = d->history_remove(c->dc, h, name);
    return rc ? cairn_err_prefix(c->s->cx, rc, "cannot remove %s from the migration history",
                                 name)
              : 0;
}

int cairn_conn_query(cairn_conn *c, const char *sql, cairn_row_fn *row, void *ud)
{
    const cairn_dialect *d = c->s->drv.d;
    if (!CAIRN_DIALECT_HAS(d, query))
        return cairn_err(c->s->cx, CAIRN_EUNSUPPORTED,
                         "dialect %s cannot read rows (its driver has no query slot, ABI 1.3)",
                         d->name);
    cairn_log(c->s->cx, CAIRN_LOG_DEBUG, "query: %s", sql);
    return cairn_err_default(c->s->cx, d->query(c->dc, sql, row, ud), "query failed");
}

int cairn_conn_normalize_schema(cairn_conn *c, cairn_schema *s)
{
    const cairn_dialect *d = c->s->drv.d;
    if (!CAIRN_DIALECT_HAS(d, normalize_schema))
        return 0;
    return cairn_err_default(c->s->cx, d->normalize_schema(c->dc, s),
                             "cannot normalise the schema for the server");
}

/* ---- the audit trail of repairs ------------------------------------------------ */

/* `s` kept to printable ASCII without quotes or backslashes, so a value is
 * safe as an SQL literal in every dialect (MySQL reads backslashes in
 * strings). */
static void audit_clean(char *out, size_t size, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 1 < size; s++)
        out[n++] = *s >= 0x20 && *s < 0x7f && *s != '\'' && *s != '\\' ? *s : '_';
    out[n] = '\0';
}

void cairn_side_table(cairn_buf *b, const cairn_dialect *d, const cairn_history_opts *h,
                      const char *suffix)
{
    char close = CAIRN_DIALECT_HAS(d, quote_close) ? d->quote_close : 0;
    if (h->schema && *h->schema) {
        cairn_buf_quote_pair(b, h->schema, d->quote, close);
        cairn_buf_puts(b, ".");
    }
    char name[300];
    snprintf(name, sizeof name, "%s%s", h->table && *h->table ? h->table : "__cairn_migrations",
             suffix);
    cairn_buf_quote_pair(b, name, d->quote, close);
}

int cairn_conn_audit(cairn_conn *c, const cairn_history_opts *h, const char *action,
                     const char *migration, const char *detail)
{
    cairn_ctx *cx = c->s->cx;
    const cairn_dialect *d = c->s->drv.d;
    char who[256], host[128] = "", user[64], at[32], mig[256], det[256], act[64];
    /* CAIRN_ACTOR names a deploy pipeline's human; else the login */
    const char *u = getenv("CAIRN_ACTOR");
    if (!u || !*u)
        u = getenv("USER");
    struct passwd pwd, *pw = NULL;
    char pwbuf[1024];
    if ((!u || !*u) && getpwuid_r(geteuid(), &pwd, pwbuf, sizeof pwbuf, &pw) == 0 && pw)
        u = pw->pw_name;
    audit_clean(user, sizeof user, u && *u ? u : "unknown");
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';
    char hclean[128];
    audit_clean(hclean, sizeof hclean, host);
    snprintf(who, sizeof who, "%s%s%s", user, *hclean ? "@" : "", hclean);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    audit_clean(mig, sizeof mig, migration);
    audit_clean(act, sizeof act, action);
    audit_clean(det, sizeof det, detail);
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_puts(&b, "CREATE TABLE IF NOT EXISTS ");
    cairn_side_table(&b, d, h, CAIRN_AUDIT_SUFFIX);
    cairn_buf_puts(&b, " (at varchar(20) NOT NULL, actor varchar(255) NOT NULL, "
                       "action varchar(64) NOT NULL, migration varchar(255) NOT NULL, "
                       "detail varchar(255))");
    int rc = b.oom ? cairn_err(cx, CAIRN_ENOMEM, "out of memory") : cairn_conn_exec(c, b.data);
    cairn_buf_reset(&b);
    cairn_buf_puts(&b, "INSERT INTO ");
    cairn_side_table(&b, d, h, CAIRN_AUDIT_SUFFIX);
    cairn_buf_printf(&b, " (at, actor, action, migration, detail) VALUES ('%s', '%s', '%s', "
                         "'%s', '%s')",
                     at, who, act, mig, det);
    if (!rc)
        rc = b.oom ? cairn_err(cx, CAIRN_ENOMEM, "out of memory") : cairn_conn_exec(c, b.data);
    cairn_buf_release(&b);
    return rc ? cairn_err_prefix(cx, rc, "cannot write the audit row") : 0;
}

void cairn_session_history_opts(cairn_ctx *cx, cairn_history_opts *h)
{
    memset(h, 0, sizeof *h);
    h->table = cairn_ctx_get(cx, "migrations_table");
    h->schema = cairn_ctx_get(cx, "migrations_schema");
    const char *t = cairn_ctx_get(cx, "lock_timeout");
    h->lock_timeout_ms = t ? strtol(t, NULL, 10) : 60000;
    h->lock_name = h->table;
    h->struct_size = sizeof *h;
}

/* ---- normalisation -------------------------------------------------------------- */

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
        cairn_err_default(cx, rc, "table %s: cannot normalise an expression", t->name);
    }
    cairn_buf_release(&b);
    return rc;
}

/* A type the dialect marks as numbering itself (PostgreSQL serial), for a
 * column that says nothing else about its values: identity "auto". */
static void auto_numbered_type(const cairn_dialect *d, cairn_column *c)
{
    if (!c->type || c->identity != CAIRN_IDENTITY_NONE || c->default_expr || c->generated ||
        !CAIRN_DIALECT_HAS(d, type_families))
        return;
    for (const cairn_type_family *f = d->type_families; f->name; f++)
        if ((f->flags & CAIRN_TYPE_AUTO_NUMBERED) && strcasecmp(f->name, c->type) == 0) {
            c->identity = CAIRN_IDENTITY_AUTO;
            return;
        }
}

/* A type in the dialect's canonical spelling; `seen` remembers each
 * spelling's (a schema of thousands of columns has a few dozen). */
static int normalize_type(cairn_session *s, cairn_schema *schema, cairn_buf *b, cairn_strmap *seen,
                          const char **type)
{
    const char *canon = seen ? cairn_strmap_get(seen, NULL, *type) : NULL;
    if (!canon) {
        cairn_buf_reset(b);
        int rc = s->drv.d->normalize_type(s->ds, *type, b);
        if (rc)
            return rc;
        canon = b->len ? cairn_schema_strdup(schema, cairn_buf_cstr(b)) : *type;
        if (!canon)
            return CAIRN_ENOMEM;
        if (seen && cairn_strmap_put(seen, NULL, *type, canon))
            return CAIRN_ENOMEM;
    }
    *type = canon;
    return 0;
}

/* Types and defaults of one column, in the dialect's canonical spelling. */
static int normalize_column(cairn_session *s, cairn_schema *schema, cairn_buf *b,
                            cairn_strmap *seen, cairn_column *c)
{
    const cairn_dialect *d = s->drv.d;
    int rc = 0;
    auto_numbered_type(d, c);
    if (d->normalize_type && c->type)
        rc = normalize_type(s, schema, b, seen, &c->type);
    if (!rc && d->normalize_default && c->default_expr) {
        cairn_buf_reset(b);
        rc = d->normalize_default(s->ds, c->type, c->default_expr, b);
        if (!rc)
            c->default_expr = b->len ? cairn_schema_strdup(schema, cairn_buf_cstr(b)) : NULL;
    }
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
    /* what an object's text alone tells it needs (ABI 1.5 slot) */
    for (size_t i = 0; i < schema->nobjects && !rc && CAIRN_DIALECT_HAS(d, normalize_object); i++)
        rc = cairn_err_default(cx, d->normalize_object(s->ds, schema, schema->objects[i]),
                               "object %s: out of memory", schema->objects[i]->name);
    if (rc || (!d->normalize_type && !d->normalize_default))
        return rc;
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_arena *tmp = cairn_arena_new();
    cairn_strmap *seen = tmp ? cairn_strmap_new(tmp) : NULL; /* (none: no memo) */
    for (size_t i = 0; i < schema->ntables && !rc; i++) {
        cairn_table *t = schema->tables[i];
        for (size_t j = 0; j < t->ncolumns && !rc; j++) {
            rc = normalize_column(s, schema, &b, seen, t->columns[j]);
            cairn_err_default(cx, rc, "table %s, column %s: cannot normalise", t->name,
                              t->columns[j]->name);
        }
    }
    cairn_arena_free(tmp);
    cairn_buf_release(&b);
    return rc;
}

/* ---- early validation: what the schema asks of the dialect ---------------------- */

/* One line naming the first object that needs a capability the driver does
 * not state, at its place in the schema file (`at`: cairn_json_locate's
 * steps); the same schema would otherwise fail at emit, or at deploy. */
static int need(cairn_ctx *cx, const cairn_dialect *d, uint64_t cap, const char *path,
                const char *what, const char *object, const char *at)
{
    if (d->caps & cap)
        return 0;
    /* `what` is "singular|plural" */
    const char *bar = strchr(what, '|');
    return cairn_schemafile_err(cx, path, &at, 1, "%.*s '%s': dialect '%s' has no %s",
                                (int)(bar - what), what, object, d->name, bar + 1);
}

/* need() whose arguments are only evaluated when the capability is missing:
 * the places (at_table's printf) would otherwise be spelt out for every
 * column of every table. */
#define NEED(cx, d, cap, ...) (((d)->caps & (cap)) ? 0 : need(cx, d, cap, __VA_ARGS__))

/* "tables[T]/<rest>" into `buf`. */
static const char *at_table(char *buf, size_t size, const cairn_table *t, const char *fmt, ...)
    CAIRN_FMT(4, 5);
static const char *at_table(char *buf, size_t size, const cairn_table *t, const char *fmt, ...)
{
    int n = snprintf(buf, size, "tables[%s]/", t->name);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < size)
        vsnprintf(buf + n, size - (size_t)n, fmt, ap);
    va_end(ap);
    return buf;
}

/* What CAIRN_CAP_CONSTRAINT_OPTIONS and CAIRN_CAP_CONSTRAINT_COMMENTS cover. */
static int check_constraint_caps(cairn_ctx *cx, const cairn_dialect *d, const cairn_table *t,
                                 const char *path)
{
    static const char opts[] = "constraint option|constraint options (DEFERRABLE keys, "
                               "MATCH FULL, NOT VALID, named NOT NULL)";
    static const char comments[] = "comment on a constraint|comments on constraints and triggers";
    const uint64_t O = CAIRN_CAP_CONSTRAINT_OPTIONS, C = CAIRN_CAP_CONSTRAINT_COMMENTS;
    char at[700];
    int rc = 0;
    for (size_t j = 0; j < t->ncolumns && !rc; j++)
        if (t->columns[j]->not_null_name)
            rc = need(cx, d, O, path, opts, t->columns[j]->name,
                      at_table(at, sizeof at, t, "columns[%s]/not_null_name", t->columns[j]->name));
    for (size_t j = 0; j <= t->nuniques && !rc; j++) {
        const cairn_key *k = j < t->nuniques ? t->uniques[j] : t->primary_key;
        if (!k)
            continue;
        char where[300];
        if (j < t->nuniques)
            snprintf(where, sizeof where, "uniques[%s]", k->name ? k->name : "");
        else
            snprintf(where, sizeof where, "primary_key");
        const char *name = k->name ? k->name : t->name;
        if (k->deferrable || k->initially_deferred || k->without_overlaps)
            rc = need(cx, d, O, path, opts, name,
                      at_table(at, sizeof at, t, "%s/%s", where,
                               k->initially_deferred ? "initially_deferred"
                               : k->deferrable       ? "deferrable"
                                                     : "without_overlaps"));
        /* a primary key's comment alone is enough on MySQL (its index's) */
        if (!rc && k->comment && !(j == t->nuniques && (d->caps & CAIRN_CAP_PRIMARY_KEY_COMMENT)))
            rc = need(cx, d, C, path, comments, name,
                      at_table(at, sizeof at, t, "%s/comment", where));
    }
    for (size_t j = 0; j < t->nfkeys && !rc; j++) {
        const cairn_fkey *fk = t->fkeys[j];
        const char *name = fk->name ? fk->name : t->name;
        if (fk->match_full || fk->not_valid || fk->period)
            rc = need(cx, d, O, path, opts, name,
                      at_table(at, sizeof at, t, "foreign_keys[%s]/%s", fk->name ? fk->name : "",
                               fk->match_full ? "match_full"
                               : fk->not_valid ? "not_valid"
                                               : "period"));
        if (!rc && fk->comment)
            rc = need(cx, d, C, path, comments, name,
                      at_table(at, sizeof at, t, "foreign_keys[%s]/comment",
                               fk->name ? fk->name : ""));
    }
    for (size_t j = 0; j < t->nchecks && !rc; j++) {
        const cairn_check *c = t->checks[j];
        const char *name = c->name ? c->name : t->name;
        if (c->not_valid)
            rc = need(cx, d, O, path, opts, name,
                      at_table(at, sizeof at, t, "checks[%s]/not_valid", c->name ? c->name : ""));
        if (!rc && c->comment)
            rc = need(cx, d, C, path, comments, name,
                      at_table(at, sizeof at, t, "checks[%s]/comment", c->name ? c->name : ""));
    }
    for (size_t j = 0; j < t->ntriggers && !rc; j++)
        if (t->triggers[j]->comment)
            rc = need(cx, d, C, path, "comment on a trigger|comments on constraints and triggers",
                      t->triggers[j]->name,
                      at_table(at, sizeof at, t, "triggers[%s]/comment", t->triggers[j]->name));
    return rc;
}

static int check_table_caps(cairn_ctx *cx, const cairn_dialect *d, const cairn_table *t,
                            const char *path)
{
    int rc = 0;
    char at[700];
    if (t->schema && *t->schema)
        rc = NEED(cx, d, CAIRN_CAP_SCHEMAS, path, "namespace|namespaces", t->schema,
                  at_table(at, sizeof at, t, "schema"));
    if (!rc && cairn_table_is_virtual(t)) {
        rc = NEED(cx, d, CAIRN_CAP_VIRTUAL_TABLES, path, "virtual table|virtual tables", t->name,
                  at_table(at, sizeof at, t, "options"));
        if (!rc && (t->ncolumns || t->primary_key || t->nuniques || t->nindexes || t->nfkeys ||
                    t->nchecks || t->ntriggers))
            rc = cairn_err_at(cx, CAIRN_ESCHEMA, path, 0, 0,
                              "virtual table '%s' has columns, keys, indexes, checks or triggers: "
                              "its module's arguments (option \"args\") say everything about it",
                              t->name);
        if (!rc && !*cairn_table_option(t, "using"))
            rc = cairn_err_at(cx, CAIRN_ESCHEMA, path, 0, 0,
                              "virtual table '%s': option \"using\" must name its module", t->name);
        for (size_t j = 0; j < t->noptions && !rc; j++)
            if (strncmp(t->options[j], "using=", 6) != 0 && strncmp(t->options[j], "args=", 5) != 0)
                rc = cairn_err_at(cx, CAIRN_ESCHEMA, path, 0, 0,
                                  "virtual table '%s': option \"%.*s\" does not apply, only "
                                  "\"using\" and \"args\" do", t->name,
                                  (int)strcspn(t->options[j], "="), t->options[j]);
    }
    if (!rc && t->comment)
        rc = NEED(cx, d, CAIRN_CAP_COMMENTS, path, "comment on table|comments", t->name,
                  at_table(at, sizeof at, t, "comment"));
    for (size_t j = 0; j < t->ncolumns && !rc; j++)
        if (t->columns[j]->comment)
            rc = NEED(cx, d, CAIRN_CAP_COMMENTS, path, "comment on column|comments",
                      t->columns[j]->name,
                      at_table(at, sizeof at, t, "columns[%s]/comment", t->columns[j]->name));
    for (size_t j = 0; j < t->nindexes && !rc; j++)
        if (t->indexes[j]->comment)
            rc = NEED(cx, d, CAIRN_CAP_COMMENTS, path, "comment on index|comments",
                      t->indexes[j]->name ? t->indexes[j]->name : t->name,
                      at_table(at, sizeof at, t, "indexes[%s]/comment",
                               t->indexes[j]->name ? t->indexes[j]->name : ""));
    if (!rc)
        rc = check_constraint_caps(cx, d, t, path);
    for (size_t j = 0; j < t->ncolumns && !rc; j++)
        if (t->columns[j]->identity == CAIRN_IDENTITY_ALWAYS ||
            t->columns[j]->identity == CAIRN_IDENTITY_BY_DEFAULT)
            rc = NEED(cx, d, CAIRN_CAP_IDENTITY, path,
                      "identity column|SQL identity columns (\"always\", \"by_default\"; "
                      "\"auto\" numbers rows on every dialect)",
                      t->columns[j]->name,
                      at_table(at, sizeof at, t, "columns[%s]/identity", t->columns[j]->name));
    for (size_t j = 0; j < t->ncolumns && !rc; j++)
        if (t->columns[j]->generated)
            rc = NEED(cx, d, CAIRN_CAP_GENERATED, path, "generated column|generated columns",
                      t->columns[j]->name,
                      at_table(at, sizeof at, t, "columns[%s]/generated", t->columns[j]->name));
    for (size_t j = 0; j < t->nindexes && !rc; j++) {
        const cairn_index *ix = t->indexes[j];
        if (ix->where)
            rc = NEED(cx, d, CAIRN_CAP_PARTIAL_INDEX, path, "partial index|partial indexes",
                      ix->name ? ix->name : t->name,
                      at_table(at, sizeof at, t, "indexes[%s]/where", ix->name ? ix->name : ""));
        for (size_t k = 0; k < ix->nparts && !rc; k++)
            if (ix->parts[k]->expr)
                rc = NEED(cx, d, CAIRN_CAP_EXPRESSION_INDEX, path,
                          "index on expressions|indexes on expressions",
                          ix->name ? ix->name : t->name,
                          at_table(at, sizeof at, t, "indexes[%s]/columns",
                                   ix->name ? ix->name : ""));
    }
    return rc;
}

/* Characters of UTF-8 text (bytes that do not continue a sequence). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* What the server would do wrong with `name`: 0 (nothing), or which of
 * check_ident's refusals applies. */
enum { IDENT_OK, IDENT_BYTES, IDENT_CHARS, IDENT_BMP, IDENT_SPACE };
static int ident_problem(const cairn_dialect *d, const char *name)
{
    if (!name)
        return IDENT_OK;
    uint16_t max_bytes = CAIRN_DIALECT_HAS(d, ident_max_bytes) ? d->ident_max_bytes : 0;
    uint16_t max_chars = CAIRN_DIALECT_HAS(d, ident_max_chars) ? d->ident_max_chars : 0;
    size_t bytes = strlen(name);
    if (max_bytes && bytes > max_bytes)
        return IDENT_BYTES;
    if (max_chars && utf8_chars(name) > max_chars)
        return IDENT_CHARS;
    if ((d->caps & CAIRN_CAP_IDENT_BMP_ONLY))
        for (const char *p = name; *p; p++)
            if (((unsigned char)*p & 0xF8) == 0xF0)
                return IDENT_BMP;
    if ((d->caps & CAIRN_CAP_IDENT_NO_TRAILING_SPACE) && bytes && name[bytes - 1] == ' ')
        return IDENT_SPACE;
    return IDENT_OK;
}

/* A name the server would cut or refuse: refused now, naming it, at its
 * place in the schema file (`at`). */
static int check_ident(cairn_ctx *cx, const cairn_dialect *d, const char *path, const char *kind,
                       const char *name, const char *at)
{
    switch (ident_problem(d, name)) {
    case IDENT_BYTES:
        return cairn_schemafile_err(cx, path, &at, 1,
                                    "%s \"%.40s...\": the name is %zu bytes, dialect '%s' keeps "
                                    "%u (the server would cut it, and every later push would "
                                    "drop the object)",
                                    kind, name, strlen(name), d->name,
                                    (unsigned)d->ident_max_bytes);
    case IDENT_CHARS:
        return cairn_schemafile_err(cx, path, &at, 1,
                                    "%s \"%.40s...\": the name is %zu characters, dialect '%s' "
                                    "allows %u",
                                    kind, name, utf8_chars(name), d->name,
                                    (unsigned)d->ident_max_chars);
    case IDENT_BMP:
        return cairn_schemafile_err(cx, path, &at, 1,
                                    "%s \"%s\": dialect '%s' cannot store a character "
                                    "beyond U+FFFF (a 4-byte UTF-8 sequence) in a name",
                                    kind, name, d->name);
    case IDENT_SPACE:
        return cairn_schemafile_err(cx, path, &at, 1,
                                    "%s \"%s\": dialect '%s' does not allow a name that ends "
                                    "with a space",
                                    kind, name, d->name);
    }
    return 0;
}

/* check_ident() whose place is only spelt out for a name it refuses. */
#define CHECK_IDENT(cx, d, path, kind, name, ...)                                                 \
    (ident_problem(d, name) ? check_ident(cx, d, path, kind, name, __VA_ARGS__) : 0)

static int check_table_idents(cairn_ctx *cx, const cairn_dialect *d, const cairn_table *t,
                              const char *path)
{
    char at[700];
    int rc = CHECK_IDENT(cx, d, path, "table", t->name, at_table(at, sizeof at, t, "name"));
    for (size_t j = 0; j < t->ncolumns && !rc; j++)
        rc = CHECK_IDENT(cx, d, path, "column", t->columns[j]->name,
                         at_table(at, sizeof at, t, "columns[%s]/name", t->columns[j]->name));
    for (size_t j = 0; j < t->nindexes && !rc; j++)
        rc = CHECK_IDENT(cx, d, path, "index", t->indexes[j]->name,
                         at_table(at, sizeof at, t, "indexes[%s]/name",
                                  t->indexes[j]->name ? t->indexes[j]->name : ""));
    for (size_t j = 0; j < t->nuniques && !rc; j++)
        rc = CHECK_IDENT(cx, d, path, "unique constraint", t->uniques[j]->name,
                         at_table(at, sizeof at, t, "uniques[%s]/name",
                                  t->uniques[j]->name ? t->uniques[j]->name : ""));
    for (size_t j = 0; j < t->nfkeys && !rc; j++)
        rc = CHECK_IDENT(cx, d, path, "foreign key", t->fkeys[j]->name,
                         at_table(at, sizeof at, t, "foreign_keys[%s]/name",
                                  t->fkeys[j]->name ? t->fkeys[j]->name : ""));
    for (size_t j = 0; j < t->nchecks && !rc; j++)
        rc = CHECK_IDENT(cx, d, path, "check", t->checks[j]->name,
                         at_table(at, sizeof at, t, "checks[%s]/name",
                                  t->checks[j]->name ? t->checks[j]->name : ""));
    for (size_t j = 0; j < t->ntriggers && !rc; j++)
        rc = CHECK_IDENT(cx, d, path, "trigger", t->triggers[j]->name,
                         at_table(at, sizeof at, t, "triggers[%s]/name", t->triggers[j]->name));
    if (!rc && t->primary_key)
        rc = CHECK_IDENT(cx, d, path, "primary key", t->primary_key->name,
                         at_table(at, sizeof at, t, "primary_key/name"));
    return rc;
}

/* "kind[name]/name" of a top-level object into `buf`. */
static const char *at_top(char *buf, size_t size, const char *kind, const char *name)
{
    snprintf(buf, size, "%s[%s]/name", kind, name);
    return buf;
}

static int check_idents(cairn_ctx *cx, const cairn_dialect *d, const cairn_schema *schema,
                        const char *path)
{
    int rc = 0;
    char at[700];
    for (size_t i = 0; i < schema->ntables && !rc; i++)
        rc = check_table_idents(cx, d, schema->tables[i], path);
    for (size_t i = 0; i < schema->nviews && !rc; i++)
        rc = CHECK_IDENT(cx, d, path, "view", schema->views[i]->name,
                         at_top(at, sizeof at, "views", schema->views[i]->name));
    for (size_t i = 0; i < schema->nenums && !rc; i++)
        rc = CHECK_IDENT(cx, d, path, "enum type", schema->enums[i]->name,
                         at_top(at, sizeof at, "enums", schema->enums[i]->name));
    for (size_t i = 0; i < schema->nsequences && !rc; i++)
        rc = CHECK_IDENT(cx, d, path, "sequence", schema->sequences[i]->name,
                         at_top(at, sizeof at, "sequences", schema->sequences[i]->name));
    return rc;
}

int cairn_session_check_caps(cairn_ctx *cx, cairn_session *s, const cairn_schema *schema,
                             const char *path)
{
    const cairn_dialect *d = s->drv.d;
    char at[700];
    int rc = check_idents(cx, d, schema, path);
    if (!rc && schema->nnamespaces)
        rc = NEED(cx, d, CAIRN_CAP_SCHEMAS, path, "namespace|namespaces", schema->namespaces[0],
                  "namespaces");
    if (!rc && schema->nenums) {
        snprintf(at, sizeof at, "enums[%s]", schema->enums[0]->name);
        rc = NEED(cx, d, CAIRN_CAP_ENUMS, path, "enum type|enum types", schema->enums[0]->name,
                  at);
    }
    for (size_t i = 0; i < schema->nenums && !rc; i++)
        if (schema->enums[i]->comment) {
            snprintf(at, sizeof at, "enums[%s]/comment", schema->enums[i]->name);
            rc = need(cx, d, CAIRN_CAP_COMMENTS, path, "comment on enum type|comments",
                      schema->enums[i]->name, at);
        }
    if (!rc && schema->nsequences) {
        snprintf(at, sizeof at, "sequences[%s]", schema->sequences[0]->name);
        rc = NEED(cx, d, CAIRN_CAP_SEQUENCES, path, "sequence|sequences",
                  schema->sequences[0]->name, at);
    }
    if (!rc && schema->nobjects) {
        const cairn_object *o = schema->objects[0];
        snprintf(at, sizeof at, "objects[%s]", o->name);
        rc = NEED(cx, d, CAIRN_CAP_OBJECTS, path, "object|objects carried as SQL (functions, "
                  "domains, policies, ...)", o->name, at);
    }
    for (size_t i = 0; i < schema->nviews && !rc; i++) {
        if (schema->views[i]->materialized) {
            snprintf(at, sizeof at, "views[%s]/materialized", schema->views[i]->name);
            rc = NEED(cx, d, CAIRN_CAP_MATERIALIZED_VIEWS, path,
                      "materialized view|materialized views", schema->views[i]->name, at);
        }
        if (!rc && schema->views[i]->ncolumns) {
            snprintf(at, sizeof at, "views[%s]/columns", schema->views[i]->name);
            rc = NEED(cx, d, CAIRN_CAP_VIEW_COLUMNS, path,
                      "view with a column list|view column lists", schema->views[i]->name, at);
        }
    }
    for (size_t i = 0; i < schema->ntables && !rc; i++)
        rc = check_table_caps(cx, d, schema->tables[i], path);
    return rc;
}

/* ---- introspection and emission ----------------------------------------------- */

static int introspect(cairn_ctx *cx, cairn_session *s, cairn_dconn *dc, uint32_t flags,
                      cairn_schema **out);

int cairn_conn_introspect(cairn_conn *c, cairn_schema **out)
{
    return introspect(c->s->cx, c->s, c->dc, 0, out);
}

int cairn_conn_introspect_for_pull(cairn_conn *c, cairn_schema **out)
{
    return introspect(c->s->cx, c->s, c->dc, CAIRN_FILTER_REPORT_LEFT_OUT, out);
}

int cairn_session_introspect(cairn_ctx *cx, cairn_session *s, cairn_dconn *dc, cairn_schema **out)
{
    return introspect(cx, s, dc, 0, out);
}

static int introspect(cairn_ctx *cx, cairn_session *s, cairn_dconn *dc, uint32_t flags,
                      cairn_schema **out)
{
    cairn_schema *schema = cairn_schema_new();
    if (!schema)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    cairn_ctx_left_out_clear(cx);
    char **tables = NULL, **nss = NULL;
    size_t ntables = 0, nns = 0;
    const char *hist = cairn_ctx_get(cx, "migrations_table");
    char audit[300], lease[300];
    snprintf(audit, sizeof audit, "%s" CAIRN_AUDIT_SUFFIX, hist ? hist : "__cairn_migrations");
    snprintf(lease, sizeof lease, "%s" CAIRN_LEASE_SUFFIX, hist ? hist : "__cairn_migrations");
    const char *exclude[3] = {hist, audit, lease};
    int rc = cairn_split_list(cairn_ctx_get(cx, "tables"), ',', &tables, &ntables);
    if (!rc)
        rc = cairn_split_list(cairn_ctx_get(cx, "namespaces"), ',', &nss, &nns);
    if (rc) {
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    } else {
        cairn_filter f = {.namespaces = (const char *const *)nss, .nnamespaces = nns,
                          .tables = (const char *const *)tables, .ntables = ntables,
                          .exclude = exclude, .nexclude = 3, .struct_size = sizeof f,
                          .flags = flags};
        rc = cairn_err_default(cx, s->drv.d->introspect(dc, &f, schema), "introspection failed");
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
    const cairn_plan *use = p;
    cairn_arena *a = NULL;
    if ((s->drv.d->caps & CAIRN_CAP_FKEY_NEEDS_TARGET) && cairn_plan_order_fkeys(cx, p, &use, &a))
        return CAIRN_ENOMEM;
    int rc = s->drv.d->emit(s->ds, use, out);
    cairn_arena_free(a);
    if (!rc && out->err) /* a driver that did not look at a failed stmt_add */
        rc = cairn_err(cx, out->err, "out of memory");
    return cairn_err_default(cx, rc, "dialect '%s' could not write the SQL for this change",
                             s->drv.d->name);
}

int cairn_session_mark_losses(cairn_ctx *cx, cairn_session *s, cairn_plan *p)
{
    const cairn_dialect *d = s->drv.d;
    if (!CAIRN_DIALECT_HAS(d, hazards))
        return 0;
    for (size_t i = 0; i < p->nchanges; i++) {
        cairn_change *ch = p->changes[i];
        if (!ch->table_from || (ch->flags & CAIRN_CHANGE_DESTRUCTIVE) ||
            !(d->hazards(s->ds, p, ch) & CAIRN_HAZARD_DELETES_ROWS))
            continue;
        cairn_buf b;
        cairn_buf_init(&b);
        cairn_buf_printf(&b, "changes table \"%s\" in a way that deletes rows (as dialect %s "
                             "writes it: see the SQL)", ch->table_from->name, d->name);
        const char *w = b.oom ? NULL : cairn_arena_strdup(((plan_box *)p)->arena,
                                                          cairn_buf_cstr(&b));
        cairn_buf_release(&b);
        if (!w)
            return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        ch->flags |= CAIRN_CHANGE_DESTRUCTIVE;
        ch->warning = w;
    }
    return 0;
}
