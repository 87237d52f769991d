/* libFuzzer target: the SQLite driver's DDL tokenizer and parsers
 * (plugins/sqlite/sqlitedrv_parse.c), which read the CREATE text SQLite
 * keeps in sqlite_schema, checked against SQLite itself.
 *
 * Any text: the tokens lie inside it, in order, without overlap, and the
 * table, index and view parsers return without crashing. Text that SQLite
 * accepts as a CREATE TABLE: the parser reads the text SQLite stored and
 * finds the same columns, in the same order, with the same names, that
 * PRAGMA table_xinfo reports. */
#include <strings.h>

#include <sqlite3.h>

#include "fuzz.h"
#include "sqlitedrv.h"

static void check_tokens(const char *sql)
{
    sqlitedrv_toks t = {0};
    if (sqlitedrv_lex(sql, &t) != 0)
        return;
    const char *end = sql + strlen(sql), *prev = sql;
    for (size_t i = 0; i < t.n; i++) {
        const sqlitedrv_tok *k = &t.v[i];
        FUZZ_CHECK(k->n > 0 && k->s >= prev && k->s + k->n <= end,
                   "token %zu (%.*s) is outside the text or overlaps the one before", i,
                   (int)k->n, k->s);
        prev = k->s + k->n;
    }
    sqlitedrv_toks_free(&t);
}

/* Does SQLite take `sql` as a table? Then compare its columns. */
static void check_against_sqlite(const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
        sqlite3_close(db);
        return;
    }
    sqlite3_stmt *st = NULL;
    const char *stored = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND "
                           "sql IS NOT NULL AND name NOT LIKE 'sqlite_%'",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW || !(stored = (const char *)sqlite3_column_text(st, 1)))
        goto out;
    char *name = strdup((const char *)sqlite3_column_text(st, 0));
    char *text = strdup(stored);
    FUZZ_CHECK(name && text, "out of memory");
    sqlite3_finalize(st);
    st = NULL;

    sqlitedrv_pool p = {0};
    sqlitedrv_ptable pt = {0};
    int rc = sqlitedrv_parse_table(&p, text, &pt);
    FUZZ_CHECK(rc == 0, "SQLite took [%s], the parser did not (%d)", text, rc);
    char *q = sqlite3_mprintf("SELECT name FROM pragma_table_xinfo(%Q)", name);
    FUZZ_CHECK(q != NULL, "out of memory");
    size_t i = 0;
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
        for (; sqlite3_step(st) == SQLITE_ROW; i++) {
            const char *col = (const char *)sqlite3_column_text(st, 0);
            FUZZ_CHECK(i < pt.ncols, "[%s]: SQLite has column %zu (%s), the parser %zu columns",
                       text, i, col ? col : "", pt.ncols);
            FUZZ_CHECK(col && pt.cols[i].name && strcmp(col, pt.cols[i].name) == 0,
                       "[%s]: column %zu is [%s] to SQLite, [%s] to the parser", text, i,
                       col ? col : "", pt.cols[i].name ? pt.cols[i].name : "(null)");
        }
        FUZZ_CHECK(i == pt.ncols, "[%s]: SQLite has %zu columns, the parser %zu", text, i,
                   pt.ncols);
    }
    sqlite3_free(q);
    sqlitedrv_pool_free(&p);
    free(name);
    free(text);
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *sql = fuzz_cstr(data, size);
    if (!sql)
        return 0;
    check_tokens(sql);

    sqlitedrv_pool p = {0};
    sqlitedrv_ptable pt;
    sqlitedrv_pindex pi;
    (void)sqlitedrv_parse_table(&p, sql, &pt);
    (void)sqlitedrv_parse_index(&p, sql, &pi);
    char **vcols, *module, *args;
    size_t nvcols;
    (void)sqlitedrv_view_body(&p, sql, &vcols, &nvcols);
    (void)sqlitedrv_parse_virtual(&p, sql, &module, &args);
    sqlitedrv_pool_free(&p);

    /* one statement only, and nothing that reaches outside the database */
    if (strncasecmp(sql, "CREATE TABLE", 12) == 0 && !strchr(sql, ';'))
        check_against_sqlite(sql);
    free(sql);
    return 0;
}
