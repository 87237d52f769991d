/* The `query` slot (ABI 1.3) as the core uses it, against a live
 * connection of any dialect: rows come in order with SQL NULL apart from
 * text, a non-zero return from the callback stops the query and is what it
 * returns, and a missing table is a database error. Shared by the three
 * driver tests; include after check.h. */
#ifndef CAIRN_TEST_QUERY_SLOT_H
#define CAIRN_TEST_QUERY_SLOT_H
#include <stdio.h>
#include <string.h>

#include <cairn/sys/dialect.h>

typedef struct rows_seen {
    char text[256];
    int calls, stop_after;
} rows_seen;

static int rows_seen_add(void *ud, size_t n, const char *const *v)
{
    rows_seen *r = ud;
    size_t len = strlen(r->text);
    for (size_t i = 0; i < n && len < sizeof r->text; i++)
        len += (size_t)snprintf(r->text + len, sizeof r->text - len, "%s%s", i ? "|" : "",
                                v[i] ? v[i] : "<null>");
    if (len < sizeof r->text)
        snprintf(r->text + len, sizeof r->text - len, ";");
    return ++r->calls == r->stop_after ? 42 : 0;
}

static void check_query_slot(const cairn_dialect *dl, cairn_dconn *c)
{
    CHECK(dl->query != NULL, "%s has the query slot", dl->name);
    if (!dl->query)
        return;
    const char *sql = "SELECT 1, NULL, 'x' UNION ALL SELECT 2, 'NULL', NULL";
    rows_seen r = {{0}, 0, 0};
    CHECK(dl->query(c, sql, rows_seen_add, &r) == 0, "%s: query runs", dl->name);
    CHECK_STR(r.text, "1|<null>|x;2|NULL|<null>;");
    rows_seen stop = {{0}, 0, 1};
    CHECK(dl->query(c, sql, rows_seen_add, &stop) == 42 && stop.calls == 1,
          "%s: the callback's non-zero stops the rows and is returned (%d calls)", dl->name,
          stop.calls);
    rows_seen none = {{0}, 0, 0};
    CHECK(dl->query(c, "SELECT 1 FROM no_such_table_here", rows_seen_add, &none) == CAIRN_EDB &&
              none.calls == 0,
          "%s: a missing table is CAIRN_EDB", dl->name);
    /* the connection is still usable after the error */
    rows_seen again = {{0}, 0, 0};
    CHECK(dl->query(c, "SELECT 7", rows_seen_add, &again) == 0, "%s: usable after an error",
          dl->name);
    CHECK_STR(again.text, "7;");
}
#endif
