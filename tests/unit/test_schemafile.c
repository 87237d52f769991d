/* schemafile.c: the desired schema from a .json file, a directory of them,
 * or a .sql file applied to a scratch database of the dialect (SQLite). */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "internal.h"

static char data_dir[4096];

static const char *data(const char *name)
{
    static char path[4096 + 256];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    return path;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_json_file(void)
{
    cairn_ctx *cx;
    cairn_ctx_new(&cx);
    cairn_schema *s = NULL;
    int rc = cairn_schemafile_load(cx, data("full.json"), &s);
    CHECK(rc == 0, "full.json: %s", cairn_ctx_error(cx)->message);
    if (s) {
        CHECK(s->ntables == 3, "tables");
        /* sorted: default namespace first, then by namespace and name */
        CHECK_STR(s->tables[0]->name, "users");
        CHECK_STR(s->tables[1]->schema, "audit");
        CHECK_STR(s->tables[2]->schema, "billing");
    }
    cairn_schema_free(s);

    s = NULL;
    rc = cairn_schemafile_load(cx, data("missing.json"), &s);
    CHECK(rc == CAIRN_EIO && s == NULL, "missing file: %d", rc);
    rc = cairn_schemafile_load(cx, data("dir/README.txt"), &s);
    CHECK(rc == CAIRN_ESCHEMA, "unknown extension: %d", rc);
    CHECK(strstr(cairn_ctx_error(cx)->message, "a .json file, a directory of them, or a .sql file"),
          "extension message: %s", cairn_ctx_error(cx)->message);
    rc = cairn_schemafile_load(cx, NULL, &s);
    CHECK(rc == CAIRN_ECONFIG, "no path: %d", rc);
    cairn_ctx_free(cx);
}

static void test_directory(void)
{
    cairn_ctx *cx;
    cairn_ctx_new(&cx);
    cairn_schema *s = NULL;
    int rc = cairn_schemafile_load(cx, data("dir"), &s);
    CHECK(rc == 0, "dir: %s", cairn_ctx_error(cx)->message);
    if (s) {
        CHECK_STR(s->dialect, "sqlite");
        CHECK(s->ntables == 3 && s->nviews == 1, "merged %zu tables, %zu views", s->ntables,
              s->nviews);
        if (s->ntables == 3) {
            CHECK_STR(s->tables[0]->name, "accounts");
            CHECK_STR(s->tables[1]->name, "posts");
            CHECK_STR(s->tables[2]->name, "users");
            cairn_table *p = s->tables[1], *u = s->tables[2];
            CHECK(p->nfkeys == 1 && p->fkeys[0]->on_delete == CAIRN_FK_CASCADE, "fk copied");
            CHECK(p->nindexes == 1 && p->indexes[0]->nparts == 1, "index copied");
            CHECK(u->primary_key && u->nuniques == 1, "keys copied");
            CHECK(s->tables[0]->noptions == 1, "options copied");
        }
        /* the merged schema is the same as one file holding everything */
        char *merged = NULL;
        CHECK(cairn_schema_to_json(cx, s, &merged) == 0, "write merged");
        cairn_schema *again = NULL;
        CHECK(merged && cairn_schema_from_json(cx, merged, "merged", &again) == 0,
              "merged reads back: %s", cairn_ctx_error(cx)->message);
        char *twice = NULL;
        CHECK(again && cairn_schema_to_json(cx, again, &twice) == 0 && strcmp(merged, twice) == 0,
              "merged round trip");
        cairn_free(merged);
        cairn_free(twice);
        cairn_schema_free(again);
    }
    cairn_schema_free(s);

    /* a table in two files: both files are named */
    s = NULL;
    char a[4096 + 256], b[4096 + 256], want[16384];
    snprintf(a, sizeof a, "%s", data("dupdir/a.json"));
    snprintf(b, sizeof b, "%s", data("dupdir/b.json"));
    rc = cairn_schemafile_load(cx, data("dupdir"), &s);
    snprintf(want, sizeof want, "%s: table \"users\" is already defined in %s", b, a);
    CHECK(rc == CAIRN_ESCHEMA && s == NULL, "duplicate across files: %d", rc);
    CHECK_STR(cairn_ctx_error(cx)->message, want);
    CHECK_STR(cairn_ctx_error(cx)->file, b);

    /* problems inside one file keep that file's position; other cases */
    char tmp[] = "/tmp/cairn_sf_XXXXXX";
    if (mkdtemp(tmp)) {
        char p1[512], p2[512], p3[512], sub[512];
        snprintf(p1, sizeof p1, "%s/a.json", tmp);
        snprintf(p2, sizeof p2, "%s/b.json", tmp);
        snprintf(p3, sizeof p3, "%s/c.json", tmp);
        snprintf(sub, sizeof sub, "%s/sub.json", tmp);
        rc = cairn_schemafile_load(cx, tmp, &s);
        CHECK(rc == CAIRN_ESCHEMA && strstr(cairn_ctx_error(cx)->message, "no .json schema files"),
              "empty directory: %s", cairn_ctx_error(cx)->message);
        write_text(p1, "{\"dialect\": \"sqlite\", \"tables\": [{\"name\": \"x\"}]}\n");
        write_text(p2, "{\"dialect\": \"postgresql\"}\n");
        mkdir(sub, 0700); /* a directory named *.json is skipped */
        rc = cairn_schemafile_load(cx, tmp, &s);
        snprintf(want, sizeof want, "%s: dialect \"postgresql\" differs from \"sqlite\" in %s", p2,
                 p1);
        CHECK(rc == CAIRN_ESCHEMA, "dialects differ: %d", rc);
        CHECK_STR(cairn_ctx_error(cx)->message, want);
        write_text(p2, "{\"views\": [{\"name\": \"x\", \"definition\": \"SELECT 1\"}]}\n");
        rc = cairn_schemafile_load(cx, tmp, &s);
        snprintf(want, sizeof want, "%s: view \"x\": the name is already a table in %s", p2, p1);
        CHECK_STR(cairn_ctx_error(cx)->message, want);
        write_text(p2, "{}\n");
        write_text(p3, "{\n  \"tables\": [{\"name\": \"y\", \"columns\": [{\"name\": 1}]}]\n}\n");
        rc = cairn_schemafile_load(cx, tmp, &s);
        snprintf(want, sizeof want, "%s:2:49: tables[0].columns[0].name: expected a string", p3);
        CHECK(rc == CAIRN_ESCHEMA && cairn_ctx_error(cx)->line == 2 &&
                  cairn_ctx_error(cx)->column == 49,
              "position inside a directory file");
        CHECK_STR(cairn_ctx_error(cx)->message, want);
        write_text(p3, "{\"tables\": [{\"name\": \"y\", \"schema\": \"s\"}], "
                       "\"namespaces\": [\"s\"]}\n");
        rc = cairn_schemafile_load(cx, tmp, &s);
        CHECK(rc == 0 && s && s->ntables == 2 && s->nnamespaces == 1, "merge with namespaces: %s",
              cairn_ctx_error(cx)->message);
        cairn_schema_free(s);
        s = NULL;
        remove(p1);
        remove(p2);
        remove(p3);
        rmdir(sub);
        rmdir(tmp);
    }
    cairn_ctx_free(cx);
}

/* The SQLite driver's path, when it is built and exports its entry. */
static const char *sqlite_driver(void)
{
    static char path[4096];
    const char *dir = getenv("CAIRN_DIALECT_DIR");
    if (!dir)
        return NULL;
    snprintf(path, sizeof path, "%s/sqlite.so", dir);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return NULL;
    int ok = dlsym(h, CAIRN_DIALECT_ENTRY_SYMBOL) != NULL;
    dlclose(h);
    return ok ? dir : NULL;
}

static void test_sql(void)
{
    const char *dir = sqlite_driver();
    if (!dir) {
        printf("SKIP .sql schemas: no SQLite driver with an entry symbol in CAIRN_DIALECT_DIR\n");
        return;
    }
    cairn_ctx *cx;
    cairn_ctx_new(&cx);
    cairn_ctx_set(cx, "dialect", "sqlite");
    cairn_ctx_set(cx, "dialect_path", dir);
    cairn_schema *s = NULL;
    int rc = cairn_schemafile_load(cx, data("schema.sql"), &s);
    CHECK(rc == 0, "schema.sql: %s", cairn_ctx_error(cx)->message);
    if (s) {
        CHECK_STR(s->dialect, "sqlite");
        CHECK(s->ntables == 2, "tables %zu", s->ntables);
        cairn_table *p = cairn_schema_find_table(s, NULL, "posts");
        cairn_table *u = cairn_schema_find_table(s, NULL, "users");
        CHECK(p && u && s->tables[0] == p, "sorted: posts before users");
        if (p) {
            CHECK(p->ncolumns == 3 && p->nfkeys == 1 && p->nindexes == 1, "posts shape");
            if (p->nfkeys == 1) {
                CHECK_STR(p->fkeys[0]->ref_table, "users");
                CHECK(p->fkeys[0]->on_delete == CAIRN_FK_CASCADE, "on delete cascade");
            }
            CHECK(cairn_table_find_column(p, "title") &&
                      cairn_table_find_column(p, "title")->not_null,
                  "title not null");
        }
        if (u)
            CHECK(u->primary_key && u->ncolumns == 3 &&
                      cairn_table_find_column(u, "created_at")->default_expr,
                  "users shape");
        /* what came from SQL writes and reads like any other schema */
        char *j = NULL;
        cairn_schema *back = NULL;
        CHECK(cairn_schema_to_json(cx, s, &j) == 0 &&
                  cairn_schema_from_json(cx, j, "x", &back) == 0,
              "sql schema as json: %s", cairn_ctx_error(cx)->message);
        cairn_free(j);
        cairn_schema_free(back);
    }
    cairn_schema_free(s);

    s = NULL;
    rc = cairn_schemafile_load(cx, data("schema_breakpoints.sql"), &s);
    CHECK(rc == 0 && s && s->ntables == 2, "statements split on breakpoints: %s",
          cairn_ctx_error(cx)->message);
    cairn_schema_free(s);

    /* the scratch database is new each time: loading twice is the same */
    s = NULL;
    rc = cairn_schemafile_load(cx, data("schema.sql"), &s);
    CHECK(rc == 0 && s && s->ntables == 2, "second load: %s", cairn_ctx_error(cx)->message);
    cairn_schema_free(s);

    /* an SQL error is a schema error naming the file and the statement's line */
    s = NULL;
    rc = cairn_schemafile_load(cx, data("schema_bad.sql"), &s);
    const cairn_error *e = cairn_ctx_error(cx);
    CHECK(rc == CAIRN_ESCHEMA && s == NULL, "bad sql: %d", rc);
    CHECK(e->file && strcmp(e->file, data("schema_bad.sql")) == 0 && e->line == 4,
          "bad sql position %s:%d", e->file ? e->file : "", e->line);
    CHECK(e->message && strstr(e->message, "schema_bad.sql:4:1: "), "bad sql message: %s",
          e->message);
    cairn_ctx_free(cx);

    /* a dev_url wins over the built-in scratch database: it must be empty,
     * and with transactional DDL it is left empty again */
    char tmp[] = "/tmp/cairn_dev_XXXXXX";
    if (mkdtemp(tmp)) {
        char dev[512];
        snprintf(dev, sizeof dev, "%s/dev.db", tmp);
        cairn_ctx_new(&cx);
        cairn_ctx_set(cx, "dialect", "sqlite");
        cairn_ctx_set(cx, "dialect_path", dir);
        cairn_ctx_set(cx, "dev_url", dev);
        for (int round = 0; round < 2; round++) {
            s = NULL;
            rc = cairn_schemafile_load(cx, data("schema.sql"), &s);
            CHECK(rc == 0 && s && s->ntables == 2, "dev_url round %d: %s", round,
                  cairn_ctx_error(cx)->message);
            cairn_schema_free(s);
        }
        /* something already in the dev database is refused, not merged */
        cairn_session *ss;
        cairn_dconn *c = NULL;
        CHECK(cairn_session_get(cx, &ss) == 0 && ss->drv.d->connect(ss->ds, dev, &c) == 0 &&
                  ss->drv.d->exec(c, "CREATE TABLE leftover (x integer)") == 0,
              "fill dev db: %s", cairn_ctx_error(cx)->message);
        if (c)
            ss->drv.d->disconnect(c);
        s = NULL;
        rc = cairn_schemafile_load(cx, data("schema.sql"), &s);
        CHECK(rc == CAIRN_ECONFIG && s == NULL, "non-empty dev_url: %d", rc);
        CHECK(strstr(cairn_ctx_error(cx)->message, "dev_url database is not empty"),
              "non-empty dev_url message: %s", cairn_ctx_error(cx)->message);
        cairn_ctx_free(cx);
        char side[600];
        snprintf(side, sizeof side, "%s-cairn.lock", dev);
        remove(side);
        remove(dev);
        rmdir(tmp);
    }

    /* without a dialect there is no scratch database to apply SQL to */
    cairn_ctx_new(&cx);
    rc = cairn_schemafile_load(cx, data("schema.sql"), &s);
    CHECK(rc == CAIRN_ECONFIG, "no dialect: %d %s", rc, cairn_ctx_error(cx)->message);
    cairn_ctx_free(cx);
}

int main(void)
{
    const char *src = getenv("CAIRN_TEST_SOURCE_DIR");
    snprintf(data_dir, sizeof data_dir, "%s/tests/data/json", src ? src : ".");
    test_json_file();
    test_directory();
    test_sql();
    return check_done();
}
