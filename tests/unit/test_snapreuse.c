/* snapreuse.c: a snapshot read with the schema being generated in hand must
 * be the snapshot the full read gives (written back byte for byte), borrow
 * exactly the tables that write to the same bytes, and give up (so the full
 * read decides, errors included) on anything it does not follow. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

static const char *const schema_json =
    "{\"tables\": ["
    "{\"name\": \"a\", \"columns\": [{\"name\": \"id\", \"type\": \"integer\", \"not_null\": true}],"
    " \"primary_key\": {\"columns\": [\"id\"]}},"
    "{\"name\": \"b\", \"comment\": \"quote \\\" and \\\\ and \\u00e9\","
    " \"columns\": [{\"name\": \"id\", \"type\": \"integer\"}, {\"name\": \"a_id\", \"type\": \"integer\"}],"
    " \"foreign_keys\": [{\"name\": \"b_a\", \"columns\": [\"a_id\"], \"references\": {\"table\": \"a\", \"columns\": [\"id\"]}}],"
    " \"indexes\": [{\"name\": \"b_ix\", \"columns\": [\"a_id\"]}]},"
    "{\"name\": \"c\", \"schema\": \"other\", \"columns\": [{\"name\": \"x\", \"type\": \"text\"}]}"
    "], \"namespaces\": [\"other\"],"
    " \"views\": [{\"name\": \"v\", \"definition\": \"SELECT 1\"}]}";

static cairn_schema *schema_of(cairn_ctx *cx, const char *json)
{
    cairn_schema *s = NULL;
    int rc = cairn_schema_from_json(cx, json, "schema.json", &s);
    CHECK(rc == 0, "schema: %s", cairn_ctx_error(cx)->message);
    return s;
}

/* A snapshot's text for `s`, as generate writes one. */
static char *snapshot_of(cairn_ctx *cx, cairn_schema *s)
{
    cairn_snapshot snap = {.id = (char *)"20260101000000_a", .dialect = (char *)"postgresql",
                           .schema = s};
    cairn_buf b;
    cairn_buf_init(&b);
    int rc = cairn_json_write_snapshot(cx, &snap, &b);
    CHECK(rc == 0, "write: %s", cairn_ctx_error(cx)->message);
    return cairn_buf_steal(&b);
}

/* A snapshot written back: what two reads must agree on. */
static char *written(cairn_ctx *cx, cairn_snapshot *snap)
{
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_json_write_snapshot(cx, snap, &b);
    return cairn_buf_steal(&b);
}

static void replace(char **text, const char *from, const char *to)
{
    char *at = strstr(*text, from);
    CHECK(at != NULL, "no \"%s\" in the snapshot", from);
    if (!at)
        return;
    size_t head = (size_t)(at - *text), fl = strlen(from), tl = strlen(to);
    char *n = malloc(strlen(*text) - fl + tl + 1);
    memcpy(n, *text, head);
    memcpy(n + head, to, tl);
    strcpy(n + head + tl, at + fl);
    free(*text);
    *text = n;
}

typedef struct sharer {
    cairn_snapreuse *r;
    cairn_ctx *cx;
    const cairn_schema *desired;
} sharer;

static void *share(void *arg)
{
    sharer *s = arg;
    cairn_snapreuse_match(s->r, s->cx, s->desired);
    return NULL;
}

/* Read `text` both ways; `borrowed`: the tables expected to be taken from
 * `desired` (-1: the reuse must give up). Two threads match when `threads`. */
static void both_ways(cairn_ctx *cx, const char *what, const char *text,
                      const cairn_schema *desired, int borrowed, int threads)
{
    size_t len = strlen(text);
    cairn_snapshot full, reused;
    int frc = cairn_snapshot_from_text(cx, "snapshot.json", text, len, &full);
    cairn_snapreuse *r = cairn_snapreuse_scan(text, len);
    int rrc = -1;
    cairn_reuse_span *spans = NULL;
    size_t nspans = 0;
    if (r) {
        cairn_ctx *other = NULL;
        pthread_t th;
        sharer sh = {r, NULL, desired};
        int two = threads && cairn_ctx_clone(cx, &other) == 0 &&
                  (sh.cx = other) && pthread_create(&th, NULL, share, &sh) == 0;
        cairn_snapreuse_match(r, cx, desired);
        if (two)
            pthread_join(th, NULL);
        cairn_ctx_free(other);
        rrc = cairn_snapreuse_finish(r, cx, "snapshot.json", &reused, &spans, &nspans);
        cairn_snapreuse_free(r);
    }
    if (borrowed < 0) {
        CHECK(rrc != 0, "%s: the reuse should give up", what);
    } else {
        CHECK(frc == 0 && rrc == 0, "%s: full %d, reused %d", what, frc, rrc);
        CHECK(nspans == (size_t)borrowed, "%s: %zu tables borrowed, want %d", what, nspans,
              borrowed);
    }
    if (frc == 0 && rrc == 0) {
        char *a = written(cx, &full), *b = written(cx, &reused);
        CHECK(a && b && strcmp(a, b) == 0, "%s: the two reads differ:\n%s\n---\n%s", what, a, b);
        size_t same = 0;
        for (size_t i = 0; i < reused.schema->ntables; i++)
            for (size_t j = 0; j < desired->ntables; j++)
                same += reused.schema->tables[i] == desired->tables[j];
        CHECK(same == nspans, "%s: %zu tables are the schema's, %zu spans", what, same, nspans);
        for (size_t i = 0; i < nspans; i++) {
            cairn_buf w;
            cairn_buf_init(&w);
            cairn_json_write_table(cx, spans[i].table, 3, &w);
            CHECK(w.len == spans[i].len && memcmp(w.data, spans[i].at, w.len) == 0,
                  "%s: span %zu is not what the table writes", what, i);
            cairn_buf_release(&w);
        }
        free(a);
        free(b);
        /* the reused model's tables are found by name like any other's */
        for (size_t i = 0; i < reused.schema->ntables; i++) {
            const cairn_table *t = reused.schema->tables[i];
            CHECK(cairn_schema_find_table(reused.schema, t->schema, t->name) == t,
                  "%s: table %s not found by name", what, t->name);
        }
        cairn_snapshot_release(&reused);
    }
    if (frc == 0)
        cairn_snapshot_release(&full);
    free(spans);
}

int main(void)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx) != 0)
        return 2;
    cairn_schema *old = schema_of(cx, schema_json);
    if (!old)
        return check_done();
    char *snap = snapshot_of(cx, old);

    /* the schema the snapshot was written from: every table borrowed */
    cairn_schema *same = schema_of(cx, schema_json);
    cairn_schema_sort(same);
    both_ways(cx, "unchanged", snap, same, 3, 0);
    both_ways(cx, "unchanged, two threads", snap, same, 3, 1);

    /* one table changed: it is read from the text, the others borrowed */
    char *changed_json = strdup(schema_json);
    replace(&changed_json, "\"type\": \"text\"", "\"type\": \"varchar(10)\"");
    cairn_schema *changed = schema_of(cx, changed_json);
    both_ways(cx, "one changed", snap, changed, 2, 0);

    /* a table the schema dropped, and one it adds */
    char *fewer_json = strdup(schema_json);
    replace(&fewer_json, "\"name\": \"a\",", "\"name\": \"a2\",");
    replace(&fewer_json, "\"table\": \"a\"", "\"table\": \"a2\"");
    cairn_schema *fewer = schema_of(cx, fewer_json);
    /* (b's key now names a2: only c is as it was) */
    both_ways(cx, "renamed", snap, fewer, 1, 0);

    /* an element written another way (spacing) is not borrowed, same model */
    char *spaced = strdup(snap);
    replace(&spaced, "\"name\": \"a\"", "\"name\" :  \"a\"");
    both_ways(cx, "respaced", spaced, same, 2, 0);

    /* a table twice: the full read refuses it, so the reuse gives up */
    char *twice = strdup(snap);
    const char *b_at = strstr(twice, "      {\n        \"name\": \"b\",");
    CHECK(b_at != NULL, "table b's element not found");
    if (b_at) {
        const char *b_end = strstr(b_at, "\n      }");
        size_t n = (size_t)(b_end + 8 - b_at);
        char *elem = strndup(b_at, n);
        char *with = malloc(strlen(elem) + 3);
        sprintf(with, "%s,\n", elem);
        char *t2 = malloc(strlen(twice) + n + 3);
        size_t head = (size_t)(b_at - twice);
        memcpy(t2, twice, head);
        strcpy(t2 + head, with);
        strcat(t2, b_at);
        both_ways(cx, "a table twice", t2, same, -1, 0);
        cairn_snapshot s2;
        CHECK(cairn_snapshot_from_text(cx, "snapshot.json", t2, strlen(t2), &s2) ==
                  CAIRN_EINTEGRITY,
              "a table twice: the full read accepts it");
        free(t2);
        free(with);
        free(elem);
    }
    free(twice);

    /* a view named like a borrowed table: refused by the full read */
    char *clash = strdup(snap);
    replace(&clash, "\"name\": \"v\"", "\"name\": \"a\"");
    both_ways(cx, "a view named like a table", clash, same, -1, 0);

    /* a damaged element that is not borrowed: the full read's error */
    char *damaged = strdup(spaced);
    replace(&damaged, "\"name\" :  \"a\"", "\"name\" :  \"a\", \"bogus\": 1");
    both_ways(cx, "damaged", damaged, same, -1, 0);

    /* many tables, every one changed: matching gives up early, unchanged: all taken */
    cairn_buf many, more;
    cairn_buf_init(&many);
    cairn_buf_init(&more);
    cairn_buf_puts(&many, "{\"tables\": [");
    cairn_buf_puts(&more, "{\"tables\": [");
    for (int i = 0; i < 300; i++) {
        cairn_buf_printf(&many, "%s{\"name\": \"t%d\", \"columns\": [{\"name\": \"id\", "
                         "\"type\": \"integer\"}]}", i ? "," : "", i);
        cairn_buf_printf(&more, "%s{\"name\": \"t%d\", \"columns\": [{\"name\": \"id\", "
                         "\"type\": \"integer\"}, {\"name\": \"v\", \"type\": \"text\"}]}",
                         i ? "," : "", i);
    }
    cairn_buf_puts(&many, "]}");
    cairn_buf_puts(&more, "]}");
    cairn_schema *many_s = schema_of(cx, many.data), *more_s = schema_of(cx, more.data);
    if (many_s && more_s) {
        char *many_snap = snapshot_of(cx, many_s);
        both_ways(cx, "300 tables, none changed", many_snap, many_s, 300, 1);
        both_ways(cx, "300 tables, every one changed", many_snap, more_s, -1, 1);
        free(many_snap);
    }
    cairn_schema_free(many_s);
    cairn_schema_free(more_s);
    cairn_buf_release(&many);
    cairn_buf_release(&more);

    /* texts the scan does not follow */
    const char *odd[] = {"", "{", "{\"schema\": {\"tables\": [1, 2]}}",
                         "{\"schema\": {\"tables\": [{\"name\": \"a\"}}",
                         "{\"schema\": {\"tables\": [{\"name\": \"a\" \"x\": 1}]}}",
                         "{\"schema\": \"x\"}", "{\"id\": \"unterminated}",
                         "{\"schema\": {\"tables\": [{\"name\": \"a\"},]}}",
                         "{\"schema\": {\"tables\": [{\"name\": \"a\"} , ]}}",
                         "{\"schema\": {\"tables\": [{\"name\": \"a\"} {\"name\": \"b\"}]}}"};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        cairn_snapreuse *r = cairn_snapreuse_scan(odd[i], strlen(odd[i]));
        CHECK(r == NULL, "odd text %zu was followed", i);
        cairn_snapreuse_free(r);
    }

    free(damaged);
    free(clash);
    free(spaced);
    cairn_schema_free(fewer);
    free(fewer_json);
    cairn_schema_free(changed);
    free(changed_json);
    cairn_schema_free(same);
    free(snap);
    cairn_schema_free(old);
    cairn_ctx_free(cx);
    return check_done();
}
