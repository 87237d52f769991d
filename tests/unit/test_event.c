/* Events (core/event.c): a plan becomes one CHANGE event per change, with
 * its kind's name, the object's qualified name, the destructive flag and
 * warning; the text of an event is scrubbed of the configured URL's
 * password like a log line; without a handler nothing is called. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

/* What the handler saw, one line per event. */
static cairn_buf seen;

static void on_event(void *ud, const cairn_event *e)
{
    (*(int *)ud)++;
    if (e->kind == CAIRN_EVENT_CHANGE)
        cairn_buf_printf(&seen, "%s %s%s%s\n", e->change, e->object,
                         e->destructive ? " destructive: " : "", e->destructive ? e->message : "");
    else if (e->kind == CAIRN_EVENT_STATEMENT)
        cairn_buf_printf(&seen, "sql %s\n", e->sql);
    else
        cairn_buf_printf(&seen, "other %d\n", (int)e->kind);
}

static cairn_column *col(cairn_schema *s, cairn_table *t, const char *name)
{
    cairn_column *c = cairn_table_add_column(s, t, name);
    c->type = cairn_schema_strdup(s, "integer");
    return c;
}

int main(void)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        return 1;
    int calls = 0;
    cairn_buf_init(&seen);

    /* no handler: nothing is called, nothing breaks */
    cairn_event e = {.kind = CAIRN_EVENT_STATEMENT, .sql = "SELECT 1"};
    cairn_event_emit(cx, &e);
    CHECK(!cairn_event_wanted(cx), "no handler, no events wanted");

    cairn_ctx_set_event_handler(cx, on_event, &calls);
    CHECK(cairn_event_wanted(cx), "a handler wants events");

    /* from: app.users (id, old), app.gone; to: app.users (id, email) + index */
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    cairn_table *ta = cairn_schema_add_table(a, "app", "users");
    col(a, ta, "id");
    col(a, ta, "old");
    col(a, cairn_schema_add_table(a, "app", "gone"), "id");
    cairn_table *tb = cairn_schema_add_table(b, "app", "users");
    col(b, tb, "id");
    col(b, tb, "email");
    cairn_index *ix = cairn_table_add_index(b, tb, "users_email_idx");
    cairn_index_add_part(b, ix)->column = "email";
    cairn_schema_sort(a);
    cairn_schema_sort(b);
    cairn_plan *p = NULL;
    CHECK(cairn_diff(cx, a, b, NULL, &p) == 0, "diff: %s", cairn_ctx_error(cx)->message);
    if (p) {
        cairn_event_plan(cx, p);
        CHECK(calls == (int)p->nchanges, "one event per change: %d of %zu", calls, p->nchanges);
        const char *text = cairn_buf_cstr(&seen);
        CHECK(strstr(text, "add_column app.users.email\n") != NULL, "%s", text);
        CHECK(strstr(text, "drop_column app.users.old destructive: ") != NULL, "%s", text);
        CHECK(strstr(text, "drop_table app.gone destructive: ") != NULL, "%s", text);
        CHECK(strstr(text, "create_index app.users.users_email_idx\n") != NULL, "%s", text);
        cairn_plan_free(p);
    }

    /* the configured URL's password never reaches a handler */
    cairn_buf_release(&seen);
    cairn_buf_init(&seen);
    CHECK(cairn_ctx_set(cx, "url", "postgres://me:s3cret@db.example/app") == 0, "set url");
    char *stmts[] = {(char *)"CREATE SERVER x OPTIONS (password 's3cret')", (char *)"SELECT 2"};
    cairn_event_sql(cx, NULL, stmts, 2);
    const char *text = cairn_buf_cstr(&seen);
    CHECK(strstr(text, "s3cret") == NULL, "the password was scrubbed: %s", text);
    CHECK(strstr(text, "sql SELECT 2\n") != NULL, "the other statement as it is: %s", text);

    cairn_buf_release(&seen);
    cairn_schema_free(a);
    cairn_schema_free(b);
    cairn_ctx_free(cx);
    return check_done();
}
