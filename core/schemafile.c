/*
 * The desired schema from disk: a .json document, a directory of them
 * (merged), or a declarative .sql file normalised through a scratch database
 * of the dialect (applied, then introspected), so every source comes out as
 * the same model that introspecting a live database gives.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int has_suffix(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls > lx && strcmp(s + ls - lx, suffix) == 0;
}

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
    if (rc == CAIRN_ENOMEM && m->cx->err.code != CAIRN_ENOMEM)
        rc = cairn_err(m->cx, CAIRN_ENOMEM, "out of memory");
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(cairn_ctx *cx, const char *dir, cairn_schema **out)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return cairn_err(cx, CAIRN_EIO, "%s: cannot open the directory", dir);
    char **names = NULL;
    size_t n = 0;
    int rc = 0;
    for (struct dirent *de; (de = readdir(dh)) && !rc;) {
        if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".json"))
            continue;
        char *full = cairn_path_join(dir, de->d_name);
        char **nv = full ? realloc(names, (n + 1) * sizeof *nv) : NULL;
        if (!nv) {
            free(full);
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
            break;
        }
        names = nv;
        if (cairn_is_dir(full))
            free(full); /* "x.json/" is not a schema file */
        else
            names[n++] = full;
    }
    closedir(dh);
    if (!rc && n == 0)
        rc = cairn_err(cx, CAIRN_ESCHEMA, "%s: no .json schema files in the directory", dir);
    if (rc) {
        cairn_strv_free(names, n);
        return rc;
    }
    /* Sorted, so the merged result and the first error never depend on
     * the order the file system lists the files in. */
    qsort(names, n, sizeof *names, cmp_name);
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

/* ---- declarative SQL through a scratch database ----------------------------- */

/* 1-based line of byte offset `off` in `text`. */
static int line_of(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && text[i]; i++)
        line += text[i] == '\n';
    return line;
}

/* Turn the driver's error for the SQL into a schema error naming the file. */
static int sql_error(cairn_ctx *cx, const char *path, int line)
{
    char *msg = strdup(cx->err.message ? cx->err.message : "the SQL failed");
    int rc = cairn_err_at(cx, CAIRN_ESCHEMA, path, line, line ? 1 : 0, "%s",
                          msg ? msg : "the SQL failed");
    free(msg);
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

static int exec_script(cairn_ctx *cx, cairn_conn *c, const char *path, const char *text)
{
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
    return !s->ntables && !s->nviews && !s->nenums && !s->nsequences;
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
    cairn_session *s;
    if ((rc = cairn_session_get(cx, &s))) {
        free(text);
        return rc;
    }
    const cairn_dialect *d = cairn_session_dialect(s);
    cairn_conn *c = NULL;
    cairn_buf why;
    cairn_buf_init(&why);
    cairn_buf_printf(&why, "%s: a .sql schema", path);
    rc = cairn_session_connect_scratch(cx, s, cairn_buf_cstr(&why), &c);
    cairn_buf_release(&why);
    if (rc) {
        free(text);
        return rc;
    }
    int scratch = cairn_conn_is_scratch(c);
    cairn_schema *got = NULL;
    int in_txn = 0;
    if (!scratch) {
        /* Whatever the dev database already holds would be taken for part of
         * the desired schema: refuse rather than guess. */
        cairn_schema *before;
        if (!(rc = cairn_conn_introspect(c, &before))) {
            if (!schema_empty(before))
                rc = cairn_err(cx, CAIRN_ECONFIG,
                               "the dev_url database is not empty: a .sql schema needs a "
                               "database cairn can fill and empty");
            cairn_schema_free(before);
        }
        /* With transactional DDL the schema is rolled back afterwards,
         * leaving the dev database empty for the next run. */
        if (!rc && (d->caps & CAIRN_CAP_TRANSACTIONAL_DDL) && !(rc = cairn_conn_begin(c)))
            in_txn = 1;
    }
    if (!rc)
        rc = exec_script(cx, c, path, text);
    if (!rc)
        rc = cairn_conn_introspect(c, &got);
    if (in_txn) {
        cairn_saved_err saved = {0};
        cairn_err_save(cx, &saved);
        cairn_conn_rollback(c);
        cairn_err_restore(cx, &saved);
    }
    cairn_conn_close(c);
    free(text);
    if (rc) {
        cairn_schema_free(got);
        return rc;
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
    else if (has_suffix(path, ".sql"))
        rc = load_sql(cx, path, out);
    else if (has_suffix(path, ".json"))
        rc = load_json(cx, path, out);
    else
        return cairn_err(cx, CAIRN_ESCHEMA,
                         "%s: a schema is a .json file, a directory of them, or a .sql file",
                         path);
    if (!rc)
        cairn_schema_sort(*out);
    return rc;
}
