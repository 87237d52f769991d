/*
 * The desired schema from disk: a .json document, a directory of them
 * (merged), or a declarative .sql file normalised through a scratch database
 * of the dialect (applied, then introspected), so every source comes out as
 * the same model that introspecting a live database gives.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int load_json(cairn_ctx *cx, const char *path, cairn_schema **out)
{
    char *text;
    size_t len;
    int rc = cairn_read_file(cx, path, &text, &len);
    if (rc)
        return rc;
    rc = cairn_json_read_schema(cx, text, len, path, out);
    free(text);
    return rc;
}

/* ---- merging the files of a directory ------------------------------------ */

/* Which file defined each named object of the merged schema. */
typedef struct owner {
    const char *kind, *ns, *name;
    const char *file;
} owner;

typedef struct merge {
    cairn_ctx *cx;
    cairn_schema *into;
    const char *dialect_file;
    owner *owners;
    size_t nowners;
} merge;

static int ns_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Claim `name` for `file`; tables, views and sequences share one name space,
 * enums have their own. */
static int claim(merge *m, const char *kind, const char *ns, const char *name, const char *file)
{
    int is_enum = strcmp(kind, "enum") == 0;
    for (size_t i = 0; i < m->nowners; i++) {
        const owner *o = &m->owners[i];
        if ((strcmp(o->kind, "enum") == 0) == is_enum && ns_same(o->ns, ns) &&
            strcmp(o->name, name) == 0) {
            if (strcmp(o->kind, kind) == 0)
                return cairn_err_at(m->cx, CAIRN_ESCHEMA, file, 0, 0,
                                    "%s \"%s%s%s\" is already defined in %s", kind,
                                    ns ? ns : "", ns ? "." : "", name, o->file);
            return cairn_err_at(m->cx, CAIRN_ESCHEMA, file, 0, 0,
                                "%s \"%s%s%s\": the name is already a %s in %s", kind,
                                ns ? ns : "", ns ? "." : "", name, o->kind, o->file);
        }
    }
    owner *no = realloc(m->owners, (m->nowners + 1) * sizeof *no);
    if (!no)
        return cairn_err(m->cx, CAIRN_ENOMEM, "out of memory");
    m->owners = no;
    m->owners[m->nowners++] = (owner){kind, ns, name, file};
    return 0;
}

/* Move everything of `part` (read from `file`) into the merged schema.
 * Owner entries point into `into`'s arena, which outlives the merge. */
static int merge_part(merge *m, const cairn_schema *part, const char *file)
{
    cairn_schema *d = m->into;
    if (part->dialect) {
        if (d->dialect && strcmp(d->dialect, part->dialect) != 0)
            return cairn_err_at(m->cx, CAIRN_ESCHEMA, file, 0, 0,
                                "dialect \"%s\" differs from \"%s\" in %s", part->dialect,
                                d->dialect, m->dialect_file);
        if (!d->dialect) {
            if (!(d->dialect = cairn_schema_strdup(d, part->dialect)) ||
                !(m->dialect_file = cairn_schema_strdup(d, file)))
                return cairn_err(m->cx, CAIRN_ENOMEM, "out of memory");
        }
    }
    const char *fcopy = cairn_schema_strdup(d, file);
    if (!fcopy)
        return cairn_err(m->cx, CAIRN_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < part->nnamespaces && !rc; i++)
        rc = cairn_schema_add_namespace(d, part->namespaces[i]);
    for (size_t i = 0; i < part->ntables && !rc; i++) {
        const cairn_table *t = cairn_schema_copy_table(d, part->tables[i]);
        rc = t ? claim(m, "table", t->schema, t->name, fcopy) : CAIRN_ENOMEM;
    }
    for (size_t i = 0; i < part->nviews && !rc; i++) {
        const cairn_view *v = cairn_schema_copy_view(d, part->views[i]);
        rc = v ? claim(m, "view", v->schema, v->name, fcopy) : CAIRN_ENOMEM;
    }
    for (size_t i = 0; i < part->nenums && !rc; i++) {
        const cairn_enum *e = cairn_schema_copy_enum(d, part->enums[i]);
        rc = e ? claim(m, "enum", e->schema, e->name, fcopy) : CAIRN_ENOMEM;
    }
    for (size_t i = 0; i < part->nsequences && !rc; i++) {
        const cairn_sequence *q = cairn_schema_copy_sequence(d, part->sequences[i]);
        rc = q ? claim(m, "sequence", q->schema, q->name, fcopy) : CAIRN_ENOMEM;
    }
    for (size_t i = 0; i < part->nobjects && !rc; i++) {
        const cairn_object *src = part->objects[i];
        for (size_t j = 0; j < d->nobjects; j++)
            if (cairn_object_cmp(d->objects[j], src) == 0) {
                char label[600];
                cairn_object_label(src, label, sizeof label);
                return cairn_err_at(m->cx, CAIRN_ESCHEMA, file, 0, 0,
                                    "%s is already defined in another file of the schema",
                                    label);
            }
        rc = cairn_schema_copy_object(d, src) ? 0 : CAIRN_ENOMEM;
    }
    if (rc == CAIRN_ENOMEM && m->cx->err.code != CAIRN_ENOMEM)
        rc = cairn_err(m->cx, CAIRN_ENOMEM, "out of memory");
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .json files of a schema directory, sorted, so the merged result and
 * the first error never depend on the order the file system lists them. */
static int list_json(cairn_ctx *cx, const char *dir, char ***out, size_t *count)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return cx ? cairn_err(cx, CAIRN_EIO, "%s: cannot open the directory", dir) : CAIRN_EIO;
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    for (struct dirent *de; (de = readdir(dh)) && !rc;) {
        if (de->d_name[0] == '.' || !cairn_has_suffix(de->d_name, ".json"))
            continue;
        char *full = cairn_path_join(dir, de->d_name);
        char **nv = full ? realloc(names, (n + 1) * sizeof *nv) : NULL;
        if (!nv) {
            free(full);
            rc = cx ? cairn_err(cx, CAIRN_ENOMEM, "out of memory") : CAIRN_ENOMEM;
            break;
        }
        names = nv;
        if (cairn_is_dir(full))
            free(full); /* "x.json/" is not a schema file */
        else
            names[n++] = full;
    }
    closedir(dh);
    if (rc) {
        cairn_strv_free(names, n);
        return rc;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_name);
    *out = names;
    *count = n;
    return 0;
}

static int load_dir(cairn_ctx *cx, const char *dir, cairn_schema **out)
{
    char **names = NULL;
    size_t n = 0;
    int rc = list_json(cx, dir, &names, &n);
    if (!rc && n == 0)
        rc = cairn_err(cx, CAIRN_ESCHEMA, "%s: no .json schema files in the directory", dir);
    if (rc) {
        cairn_strv_free(names, n);
        return rc;
    }
    merge m = {.cx = cx, .into = cairn_schema_new()};
    if (!m.into)
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && !rc; i++) {
        cairn_schema *part;
        if (!(rc = load_json(cx, names[i], &part))) {
            rc = merge_part(&m, part, names[i]);
            cairn_schema_free(part);
        }
    }
    free(m.owners);
    cairn_strv_free(names, n);
    if (rc) {
        cairn_schema_free(m.into);
        return rc;
    }
    *out = m.into;
    return 0;
}

/* The first of `paths` found in one file (unreadable: not found, no error
 * left on the context, which is about to get the caller's). */
static int locate_in(cairn_ctx *cx, const char *file, const char *const *paths, size_t npaths,
                     int *line, int *col)
{
    char *text;
    size_t len;
    if (cairn_read_file(cx, file, &text, &len)) {
        cairn_err_clear(cx);
        return 0;
    }
    int found = 0;
    for (size_t i = 0; i < npaths && !found; i++)
        found = cairn_json_locate(text, len, paths[i], line, col);
    free(text);
    return found;
}

int cairn_schemafile_locate(cairn_ctx *cx, const char *path, const char *const *paths,
                            size_t npaths, char **file, int *line, int *col)
{
    *file = NULL;
    if (!path)
        return 0;
    if (!cairn_is_dir(path)) {
        if (!cairn_has_suffix(path, ".json") || !locate_in(cx, path, paths, npaths, line, col))
            return 0;
        *file = strdup(path);
        return *file != NULL;
    }
    char **names = NULL;
    size_t n = 0;
    if (list_json(NULL, path, &names, &n))
        return 0;
    /* the best step that any file has: a column's type before its table */
    for (size_t k = 0; k < npaths && !*file; k++)
        for (size_t i = 0; i < n && !*file; i++)
            if (locate_in(cx, names[i], paths + k, 1, line, col))
                *file = strdup(names[i]);
    cairn_strv_free(names, n);
    return *file != NULL;
}

int cairn_schemafile_err(cairn_ctx *cx, const char *schema_path, const char *const *paths,
                         size_t npaths, const char *fmt, ...)
{
    char *file = NULL;
    int line = 0, col = 0;
    cairn_schemafile_locate(cx, schema_path, paths, npaths, &file, &line, &col);
    cairn_buf msg;
    cairn_buf_init(&msg);
    va_list ap;
    va_start(ap, fmt);
    cairn_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    int rc = msg.oom ? cairn_err(cx, CAIRN_ENOMEM, "out of memory")
                     : cairn_err_at(cx, CAIRN_ESCHEMA, file ? file : schema_path, line, col, "%s",
                                    cairn_buf_cstr(&msg));
    cairn_buf_release(&msg);
    free(file);
    return rc;
}

/* ---- declarative SQL through a scratch database ----------------------------- */

/* 1-based line of byte offset `off` in `text`. */
static int line_of(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && text[i]; i++)
        line += text[i] == '\n';
    return line;
}

/* Turn the driver's error for the SQL into a schema error naming the file
 * (and line), keeping the server's SQLSTATE. */
static int sql_error(cairn_ctx *cx, const char *path, int line)
{
    char *msg = strdup(cx->err.message ? cx->err.message : "the SQL failed");
    /* the server's SQLSTATE stays with the line that names the file */
    char *state = cx->err.sqlstate ? strdup(cx->err.sqlstate) : NULL;
    int rc = cairn_err_at(cx, CAIRN_ESCHEMA, path, line, line ? 1 : 0, "%s",
                          msg ? msg : "the SQL failed");
    free(msg);
    if (state) {
        cx->err_sqlstate = state;
        cx->err.sqlstate = state;
    }
    return rc;
}

/* A script with DELIMITER lines (mysqldump writes them around triggers and
 * routines): the client directive is read here, whatever the dialect, and
 * each statement is sent on its own. */
static int exec_delimited(cairn_ctx *cx, cairn_conn *c, const char *path, const char *text)
{
    cairn_script sc;
    int rc = cairn_split_script(text, &sc);
    if (rc == CAIRN_ESCHEMA)
        return cairn_err_at(cx, CAIRN_ESCHEMA, path, sc.bad_line, 1,
                            "DELIMITER needs a delimiter (DELIMITER ;; ... DELIMITER ;)");
    if (rc)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; i < sc.n && !rc; i++) {
        cairn_err_clear(cx);
        if (cairn_conn_exec(c, sc.sql[i]))
            rc = sql_error(cx, path, sc.line[i]);
    }
    cairn_script_free(&sc);
    return rc;
}

int cairn_replay_exec(cairn_ctx *cx, cairn_replay *r, const char *path, const char *text)
{
    cairn_conn *c = r->c;
    if (cairn_sql_has_delimiter_line(text))
        return exec_delimited(cx, c, path, text);
    if (!strstr(text, CAIRN_BREAKPOINT)) {
        cairn_err_clear(cx);
        return !cairn_sql_is_blank(text) && cairn_conn_exec(c, text) ? sql_error(cx, path, 0) : 0;
    }
    char **stmts;
    size_t n;
    if (cairn_split_statements(text, &stmts, &n))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    int rc = 0;
    size_t off = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        /* statements are trimmed pieces of the text, in order: find each
         * one to say on which line the failing one starts */
        const char *at = strstr(text + off, stmts[i]);
        if (at)
            off = (size_t)(at - text);
        cairn_err_clear(cx);
        if (!cairn_sql_is_blank(stmts[i]) && cairn_conn_exec(c, stmts[i]))
            rc = sql_error(cx, path, at ? line_of(text, off) : 0);
        if (at)
            off += strlen(stmts[i]);
    }
    cairn_strv_free(stmts, n);
    return rc;
}

static int schema_empty(const cairn_schema *s)
{
    return !s->ntables && !s->nviews && !s->nenums && !s->nsequences && !s->nobjects;
}

int cairn_replay_open(cairn_ctx *cx, const char *why, cairn_replay *r)
{
    memset(r, 0, sizeof *r);
    cairn_session *s;
    int rc = cairn_session_get(cx, &s);
    if (!rc)
        rc = cairn_session_connect_scratch(cx, s, why, &r->c);
    if (rc || cairn_conn_is_scratch(r->c))
        return rc;
    /* Whatever the dev database already holds would be taken for part of
     * the result: refuse rather than guess. */
    cairn_schema *before;
    if (!(rc = cairn_conn_introspect(r->c, &before))) {
        if (!schema_empty(before))
            rc = cairn_err(cx, CAIRN_ECONFIG,
                           "the dev_url database is not empty: %s needs a database cairn can "
                           "fill and empty",
                           why);
        cairn_schema_free(before);
    }
    /* With transactional DDL everything is rolled back on close, leaving
     * the dev database empty for the next run. */
    if (!rc && (cairn_session_dialect(s)->caps & CAIRN_CAP_TRANSACTIONAL_DDL) &&
        !(rc = cairn_conn_begin(r->c)))
        r->in_txn = 1;
    if (rc)
        cairn_replay_close(cx, r);
    return rc;
}

void cairn_replay_close(cairn_ctx *cx, cairn_replay *r)
{
    if (r->in_txn) {
        cairn_saved_err saved = {0};
        cairn_err_save(cx, &saved);
        cairn_conn_rollback(r->c);
        cairn_err_restore(cx, &saved);
    }
    cairn_conn_close(r->c);
    memset(r, 0, sizeof *r);
}

static int load_sql(cairn_ctx *cx, const char *path, cairn_schema **out)
{
    char *text;
    size_t len;
    int rc = cairn_read_file(cx, path, &text, &len);
    if (!rc && (rc = cairn_text_check_nul(cx, CAIRN_ESCHEMA, path, text, len, "a .sql schema")))
        free(text);
    if (rc)
        return rc;
    cairn_buf why;
    cairn_buf_init(&why);
    cairn_buf_printf(&why, "%s: a .sql schema", path);
    cairn_replay r;
    rc = why.oom ? cairn_err(cx, CAIRN_ENOMEM, "out of memory")
                 : cairn_replay_open(cx, cairn_buf_cstr(&why), &r);
    cairn_buf_release(&why);
    cairn_schema *got = NULL;
    if (!rc) {
        rc = cairn_replay_exec(cx, &r, path, text);
        /* what the driver refuses in what the file made: name the file */
        if (!rc && (rc = cairn_conn_introspect(r.c, &got)) == CAIRN_ESCHEMA)
            cairn_err_prefix(cx, rc, "%s", path);
        cairn_replay_close(cx, &r);
    }
    if (!rc) {
        /* what the script creates and the model cannot hold is never
         * created by a migration: say so rather than lose it silently */
        cairn_buf lo;
        cairn_buf_init(&lo);
        if (cairn_ctx_left_out_text(cx, &lo))
            cairn_log(cx, CAIRN_LOG_WARN,
                      "%s: cairn does not model %s: left out, no migration creates it; write "
                      "it by hand (generate --custom; --verbose names it)", path,
                      cairn_buf_cstr(&lo));
        cairn_buf_release(&lo);
    }
    free(text);
    if (rc) {
        cairn_schema_free(got);
        return rc;
    }
    /* what the scratch (or dev) database granted, and who owns its views,
     * is not the file's, and a file says nothing of privileges: not known */
    for (size_t i = 0; i < got->nviews; i++) {
        got->views[i]->grants = NULL;
        got->views[i]->owner = NULL;
    }
    *out = got;
    return 0;
}

int cairn_schemafile_load(cairn_ctx *cx, const char *path, cairn_schema **out)
{
    if (!path || !*path)
        return cairn_err(cx, CAIRN_ECONFIG,
                         "no schema: set \"schema\" in cairn.json or pass --schema");
    int rc;
    if (cairn_is_dir(path))
        rc = load_dir(cx, path, out);
    else if (cairn_has_suffix(path, ".sql"))
        rc = load_sql(cx, path, out);
    else if (cairn_has_suffix(path, ".json"))
        rc = load_json(cx, path, out);
    else
        return cairn_err(cx, CAIRN_ESCHEMA,
                         "%s: a schema is a .json file, a directory of them, or a .sql file",
                         path);
    if (!rc)
        cairn_schema_sort(*out);
    return rc;
}
