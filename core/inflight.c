/*
 * A statement whose outcome is unknown (sent, then the client died): can
 * the database tell whether it ran? Only where the statement's whole
 * effect is one object being there or not, and the statement says which
 * object: CREATE TABLE / VIEW / INDEX, DROP TABLE / VIEW / INDEX, and an
 * ALTER TABLE that adds or drops one column. The live schema is read
 * (introspection) and the object looked up. Anything else, or any doubt
 * (a name that matches twice, CREATE INDEX CONCURRENTLY, which PostgreSQL
 * leaves behind INVALID when interrupted, CREATE OR REPLACE, a DROP INDEX
 * whose table is gone) stays unknown: cairn never guesses.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* ---- reading the head of a statement --------------------------------------- */

typedef struct word {
    char text[256];
    int quoted; /* "x", `x` or [x]: compared exactly */
} word;

typedef struct reader {
    const char *p;
} reader;

static void skip_blank(reader *r)
{
    for (;;) {
        while (isspace((unsigned char)*r->p))
            r->p++;
        if (r->p[0] == '-' && r->p[1] == '-') {
            r->p += strcspn(r->p, "\n");
        } else if (r->p[0] == '/' && r->p[1] == '*') {
            const char *end = strstr(r->p + 2, "*/");
            r->p = end ? end + 2 : r->p + strlen(r->p);
        } else {
            return;
        }
    }
}

/* The next identifier or keyword; 0 when there is none (or it is too long). */
static int next_word(reader *r, word *w)
{
    skip_blank(r);
    char open = *r->p, close = open == '[' ? ']' : open;
    size_t n = 0;
    w->quoted = open == '"' || open == '`' || open == '[';
    if (w->quoted) {
        const char *p = r->p + 1;
        for (;; p++) {
            if (!*p)
                return 0;
            if (*p == close) {
                if (close != ']' && p[1] == close)
                    p++; /* a doubled quote is one */
                else
                    break;
            }
            if (n + 1 >= sizeof w->text)
                return 0;
            w->text[n++] = *p;
        }
        r->p = p + 1;
    } else {
        while (isalnum((unsigned char)r->p[n]) || r->p[n] == '_' || r->p[n] == '$' ||
               (unsigned char)r->p[n] >= 0x80) {
            if (n + 1 >= sizeof w->text)
                return 0;
            w->text[n] = r->p[n];
            n++;
        }
        r->p += n;
    }
    w->text[n] = '\0';
    return n > 0 || w->quoted;
}

/* Is the next word keyword `kw`? Consumed when it is. */
static int accept(reader *r, const char *kw)
{
    reader save = *r;
    word w;
    if (next_word(r, &w) && !w.quoted && strcasecmp(w.text, kw) == 0)
        return 1;
    *r = save;
    return 0;
}

/* [ns .] name */
static int qualified(reader *r, word *ns, word *name)
{
    ns->text[0] = '\0';
    if (!next_word(r, name))
        return 0;
    skip_blank(r);
    if (*r->p != '.')
        return 1;
    r->p++;
    *ns = *name;
    return next_word(r, name);
}

/* Is what is left of the statement one action: no ',' outside
 * parentheses, quotes and comments, and no ';' but a last one? */
static int one_action(const char *p)
{
    int depth = 0;
    while (*p) {
        if (*p == '\'' || *p == '"' || *p == '`') {
            char q = *p++;
            while (*p && *p != q)
                p++;
            if (*p)
                p++;
            continue;
        }
        if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (*p == ',' && depth == 0)
            return 0;
        else if (*p == ';' && depth == 0)
            return p[strspn(p + 1, " \t\r\n") + 1] == '\0'; /* only a final ';' */
        p++;
    }
    return 1;
}

/* ---- looking the object up ------------------------------------------------- */

static int name_is(const word *w, const char *name)
{
    return name && (w->quoted ? strcmp(w->text, name) == 0 : strcasecmp(w->text, name) == 0);
}

/* Does an object in namespace `schema` (NULL: the default one) answer to
 * `ns` (empty: unqualified)? 1 yes, 0 no, -1 maybe: the model names the
 * default namespace NULL, so "public.t" against a NULL-namespace "t" (or
 * "t" against "other.t", on a search path) cannot be told apart here. */
static int ns_matches(const word *ns, const char *schema)
{
    if (!ns->text[0])
        return schema ? -1 : 1;
    return schema ? name_is(ns, schema) : -1;
}

/* Add one candidate's verdict to a count; -1 (cannot tell) sticks. */
static void tally(int *n, int match)
{
    if (*n >= 0)
        *n = match < 0 ? -1 : *n + match;
}

/* How many tables (kind 't') or views ('v') are named so; -1 when that
 * cannot be told or is more than one. */
static int count_relations(const cairn_schema *s, char kind, const word *ns, const word *name,
                           const cairn_table **found)
{
    int n = 0;
    if (kind == 't')
        for (size_t i = 0; i < s->ntables; i++)
            if (name_is(name, s->tables[i]->name)) {
                int m = ns_matches(ns, s->tables[i]->schema);
                if (m > 0)
                    *found = s->tables[i];
                tally(&n, m);
            }
    if (kind == 'v')
        for (size_t i = 0; i < s->nviews; i++)
            if (name_is(name, s->views[i]->name))
                tally(&n, ns_matches(ns, s->views[i]->schema));
    return n > 1 ? -1 : n;
}

static int table_has_index(const cairn_table *t, const word *name)
{
    int n = 0;
    for (size_t i = 0; i < t->nindexes; i++)
        n += name_is(name, t->indexes[i]->name);
    for (size_t i = 0; i < t->nuniques; i++)
        n += name_is(name, t->uniques[i]->name);
    return n;
}

/* ---- the decision -------------------------------------------------------------- */

typedef struct head {
    enum { H_NONE, H_TABLE, H_VIEW, H_INDEX, H_COLUMN } what;
    int create;           /* the statement makes the object (else drops it) */
    word ns, name, table; /* index and column: `table` holds them */
    word table_ns;
} head;

/* An optional IF NOT EXISTS: the object there afterwards either way, so
 * its presence still says the statement is done. 0 on a broken one. */
static int if_not_exists(reader *r)
{
    return !accept(r, "IF") || (accept(r, "NOT") && accept(r, "EXISTS"));
}

/* An optional IF EXISTS on a DROP: the object gone afterwards either way. */
static void if_exists(reader *r)
{
    if (accept(r, "IF"))
        accept(r, "EXISTS");
}

/* TABLE or VIEW */
static int relation_kind(reader *r, head *h)
{
    h->what = accept(r, "TABLE") ? H_TABLE : accept(r, "VIEW") ? H_VIEW : H_NONE;
    return h->what != H_NONE;
}

/* What the statement makes or drops, when it is one of the forms above. */
static int read_head(const char *sql, head *h)
{
    memset(h, 0, sizeof *h);
    reader r = {sql};
    if (accept(&r, "CREATE")) {
        h->create = 1;
        (void)(accept(&r, "TEMP") || accept(&r, "TEMPORARY") || accept(&r, "UNLOGGED"));
        if (relation_kind(&r, h))
            return if_not_exists(&r) && qualified(&r, &h->ns, &h->name);
        accept(&r, "UNIQUE");
        if (!accept(&r, "INDEX") || accept(&r, "CONCURRENTLY") || !if_not_exists(&r))
            return 0;
        h->what = H_INDEX;
        if (!next_word(&r, &h->name) || !accept(&r, "ON"))
            return 0;
        accept(&r, "ONLY");
        return qualified(&r, &h->table_ns, &h->table);
    }
    if (accept(&r, "DROP")) {
        if (relation_kind(&r, h)) {
            if_exists(&r);
            return qualified(&r, &h->ns, &h->name) && one_action(r.p);
        }
        if (!accept(&r, "INDEX"))
            return 0;
        h->what = H_INDEX;
        if (accept(&r, "CONCURRENTLY"))
            return 0;
        if_exists(&r);
        if (!qualified(&r, &h->table_ns, &h->name) || !one_action(r.p))
            return 0;
        if (accept(&r, "ON")) /* MySQL: DROP INDEX i ON t */
            return qualified(&r, &h->table_ns, &h->table);
        return 1;
    }
    if (accept(&r, "ALTER") && accept(&r, "TABLE")) {
        accept(&r, "ONLY");
        if (accept(&r, "IF") && !accept(&r, "EXISTS"))
            return 0;
        if (!qualified(&r, &h->table_ns, &h->table))
            return 0;
        h->what = H_COLUMN;
        if (accept(&r, "ADD"))
            h->create = 1;
        else if (!accept(&r, "DROP"))
            return 0;
        if (accept(&r, "CONSTRAINT") || accept(&r, "PRIMARY") || accept(&r, "UNIQUE") ||
            accept(&r, "FOREIGN") || accept(&r, "CHECK") || accept(&r, "INDEX") ||
            accept(&r, "KEY"))
            return 0;
        accept(&r, "COLUMN");
        if (accept(&r, "IF"))
            return 0;
        return next_word(&r, &h->name) && one_action(r.p);
    }
    return 0;
}

/* Is the object there: 1 yes, 0 no, -1 cannot tell. */
static int object_present(const cairn_schema *s, const head *h)
{
    const cairn_table *t = NULL;
    switch (h->what) {
    case H_TABLE:
        return count_relations(s, 't', &h->ns, &h->name, &t);
    case H_VIEW:
        return count_relations(s, 'v', &h->ns, &h->name, &t);
    case H_COLUMN: {
        int n = count_relations(s, 't', &h->table_ns, &h->table, &t);
        if (n != 1)
            return -1; /* the table itself must be there, once */
        int cols = 0;
        for (size_t i = 0; i < t->ncolumns; i++)
            cols += name_is(&h->name, t->columns[i]->name);
        return cols > 1 ? -1 : cols;
    }
    case H_INDEX: {
        if (h->table.text[0]) {
            int n = count_relations(s, 't', &h->table_ns, &h->table, &t);
            if (n < 0)
                return -1;
            if (n == 0)
                /* no table: a CREATE INDEX cannot have run, a DROP cannot tell */
                return h->create ? 0 : -1;
            int k = table_has_index(t, &h->name);
            return k > 1 ? -1 : k;
        }
        int k = 0;
        for (size_t i = 0; i < s->ntables; i++)
            if (table_has_index(s->tables[i], &h->name))
                tally(&k, ns_matches(&h->table_ns, s->tables[i]->schema) *
                              table_has_index(s->tables[i], &h->name));
        return k > 1 ? -1 : k;
    }
    case H_NONE:
        break;
    }
    return -1;
}

int cairn_inflight_decide(cairn_conn *c, const char *sql, int *ran, char *why, size_t whylen)
{
    *ran = -1;
    head h;
    if (!read_head(sql, &h) || h.what == H_NONE)
        return 0;
    cairn_schema *s = NULL;
    int rc = cairn_conn_introspect(c, &s);
    if (rc)
        return rc;
    int present = object_present(s, &h);
    cairn_schema_free(s);
    if (present < 0)
        return 0;
    static const char *const kinds[] = {"", "table", "view", "index", "column"};
    const word *name = &h.name;
    *ran = present == h.create;
    snprintf(why, whylen, "%s \"%s\" %s", kinds[h.what], name->text,
             present ? "exists" : "does not exist");
    return 0;
}
