/* The SQLite dialect driver, loaded from the build like cairn loads it and
 * driven through its table on real database files in a temporary folder:
 * connection forms, introspection of every object kind, normalisation,
 * emission (plans from the core's diff, executed and introspected again),
 * table rebuilds that keep child rows, history, the migration lock and a
 * database locked by another connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "query_slot.h"
#include "internal.h"

static cairn_ctx *cx;
static const cairn_dialect *d;
static cairn_dsession *ds;
static char dir[64];

static const char *errmsg(void)
{
    const char *m = cairn_ctx_error(cx)->message;
    return m ? m : "";
}

static char *path_in(const char *name)
{
    return cairn_path_join(dir, name);
}

static cairn_dconn *connect_to(const char *url)
{
    cairn_dconn *c = NULL;
    int rc = d->connect(ds, url, &c);
    CHECK(rc == 0 && c, "connect %s: %s", url, errmsg());
    return c;
}

static int run(cairn_dconn *c, const char *sql)
{
    int rc = d->exec(c, sql);
    CHECK(rc == 0, "exec: %s (%s)", errmsg(), sql);
    return rc;
}

/* One integer from a query, read with sqlite3 on a connection of its own. */
static long long query_int(const char *file, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_open(file, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    } else {
        printf("query_int: %s\n", sqlite3_errmsg(db));
    }
    sqlite3_close(db);
    return v;
}

static cairn_schema *introspect(cairn_dconn *c, const cairn_filter *f)
{
    cairn_schema *s = cairn_schema_new();
    int rc = d->introspect(c, f, s);
    CHECK(rc == 0, "introspect: %s", errmsg());
    cairn_schema_sort(s);
    return s;
}

/* The schema a script gives, read back from a scratch database. */
static cairn_schema *schema_of(const char *sql)
{
    cairn_dconn *c = NULL;
    CHECK(d->scratch_connect(ds, NULL, &c) == 0, "scratch: %s", errmsg());
    if (!c)
        return cairn_schema_new();
    run(c, sql);
    cairn_schema *s = introspect(c, NULL);
    d->scratch_release(c);
    return s;
}

/* ---- connections ------------------------------------------------------------ */

static void test_connect(void)
{
    char *a = path_in("a.db"), url[512];
    const char *prefix[] = {"sqlite:", "sqlite://", "", "file:"};
    for (size_t i = 0; i < sizeof prefix / sizeof *prefix; i++) {
        snprintf(url, sizeof url, "%s%s%s", prefix[i], a, i == 3 ? "?mode=rwc" : "");
        cairn_dconn *c = connect_to(url);
        if (!c)
            continue;
        run(c, "CREATE TABLE IF NOT EXISTS t (x)");
        run(c, "INSERT INTO t VALUES (1)");
        cairn_buf b;
        cairn_buf_init(&b);
        d->describe(c, &b);
        CHECK(strncmp(cairn_buf_cstr(&b), "sqlite:", 7) == 0 && strstr(cairn_buf_cstr(&b), a),
              "describe %s", cairn_buf_cstr(&b));
        cairn_buf_release(&b);
        d->disconnect(c);
    }
    /* every form reached the same file */
    CHECK(query_int(a, "SELECT count(*) FROM t") == 4, "rows in a.db");
    CHECK(strncmp(a, "/", 1) == 0, "temp dir is absolute: sqlite:/// form below");
    snprintf(url, sizeof url, "sqlite://%s", a); /* sqlite:///tmp/... */
    CHECK(url[9] == '/', "three slashes: %s", url);

    const char *mem[] = {":memory:", "sqlite::memory:"};
    for (size_t i = 0; i < 2; i++) {
        cairn_dconn *c = connect_to(mem[i]);
        if (c) {
            run(c, "CREATE TABLE m (x)");
            d->disconnect(c);
        }
    }

    cairn_dconn *c = NULL;
    int rc = d->connect(ds, "sqlite:/nonexistent-dir-cairn/x.db", &c);
    CHECK(rc == CAIRN_EDB && !c, "missing folder: rc %d", rc);
    CHECK(strstr(errmsg(), "sqlite:") && strstr(errmsg(), "/nonexistent-dir-cairn/x.db"),
          "message names the file: %s", errmsg());

    char *junk = path_in("junk.db");
    FILE *f = fopen(junk, "w");
    fputs("this is not a database, not at all, not even close to one....", f);
    fclose(f);
    rc = d->connect(ds, junk, &c);
    CHECK(rc == CAIRN_EDB && strstr(errmsg(), "not a database"), "junk: %d %s", rc, errmsg());
    free(junk);

    /* foreign keys are on for every connection */
    c = connect_to(a);
    if (c) {
        run(c, "CREATE TABLE p (id INTEGER PRIMARY KEY); "
               "CREATE TABLE ch (pid INTEGER REFERENCES p (id))");
        rc = d->exec(c, "INSERT INTO ch VALUES (42)");
        CHECK(rc == CAIRN_EDB && strstr(errmsg(), "FOREIGN KEY"), "fk on: %d %s", rc, errmsg());
        d->disconnect(c);
    }
    free(a);
}

/* ---- introspection ------------------------------------------------------------ */

static const char *rich_schema =
    "CREATE TABLE users (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  email TEXT NOT NULL COLLATE NOCASE,\n"
    "  name VARCHAR ( 100 ) DEFAULT 'anon',\n"
    "  score REAL DEFAULT (0),\n"
    "  created_at TEXT NOT NULL DEFAULT current_timestamp,\n"
    "  \"weird \"\"name\"\"\" int, -- a comment, with a comma\n"
    "  CONSTRAINT users_email_uq UNIQUE (email),\n"
    "  CONSTRAINT score_positive CHECK (score >= 0)\n"
    ");\n"
    "CREATE TABLE posts (\n"
    "  id integer,\n"
    "  user_id INTEGER NOT NULL,\n"
    "  title text /* the title, (unbalanced */,\n"
    "  slug text UNIQUE,\n"
    "  body text,\n"
    "  words int GENERATED ALWAYS AS (length(body)) VIRTUAL,\n"
    "  title_lc text AS (lower(title)) STORED,\n"
    "  CONSTRAINT posts_pk PRIMARY KEY (id),\n"
    "  CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id)\n"
    "    ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,\n"
    "  CHECK (length(title) > 0)\n"
    ") STRICT;\n"
    "CREATE TABLE [tags] (post_id INTEGER REFERENCES posts, `tag` TEXT,\n"
    "  PRIMARY KEY (post_id, tag)) WITHOUT ROWID;\n"
    "CREATE INDEX posts_title_idx ON posts (title COLLATE NOCASE DESC, user_id);\n"
    "CREATE UNIQUE INDEX users_lower_email ON users (lower(email)) WHERE email IS NOT NULL;\n"
    "CREATE TRIGGER users_touch AFTER UPDATE OF email ON users BEGIN\n"
    "  UPDATE users SET score = 0 WHERE id = new.id;\n"
    "END;\n"
    "CREATE VIEW active_users AS SELECT id, email FROM users WHERE score > 0;\n"
    "CREATE TABLE skipme (x);\n";

static void test_introspect(void)
{
    char *file = path_in("rich.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    run(c, rich_schema);
    cairn_history_opts h = {0};
    CHECK(d->history_ensure(c, &h) == 0, "ensure: %s", errmsg());
    const char *globs[] = {"u*", "p*", "t*", "__*"};
    const char *exclude[] = {"__cairn_migrations"};
    cairn_filter f = {.tables = globs, .ntables = 4, .exclude = exclude, .nexclude = 1};
    cairn_schema *s = introspect(c, &f);
    CHECK(s->ntables == 3, "tables: %zu (skipme and the history excluded)", s->ntables);

    cairn_table *u = cairn_schema_find_table(s, NULL, "users");
    CHECK(u != NULL, "users");
    if (u) {
        CHECK(u->ncolumns == 6, "users columns %zu", u->ncolumns);
        cairn_column *id = cairn_table_find_column(u, "id");
        CHECK(id && id->identity == CAIRN_IDENTITY_AUTO, "AUTOINCREMENT -> identity auto");
        CHECK_STR(id ? id->type : NULL, "integer");
        CHECK(u->primary_key && u->primary_key->ncolumns == 1 && !u->primary_key->name,
              "inline pk");
        cairn_column *email = cairn_table_find_column(u, "email");
        CHECK(email && email->not_null, "email not null");
        CHECK_STR(email ? email->collation : NULL, "NOCASE");
        cairn_column *name = cairn_table_find_column(u, "name");
        CHECK_STR(name ? name->type : NULL, "varchar(100)");
        CHECK_STR(name ? name->default_expr : NULL, "'anon'");
        cairn_column *score = cairn_table_find_column(u, "score");
        CHECK_STR(score ? score->default_expr : NULL, "0");
        cairn_column *created = cairn_table_find_column(u, "created_at");
        CHECK_STR(created ? created->default_expr : NULL, "CURRENT_TIMESTAMP");
        CHECK(cairn_table_find_column(u, "weird \"name\"") != NULL, "quoted identifier unquoted");
        CHECK(u->nuniques == 1, "users uniques %zu", u->nuniques);
        if (u->nuniques == 1) {
            CHECK_STR(u->uniques[0]->name, "users_email_uq");
            CHECK(u->uniques[0]->ncolumns == 1, "unique columns");
        }
        CHECK(u->nchecks == 1, "users checks %zu", u->nchecks);
        if (u->nchecks == 1) {
            CHECK_STR(u->checks[0]->name, "score_positive");
            CHECK_STR(u->checks[0]->expr, "score >= 0");
        }
        CHECK(u->nindexes == 1, "users indexes %zu", u->nindexes);
        if (u->nindexes == 1) {
            cairn_index *ix = u->indexes[0];
            CHECK_STR(ix->name, "users_lower_email");
            CHECK(ix->unique && ix->nparts == 1, "unique expression index");
            CHECK_STR(ix->nparts ? ix->parts[0]->expr : NULL, "lower(email)");
            CHECK_STR(ix->where, "email IS NOT NULL");
        }
        CHECK(u->ntriggers == 1, "users triggers %zu", u->ntriggers);
        if (u->ntriggers == 1) {
            CHECK_STR(u->triggers[0]->name, "users_touch");
            CHECK(strncmp(u->triggers[0]->sql, "CREATE TRIGGER users_touch AFTER UPDATE OF email",
                          47) == 0 && strstr(u->triggers[0]->sql, "END"),
                  "full trigger sql: %s", u->triggers[0]->sql);
        }
        CHECK(u->noptions == 0, "users options %zu", u->noptions);
    }

    cairn_table *p = cairn_schema_find_table(s, NULL, "posts");
    CHECK(p != NULL, "posts");
    if (p) {
        CHECK(p->primary_key && p->primary_key->ncolumns == 1, "posts pk");
        CHECK_STR(p->primary_key ? p->primary_key->name : NULL, "posts_pk");
        CHECK(p->nfkeys == 1, "posts fkeys %zu", p->nfkeys);
        if (p->nfkeys == 1) {
            cairn_fkey *fk = p->fkeys[0];
            CHECK_STR(fk->name, "posts_user_fk");
            CHECK_STR(fk->ref_table, "users");
            CHECK(fk->ncolumns == 1 && fk->nref_columns == 1, "fk columns");
            CHECK_STR(fk->ncolumns ? fk->columns[0] : NULL, "user_id");
            CHECK_STR(fk->nref_columns ? fk->ref_columns[0] : NULL, "id");
            CHECK(fk->on_delete == CAIRN_FK_CASCADE && fk->on_update == CAIRN_FK_SET_NULL,
                  "actions %d %d", fk->on_delete, fk->on_update);
            CHECK(fk->deferrable && fk->initially_deferred, "deferrable initially deferred");
        }
        CHECK(p->nuniques == 1 && !p->uniques[0]->name, "inline unnamed unique on slug");
        CHECK(p->nchecks == 1, "posts checks %zu", p->nchecks);
        if (p->nchecks == 1) {
            CHECK(p->checks[0]->name == NULL, "unnamed check");
            CHECK_STR(p->checks[0]->expr, "length(title) > 0");
        }
        cairn_column *words = cairn_table_find_column(p, "words");
        CHECK_STR(words ? words->generated : NULL, "length(body)");
        CHECK(words && !words->generated_stored, "virtual");
        cairn_column *lc = cairn_table_find_column(p, "title_lc");
        CHECK_STR(lc ? lc->generated : NULL, "lower(title)");
        CHECK(lc && lc->generated_stored, "stored");
        CHECK(p->noptions == 1, "posts options %zu", p->noptions);
        CHECK_STR(p->noptions ? p->options[0] : NULL, "strict=true");
        CHECK(p->nindexes == 1, "posts indexes %zu", p->nindexes);
        if (p->nindexes == 1) {
            cairn_index *ix = p->indexes[0];
            CHECK(!ix->unique && ix->nparts == 2 && !ix->where, "posts_title_idx shape");
            if (ix->nparts == 2) {
                CHECK_STR(ix->parts[0]->column, "title");
                CHECK_STR(ix->parts[0]->collation, "NOCASE");
                CHECK(ix->parts[0]->desc && !ix->parts[1]->desc, "DESC");
                CHECK_STR(ix->parts[1]->column, "user_id");
            }
        }
    }

    cairn_table *t = cairn_schema_find_table(s, NULL, "tags");
    CHECK(t != NULL, "tags (bracket-quoted name)");
    if (t) {
        CHECK_STR(t->noptions ? t->options[0] : NULL, "without_rowid=true");
        CHECK(t->primary_key && t->primary_key->ncolumns == 2, "composite pk");
        CHECK(t->nfkeys == 1 && t->fkeys[0]->nref_columns == 1, "fk to posts' key");
        if (t->nfkeys == 1 && t->fkeys[0]->nref_columns == 1)
            CHECK_STR(t->fkeys[0]->ref_columns[0], "id");
    }
    CHECK(s->nviews == 1, "views %zu", s->nviews);
    if (s->nviews == 1) {
        CHECK_STR(s->views[0]->name, "active_users");
        CHECK_STR(s->views[0]->definition, "SELECT id, email FROM users WHERE score > 0");
    }
    cairn_schema_free(s);

    /* no filter: every table but the internal ones */
    s = introspect(c, NULL);
    CHECK(s->ntables == 5, "unfiltered tables: %zu", s->ntables);
    CHECK(!cairn_schema_find_table(s, NULL, "sqlite_sequence"), "sqlite_sequence skipped");
    cairn_schema_free(s);
    d->disconnect(c);
    free(file);
}

/* ---- normalisation ---------------------------------------------------------------- */

static void check_norm(int is_type, const char *in, const char *want)
{
    cairn_buf b;
    cairn_buf_init(&b);
    int rc = is_type ? d->normalize_type(ds, in, &b) : d->normalize_default(ds, "text", in, &b);
    CHECK(rc == 0, "normalize %s", in);
    CHECK_STR(cairn_buf_cstr(&b), want);
    cairn_buf_release(&b);
}

static void test_normalize(void)
{
    check_norm(1, "VARCHAR ( 10 , 2 )", "varchar(10,2)");
    check_norm(1, "  Unsigned   Big INT ", "unsigned big int");
    check_norm(1, "INT", "int");
    check_norm(1, "DOUBLE PRECISION", "double precision");
    check_norm(0, "(0)", "0");
    check_norm(0, "((1 + 2))", "1 + 2");
    check_norm(0, "current_timestamp", "CURRENT_TIMESTAMP");
    check_norm(0, "NULL", "");
    check_norm(0, "(null)", "");
    check_norm(0, "'It''s (here)'", "'It''s (here)'");
    check_norm(0, "(datetime('now'))", "datetime('now')");
    check_norm(0, "-1", "-1");
    check_norm(0, "(1) + (2)", "(1) + (2)");
}

/* ---- emission ------------------------------------------------------------------------ */

/* Diff the database to the schema of `target`, emit, apply in the driver's
 * transaction; the SQL is returned joined by newlines (malloc'd). */
static int migrate_to(cairn_dconn *c, cairn_schema *to, char **sql_out)
{
    cairn_schema *from = introspect(c, NULL);
    cairn_plan *plan = NULL;
    int rc = cairn_diff(cx, from, to, NULL, &plan);
    CHECK(rc == 0, "diff: %s", errmsg());
    cairn_stmts st;
    cairn_stmts_init(&st);
    if (!rc) {
        rc = d->emit(ds, plan, &st);
        CHECK(rc == 0, "emit: %s", errmsg());
    }
    cairn_buf all;
    cairn_buf_init(&all);
    for (size_t i = 0; i < st.n; i++)
        cairn_buf_printf(&all, "%s;\n", st.sql[i]);
    if (!rc)
        rc = d->begin(c);
    for (size_t i = 0; !rc && i < st.n; i++)
        rc = d->exec(c, st.sql[i]);
    if (!rc)
        rc = d->commit(c);
    else
        d->rollback(c);
    cairn_stmts_release(&st);
    cairn_plan_free(plan);
    cairn_schema_free(from);
    if (sql_out)
        *sql_out = cairn_buf_steal(&all);
    cairn_buf_release(&all);
    return rc;
}

/* The database now introspects equal to `to`, and nothing is left to do. */
static void check_converged(cairn_dconn *c, cairn_schema *to, const char *what)
{
    cairn_schema *now = introspect(c, NULL);
    cairn_plan *plan = NULL;
    int rc = cairn_diff(cx, now, to, NULL, &plan);
    CHECK(rc == 0 && plan && plan->nchanges == 0, "%s: converged (%zu changes left)", what,
          plan ? plan->nchanges : (size_t)0);
    for (size_t i = 0; plan && i < plan->nchanges; i++)
        printf("  left: kind %d on %s\n", plan->changes[i]->kind,
               plan->changes[i]->table_to ? plan->changes[i]->table_to->name : "-");
    cairn_plan_free(plan);
    cairn_schema_free(now);
}

static void test_create_everything(void)
{
    char *file = path_in("create.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    cairn_schema *to = schema_of(rich_schema);
    char *sql = NULL;
    int rc = migrate_to(c, to, &sql);
    CHECK(rc == 0, "create everything: %s\n%s", errmsg(), sql);
    CHECK(sql && strstr(sql, "\"id\" integer PRIMARY KEY AUTOINCREMENT"), "autoincrement inline");
    CHECK(sql && strstr(sql, ") STRICT"), "strict");
    CHECK(sql && strstr(sql, "WITHOUT ROWID"), "without rowid");
    CHECK(sql && strstr(sql, "DEFERRABLE INITIALLY DEFERRED"), "deferrable");
    check_converged(c, to, "create everything");
    free(sql);
    cairn_schema_free(to);
    d->disconnect(c);
    free(file);
}

/* ---- virtual tables, view column lists, rowids, what is left out ------------------ */

static const char *search_v1 =
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT);\n"
    "CREATE VIRTUAL TABLE notes_fts USING fts5(title, body, content='notes', content_rowid='id');\n"
    "CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN\n"
    "  INSERT INTO notes_fts (rowid, title, body) VALUES (new.id, new.title, new.body); END;\n"
    "CREATE VIRTUAL TABLE docs USING fts4(a, b);\n"
    "CREATE VIRTUAL TABLE boxes USING rtree(id, minx, maxx, miny, maxy);\n"
    "CREATE TABLE tags (label TEXT, weight INT);\n"
    "CREATE VIEW titles (note_id, note_title) AS SELECT id, title FROM notes;\n"
    "CREATE TRIGGER titles_ins INSTEAD OF INSERT ON titles BEGIN\n"
    "  INSERT INTO notes (id, title) VALUES (new.note_id, new.note_title); END;\n";

static void test_virtual_tables(void)
{
    char *file = path_in("search.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    run(c, search_v1);
    run(c, "INSERT INTO notes (title, body) VALUES ('one', 'red fox'), ('two', 'blue moon');"
           "INSERT INTO docs VALUES ('x', 'y');"
           "INSERT INTO tags VALUES ('a', 1), ('b', 2), ('c', 3); DELETE FROM tags WHERE label = 'a';"
           "INSERT INTO tags (rowid, label, weight) VALUES (40, 'd', 4);");
    cairn_ctx_left_out_clear(cx);
    cairn_schema *s = introspect(c, NULL);
    CHECK(s->ntables == 5, "notes, notes_fts, docs, boxes, tags and no shadow table: %zu tables",
          s->ntables);
    for (size_t i = 0; i < s->ntables; i++)
        CHECK(!strchr(s->tables[i]->name + 3, '_') || strcmp(s->tables[i]->name, "notes_fts") == 0,
              "shadow table %s read", s->tables[i]->name);
    cairn_table *fts = cairn_schema_find_table(s, NULL, "notes_fts");
    CHECK(fts && fts->ncolumns == 0 && cairn_table_is_virtual(fts), "notes_fts is virtual");
    CHECK(fts && strcmp(cairn_table_option(fts, "using"), "fts5") == 0 &&
          strcmp(cairn_table_option(fts, "args"),
                 "title, body, content='notes', content_rowid='id'") == 0,
          "module and arguments of notes_fts");
    cairn_table *boxes = cairn_schema_find_table(s, NULL, "boxes");
    CHECK(boxes && strcmp(cairn_table_option(boxes, "using"), "rtree") == 0, "boxes is an rtree");
    CHECK(s->nviews == 1 && s->views[0]->ncolumns == 2 &&
          strcmp(s->views[0]->columns[1], "note_title") == 0, "the view's column list");
    CHECK(cx->nleft_out == 1 && cx->left_out[0].n == 1 &&
          strcmp(cx->left_out[0].kind, "trigger on a view") == 0, "the trigger on the view is left out");

    /* the same schema into an empty database converges, shadow tables and all */
    char *file2 = path_in("search2.db");
    cairn_dconn *c2 = connect_to(file2);
    char *sql = NULL;
    if (c2) {
        int rc = migrate_to(c2, s, &sql);
        CHECK(rc == 0, "create the virtual tables: %s\n%s", errmsg(), sql);
        CHECK(sql && strstr(sql, "CREATE VIRTUAL TABLE \"notes_fts\" USING \"fts5\"(title, body, "
                                 "content='notes', content_rowid='id')"), "CREATE VIRTUAL TABLE");
        CHECK(sql && strstr(sql, "CREATE VIEW \"titles\" (\"note_id\", \"note_title\") AS"),
              "the view keeps its column list");
        check_converged(c2, s, "virtual tables");
        run(c2, "INSERT INTO notes (title, body) VALUES ('three', 'green moon')");
        CHECK(query_int(file2, "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'moon'") == 1,
              "the trigger keeps the FTS index in sync");
        d->disconnect(c2);
        free(sql);
        sql = NULL;
    }
    free(file2);

    /* a changed external content index is dropped, created and rebuilt: no
     * data lost, so not destructive; a changed fts4 table loses its rows */
    cairn_schema *to = schema_of("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT);\n"
                                 "CREATE VIRTUAL TABLE notes_fts USING fts5(title, body, "
                                 "content='notes', content_rowid='id', tokenize='porter');\n"
                                 "CREATE VIRTUAL TABLE docs USING fts4(a, b, c);\n");
    cairn_plan *plan = NULL;
    int rc = cairn_diff(cx, s, to, NULL, &plan);
    CHECK(rc == 0, "diff: %s", errmsg());
    int fts_drop = 0, docs_destructive = 0;
    for (size_t i = 0; plan && i < plan->nchanges; i++) {
        const cairn_change *ch = plan->changes[i];
        if (ch->kind == CAIRN_CHANGE_DROP_TABLE && strcmp(ch->from.table->name, "notes_fts") == 0)
            fts_drop = 1 + !!(ch->flags & CAIRN_CHANGE_DESTRUCTIVE);
        if (ch->kind == CAIRN_CHANGE_DROP_TABLE && strcmp(ch->from.table->name, "docs") == 0)
            docs_destructive = !!(ch->flags & CAIRN_CHANGE_DESTRUCTIVE);
        CHECK(ch->kind != CAIRN_CHANGE_SET_TABLE_OPTIONS && ch->kind != CAIRN_CHANGE_ADD_COLUMN,
              "a virtual table is never altered (kind %d)", ch->kind);
    }
    CHECK(fts_drop == 1, "external content index: dropped, not destructive (%d)", fts_drop);
    CHECK(docs_destructive, "fts4 table with its own content: destructive");
    cairn_plan_free(plan);
    rc = migrate_to(c, to, &sql);
    CHECK(rc == 0, "recreate: %s\n%s", errmsg(), sql);
    CHECK(sql && strstr(sql, "INSERT INTO \"notes_fts\" (\"notes_fts\") VALUES ('rebuild')"),
          "the index is rebuilt");
    CHECK(query_int(file, "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'fox'") == 1,
          "the rebuilt index finds the old rows");
    check_converged(c, to, "recreated virtual tables");
    free(sql);
    sql = NULL;
    cairn_schema_free(to);
    cairn_schema_free(s);
    d->disconnect(c);
    free(file);
}

/* A table without an INTEGER PRIMARY KEY keeps its rowids through a rebuild. */
static void test_rebuild_keeps_rowids(void)
{
    char *file = path_in("rowids.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    run(c, "CREATE TABLE tags (label TEXT, weight INT);"
           "INSERT INTO tags VALUES ('a', 1), ('b', 2), ('c', 3); DELETE FROM tags WHERE label = 'a';"
           "INSERT INTO tags (rowid, label, weight) VALUES (40, 'd', 4);"
           "CREATE TABLE odd (rowid TEXT, v INT); INSERT INTO odd (_rowid_, rowid, v) VALUES (7, 'r', 1);");
    cairn_schema *to = schema_of("CREATE TABLE tags (label TEXT NOT NULL DEFAULT '', weight BIGINT);"
                                 "CREATE TABLE odd (rowid TEXT, v BIGINT);");
    char *sql = NULL;
    int rc = migrate_to(c, to, &sql);
    CHECK(rc == 0, "rebuild: %s\n%s", errmsg(), sql);
    CHECK(sql && strstr(sql, "(rowid, \"label\", \"weight\") SELECT rowid, coalesce("),
          "rowid copied: %s", sql ? sql : "");
    CHECK(sql && strstr(sql, "(_rowid_, \"rowid\", \"v\") SELECT _rowid_, "),
          "a column called rowid: copied by _rowid_");
    CHECK(query_int(file, "SELECT rowid FROM tags WHERE label = 'b'") == 2 &&
          query_int(file, "SELECT rowid FROM tags WHERE label = 'd'") == 40, "rowids kept");
    CHECK(query_int(file, "SELECT _rowid_ FROM odd") == 7, "rowid kept by _rowid_");
    check_converged(c, to, "rowids");
    free(sql);
    cairn_schema_free(to);
    d->disconnect(c);
    free(file);
}

static const char *family_v1 =
    "CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, size INT);\n"
    "CREATE INDEX parent_name ON parent (name);\n"
    "CREATE TRIGGER parent_log AFTER INSERT ON parent BEGIN INSERT INTO log VALUES (new.id); END;\n"
    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL\n"
    "  REFERENCES parent (id) ON DELETE CASCADE, note TEXT);\n"
    "CREATE TABLE grandchild (id INTEGER PRIMARY KEY, child_id INTEGER\n"
    "  REFERENCES child (id) ON DELETE CASCADE);\n"
    "CREATE TABLE log (parent_id INTEGER);\n"
    "CREATE VIEW big_parents AS SELECT id, name FROM parent WHERE size > 10;\n";

/* parent: size becomes NOT NULL DEFAULT 0, a CHECK and a unique key appear:
 * only a rebuild can do that. */
static const char *family_v2 =
    "CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT,\n"
    "  size INT NOT NULL DEFAULT 0, CONSTRAINT name_uq UNIQUE (name),\n"
    "  CONSTRAINT size_ok CHECK (size >= 0));\n"
    "CREATE INDEX parent_name ON parent (name);\n"
    "CREATE INDEX parent_size ON parent (size DESC);\n"
    "CREATE TRIGGER parent_log AFTER INSERT ON parent BEGIN INSERT INTO log VALUES (new.id); END;\n"
    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL\n"
    "  REFERENCES parent (id) ON DELETE CASCADE, note TEXT);\n"
    "CREATE TABLE grandchild (id INTEGER PRIMARY KEY, child_id INTEGER\n"
    "  REFERENCES child (id) ON DELETE CASCADE);\n"
    "CREATE TABLE log (parent_id INTEGER);\n"
    "CREATE VIEW big_parents AS SELECT id, name FROM parent WHERE size > 10;\n";

static void test_rebuild_keeps_children(void)
{
    char *file = path_in("family.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    run(c, family_v1);
    run(c, "INSERT INTO parent (name, size) VALUES ('a', 1), ('b', NULL), ('c', 30), ('d', 4);"
           "DELETE FROM parent WHERE name = 'd';"
           "INSERT INTO child (parent_id, note) VALUES (1, 'x'), (1, 'y'), (2, 'z'), (3, 'w');"
           "INSERT INTO grandchild (child_id) VALUES (1), (2), (3), (4), (4);");
    long long parents = query_int(file, "SELECT count(*) FROM parent");
    long long children = query_int(file, "SELECT count(*) FROM child");
    long long grand = query_int(file, "SELECT count(*) FROM grandchild");
    long long logged = query_int(file, "SELECT count(*) FROM log");
    CHECK(parents == 3 && children == 4 && grand == 5, "rows before %lld %lld %lld", parents,
          children, grand);

    cairn_schema *to = schema_of(family_v2);
    char *sql = NULL;
    int rc = migrate_to(c, to, &sql);
    CHECK(rc == 0, "rebuild: %s\n%s", errmsg(), sql);
    CHECK(sql && strstr(sql, "CREATE TABLE \"__cairn_new_parent\""), "rebuilt: %s", sql ? sql : "(null)");
    CHECK(sql && strstr(sql, "foreign_keys=OFF"), "the rebuild says it needs foreign keys off");
    CHECK(sql && strstr(sql, "coalesce(\"size\", 0)"), "NULL sizes take the default");
    CHECK(sql && !strstr(sql, "__cairn_new_child"), "children are not rebuilt");
    CHECK(query_int(file, "SELECT count(*) FROM parent") == 3, "parents kept");
    CHECK(query_int(file, "SELECT count(*) FROM child") == children, "children kept");
    CHECK(query_int(file, "SELECT count(*) FROM grandchild") == grand, "grandchildren kept");
    CHECK(query_int(file, "SELECT size FROM parent WHERE name = 'b'") == 0, "NULL became 0");
    CHECK(query_int(file, "SELECT count(*) FROM big_parents") == 1, "the view still reads it");
    check_converged(c, to, "rebuild");

    cairn_schema *now = introspect(c, NULL);
    cairn_table *p = cairn_schema_find_table(now, NULL, "parent");
    CHECK(p && p->nindexes == 2 && p->ntriggers == 1 && p->nchecks == 1 && p->nuniques == 1,
          "indexes, trigger, check, unique of the rebuilt table");
    cairn_schema_free(now);

    /* the trigger works, AUTOINCREMENT did not restart below the deleted 4,
     * and foreign keys are on again after the transaction */
    run(c, "INSERT INTO parent (name, size) VALUES ('e', 2)");
    CHECK(query_int(file, "SELECT max(id) FROM parent") == 5, "autoincrement kept its counter");
    CHECK(query_int(file, "SELECT count(*) FROM log") == logged + 1, "trigger recreated");
    rc = d->exec(c, "INSERT INTO child (parent_id) VALUES (99)");
    CHECK(rc == CAIRN_EDB, "foreign keys enforced again after commit");
    run(c, "DELETE FROM parent WHERE name = 'a'");
    CHECK(query_int(file, "SELECT count(*) FROM child") == children - 2, "cascade still works");
    free(sql);
    cairn_schema_free(to);
    d->disconnect(c);
    free(file);
}

static void test_alter_in_place(void)
{
    char *file = path_in("alter.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    run(c, "CREATE TABLE acct (id INTEGER PRIMARY KEY, old_name TEXT, junk TEXT, keep INT);"
           "CREATE INDEX acct_keep ON acct (keep);"
           "INSERT INTO acct VALUES (1, 'n1', 'j', 7), (2, 'n2', NULL, 8);");
    cairn_schema *to = schema_of("CREATE TABLE account (id INTEGER PRIMARY KEY, new_name TEXT,"
                                 " keep INT, flag INT NOT NULL DEFAULT 1, memo TEXT);"
                                 "CREATE INDEX acct_keep ON account (keep);");
    cairn_table *t = cairn_schema_find_table(to, NULL, "account");
    cairn_column *nn = t ? cairn_table_find_column(t, "new_name") : NULL;
    if (t && nn) {
        t->was = "acct";
        nn->was = "old_name";
    }
    char *sql = NULL;
    int rc = migrate_to(c, to, &sql);
    CHECK(rc == 0, "alter: %s\n%s", errmsg(), sql);
    CHECK(sql && strstr(sql, "ALTER TABLE \"acct\" RENAME TO \"account\""), "rename table");
    CHECK(sql && strstr(sql, "RENAME COLUMN \"old_name\" TO \"new_name\""), "rename column");
    CHECK(sql && strstr(sql, "ADD COLUMN \"flag\" int NOT NULL DEFAULT 1"), "add column: %s", sql ? sql : "(null)");
    CHECK(sql && strstr(sql, "DROP COLUMN \"junk\""), "drop column");
    CHECK(sql && !strstr(sql, "__cairn_new_"), "no rebuild needed");
    CHECK(query_int(file, "SELECT count(*) FROM account WHERE flag = 1 AND new_name LIKE 'n%'") == 2,
          "data kept");
    check_converged(c, to, "alter in place");
    free(sql);
    cairn_schema_free(to);

    /* dropping an indexed column, and a NOT NULL column without a default:
     * both need a rebuild; the second fails on the existing rows, with
     * SQLite's message, and leaves the database as it was */
    to = schema_of("CREATE TABLE account (id INTEGER PRIMARY KEY, new_name TEXT,"
                   " flag INT NOT NULL DEFAULT 1, memo TEXT, must TEXT NOT NULL);");
    rc = migrate_to(c, to, &sql);
    CHECK(rc == CAIRN_EDB && strstr(errmsg(), "NOT NULL"), "copy fails: %d %s", rc, errmsg());
    CHECK(sql && strstr(sql, "__cairn_new_account"), "rebuild for the NOT NULL column");
    CHECK(query_int(file, "SELECT count(*) FROM account WHERE keep IS NOT NULL") == 2,
          "rolled back: keep is still there");
    free(sql);
    cairn_schema_free(to);
    d->disconnect(c);
    free(file);
}

static void test_fk_violation(void)
{
    char *file = path_in("fkv.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    run(c, "CREATE TABLE owner (id INTEGER PRIMARY KEY);"
           "CREATE TABLE pet (id INTEGER PRIMARY KEY, owner_id INTEGER);"
           "INSERT INTO owner VALUES (1); INSERT INTO pet VALUES (1, 1), (2, 7);");
    cairn_schema *to = schema_of("CREATE TABLE owner (id INTEGER PRIMARY KEY);"
                                 "CREATE TABLE pet (id INTEGER PRIMARY KEY, owner_id INTEGER"
                                 " REFERENCES owner (id));");
    int rc = migrate_to(c, to, NULL);
    CHECK(rc == CAIRN_EDB && strstr(errmsg(), "foreign key violation in table pet"),
          "violation at commit: %d %s", rc, errmsg());
    cairn_schema *now = introspect(c, NULL);
    cairn_table *pet = cairn_schema_find_table(now, NULL, "pet");
    CHECK(pet && pet->nfkeys == 0, "rolled back");
    cairn_schema_free(now);
    cairn_schema_free(to);
    d->disconnect(c);
    free(file);
}

/* A rebuilt table that is also renamed and loses an index, a key and a
 * column in the same plan: drops and the rename run in their place, the
 * rebuild after them under the new name. */
static void test_rebuild_with_rename(void)
{
    char *file = path_in("mixed.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    run(c, "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
           "CREATE TABLE kid (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id)"
           "  ON DELETE CASCADE, tmp TEXT, n INT);"
           "CREATE INDEX kid_p ON kid (p_id);"
           "CREATE TRIGGER kid_tr AFTER INSERT ON kid BEGIN SELECT 1; END;"
           "INSERT INTO p VALUES (1, 'a'), (2, 'b');"
           "INSERT INTO kid (p_id, tmp, n) VALUES (1, 'x', 1), (2, 'y', 2), (2, 'z', 3);");
    cairn_schema *to = schema_of("CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);"
                                 "CREATE TABLE child (id INTEGER PRIMARY KEY, p_id INTEGER,"
                                 "  n INT CHECK (n > 0));"
                                 "CREATE INDEX kid_p ON child (n);");
    cairn_table *t = cairn_schema_find_table(to, NULL, "child");
    if (t)
        t->was = "kid";
    char *sql = NULL;
    int rc = migrate_to(c, to, &sql);
    CHECK(rc == 0, "mixed: %s\n%s", errmsg(), sql);
    CHECK(sql && strstr(sql, "ALTER TABLE \"kid\" RENAME TO \"child\""), "renamed in place");
    CHECK(sql && strstr(sql, "__cairn_new_child") && strstr(sql, "__cairn_new_p"), "both rebuilt");
    CHECK(sql && strstr(sql, "DROP INDEX \"kid_p\"") &&
              strstr(sql, "DROP INDEX \"kid_p\"") < strstr(sql, "__cairn_new_child"),
          "the index is dropped before the rebuild");
    CHECK(query_int(file, "SELECT sum(n) FROM child") == 6, "rows kept");
    CHECK(query_int(file, "SELECT count(*) FROM p") == 2, "parents kept");
    check_converged(c, to, "mixed");
    free(sql);
    cairn_schema_free(to);
    d->disconnect(c);
    free(file);
}

/* ALTER TABLE refuses a CURRENT_TIMESTAMP default, and a column a view
 * reads cannot be dropped in place: both become rebuilds that converge. */
static void test_alter_limits(void)
{
    char *file = path_in("limits.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    run(c, "CREATE TABLE ev (id INTEGER PRIMARY KEY, kind TEXT, extra TEXT);"
           "CREATE TABLE other (id INTEGER PRIMARY KEY, extra TEXT);"
           "CREATE VIEW other_extra AS SELECT extra FROM other;"
           "INSERT INTO ev (kind, extra) VALUES ('a', 'x'), ('b', 'y');");
    cairn_schema *to = schema_of("CREATE TABLE ev (id INTEGER PRIMARY KEY, kind TEXT,"
                                 "  at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);"
                                 "CREATE TABLE other (id INTEGER PRIMARY KEY, extra TEXT);"
                                 "CREATE VIEW other_extra AS SELECT extra FROM other;");
    char *sql = NULL;
    int rc = migrate_to(c, to, &sql);
    CHECK(rc == 0, "limits: %s\n%s", errmsg(), sql);
    CHECK(sql && strstr(sql, "__cairn_new_ev") && !strstr(sql, "ADD COLUMN"),
          "rebuild for the CURRENT_TIMESTAMP column and the column a view may read: %s", sql);
    CHECK(query_int(file, "SELECT count(*) FROM ev WHERE at IS NOT NULL") == 2, "rows filled");
    check_converged(c, to, "limits");
    free(sql);
    cairn_schema_free(to);
    d->disconnect(c);
    free(file);
}

/* Plans built by hand: what the diff does not produce. */
static void test_handmade_plans(void)
{
    cairn_schema *s = cairn_schema_new();
    cairn_enum *en = cairn_schema_add_enum(s, NULL, "mood");
    cairn_change ch = {.kind = CAIRN_CHANGE_CREATE_ENUM, .to.enm = en};
    cairn_change *v[1] = {&ch};
    cairn_plan plan = {.from = s, .to = s, .changes = v, .nchanges = 1};
    cairn_stmts st;
    cairn_stmts_init(&st);
    int rc = d->emit(ds, &plan, &st);
    CHECK(rc == CAIRN_EUNSUPPORTED && strstr(errmsg(), "CREATE_ENUM"), "enum: %d %s", rc, errmsg());
    ch.kind = (cairn_change_kind)77;
    rc = d->emit(ds, &plan, &st);
    CHECK(rc == CAIRN_EUNSUPPORTED && strstr(errmsg(), "77"), "unknown kind: %d %s", rc, errmsg());

    /* identifiers are quoted everywhere, and an expression default gets
     * its parentheses back */
    cairn_table *t = cairn_schema_add_table(s, NULL, "we\"ird");
    cairn_column *col = cairn_table_add_column(s, t, "col\"1");
    col->type = "text";
    col->default_expr = "lower('X')";
    cairn_index *ix = cairn_table_add_index(s, t, NULL);
    cairn_index_add_part(s, ix)->column = "col\"1";
    ch = (cairn_change){.kind = CAIRN_CHANGE_CREATE_TABLE, .table_to = t, .to.table = t};
    rc = d->emit(ds, &plan, &st);
    CHECK(rc == 0 && st.n == 2, "create: %d %zu", rc, st.n);
    if (st.n == 2) {
        CHECK_STR(st.sql[0], "CREATE TABLE \"we\"\"ird\" (\n  \"col\"\"1\" text DEFAULT (lower('X'))\n)");
        CHECK_STR(st.sql[1], "CREATE INDEX \"we\"\"ird_col\"\"1_idx\" ON \"we\"\"ird\" (\"col\"\"1\")");
    }
    cairn_stmts_release(&st);
    cairn_schema_free(s);
}

/* ---- history ---------------------------------------------------------------------------- */

static void test_history(void)
{
    char *file = path_in("hist.db");
    cairn_dconn *c = connect_to(file);
    if (!c)
        return;
    cairn_history_opts h = {.table = "my_history"};
    cairn_history list;
    cairn_history_init(&list);
    CHECK(d->history_list(c, &h, &list) == 0 && list.n == 0, "missing table = empty history");
    CHECK(d->history_ensure(c, &h) == 0 && d->history_ensure(c, &h) == 0, "ensure twice");
    cairn_applied a = {.name = "20261121000000_a", .checksum = "aa", .applied_at =
                       "2026-11-21T00:00:00Z", .duration_ms = 12, .statements_total = 3,
                       .statements_done = 3};
    cairn_applied b = {.name = "20261121000001_b'quote", .checksum = "bb",
                       .applied_at = "2026-11-21T00:00:01Z", .duration_ms = 5,
                       .state = CAIRN_APPLIED_PARTIAL, .statements_done = 1, .statements_total = 4};
    CHECK(d->history_record(c, &h, &a) == 0 && d->history_record(c, &h, &b) == 0, "record");
    b.state = CAIRN_APPLIED_DONE;
    b.statements_done = 4;
    CHECK(d->history_record(c, &h, &b) == 0, "replace");
    CHECK(d->history_list(c, &h, &list) == 0 && list.n == 2, "two rows: %zu", list.n);
    const cairn_applied *rb = cairn_history_find(&list, "20261121000001_b'quote");
    CHECK(rb && rb->state == CAIRN_APPLIED_DONE && rb->statements_done == 4 &&
          rb->statements_total == 4 && rb->duration_ms == 5, "replaced row");
    const cairn_applied *ra = cairn_history_find(&list, "20261121000000_a");
    CHECK(ra && strcmp(ra->checksum, "aa") == 0 && strcmp(ra->applied_at, "2026-11-21T00:00:00Z") == 0,
          "row a");
    cairn_history_release(&list);
    CHECK(d->history_remove(c, &h, a.name) == 0, "remove");
    cairn_history_init(&list);
    CHECK(d->history_list(c, &h, &list) == 0 && list.n == 1, "one row left");
    cairn_history_release(&list);
    CHECK(query_int(file, "SELECT count(*) FROM my_history") == 1, "in the named table");
    cairn_history_opts dflt = {0};
    CHECK(d->history_ensure(c, &dflt) == 0, "default table");
    CHECK(query_int(file, "SELECT count(*) FROM __cairn_migrations") == 0, "default name");
    d->disconnect(c);
    free(file);
}

/* ---- locks --------------------------------------------------------------------------------- */

static void test_lock(void)
{
    char *file = path_in("lock.db");
    cairn_dconn *c1 = connect_to(file), *c2 = connect_to(file);
    if (!c1 || !c2)
        return;
    cairn_history_opts h = {.lock_timeout_ms = 0};
    CHECK(d->lock(c1, &h) == 0, "first lock: %s", errmsg());
    char lockfile[600];
    snprintf(lockfile, sizeof lockfile, "%s-cairn.lock", file);
    CHECK(access(lockfile, F_OK) == 0, "lock file beside the database");
    h.lock_timeout_ms = 200;
    int rc = d->lock(c2, &h);
    CHECK(rc == CAIRN_ELOCKED && strstr(errmsg(), "another cairn migrate holds the lock") &&
          strstr(errmsg(), file), "second lock: %d %s", rc, errmsg());
    /* the database itself stays usable by both while the lock is held */
    run(c1, "CREATE TABLE t (x)");
    run(c2, "INSERT INTO t VALUES (1)");
    CHECK(d->unlock(c1, &h) == 0, "unlock");
    CHECK(d->lock(c2, &h) == 0, "lock after release: %s", errmsg());
    CHECK(d->unlock(c2, &h) == 0, "unlock 2");
    d->disconnect(c1);
    d->disconnect(c2);

    /* a write transaction of another connection */
    c1 = connect_to(file);
    c2 = connect_to(file);
    if (!c1 || !c2)
        return;
    CHECK(d->begin(c1) == 0, "begin 1");
    run(c1, "INSERT INTO t VALUES (2)");
    rc = d->begin(c2);
    CHECK(rc == CAIRN_ELOCKED && strstr(errmsg(), "database is locked"), "busy: %d %s", rc,
          errmsg());
    rc = d->exec(c2, "INSERT INTO t VALUES (3)");
    CHECK(rc == CAIRN_ELOCKED, "busy exec: %d %s", rc, errmsg());
    CHECK(d->rollback(c1) == 0, "rollback");
    CHECK(query_int(file, "SELECT count(*) FROM t") == 1, "rolled back");
    d->disconnect(c1);
    d->disconnect(c2);

    /* :memory: has nobody to share with: no lock file */
    cairn_dconn *m = connect_to(":memory:");
    if (m) {
        CHECK(d->lock(m, &h) == 0 && d->unlock(m, &h) == 0, "memory lock");
        d->disconnect(m);
    }
    free(file);
}

static void test_entry(const cairn_driver *drv)
{
    CHECK_STR(d->name, "sqlite");
    CHECK(d->struct_size == sizeof(cairn_dialect), "struct size");
    CHECK(d->quote == '"', "quote");
    CHECK(d->schemes && strcmp(d->schemes[0], "sqlite") == 0 && strcmp(d->schemes[1], "file") == 0 &&
          d->schemes[2] == NULL, "schemes");
    uint64_t want = CAIRN_CAP_TRANSACTIONAL_DDL | CAIRN_CAP_PARTIAL_INDEX |
                    CAIRN_CAP_EXPRESSION_INDEX | CAIRN_CAP_GENERATED | CAIRN_CAP_SCRATCH |
                    CAIRN_CAP_VIRTUAL_TABLES | CAIRN_CAP_VIEW_COLUMNS;
    CHECK(d->caps == want, "caps %llx", (unsigned long long)d->caps);
    /* exactly one exported symbol (AddressSanitizer adds its own markers) */
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "nm -D --defined-only '%s' 2>/dev/null | grep -v ' [aAwWvV] ' | grep -v ' __odr_asan' "
             "| wc -l", drv->path);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    CHECK(n == 1, "exported symbols: %d", n);
}

int main(void)
{
    const char *dl = getenv("CAIRN_DIALECT_DIR");
    if (!dl) {
        printf("CAIRN_DIALECT_DIR is not set\n0 passed, 1 failed\n");
        return 1;
    }
    snprintf(dir, sizeof dir, "/tmp/cairn-sqlite-XXXXXX");
    if (!mkdtemp(dir)) {
        printf("mkdtemp failed\n0 passed, 1 failed\n");
        return 1;
    }
    cairn_ctx_new(&cx);
    char *so = cairn_path_join(dl, "sqlite.so");
    cairn_driver drv;
    int rc = cairn_loader_load_file(cx, so, &drv);
    CHECK(rc == 0, "load %s: %s", so, errmsg());
    free(so);
    if (rc)
        return check_done();
    d = drv.d;
    rc = d->open(cairn_host_table(), (cairn_hostctx *)(void *)cx, &ds);
    CHECK(rc == 0, "open: %s", errmsg());
    if (rc)
        return check_done();
    test_entry(&drv);
    test_connect();
    test_introspect();
    test_normalize();
    test_create_everything();
    test_rebuild_keeps_children();
    test_virtual_tables();
    test_rebuild_keeps_rowids();
    test_alter_in_place();
    test_fk_violation();
    test_rebuild_with_rename();
    test_alter_limits();
    test_handmade_plans();
    test_history();
    test_lock();
    char *qa = path_in("q.db");
    cairn_dconn *qc = connect_to(qa);
    if (qc) {
        check_query_slot(d, qc);
        d->disconnect(qc);
    }
    free(qa);
    d->close(ds);
    cairn_driver_release(&drv);
    cairn_ctx_free(cx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (check_failed == 0 && system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return check_done();
}
