/* The commands that work on schemas: load, generate, pull, push, export.
 *
 * Each command checks everything it can before it writes or runs anything,
 * so a failure leaves the migrations folder, the output file and the
 * database as they were. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"

/* `s` lower-cased into the arena (ASCII: what every dialect folds). */
static const char *lower(cairn_arena *a, const char *s)
{
    if (!s)
        return NULL;
    char *l = cairn_arena_strdup(a, s);
    for (char *p = l; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return l;
}

static int has_column_anycase(const cairn_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncolumns; i++)
        if (strcasecmp(t->columns[i]->name, name) == 0)
            return 1;
    return 0;
}

/* One foreign key: its table and columns are there, in any case (whether
 * case matters is the dialect's: SQLite folds every name, MySQL table
 * names per server setting), so only a name that matches no way at all is
 * a mistake. maps[0] holds the tables by name, maps[1] lower-cased. */
static int check_fkey(cairn_ctx *cx, cairn_arena *a, const cairn_strmap *const maps[2],
                      const cairn_table *t, const cairn_fkey *fk, int partial, const char *path)
{
    const char *ns = cairn_fkey_ref_ns(cx, t, fk);
    const char *lns = lower(a, ns), *lname = lower(a, fk->ref_table);
    if ((ns && !lns) || !lname)
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    /* the table of that exact name first ("users" beside "Users") */
    const cairn_table *to = cairn_strmap_get(maps[0], ns, fk->ref_table);
    if (!to)
        to = cairn_strmap_get(maps[1], lns, lname);
    char what[300];
    snprintf(what, sizeof what, "table \"%s%s%s\": foreign key%s%s%s", t->schema ? t->schema : "",
             t->schema ? "." : "", t->name, fk->name ? " \"" : "", fk->name ? fk->name : "",
             fk->name ? "\"" : "");
    /* where it is written: a named key, the column's shorthand, the list */
    char p1[600], p2[600], p3[300];
    snprintf(p1, sizeof p1, "tables[%s]/foreign_keys[%s]/references", t->name,
             fk->name ? fk->name : "");
    snprintf(p2, sizeof p2, "tables[%s]/columns[%s]/references", t->name, fk->columns[0]);
    snprintf(p3, sizeof p3, "tables[%s]/foreign_keys", t->name);
    const char *paths[] = {p1, p2, p3};
    if (!to && !partial)
        return cairn_schemafile_err(cx, path, paths, 3,
                                    "%s references table \"%s%s%s\", which the schema does "
                                    "not define",
                                    what, ns ? ns : "", ns ? "." : "", fk->ref_table);
    for (size_t k = 0; to && k < fk->nref_columns; k++)
        if (!has_column_anycase(to, fk->ref_columns[k]))
            return cairn_schemafile_err(cx, path, paths, 3,
                                        "%s references column \"%s\" of table \"%s\", which "
                                        "has no such column",
                                        what, fk->ref_columns[k], to->name);
    return 0;
}

/* Every foreign key of the schema file reaches a table of the file and its
 * columns, so a typo fails here rather than at deploy. With a "tables" or
 * "namespaces" filter the file may describe only part of the database: a
 * target outside it is then the database's business. One map of the
 * tables, so the check is linear in the schema. */
static int check_references(cairn_ctx *cx, const cairn_schema *schema, const char *path)
{
    int partial = cairn_ctx_get(cx, "tables") || cairn_ctx_get(cx, "namespaces");
    cairn_arena *a = cairn_arena_new();
    cairn_strmap *maps[2] = {a ? cairn_strmap_new(a) : NULL, a ? cairn_strmap_new(a) : NULL};
    int rc = maps[0] && maps[1] ? 0 : CAIRN_ENOMEM;
    for (size_t i = 0; i < schema->ntables && !rc; i++) {
        const cairn_table *t = schema->tables[i];
        const char *lns = lower(a, t->schema), *lname = lower(a, t->name);
        rc = (t->schema && !lns) || !lname ? CAIRN_ENOMEM
                                           : cairn_strmap_put(maps[0], t->schema, t->name, t);
        if (!rc)
            rc = cairn_strmap_put(maps[1], lns, lname, t);
    }
    if (rc)
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; i < schema->ntables && !rc; i++)
        for (size_t j = 0; j < schema->tables[i]->nfkeys && !rc; j++)
            rc = check_fkey(cx, a, (const cairn_strmap *const *)maps, schema->tables[i],
                            schema->tables[i]->fkeys[j], partial, path);
    cairn_arena_free(a);
    return rc;
}

int cairn_schema_load(cairn_ctx *cx, cairn_schema **out)
{
    *out = NULL;
    const char *path = cairn_ctx_get(cx, "schema");
    if (!path || !*path)
        return cairn_err(cx, CAIRN_ECONFIG,
                         "no schema: set \"schema\" in cairn.json or pass --schema");
    /* A schema file in JSON is read without the driver: the driver loads
     * on another thread meanwhile. Its error, if any, is still the one
     * reported, as when it loaded first. */
    cairn_loader_ahead ahead;
    int early = cairn_has_suffix(path, ".json") && !cairn_is_dir(path) &&
                cairn_loader_ahead_start(cx, &ahead) == 0;
    cairn_session *s;
    int rc = early ? 0 : cairn_session_get(cx, &s);
    if (rc)
        return rc;
    cairn_schema *schema = NULL;
    rc = cairn_schemafile_load(cx, path, &schema);
    if (early) {
        cairn_loader_ahead_end(&ahead);
        int rs = cairn_session_get(cx, &s);
        if (rs) {
            if (!rc)
                cairn_schema_free(schema);
            return rs;
        }
    }
    if (rc)
        return rc;
    /* A file written for another database would be compared against the
     * wrong canonical forms: refuse instead of planning nonsense. */
    if (schema->dialect && strcmp(schema->dialect, cairn_session_dialect(s)->name) != 0) {
        rc = cairn_err_at(cx, CAIRN_ESCHEMA, path, 0, 0,
                          "the schema is written for dialect '%s', but the dialect is '%s'",
                          schema->dialect, cairn_session_dialect(s)->name);
        cairn_schema_free(schema);
        return rc;
    }
    rc = cairn_session_check_caps(cx, s, schema, path);
    if (!rc)
        rc = check_references(cx, schema, path);
    if (!rc)
        rc = cairn_session_normalize(cx, s, schema);
    if (rc) {
        cairn_schema_free(schema);
        return rc;
    }
    if (!schema->dialect)
        schema->dialect = cairn_schema_strdup(schema, cairn_session_dialect(s)->name);
    cairn_schema_sort(schema);
    *out = schema;
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static size_t count_destructive(const cairn_plan *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nchanges; i++)
        if (p->changes[i]->flags & CAIRN_CHANGE_DESTRUCTIVE)
            n++;
    return n;
}

static const char *change_warning(const cairn_change *c)
{
    return c->warning ? c->warning : "this change can lose data";
}

/* The SQL that creates `schema` from nothing, as a plain script. */
static int create_script(cairn_ctx *cx, cairn_session *s, const cairn_schema *schema, char **out)
{
    cairn_plan *plan;
    int rc = cairn_diff(cx, NULL, schema, NULL, &plan);
    if (rc)
        return rc;
    cairn_stmts st;
    cairn_stmts_init(&st);
    rc = cairn_session_emit(cx, s, plan, &st);
    if (!rc)
        rc = cairn_migfile_script(
            cx, &st, (cairn_session_dialect(s)->caps & CAIRN_CAP_CLIENT_DELIMITER) != 0, out);
    cairn_stmts_release(&st);
    cairn_plan_free(plan);
    return rc;
}

/* ---- generate ----------------------------------------------------------------- */

/* migration.sql: the header (name, writer, a warning per destructive
 * change, `note` as comment lines), then the plan's statements; a custom
 * migration gets a hint. */
static int migration_text(cairn_ctx *cx, cairn_session *s, const char *name,
                          const cairn_plan *plan, const char *note, char **out)
{
    cairn_buf head;
    cairn_buf_init(&head);
    cairn_buf_printf(&head, "-- %s: written by cairn %s for %s\n", name, cairn_version(),
                     cairn_session_dialect(s)->name);
    for (size_t i = 0; plan && i < plan->nchanges; i++)
        if (plan->changes[i]->flags & CAIRN_CHANGE_DESTRUCTIVE)
            cairn_buf_printf(&head, "-- WARNING: %s\n", change_warning(plan->changes[i]));
    if (note)
        cairn_buf_printf(&head, "-- %s\n", note);
    if (!plan)
        cairn_buf_puts(&head, "-- Custom migration: write its SQL here; separate statements "
                              "with a line \"" CAIRN_BREAKPOINT "\".\n");
    cairn_stmts st;
    cairn_stmts_init(&st);
    int rc = head.oom ? cairn_err(cx, CAIRN_ENOMEM, "out of memory") : 0;
    if (!rc && plan)
        rc = cairn_session_emit(cx, s, plan, &st);
    if (!rc)
        rc = cairn_migfile_build(cx, &st, cairn_buf_cstr(&head), out);
    cairn_stmts_release(&st);
    cairn_buf_release(&head);
    return rc;
}

static void log_written(cairn_ctx *cx, const char *dir, const cairn_plan *plan)
{
    for (size_t i = 0; plan && i < plan->nchanges; i++)
        if (plan->changes[i]->flags & CAIRN_CHANGE_DESTRUCTIVE)
            cairn_log(cx, CAIRN_LOG_WARN, "%s", change_warning(plan->changes[i]));
    if (plan)
        cairn_log(cx, CAIRN_LOG_INFO, "wrote %s/migration.sql (%zu change%s)", dir,
                  plan->nchanges, plan->nchanges == 1 ? "" : "s");
    else
        cairn_log(cx, CAIRN_LOG_INFO, "wrote %s/migration.sql: write its SQL there", dir);
}

/* Where the next migration starts: the folder's heads and the state after
 * them (merged when there are several). */
typedef struct start {
    cairn_graph g;
    cairn_snapshot prev;
    size_t *heads, nheads;
    char *joins; /* "A and B" when there are several heads */
} start;

static void start_release(start *st)
{
    cairn_snapshot_release(&st->prev);
    free(st->heads);
    free(st->joins);
    cairn_graph_free(&st->g);
}

static int start_read(cairn_ctx *cx, const char *outdir, start *st)
{
    memset(st, 0, sizeof *st);
    int rc = cairn_graph_load(cx, outdir, &st->g);
    if (!rc)
        rc = cairn_graph_state(cx, &st->g, NULL, &st->prev, &st->heads, &st->nheads, NULL);
    if (!rc && st->nheads > 1) {
        cairn_buf b;
        cairn_buf_init(&b);
        for (size_t i = 0; i < st->nheads; i++)
            cairn_buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == st->nheads ? " and " : ", ",
                             st->g.list[st->heads[i]].name);
        if (b.oom || !(st->joins = strdup(cairn_buf_cstr(&b))))
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        cairn_buf_release(&b);
        if (!rc)
            cairn_log(cx, CAIRN_LOG_INFO, "the folder has %zu branches (%s): starting from "
                      "their merge", st->nheads, st->joins);
    }
    return rc;
}

/* ---- down.sql ------------------------------------------------------------------ */

/* Forget a schema's rename hints: the reverse diff renames only what the up
 * plan renamed (the parent's own hints name states older than it). */
static int has_hints(const cairn_table *t)
{
    int any = t->was != NULL;
    for (size_t j = 0; j < t->ncolumns && !any; j++)
        any = t->columns[j]->was != NULL;
    for (size_t j = 0; j < t->nindexes && !any; j++)
        any = t->indexes[j]->was != NULL;
    return any;
}

static void drop_hints(cairn_table *t)
{
    t->was = NULL;
    for (size_t j = 0; j < t->ncolumns; j++)
        t->columns[j]->was = NULL;
    for (size_t j = 0; j < t->nindexes; j++)
        t->indexes[j]->was = NULL;
}

/* The rename hints of the old schema are not renames of the way back. A
 * table the snapshot borrowed from the new schema (snapreuse.c) keeps its
 * hints there: it is replaced by a copy without them. The others lose
 * theirs where they are (with --no-drop the plan may keep them, and the
 * next snapshot then writes them without hints, as it always has). */
static int clear_hints(cairn_ctx *cx, cairn_schema *s)
{
    int copied = 0;
    size_t len;
    for (size_t i = 0; i < s->ntables; i++) {
        cairn_table *t = s->tables[i];
        if (!has_hints(t))
            continue;
        if (cairn_readahead_table_text(cx, t, &len)) {
            /* (the copy is appended to the tables too: taken off again) */
            size_t n = s->ntables;
            t = cairn_schema_copy_table(s, t);
            s->ntables = n;
            if (!t)
                return CAIRN_ENOMEM;
            s->tables[i] = t;
            copied = 1;
        }
        drop_hints(t);
    }
    for (size_t i = 0; i < s->nviews; i++)
        s->views[i]->was = NULL;
    return copied ? cairn_schema_index_tables(s) : 0;
}

/* The renames of the up plan turned around ("new"="old", and
 * "table"."new"="table"."old" with the table's old name), as --rename
 * options for the reverse diff. */
static int reverse_renames(cairn_ctx *cx, const cairn_plan *up, char ***out, size_t *n)
{
    *n = 0;
    if (!(*out = calloc(up->nchanges + 1, sizeof **out)))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; i < up->nchanges; i++) {
        const cairn_change *c = up->changes[i];
        if (c->kind != CAIRN_CHANGE_RENAME_TABLE && c->kind != CAIRN_CHANGE_RENAME_COLUMN)
            continue;
        int column = c->kind == CAIRN_CHANGE_RENAME_COLUMN;
        const char *table = column ? c->table_from->name : NULL;
        const char *was = column ? c->to.column->name : c->to.table->name;
        const char *back = column ? c->from.column->name : c->from.table->name;
        cairn_buf b;
        cairn_buf_init(&b);
        for (int side = 0; side < 2; side++) {
            if (side)
                cairn_buf_puts(&b, "=");
            if (table) {
                cairn_buf_quote(&b, table, '"');
                cairn_buf_puts(&b, ".");
            }
            cairn_buf_quote(&b, side ? back : was, '"');
        }
        if (b.oom || !((*out)[(*n)++] = cairn_buf_steal(&b))) {
            cairn_buf_release(&b);
            return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        }
    }
    return 0;
}

/* down.sql's header: what it undoes, and what data it cannot bring back. */
static void down_header(cairn_buf *b, cairn_session *s, const char *name, const start *from,
                        const cairn_plan *up, const cairn_plan *down)
{
    cairn_buf_printf(b, "-- %s down: written by cairn %s for %s\n", name, cairn_version(),
                     cairn_session_dialect(s)->name);
    if (from->nheads > 1)
        cairn_buf_printf(b, "-- 'cairn rollback' runs it: it takes the schema back to the "
                            "merge of %s.\n",
                         from->joins);
    else if (from->nheads)
        cairn_buf_printf(b, "-- 'cairn rollback' runs it: it takes the schema back to %s.\n",
                         from->g.list[from->heads[0]].name);
    else
        cairn_buf_puts(b, "-- 'cairn rollback' runs it: it takes the schema back to before "
                          "the first migration.\n");
    for (size_t i = 0; i < down->nchanges; i++)
        if (down->changes[i]->flags & CAIRN_CHANGE_DESTRUCTIVE)
            cairn_buf_printf(b, "-- WARNING: %s\n", change_warning(down->changes[i]));
    for (size_t i = 0; i < up->nchanges; i++) {
        const cairn_change *c = up->changes[i];
        if (c->flags & CAIRN_CHANGE_DESTRUCTIVE)
            cairn_buf_printf(b, "-- NOT RESTORED: the migration %s; this script cannot bring "
                                "that data back (what it dropped comes back empty)\n",
                             change_warning(c));
        /* empty is not a value such a column can hold */
        if (c->kind == CAIRN_CHANGE_DROP_COLUMN && c->from.column->not_null &&
            !c->from.column->default_expr && !c->from.column->generated)
            cairn_buf_printf(b, "-- NOTE: column \"%s\".\"%s\" is NOT NULL without a default: "
                                "on a table with rows give it one here before rolling back\n",
                             c->table_from->name, c->from.column->name);
    }
}

/* down.sql of a migration: the diff from its new snapshot back to where
 * it started (its parent, or the merge of the branches it joins), renames
 * turned around. `*out` stays NULL when it cannot be derived (the reason
 * is a warning); only running out of memory fails. */
static int down_text(cairn_ctx *cx, cairn_session *s, const char *name, const start *from,
                     const cairn_schema *desired, const cairn_plan *up, char **out)
{
    *out = NULL;
    const cairn_snapshot *prev = &from->prev;
    char **renames = NULL;
    size_t nrenames = 0;
    cairn_plan *down = NULL;
    cairn_stmts st;
    cairn_stmts_init(&st);
    cairn_buf head;
    cairn_buf_init(&head);
    int rc = reverse_renames(cx, up, &renames, &nrenames);
    /* (a merge's snapshot is the start itself: its hints are written) */
    if (!rc) {
        if (desired != prev->schema && clear_hints(cx, prev->schema))
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        cairn_diff_opts o = {.renames = (const char *const *)renames, .nrenames = nrenames};
        if (!rc)
            rc = cairn_diff(cx, desired, prev->schema, &o, &down);
    }
    if (!rc)
        rc = cairn_session_emit(cx, s, down, &st);
    if (!rc) {
        down_header(&head, s, name, from, up, down);
        rc = head.oom ? cairn_err(cx, CAIRN_ENOMEM, "out of memory")
                      : cairn_migfile_build(cx, &st, cairn_buf_cstr(&head), out);
    }
    if (rc && rc != CAIRN_ENOMEM) {
        cairn_log(cx, CAIRN_LOG_WARN, "no down.sql for %s: %s", name,
                  cx->err.message ? cx->err.message : "it cannot be derived");
        cairn_err_clear(cx);
        rc = 0;
    }
    cairn_buf_release(&head);
    cairn_stmts_release(&st);
    cairn_plan_free(down);
    cairn_strv_free(renames, nrenames);
    return rc;
}

/* --no-drop: one line (and event) per drop the plan left out, every run,
 * so a second run that has nothing else to do still says what it keeps. */
static void say_skipped(cairn_ctx *cx, const cairn_plan *p)
{
    char what[700];
    for (size_t i = 0; i < p->nskipped; i++) {
        cairn_change_label(p->skipped[i], what, sizeof what);
        cairn_log(cx, CAIRN_LOG_INFO, "skipped (--no-drop): %s", what);
    }
    cairn_event_skipped(cx, p);
}

/* The caller's diff options, with the drops left out when cairn.json says
 * "no_drop": true (a flag can only add --no-drop, never take it away). */
static cairn_diff_opts diff_opts(const cairn_ctx *cx, const cairn_diff_opts *o)
{
    cairn_diff_opts d = *o;
    const char *v = cairn_ctx_get(cx, "no_drop");
    if (v && !strcmp(v, "true"))
        d.keep_drops = 1;
    return d;
}

static int write_migration(cairn_ctx *cx, cairn_session *s, const char *outdir,
                           const start *st, cairn_schema *desired, const cairn_plan *plan,
                           const char *slug, char **dir_out)
{
    char *name;
    int rc = cairn_folder_new_name(cx, outdir, slug, (int64_t)time(NULL), &name);
    if (rc)
        return rc;
    char *sql = NULL, *down = NULL;
    char down_sum[65];
    cairn_buf json;
    cairn_buf_init(&json);
    cairn_buf note;
    cairn_buf_init(&note);
    if (st->joins)
        cairn_buf_printf(&note, "Joins the branches %s.", st->joins);
    rc = note.oom ? cairn_err(cx, CAIRN_ENOMEM, "out of memory")
                  : migration_text(cx, s, name, plan, st->joins ? cairn_buf_cstr(&note) : NULL,
                                   &sql);
    cairn_buf_release(&note);
    /* a custom migration's down.sql is the user's to write */
    if (!rc && plan)
        rc = down_text(cx, s, name, st, desired, plan, &down);
    if (!rc && down)
        cairn_sha256_hex(down, strlen(down), down_sum);
    /* the parent is the newest head; a merge names the others too */
    char **merges = st->nheads > 1 ? calloc(st->nheads - 1, sizeof *merges) : NULL;
    if (!rc && st->nheads > 1 && !merges)
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; merges && i + 1 < st->nheads; i++)
        merges[i] = st->g.list[st->heads[i]].name;
    if (!rc) {
        cairn_snapshot snap = {
            .id = name,
            .parent = st->nheads ? st->g.list[st->heads[st->nheads - 1]].name : NULL,
            .merges = merges,
            .nmerges = st->nheads > 1 ? st->nheads - 1 : 0,
            .dialect = (char *)cairn_session_dialect(s)->name,
            .down_checksum = down ? down_sum : NULL,
            .schema = desired};
        rc = cairn_json_write_snapshot(cx, &snap, &json);
    }
    free(merges);
    if (!rc && json.oom)
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    if (!rc)
        rc = cairn_folder_write(cx, outdir, name, sql, down, cairn_buf_cstr(&json));
    char *dir = rc ? NULL : cairn_path_join(outdir, name);
    if (!rc && !dir)
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    if (!rc) {
        log_written(cx, dir, plan);
        if (down)
            cairn_log(cx, CAIRN_LOG_INFO, "wrote %s/down.sql (for cairn rollback)", dir);
        if (plan)
            cairn_lint_log_plan(cx, s, name, plan);
        cairn_event e = {.kind = CAIRN_EVENT_MIGRATION, .migration = name, .action = "written",
                         .path = dir};
        cairn_event_emit(cx, &e);
        if (dir_out)
            *dir_out = dir;
        else
            free(dir);
    }
    cairn_buf_release(&json);
    free(sql);
    free(down);
    free(name);
    return rc;
}

/* Log each statement of a plan as it would run (a dry run's output). */
static int log_statements(cairn_ctx *cx, cairn_session *s, const cairn_plan *plan, size_t *n)
{
    cairn_stmts st;
    cairn_stmts_init(&st);
    int rc = cairn_session_emit(cx, s, plan, &st);
    for (size_t i = 0; !rc && i < st.n; i++)
        cairn_log(cx, CAIRN_LOG_INFO, "%s;", st.sql[i]);
    if (!rc)
        cairn_event_sql(cx, NULL, st.sql, st.n);
    *n = st.n;
    cairn_stmts_release(&st);
    return rc;
}

/* generate --check: the SQL the migration would hold, and EPENDING. */
static int check_failed(cairn_ctx *cx, cairn_session *s, const cairn_plan *plan)
{
    size_t n;
    int rc = log_statements(cx, s, plan, &n);
    if (rc)
        return rc;
    return cairn_err(cx, CAIRN_EPENDING,
                     "the schema has %zu change%s since the newest migration: run 'cairn "
                     "generate'",
                     plan->nchanges, plan->nchanges == 1 ? "" : "s");
}

/* The session, got before cairn_schema_load as every command had it,
 * unless a schema file is named: cairn_schema_load then gets it itself,
 * with the driver loaded beside the read of the file (and the driver's
 * error, if any, still the one reported). */
static int session_unless_schema(cairn_ctx *cx, cairn_session **s)
{
    const char *path = cairn_ctx_get(cx, "schema");
    *s = NULL;
    return path && *path ? 0 : cairn_session_get(cx, s);
}

/* generate, or (merge_only) a migration that only joins the branches. */
static int generate(cairn_ctx *cx, const cairn_generate_opts *opts, int merge_only,
                    char **dir_out)
{
    if (dir_out)
        *dir_out = NULL;
    cairn_session *s = NULL;
    int rc = merge_only ? cairn_session_get(cx, &s) : session_unless_schema(cx, &s);
    if (rc)
        return rc;
    const char *outdir = cairn_ctx_get(cx, "out");
    cairn_schema *desired = NULL;
    if (!merge_only) {
        /* the newest snapshot is parsed on a second thread meanwhile */
        cairn_readahead_start(cx, outdir);
        rc = cairn_schema_load(cx, &desired);
        if (!rc)
            rc = cairn_session_get(cx, &s); /* loaded by now */
    }
    if (rc) {
        cairn_readahead_stop(cx);
        return rc;
    }
    cairn_readahead_desired(cx, desired);
    int check = cairn_ctx_checking(cx);
    start st;
    memset(&st, 0, sizeof st);
    /* From reading the newest snapshot to writing the next one, no other
     * generate may write into the folder (a check writes nothing). */
    int lock_fd = -1;
    /* a missing folder is made; one of another tool is not added to */
    if (cairn_is_dir(outdir))
        rc = cairn_folder_check_readable(cx, outdir);
    if (!rc && !check)
        rc = cairn_folder_lock(cx, outdir, &lock_fd);
    if (rc) {
        cairn_readahead_stop(cx);
        cairn_schema_free(desired);
        return rc;
    }
    rc = start_read(cx, outdir, &st);
    const cairn_snapshot *prev = &st.prev;
    if (!rc && prev->dialect && strcmp(prev->dialect, cairn_session_dialect(s)->name) != 0)
        rc = cairn_err(cx, CAIRN_ECONFIG,
                       "%s: the migrations were written for dialect '%s', not '%s'", outdir,
                       prev->dialect, cairn_session_dialect(s)->name);
    if (!rc && merge_only && st.nheads < 2)
        rc = cairn_err_at(cx, CAIRN_EUSAGE, outdir, 0, 0,
                          "nothing to merge: the migrations form one branch%s%s",
                          st.nheads ? " ending at " : "",
                          st.nheads ? st.g.list[st.heads[0]].name : "");
    cairn_plan *plan = NULL;
    cairn_diff_opts dopts = diff_opts(cx, &opts->diff);
    if (!rc)
        rc = cairn_diff(cx, prev->schema, merge_only ? prev->schema : desired, &dopts, &plan);
    if (!rc)
        rc = cairn_session_mark_losses(cx, s, plan);
    if (!rc) {
        say_skipped(cx, plan);
        cairn_event_plan(cx, plan);
    }
    if (!rc && opts->custom && plan->nchanges)
        /* The snapshot will claim these changes: the hand-written SQL must
         * make them, or the next generate will not. */
        cairn_log(cx, CAIRN_LOG_WARN,
                  "the schema has %zu change%s since the latest migration: this custom "
                  "migration's snapshot includes them, so its SQL must make them (or run "
                  "generate without --custom first)",
                  plan->nchanges, plan->nchanges == 1 ? "" : "s");
    if (!rc) {
        if (merge_only)
            rc = write_migration(cx, s, outdir, &st, prev->schema, plan,
                                 opts->name ? opts->name : "merge", dir_out);
        else if (!opts->custom && plan->nchanges == 0) {
            cairn_log(cx, CAIRN_LOG_INFO, "no changes: the schema matches the latest migration");
            if (st.nheads > 1)
                cairn_log(cx, CAIRN_LOG_WARN,
                          "the branches %s are not joined: run 'cairn merge' to close them",
                          st.joins);
        } else if (check)
            rc = check_failed(cx, s, plan);
        else
            /* with --no-drop the snapshot keeps what the plan kept */
            rc = write_migration(cx, s, outdir, &st, (cairn_schema *)plan->to,
                                 opts->custom ? NULL : plan, opts->name, dir_out);
    }
    cairn_folder_unlock(lock_fd);
    /* (kept until here: the new snapshot copies tables from its text) */
    cairn_readahead_stop(cx);
    cairn_plan_free(plan);
    start_release(&st);
    cairn_schema_free(desired);
    return rc;
}

int cairn_generate(cairn_ctx *cx, const cairn_generate_opts *opts, char **dir_out)
{
    static const cairn_generate_opts defaults = {0};
    return generate(cx, opts ? opts : &defaults, 0, dir_out);
}

int cairn_merge(cairn_ctx *cx, const char *name, char **dir_out)
{
    cairn_generate_opts opts = {.name = name};
    return generate(cx, &opts, 1, dir_out);
}

/* ---- pull ------------------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Connect to the configured database: the session, then the connection. */
static int connect_db(cairn_ctx *cx, cairn_session **s, cairn_conn **c)
{
    int rc = cairn_session_get(cx, s);
    if (!rc)
        rc = cairn_session_connect(cx, *s, c);
    return rc;
}

int cairn_introspect(cairn_ctx *cx, cairn_schema **out)
{
    *out = NULL;
    cairn_session *s;
    cairn_conn *c = NULL;
    int rc = connect_db(cx, &s, &c);
    if (rc)
        return rc;
    rc = cairn_conn_introspect(c, out);
    cairn_conn_close(c);
    return rc;
}

/* One line on what the introspection left out, per kind and count. */
static void say_left_out(cairn_ctx *cx)
{
    cairn_buf b;
    cairn_buf_init(&b);
    if (cairn_ctx_left_out_text(cx, &b))
        cairn_log(cx, CAIRN_LOG_WARN,
                  "pull left out what cairn does not model: %s (--verbose names them)",
                  cairn_buf_cstr(&b));
    cairn_buf_release(&b);
}

int cairn_pull(cairn_ctx *cx, const char *output, int force)
{
    /* Refuse before connecting: an existing file is never touched. */
    if (output && !force && cairn_file_exists(output))
        return cairn_err(cx, CAIRN_EUSAGE, "%s exists: use --force to overwrite", output);
    if (output && cairn_is_dir(output))
        return cairn_err(cx, CAIRN_EUSAGE, "%s is a directory", output);
    cairn_session *s;
    int rc = cairn_session_get(cx, &s);
    cairn_schema *live = NULL;
    cairn_conn *c = NULL;
    if (!rc)
        rc = cairn_session_connect(cx, s, &c);
    if (!rc)
        rc = cairn_conn_introspect_for_pull(c, &live);
    cairn_conn_close(c);
    if (rc)
        return rc;
    say_left_out(cx);
    char *text = NULL;
    if (output && ends_with(output, ".sql")) {
        rc = create_script(cx, s, live, &text);
    } else {
        cairn_buf b;
        cairn_buf_init(&b);
        rc = cairn_json_write_schema(cx, live, &b);
        if (!rc && b.oom)
            rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        if (!rc)
            text = cairn_buf_steal(&b);
        cairn_buf_release(&b);
    }
    if (!rc) {
        if (output) {
            rc = cairn_write_file_atomic(cx, output, text, strlen(text));
            if (!rc) {
                cairn_log(cx, CAIRN_LOG_INFO, "wrote %s (%zu table%s, %zu view%s)", output,
                          live->ntables, live->ntables == 1 ? "" : "s", live->nviews,
                          live->nviews == 1 ? "" : "s");
                cairn_event e = {.kind = CAIRN_EVENT_FILE, .path = output,
                                 .tables = live->ntables, .views = live->nviews};
                cairn_event_emit(cx, &e);
            }
        } else if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
            rc = cairn_err(cx, CAIRN_EIO, "cannot write to standard output");
        }
    }
    free(text);
    cairn_schema_free(live);
    return rc;
}

/* ---- push ------------------------------------------------------------------- */

/* Run the plan's statements through the executor. Where DDL is not
 * transactional a failure leaves the statements before it applied: say
 * exactly which, and make it CAIRN_EPARTIAL (exit 10) like migrate, since
 * the database is neither as it was nor as desired. */
static int run_statements(cairn_ctx *cx, cairn_session *s, cairn_conn *c, cairn_stmts *st)
{
    cairn_exec_unit u = {.dialect = cairn_session_dialect(s), .name = "push", .stmts = st->sql,
                         .flags = st->flags, .n = st->n};
    int rc = cairn_exec_run(c, cx, &u);
    /* statement committed + 1 failed; those after it did not run */
    char ran[96], rest[96] = "";
    if (u.committed == 1)
        snprintf(ran, sizeof ran, "statement 1 of %zu ran and is", st->n);
    else
        snprintf(ran, sizeof ran, "statements 1 to %zu of %zu ran and are", u.committed, st->n);
    if (u.committed + 2 == st->n)
        snprintf(rest, sizeof rest, ", statement %zu did not run", st->n);
    else if (u.committed + 2 < st->n)
        snprintf(rest, sizeof rest, ", statements %zu to %zu did not run", u.committed + 2, st->n);
    if (rc && u.committed > 0)
        rc = cairn_err_prefix(cx, CAIRN_EPARTIAL,
                              "push stopped part-way: %s not undone (no transaction holds DDL on "
                              "dialect %s)%s; fix the cause and push again to finish from the "
                              "database as it is now",
                              ran, cairn_session_dialect(s)->name, rest);
    return rc;
}

int cairn_push(cairn_ctx *cx, const cairn_push_opts *opts)
{
    static const cairn_push_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    cairn_session *s;
    cairn_conn *c = NULL;
    /* a check is a dry run that says whether there was anything to do */
    int check = cairn_ctx_checking(cx), dry_run = opts->dry_run || check;
    /* The desired schema first: a bad file must not even reach the database. */
    int rc = cairn_session_get(cx, &s);
    if (rc)
        return rc;
    cairn_schema *desired;
    rc = cairn_schema_load(cx, &desired);
    if (rc)
        return rc;
    rc = cairn_session_connect(cx, s, &c);
    if (rc) {
        cairn_schema_free(desired);
        return rc;
    }
    cairn_history_opts h;
    cairn_session_history_opts(cx, &h);
    /* A dry run only reads: no lock (on SQLite, no lock file either). */
    rc = dry_run ? 0 : cairn_conn_lock(c, &h);
    if (rc) {
        cairn_conn_close(c);
        cairn_schema_free(desired);
        return rc;
    }
    cairn_schema *live = NULL;
    cairn_plan *plan = NULL;
    cairn_stmts st;
    cairn_stmts_init(&st);
    rc = cairn_conn_introspect(c, &live);
    if (!rc)
        rc = cairn_conn_normalize_schema(c, desired);
    cairn_diff_opts dopts = diff_opts(cx, &opts->diff);
    if (!rc)
        rc = cairn_diff(cx, live, desired, &dopts, &plan);
    if (!rc) {
        cairn_plan_own(plan, live);
        live = NULL;
    }
    if (!rc)
        rc = cairn_session_mark_losses(cx, s, plan);
    if (!rc)
        say_skipped(cx, plan);
    if (!rc && plan->nchanges == 0) {
        cairn_log(cx, CAIRN_LOG_INFO, "database is up to date");
        goto done;
    }
    if (!rc)
        rc = cairn_session_emit(cx, s, plan, &st);
    if (!rc) {
        size_t nd = count_destructive(plan);
        cairn_event_plan(cx, plan);
        cairn_event_sql(cx, NULL, st.sql, st.n);
        for (size_t i = 0; i < plan->nchanges; i++)
            if (plan->changes[i]->flags & CAIRN_CHANGE_DESTRUCTIVE)
                cairn_log(cx, CAIRN_LOG_WARN, "%s", change_warning(plan->changes[i]));
        if (nd && !opts->force && !dry_run) {
            rc = cairn_err(cx, CAIRN_EDESTRUCTIVE,
                           "%zu destructive change%s refused, nothing applied: review them and "
                           "use --force to apply",
                           nd, nd == 1 ? "" : "s");
            goto done;
        }
    }
    if (!rc && dry_run) {
        for (size_t i = 0; i < st.n; i++)
            cairn_log(cx, CAIRN_LOG_INFO, "%s;", st.sql[i]);
        cairn_log(cx, CAIRN_LOG_INFO, "dry run: %zu statement%s not applied", st.n,
                  st.n == 1 ? "" : "s");
        if (check)
            rc = cairn_err(cx, CAIRN_EPENDING,
                           "the database differs from the schema: %zu change%s to push",
                           plan->nchanges, plan->nchanges == 1 ? "" : "s");
        goto done;
    }
    if (!rc) {
        rc = run_statements(cx, s, c, &st);
        if (!rc)
            cairn_log(cx, CAIRN_LOG_INFO, "pushed %zu change%s (%zu statement%s)",
                      plan->nchanges, plan->nchanges == 1 ? "" : "s", st.n,
                      st.n == 1 ? "" : "s");
    }
done:
    cairn_stmts_release(&st);
    cairn_plan_free(plan);
    cairn_schema_free(live);
    cairn_schema_free(desired);
    {
        /* unlock must not replace the error that stopped the run */
        cairn_saved_err saved = {0};
        if (rc)
            cairn_err_save(cx, &saved);
        int urc = dry_run ? 0 : cairn_conn_unlock(c, &h);
        if (rc)
            cairn_err_restore(cx, &saved);
        else
            rc = urc;
    }
    cairn_conn_close(c);
    return rc;
}

/* ---- export ----------------------------------------------------------------- */

int cairn_export(cairn_ctx *cx, char **sql_out)
{
    *sql_out = NULL;
    cairn_session *s;
    int rc = session_unless_schema(cx, &s);
    if (rc)
        return rc;
    cairn_schema *desired;
    rc = cairn_schema_load(cx, &desired);
    if (rc)
        return rc;
    rc = cairn_session_get(cx, &s); /* loaded by now */
    if (!rc)
        rc = create_script(cx, s, desired, sql_out);
    cairn_schema_free(desired);
    return rc;
}

/* ---- squash ------------------------------------------------------------------ */

/* The migrations up to `to` (index) form one line, and nothing later
 * starts from inside it: otherwise EUSAGE naming what is in the way. */
static int squash_check_line(cairn_ctx *cx, const cairn_graph *g, size_t to)
{
    for (size_t i = 0; i < g->n; i++) {
        const cairn_gnode *nd = &g->node[i];
        const char *name = g->list[i].name;
        if (!nd->ok)
            return cairn_err_at(cx, CAIRN_EINTEGRITY, g->list[i].dir, 0, 0,
                                "its snapshot.json cannot be read: run 'cairn check'");
        if (nd->bad_link)
            return cairn_err(cx, CAIRN_EINTEGRITY, "%s names parent %s, which is not an older "
                             "migration of the folder: run 'cairn check'", name, nd->bad_link);
        if (i <= to && (i ? nd->nlinks != 1 || nd->parents[0] != i - 1 : nd->nlinks != 0))
            return cairn_err(cx, CAIRN_EUSAGE,
                             "the migrations up to %s are not one line (%s %s): squash only "
                             "up to a point before the branches, or 'cairn merge' first",
                             g->list[to].name, name,
                             nd->nlinks > 1 ? "joins branches" : "starts a branch");
        for (size_t k = 0; i > to && k < nd->nparents; k++)
            if (nd->parents[k] < to)
                return cairn_err(cx, CAIRN_EUSAGE,
                                 "%s starts from %s, before %s: the migrations up to %s are "
                                 "not one line", name, g->list[nd->parents[k]].name,
                                 g->list[to].name, g->list[to].name);
    }
    return 0;
}

/* Every name the migrations up to `to` stand for: each one's own
 * "replaces" (an earlier squash), then its name. */
static int squash_names(cairn_ctx *cx, const cairn_graph *g, size_t to, char ***out, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i <= to; i++)
        cap += 1 + g->node[i].nreplaces;
    *n = 0;
    if (!(*out = calloc(cap, sizeof **out)))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; i <= to; i++) {
        for (size_t k = 0; k < g->node[i].nreplaces; k++)
            (*out)[(*n)++] = g->node[i].replaces[k];
        (*out)[(*n)++] = g->list[i].name;
    }
    return 0;
}

/* Point a later migration that starts from `from` at `to` instead. */
static int squash_relink(cairn_ctx *cx, const cairn_migration *m, const char *from,
                         const char *to)
{
    cairn_snapshot snap;
    int rc = cairn_folder_read_snapshot(cx, m->dir, &snap);
    if (rc)
        return rc;
    char *was = snap.parent;
    if (snap.parent && strcmp(snap.parent, from) == 0)
        snap.parent = (char *)to;
    for (size_t i = 0; i < snap.nmerges; i++)
        if (strcmp(snap.merges[i], from) == 0) {
            free(snap.merges[i]);
            if (!(snap.merges[i] = strdup(to)))
                rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
        }
    cairn_buf json;
    cairn_buf_init(&json);
    if (!rc)
        rc = cairn_json_write_snapshot(cx, &snap, &json);
    if (!rc && json.oom)
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    char *file = rc ? NULL : cairn_path_join(m->dir, "snapshot.json");
    if (!rc && !file)
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    if (!rc)
        rc = cairn_write_file_atomic(cx, file, cairn_buf_cstr(&json), json.len);
    free(file);
    cairn_buf_release(&json);
    snap.parent = was;
    cairn_snapshot_release(&snap);
    return rc;
}

/* The squash migration's files: its SQL creates `to`'s schema from nothing. */
static int squash_write(cairn_ctx *cx, cairn_session *s, const char *outdir, const char *name,
                        const cairn_snapshot *last, char **names, size_t nnames)
{
    cairn_plan *plan = NULL;
    char *sql = NULL;
    cairn_buf note, json;
    cairn_buf_init(&note);
    cairn_buf_init(&json);
    cairn_buf_printf(&note, "Squashes %zu migration%s: %s%s%s. A database that applied them "
                     "all records this one without running it.", nnames, nnames == 1 ? "" : "s",
                     nnames > 1 ? names[0] : "", nnames > 1 ? " ... " : "", names[nnames - 1]);
    int rc = note.oom ? cairn_err(cx, CAIRN_ENOMEM, "out of memory")
                      : cairn_diff(cx, NULL, last->schema, NULL, &plan);
    if (!rc)
        rc = migration_text(cx, s, name, plan, cairn_buf_cstr(&note), &sql);
    if (!rc) {
        cairn_snapshot snap = {.id = (char *)name, .replaces = names, .nreplaces = nnames,
                               .dialect = (char *)cairn_session_dialect(s)->name,
                               .schema = last->schema};
        rc = cairn_json_write_snapshot(cx, &snap, &json);
    }
    if (!rc && json.oom)
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    if (!rc)
        rc = cairn_folder_write(cx, outdir, name, sql, NULL, cairn_buf_cstr(&json));
    cairn_plan_free(plan);
    free(sql);
    cairn_buf_release(&note);
    cairn_buf_release(&json);
    return rc;
}

static int squash_name(cairn_ctx *cx, const cairn_graph *g, size_t to, const char *slug,
                       char **out)
{
    char folded[CAIRN_SLUG_MAX + 1];
    if (!cairn_folder_slug(slug ? slug : "squashed", folded))
        return cairn_err(cx, CAIRN_EUSAGE, "--name '%s' has no letter or digit to name the "
                         "migration by", slug);
    char name[16 + CAIRN_SLUG_MAX];
    snprintf(name, sizeof name, "%.14s_%s", g->list[to].name, folded);
    if (strcmp(name, g->list[to].name) == 0)
        return cairn_err(cx, CAIRN_EUSAGE, "the squash migration would be named %s, like the "
                         "migration it ends with: pass --name with another name", name);
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(name, g->list[i].name) == 0)
            return cairn_err(cx, CAIRN_EUSAGE, "a migration %s exists already: pass --name with "
                             "another name", name);
    if (to + 1 < g->n && strcmp(name, g->list[to + 1].name) > 0)
        return cairn_err(cx, CAIRN_EUSAGE, "the squash migration %s would sort after %s, which "
                         "follows it: pass --name with another name", name,
                         g->list[to + 1].name);
    if (!(*out = strdup(name)))
        return cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    return 0;
}

int cairn_squash(cairn_ctx *cx, const char *to, const char *slug, char **dir_out)
{
    if (dir_out)
        *dir_out = NULL;
    if (!to || !*to)
        return cairn_err(cx, CAIRN_EUSAGE, "squash needs --to NAME: the last migration to fold");
    cairn_session *s;
    int rc = cairn_session_get(cx, &s);
    if (rc)
        return rc;
    const char *outdir = cairn_ctx_get(cx, "out");
    int lock_fd = -1;
    rc = cairn_folder_check_readable(cx, outdir);
    if (!rc)
        rc = cairn_folder_lock(cx, outdir, &lock_fd);
    if (rc)
        return rc;
    cairn_graph g;
    memset(&g, 0, sizeof g);
    cairn_snapshot last;
    memset(&last, 0, sizeof last);
    char *name = NULL, **names = NULL, *dir = NULL;
    size_t nnames = 0, at = 0;
    rc = cairn_graph_load(cx, outdir, &g);
    while (!rc && at < g.n && strcmp(g.list[at].name, to) != 0)
        at++;
    if (!rc && at == g.n)
        rc = cairn_err_at(cx, CAIRN_EUSAGE, outdir, 0, 0, "no migration %s to squash up to", to);
    if (!rc)
        rc = squash_check_line(cx, &g, at);
    for (size_t i = 0; !rc && i <= at; i++)
        rc = cairn_folder_only_cairn(cx, &g.list[i], "squashing");
    if (!rc)
        rc = squash_name(cx, &g, at, slug, &name);
    if (!rc)
        rc = cairn_folder_read_snapshot(cx, g.list[at].dir, &last);
    if (!rc && last.dialect && strcmp(last.dialect, cairn_session_dialect(s)->name) != 0)
        rc = cairn_err(cx, CAIRN_ECONFIG,
                       "%s: the migrations were written for dialect '%s', not '%s'", outdir,
                       last.dialect, cairn_session_dialect(s)->name);
    if (!rc)
        rc = squash_names(cx, &g, at, &names, &nnames);
    /* checked: now write the squash, point the later migrations at it,
     * and remove what it folds */
    if (!rc)
        rc = squash_write(cx, s, outdir, name, &last, names, nnames);
    for (size_t i = at + 1; !rc && i < g.n; i++)
        for (size_t k = 0; k < g.node[i].nparents; k++)
            if (g.node[i].parents[k] == at) {
                rc = squash_relink(cx, &g.list[i], g.list[at].name, name);
                break;
            }
    for (size_t i = 0; !rc && i <= at; i++)
        rc = cairn_folder_discard(cx, outdir, &g.list[i]);
    if (!rc && !(dir = cairn_path_join(outdir, name)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    if (!rc) {
        cairn_log(cx, CAIRN_LOG_INFO, "wrote %s/migration.sql: it squashes %zu migration%s, "
                  "%s to %s", dir, nnames, nnames == 1 ? "" : "s", names[0], g.list[at].name);
        cairn_event e = {.kind = CAIRN_EVENT_MIGRATION, .migration = name, .action = "written",
                         .path = dir};
        cairn_event_emit(cx, &e);
        if (dir_out) {
            *dir_out = dir;
            dir = NULL;
        }
    }
    free(dir);
    free(names);
    free(name);
    cairn_snapshot_release(&last);
    cairn_graph_free(&g);
    cairn_folder_unlock(lock_fd);
    return rc;
}
