/* cairn validate: the schema file checked as generate reads it, and then
 * what only the dialect's driver can tell (its type names) and what needs
 * the whole schema (a foreign key's column types against the referenced
 * ones; a check's column names). Nothing is written, no database is used.
 * Each problem names the file, line and column of the object it is about. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* ---- type names ------------------------------------------------------------------ */

static int in_list(const char *const *names, const char *s, size_t len)
{
    for (; *names; names++)
        if (strlen(*names) == len && strncasecmp(*names, s, len) == 0)
            return 1;
    return 0;
}

/* The type's name without arguments and array brackets, lower case:
 * "character varying(20)[]" -> "character varying". */
static void type_base(const char *type, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = type; *p && *p != '(' && *p != '[' && n + 1 < size; p++)
        out[n++] = (char)tolower((unsigned char)*p);
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

/* A type the dialect knows: its whole name, or each of its words
 * ("int unsigned"), is in the driver's list; or it is an enum of the
 * schema (by name, with or without its namespace). */
static int type_known(const char *const *names, const cairn_schema *s, const char *base)
{
    if (in_list(names, base, strlen(base)))
        return 1;
    for (size_t i = 0; i < s->nenums; i++) {
        const cairn_enum *e = s->enums[i];
        char q[300];
        snprintf(q, sizeof q, "%s.%s", e->schema ? e->schema : "", e->name);
        if (strcasecmp(e->name, base) == 0 || (e->schema && strcasecmp(q, base) == 0))
            return 1;
    }
    int words = 0;
    for (const char *p = base; *p;) {
        size_t len = strcspn(p, " ");
        if (len && !in_list(names, p, len))
            return 0;
        words += len > 0;
        p += len + (p[len] == ' ');
    }
    return words > 1;
}

static const char *nearest(const char *const *names, const char *word)
{
    const char *best = NULL;
    size_t dist = strlen(word) < 4 ? 2 : 3;
    for (; *names; names++) {
        size_t d = cairn_edit_distance(*names, word);
        if (d < dist) {
            dist = d;
            best = *names;
        }
    }
    return best;
}

static int check_types(cairn_ctx *cx, const cairn_dialect *d, const cairn_schema *s,
                       const char *path)
{
    const char *const *names = d->type_names;
    for (size_t i = 0; i < s->ntables; i++) {
        const cairn_table *t = s->tables[i];
        for (size_t j = 0; j < t->ncolumns; j++) {
            const cairn_column *c = t->columns[j];
            char base[128];
            if (!c->type)
                continue;
            type_base(c->type, base, sizeof base);
            if (!*base || type_known(names, s, base))
                continue;
            char step[600];
            snprintf(step, sizeof step, "tables[%s]/columns[%s]/type", t->name, c->name);
            const char *paths[] = {step};
            const char *near = nearest(names, base);
            return cairn_schemafile_err(cx, path, paths, 1,
                           "column %s.%s: unknown type \"%s\" for dialect '%s'%s%s%s", t->name,
                           c->name, c->type, d->name,
                           near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
        }
    }
    return 0;
}

/* ---- foreign keys: the types on both ends ------------------------------------------ */

/* Synonyms by the dialect's type families (int = integer = int4). */
static int same_type(const cairn_type_family *fam, const char *a, const char *b)
{
    char ba[128], bb[128];
    type_base(a, ba, sizeof ba);
    type_base(b, bb, sizeof bb);
    if (strcmp(ba, bb) == 0)
        return 1;
    const cairn_type_family *fa = NULL, *fb = NULL;
    for (; fam && fam->name; fam++) {
        if (strcasecmp(fam->name, ba) == 0)
            fa = fam;
        if (strcasecmp(fam->name, bb) == 0)
            fb = fam;
    }
    /* strings of any length compare; other kinds by rank */
    return fa && fb && fa->kind == fb->kind &&
           (fa->rank == fb->rank || fa->kind == CAIRN_TYPE_STRING);
}

static int check_fkey_types(cairn_ctx *cx, const cairn_schema *s, const char *path)
{
    const cairn_type_family *fam = cairn_ctx_type_families(cx);
    for (size_t i = 0; i < s->ntables; i++) {
        const cairn_table *t = s->tables[i];
        for (size_t j = 0; j < t->nfkeys; j++) {
            const cairn_fkey *fk = t->fkeys[j];
            const cairn_table *to =
                cairn_schema_find_table(s, cairn_fkey_ref_ns(cx, t, fk), fk->ref_table);
            for (size_t k = 0; to && k < fk->ncolumns; k++) {
                const cairn_column *a = cairn_table_find_column(t, fk->columns[k]);
                const cairn_column *b = cairn_table_find_column(to, fk->ref_columns[k]);
                if (!a || !b || !a->type || !b->type || same_type(fam, a->type, b->type))
                    continue;
                char p1[600], p2[600], p3[300];
                snprintf(p1, sizeof p1, "tables[%s]/foreign_keys[%s]", t->name,
                         fk->name ? fk->name : "");
                snprintf(p2, sizeof p2, "tables[%s]/columns[%s]/references", t->name, a->name);
                snprintf(p3, sizeof p3, "tables[%s]/foreign_keys", t->name);
                const char *paths[] = {p1, p2, p3};
                return cairn_schemafile_err(cx, path, paths, 3,
                               "foreign key of %s: column %s is %s but references %s.%s, which "
                               "is %s",
                               t->name, a->name, a->type, to->name, b->name, b->type);
            }
        }
    }
    return 0;
}

/* ---- checks: the columns they name ------------------------------------------------- */

static const char *const sql_words[] = {
    "and", "or", "not", "null", "is", "in", "like", "ilike", "between", "true", "false",
    "case", "when", "then", "else", "end", "cast", "as", "escape", "exists", "any", "all",
    "some", "distinct", "from", "collate", "glob", "regexp", "similar", "to", "unknown",
    "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp",
    "array", "interval", "date", "time", "timestamp", "with", "zone", "without", "binary",
    "div", "mod", "xor", "rlike", "sounds", "value", NULL};

static int column_anycase(const cairn_table *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->ncolumns; i++)
        if (strlen(t->columns[i]->name) == len && strncasecmp(t->columns[i]->name, name, len) == 0)
            return 1;
    return 0;
}

/* A quoted name that is no column, or a bare word that is no column, no
 * SQL word and one or two typos from a column: the check would fail at
 * deploy (or, on SQLite, compare a string). */
static int check_expr_columns(cairn_ctx *cx, const cairn_table *t, const cairn_check *ck,
                              const char *path, char quote)
{
    const char *e = ck->expr;
    char prev = 0;
    for (const char *p = e; *p;) {
        char word[128];
        const char *near = NULL;
        size_t len;
        if (*p == '\'') { /* a literal: '' inside */
            for (p++; *p && !(*p == '\'' && p[1] != '\''); p += *p == '\'' ? 2 : 1)
                ;
            p += *p != 0;
            prev = '\'';
            continue;
        }
        if (*p == quote || *p == '"') {
            char q = *p;
            const char *end = strchr(p + 1, q);
            if (!end)
                break;
            len = (size_t)(end - p - 1);
            if (!column_anycase(t, p + 1, len) && len < sizeof word) {
                memcpy(word, p + 1, len);
                word[len] = '\0';
                goto unknown;
            }
            p = end + 1;
            prev = q;
            continue;
        }
        if (isalpha((unsigned char)*p) || *p == '_') {
            len = 0;
            while (isalnum((unsigned char)p[len]) || p[len] == '_')
                len++;
            const char *after = p + len;
            while (*after == ' ')
                after++;
            int skip = *after == '(' || *after == '.' || prev == ':' || prev == '.' ||
                       len >= sizeof word || column_anycase(t, p, len) ||
                       in_list(sql_words, p, len);
            if (!skip) {
                memcpy(word, p, len);
                word[len] = '\0';
                for (size_t i = 0; i < t->ncolumns && !near; i++)
                    if (len >= 3 && cairn_edit_distance(t->columns[i]->name, word) <= 2)
                        near = t->columns[i]->name;
                if (near)
                    goto unknown;
            }
            p += len;
            prev = 'a';
            continue;
        }
        if (*p != ' ')
            prev = *p;
        p++;
        continue;
    unknown: {
        char p1[600], p2[300];
        snprintf(p1, sizeof p1, "tables[%s]/checks[%s]", t->name, ck->name ? ck->name : "");
        snprintf(p2, sizeof p2, "tables[%s]/checks", t->name);
        const char *paths[] = {p1, p2};
        return cairn_schemafile_err(cx, path, paths, 2,
                       "check %s of table %s names \"%s\", which is no column of the table%s%s%s",
                       ck->name ? ck->name : "(unnamed)", t->name, word,
                       near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
    }
    }
    return 0;
}

int cairn_validate(cairn_ctx *cx)
{
    cairn_session *s;
    cairn_schema *schema;
    int rc = cairn_session_get(cx, &s);
    if (!rc)
        rc = cairn_schema_load(cx, &schema);
    if (rc)
        return rc;
    const cairn_dialect *d = cairn_session_dialect(s);
    const char *path = cairn_ctx_get(cx, "schema");
    if (CAIRN_DIALECT_HAS(d, type_names))
        rc = check_types(cx, d, schema, path);
    if (!rc)
        rc = check_fkey_types(cx, schema, path);
    for (size_t i = 0; i < schema->ntables && !rc; i++)
        for (size_t j = 0; j < schema->tables[i]->nchecks && !rc; j++)
            rc = check_expr_columns(cx, schema->tables[i], schema->tables[i]->checks[j], path,
                                    d->quote);
    cairn_schema_free(schema);
    return rc;
}
