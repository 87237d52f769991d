/*
 * Events: the facts of a run (a change planned, a migration applied, a
 * problem found) as structs, beside the log lines that say them to people.
 * A front end that prints JSON, or an application that records its
 * migrations, reads these instead of parsing log text. Text that may hold
 * a password (SQL, messages) is scrubbed here like every log line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

void cairn_ctx_set_event_handler(cairn_ctx *cx, cairn_event_fn *fn, void *userdata)
{
    cx->event = fn;
    cx->event_ud = userdata;
}

int cairn_event_wanted(const cairn_ctx *cx)
{
    return cx->event != NULL;
}

void cairn_event_emit(cairn_ctx *cx, const cairn_event *ev)
{
    if (!cx->event)
        return;
    cairn_event e = *ev;
    char *sql = e.sql ? cairn_scrub(cx, e.sql) : NULL;
    char *msg = e.message ? cairn_scrub(cx, e.message) : NULL;
    if ((e.sql && !sql) || (e.message && !msg)) {
        free(sql);
        free(msg);
        return; /* out of memory: the log line still says it */
    }
    e.sql = sql;
    e.message = msg;
    cx->event(cx->event_ud, &e);
    free(sql);
    free(msg);
}

void cairn_event_sql(cairn_ctx *cx, const char *migration, char *const *sql, size_t n)
{
    for (size_t i = 0; i < n && cx->event; i++) {
        cairn_event e = {.kind = CAIRN_EVENT_STATEMENT, .migration = migration, .sql = sql[i]};
        cairn_event_emit(cx, &e);
    }
}

/* Names of the change kinds, indexed by kind (plan.h order). */
static const char *const change_names[] = {
    NULL,                "create_namespace", "drop_namespace",    "create_enum",
    "alter_enum",        "drop_enum",        "create_sequence",   "alter_sequence",
    "drop_sequence",     "create_table",     "drop_table",        "rename_table",
    "add_column",        "drop_column",      "rename_column",     "alter_column",
    "set_primary_key",   "add_unique",       "drop_unique",       "add_check",
    "drop_check",        "add_foreign_key",  "drop_foreign_key",  "create_index",
    "drop_index",        "create_trigger",   "drop_trigger",      "create_view",
    "drop_view",         "set_table_comment", "set_table_options", "create_object",
    "drop_object",       "replace_object",   "alter_key",         "alter_check",
    "alter_foreign_key", "alter_trigger"};
_Static_assert(sizeof change_names / sizeof *change_names == CAIRN_CHANGE_ALTER_TRIGGER + 1,
               "a name for every change kind");

/* "ns.name" or "name". */
static void qualified(char *out, size_t size, const char *ns, const char *name)
{
    snprintf(out, size, "%s%s%s", ns ? ns : "", ns ? "." : "", name ? name : "");
}

/* The name of the object a change is about, after the change where it
 * exists then: a table's part is "table.part". */
static void change_object(const cairn_change *c, char *out, size_t size)
{
    const cairn_table *t = c->table_to ? c->table_to : c->table_from;
    cairn_change_obj o = c->to.ptr ? c->to : c->from;
    const char *part = NULL;
    switch (c->kind) {
    case CAIRN_CHANGE_CREATE_NAMESPACE:
    case CAIRN_CHANGE_DROP_NAMESPACE:
        snprintf(out, size, "%s", o.name ? o.name : "");
        return;
    case CAIRN_CHANGE_CREATE_ENUM:
    case CAIRN_CHANGE_ALTER_ENUM:
    case CAIRN_CHANGE_DROP_ENUM:
        qualified(out, size, o.enm->schema, o.enm->name);
        return;
    case CAIRN_CHANGE_CREATE_SEQUENCE:
    case CAIRN_CHANGE_ALTER_SEQUENCE:
    case CAIRN_CHANGE_DROP_SEQUENCE:
        qualified(out, size, o.sequence->schema, o.sequence->name);
        return;
    case CAIRN_CHANGE_CREATE_VIEW:
    case CAIRN_CHANGE_DROP_VIEW:
        qualified(out, size, o.view->schema, o.view->name);
        return;
    case CAIRN_CHANGE_CREATE_OBJECT:
    case CAIRN_CHANGE_DROP_OBJECT:
    case CAIRN_CHANGE_REPLACE_OBJECT:
        cairn_object_label(o.object, out, size);
        return;
    case CAIRN_CHANGE_CREATE_TABLE:
    case CAIRN_CHANGE_DROP_TABLE:
    case CAIRN_CHANGE_RENAME_TABLE:
    case CAIRN_CHANGE_SET_TABLE_COMMENT:
    case CAIRN_CHANGE_SET_TABLE_OPTIONS:
        break;
    case CAIRN_CHANGE_ADD_COLUMN:
    case CAIRN_CHANGE_DROP_COLUMN:
    case CAIRN_CHANGE_RENAME_COLUMN:
    case CAIRN_CHANGE_ALTER_COLUMN: part = o.column ? o.column->name : NULL; break;
    case CAIRN_CHANGE_SET_PRIMARY_KEY:
    case CAIRN_CHANGE_ADD_UNIQUE:
    case CAIRN_CHANGE_DROP_UNIQUE:
    case CAIRN_CHANGE_ALTER_KEY: part = o.key ? o.key->name : NULL; break;
    case CAIRN_CHANGE_ADD_CHECK:
    case CAIRN_CHANGE_DROP_CHECK:
    case CAIRN_CHANGE_ALTER_CHECK: part = o.check ? o.check->name : NULL; break;
    case CAIRN_CHANGE_ADD_FOREIGN_KEY:
    case CAIRN_CHANGE_DROP_FOREIGN_KEY:
    case CAIRN_CHANGE_ALTER_FOREIGN_KEY: part = o.fkey ? o.fkey->name : NULL; break;
    case CAIRN_CHANGE_CREATE_INDEX:
    case CAIRN_CHANGE_DROP_INDEX: part = o.index ? o.index->name : NULL; break;
    case CAIRN_CHANGE_CREATE_TRIGGER:
    case CAIRN_CHANGE_DROP_TRIGGER:
    case CAIRN_CHANGE_ALTER_TRIGGER: part = o.trigger ? o.trigger->name : NULL; break;
    }
    char table[300];
    qualified(table, sizeof table, t ? t->schema : NULL, t ? t->name : NULL);
    /* an unnamed key or check is named by its table alone */
    snprintf(out, size, "%s%s%s", table, part ? "." : "", part ? part : "");
}

void cairn_change_label(const cairn_change *c, char *out, size_t size)
{
    const char *kind = (size_t)c->kind < sizeof change_names / sizeof *change_names
                           ? change_names[c->kind] : "change";
    char object[600];
    change_object(c, object, sizeof object);
    size_t n = 0;
    for (; kind[n] && n + 1 < size; n++)
        out[n] = kind[n] == '_' ? ' ' : kind[n];
    snprintf(out + n, size - n, " %s", object);
}

/* One event of `kind` per change of `v`: the plan's changes, or the drops
 * it left out. */
static void event_changes(cairn_ctx *cx, cairn_event_kind kind, cairn_change *const *v,
                          size_t n)
{
    for (size_t i = 0; i < n && cx->event; i++) {
        const cairn_change *c = v[i];
        char object[600];
        change_object(c, object, sizeof object);
        int destructive = kind == CAIRN_EVENT_CHANGE && (c->flags & CAIRN_CHANGE_DESTRUCTIVE);
        cairn_event e = {
            .kind = kind,
            .change = (size_t)c->kind < sizeof change_names / sizeof *change_names
                          ? change_names[c->kind] : "unknown",
            .object = object,
            .destructive = destructive,
            .message = destructive ? (c->warning ? c->warning : "this change can lose data")
                                   : NULL};
        cairn_event_emit(cx, &e);
    }
}

void cairn_event_plan(cairn_ctx *cx, const cairn_plan *p)
{
    if (p)
        event_changes(cx, CAIRN_EVENT_CHANGE, p->changes, p->nchanges);
}

void cairn_event_skipped(cairn_ctx *cx, const cairn_plan *p)
{
    if (p)
        event_changes(cx, CAIRN_EVENT_SKIPPED, p->skipped, p->nskipped);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cairn_progress(cairn_ctx *cx, const char *what, const char *object, size_t done,
                    size_t total)
{
    if (!cx->event || !what)
        return;
    int64_t now = now_ms();
    if (!cx->progress_what || strcmp(cx->progress_what, what) != 0) {
        free(cx->progress_what);
        if (!(cx->progress_what = strdup(what)))
            return; /* out of memory: only a progress line is lost */
        cx->progress_start = now;
        cx->progress_last = 0;
    }
    int end = total && done >= total;
    /* work that ends within a second is not worth a line; then one a second */
    const char *setting = cairn_ctx_get(cx, "progress_interval");
    int64_t every = setting ? strtoll(setting, NULL, 10) : 1000;
    if (every < 0)
        every = 1000;
    int say = now - cx->progress_start >= every &&
              (end || !cx->progress_last || now - cx->progress_last >= every);
    if (say) {
        cx->progress_last = now;
        cairn_event e = {.kind = CAIRN_EVENT_PROGRESS, .action = what, .object = object,
                         .step = done, .steps = total, .duration_ms = now - cx->progress_start};
        cairn_event_emit(cx, &e);
    }
    if (end) {
        free(cx->progress_what);
        cx->progress_what = NULL;
    }
}
