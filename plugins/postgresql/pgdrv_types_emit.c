/*
 * Writing what pgdrv_types.c reads: a changed domain, composite type or
 * policy as the ALTER that keeps what uses it (the definitions are read
 * back in the canonical form the reader builds; one that is not in it is
 * dropped and created), the rebuild of an enum that loses or reorders
 * values, and the row_security table option.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrv.h"

/* ---- reading a canonical definition -------------------------------------------- */

typedef struct pgdrv_span {
    size_t b, e;
} pgdrv_span;

static pgdrv_span pgdrv_trim(const char *s, size_t b, size_t e)
{
    while (b < e && isspace((unsigned char)s[b]))
        b++;
    while (e > b && isspace((unsigned char)s[e - 1]))
        e--;
    return (pgdrv_span){b, e};
}

static int pgdrv_span_eq(const char *a, pgdrv_span x, const char *b, pgdrv_span y)
{
    return x.e - x.b == y.e - y.b && memcmp(a + x.b, b + y.b, x.e - x.b) == 0;
}

/* The end of the identifier (quoted or bare) at p. */
static size_t pgdrv_ident_end(const char *s, size_t p)
{
    if (s[p] == '"')
        return pgdrv_skip_token(s, p);
    while (pgdrv_is_ident_char(s[p]))
        p++;
    return p;
}

/* The next of `words` (NULL-terminated) from p that stands as a bare word
 * outside parentheses, literals and quoted names; *which is its index (-1
 * and the end of s when there is none). */
static size_t pgdrv_next_word(const char *s, size_t p, const char *const *words, int *which)
{
    int depth = 0;
    size_t n = strlen(s);
    while (p < n) {
        char c = s[p];
        if (c == '(') {
            depth++;
        } else if (c == ')') {
            depth--;
        } else if (depth == 0 && pgdrv_is_ident_char(c) && (p == 0 || !pgdrv_is_ident_char(s[p - 1]))) {
            size_t e = pgdrv_ident_end(s, p);
            for (int k = 0; words[k]; k++)
                if (pgdrv_word_is(s, p, e, words[k])) {
                    *which = k;
                    return p;
                }
            p = e;
            continue;
        }
        p = pgdrv_skip_token(s, p);
    }
    *which = -1;
    return n;
}

/* Appends s's span to em->b. */
static void pgdrv_put_span(pgdrv_emitter *em, const char *s, pgdrv_span x)
{
    em->h->buf_append(em->b, s + x.b, x.e - x.b);
}

/* ---- where a type is used ----------------------------------------------------------- */

/* Is `type` (a column's, as the model spells it) the type ns.name or an
 * array of it? Either part may be quoted; public is the default one. */
static int pgdrv_type_is(const char *type, const char *ns, const char *name)
{
    char part[2][256];
    int nparts = 0;
    const char *p = type;
    while (nparts < 2) {
        size_t j = 0;
        if (*p == '"') {
            for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++) {
                if (*p == '"')
                    p++; /* "" inside quotes */
                if (j < sizeof part[0] - 1)
                    part[nparts][j++] = *p;
            }
            if (*p)
                p++;
        } else {
            while (pgdrv_is_ident_char(*p) && j < sizeof part[0] - 1)
                part[nparts][j++] = *p++;
        }
        part[nparts++][j] = '\0';
        if (*p != '.')
            break;
        p++;
    }
    while (p[0] == '[' && p[1] == ']')
        p += 2;
    if (*p || strcmp(part[nparts - 1], name) != 0)
        return 0;
    if (nparts == 1)
        return ns == NULL;
    return strcmp(part[0], ns ? ns : "public") == 0;
}

/* The first column of `s` whose type is ns.name (or an array of it). */
static const cairn_column *pgdrv_type_user(const cairn_schema *s, const char *ns, const char *name,
                                           const cairn_table **table)
{
    for (size_t i = 0; s && i < s->ntables; i++)
        for (size_t j = 0; j < s->tables[i]->ncolumns; j++) {
            const cairn_column *c = s->tables[i]->columns[j];
            if (c->type && pgdrv_type_is(c->type, ns, name)) {
                *table = s->tables[i];
                return c;
            }
        }
    return NULL;
}

/* 1 (drop and create) when no column of the old or new schema has the
 * type of `to`; else the one line that refuses the change, which `alter`
 * cannot make while a column uses the type. */
static int pgdrv_unless_used(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to,
                             const char *change, const char *alter, const char *instead)
{
    const cairn_table *tab = NULL;
    const cairn_column *c = pgdrv_type_user(em->plan->from, from->schema, from->name, &tab);
    if (!c)
        c = pgdrv_type_user(em->plan->to, to->schema, to->name, &tab);
    if (!c)
        return 1;
    return em->h->error(em->s->hc, CAIRN_ESCHEMA, NULL,
                        "%s %s%s%s: %s, which %s cannot do while column %s%s%s.%s uses it:"
                        " create a new %s and change the column's type to it",
                        to->kind, to->schema ? to->schema : "", to->schema ? "." : "", to->name,
                        change, alter, tab->schema ? tab->schema : "", tab->schema ? "." : "",
                        tab->name, c->name, instead);
}

/* ---- domains ------------------------------------------------------------------------ */

#define PGDRV_MAX_CHECKS 64

typedef struct pgdrv_domain {
    pgdrv_span base, collate, def;
    int not_null;
    size_t ncon;
    pgdrv_span con[PGDRV_MAX_CHECKS];  /* "CONSTRAINT n CHECK (...)" */
    pgdrv_span name[PGDRV_MAX_CHECKS]; /* n */
} pgdrv_domain;

/* Whether NOT at p is NOT NULL; *end past it. */
static int pgdrv_not_null_at(const char *s, size_t p, size_t *end)
{
    size_t b = pgdrv_skip_space(s, p + 3), e = pgdrv_ident_end(s, b);
    *end = e;
    return pgdrv_word_is(s, b, e, "NULL");
}

/* Reads a domain's canonical definition (pgdrv_types.c): -1 when it is
 * not in that form (an unnamed CHECK, say). */
static int pgdrv_parse_domain(const char *s, pgdrv_domain *d)
{
    static const char *const as[] = {"AS", NULL};
    static const char *const heads[] = {"COLLATE", "DEFAULT", "NOT", "CONSTRAINT", "CHECK", NULL};
    static const char *const con[] = {"CONSTRAINT", NULL};
    memset(d, 0, sizeof *d);
    if (strncmp(s, "CREATE DOMAIN ", 14) != 0)
        return -1;
    int w;
    size_t p = pgdrv_next_word(s, 14, as, &w) + 2, cur_b = p, q, end;
    if (w < 0)
        return -1;
    pgdrv_span *cur = &d->base;
    for (;;) {
        q = pgdrv_next_word(s, p, heads, &w);
        if (w == 2 && !pgdrv_not_null_at(s, q, &end)) {
            p = end;
            continue;
        }
        if (cur)
            *cur = pgdrv_trim(s, cur_b, q);
        if (w < 0)
            return 0;
        if (w == 4)
            return -1;
        if (w == 3)
            break;
        if (w == 2) {
            d->not_null = 1;
            cur = NULL;
            p = cur_b = end;
            continue;
        }
        cur = w == 0 ? &d->collate : &d->def;
        p = cur_b = q + strlen(heads[w]);
    }
    while (w == 0 || w == 3) {
        if (d->ncon == PGDRV_MAX_CHECKS)
            return -1;
        size_t nb = pgdrv_skip_space(s, q + 10), ne = pgdrv_ident_end(s, nb);
        size_t next = pgdrv_next_word(s, ne, con, &w);
        d->name[d->ncon] = (pgdrv_span){nb, ne};
        d->con[d->ncon++] = pgdrv_trim(s, q, next);
        q = next;
    }
    return 0;
}

/* The index of the constraint of d named like x.name[i], or -1. */
static long pgdrv_domain_con(const char *s, const pgdrv_domain *d, const char *xs,
                             const pgdrv_domain *x, size_t i)
{
    for (size_t k = 0; k < d->ncon; k++)
        if (pgdrv_span_eq(s, d->name[k], xs, x->name[i]))
            return (long)k;
    return -1;
}

static void pgdrv_alter_domain(pgdrv_emitter *em, const cairn_object *o)
{
    em->h->buf_puts(em->b, "ALTER DOMAIN ");
    pgdrv_qname(em->h, em->b, o->schema, o->name);
}

/* For each check of `a` that `b` lacks or has otherwise: ALTER DOMAIN
 * " DROP CONSTRAINT " its name, or " ADD " it. */
static int pgdrv_domain_checks(pgdrv_emitter *em, const cairn_object *o, const char *as,
                               const pgdrv_domain *a, const char *bs, const pgdrv_domain *b,
                               const char *verb)
{
    int rc = 0, drop = verb[1] == 'D';
    for (size_t i = 0; i < a->ncon && !rc; i++) {
        long k = pgdrv_domain_con(bs, b, as, a, i);
        if (k >= 0 && pgdrv_span_eq(as, a->con[i], bs, b->con[k]))
            continue;
        pgdrv_alter_domain(em, o);
        em->h->buf_puts(em->b, verb);
        pgdrv_put_span(em, as, drop ? a->name[i] : a->con[i]);
        rc = pgdrv_flush(em, 0);
    }
    return rc;
}

/* The ALTER DOMAIN statements from `f` (of text fs) to `t` (of ts): the
 * checks that go, the default, NOT NULL, the checks that come. */
static int pgdrv_domain_steps(pgdrv_emitter *em, const cairn_object *to, const char *fs,
                              const pgdrv_domain *fd, const char *ts, const pgdrv_domain *td)
{
    pgdrv_domain f = *fd, t = *td;
    int rc = pgdrv_domain_checks(em, to, fs, &f, ts, &t, " DROP CONSTRAINT ");
    if (!rc && !pgdrv_span_eq(fs, f.def, ts, t.def)) {
        pgdrv_alter_domain(em, to);
        em->h->buf_puts(em->b, t.def.e > t.def.b ? " SET DEFAULT " : " DROP DEFAULT");
        pgdrv_put_span(em, ts, t.def);
        rc = pgdrv_flush(em, 0);
    }
    if (!rc && f.not_null != t.not_null) {
        pgdrv_alter_domain(em, to);
        em->h->buf_puts(em->b, t.not_null ? " SET NOT NULL" : " DROP NOT NULL");
        rc = pgdrv_flush(em, 0);
    }
    return rc ? rc : pgdrv_domain_checks(em, to, ts, &t, fs, &f, " ADD ");
}

/* ALTER DOMAIN for what changed, so the columns of the domain keep their
 * rows; a new base type or collation cannot be altered: with no column
 * using the domain it is dropped and created (1), else refused. */
int pgdrv_replace_domain(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to)
{
    const char *fs = from->definition, *ts = to->definition;
    pgdrv_domain f, t;
    if (pgdrv_parse_domain(fs, &f) || pgdrv_parse_domain(ts, &t))
        return 1;
    if (!pgdrv_span_eq(fs, f.base, ts, t.base) || !pgdrv_span_eq(fs, f.collate, ts, t.collate)) {
        char change[300];
        snprintf(change, sizeof change, "its base type or collation changes (%.*s -> %.*s)",
                 (int)(f.base.e - f.base.b), fs + f.base.b, (int)(t.base.e - t.base.b),
                 ts + t.base.b);
        return pgdrv_unless_used(em, from, to, change, "ALTER DOMAIN", "domain");
    }
    return pgdrv_domain_steps(em, to, fs, &f, ts, &t);
}

/* The plan's change of `kind` for the domain named like `o`, or NULL. */
static const cairn_object *pgdrv_domain_in_plan(const cairn_plan *p, cairn_change_kind kind,
                                                const cairn_object *o)
{
    for (size_t i = 0; i < p->nchanges; i++) {
        const cairn_change *ch = p->changes[i];
        const cairn_object *x = kind == CAIRN_CHANGE_DROP_OBJECT ? ch->from.object : ch->to.object;
        if (ch->kind == kind && strcmp(x->kind, "domain") == 0 && strcmp(x->name, o->name) == 0 &&
            (x->schema ? o->schema && strcmp(x->schema, o->schema) == 0 : !o->schema))
            return x;
    }
    return NULL;
}

/* A domain the plan drops and creates again (a function its check or
 * default calls is dropped and created) while a column uses it cannot be
 * dropped: it is emptied instead of the DROP (its checks and default go)
 * and filled again instead of the CREATE (ADD CONSTRAINT checks the rows
 * of its columns). 1 where that does not apply (nothing uses it, or the
 * base type or collation changes): a DROP and a CREATE then. */
int pgdrv_renew_domain(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_object *from = ch->kind == CAIRN_CHANGE_DROP_OBJECT ? ch->from.object : NULL;
    const cairn_object *to = ch->kind == CAIRN_CHANGE_CREATE_OBJECT ? ch->to.object : NULL;
    if (!from)
        from = pgdrv_domain_in_plan(em->plan, CAIRN_CHANGE_DROP_OBJECT, to);
    if (!to)
        to = pgdrv_domain_in_plan(em->plan, CAIRN_CHANGE_CREATE_OBJECT, from);
    const cairn_table *tab;
    pgdrv_domain f, t, bare;
    if (!from || !to || !pgdrv_type_user(em->plan->from, from->schema, from->name, &tab) ||
        pgdrv_parse_domain(from->definition, &f) || pgdrv_parse_domain(to->definition, &t) ||
        !pgdrv_span_eq(from->definition, f.base, to->definition, t.base) ||
        !pgdrv_span_eq(from->definition, f.collate, to->definition, t.collate))
        return 1;
    bare = f;
    bare.ncon = 0;
    bare.def.e = bare.def.b;
    if (ch->kind == CAIRN_CHANGE_DROP_OBJECT)
        return pgdrv_domain_steps(em, from, from->definition, &f, from->definition, &bare);
    int rc = pgdrv_domain_steps(em, to, from->definition, &bare, to->definition, &t);
    int same_comment = from->comment && to->comment ? strcmp(from->comment, to->comment) == 0
                                                     : from->comment == to->comment;
    return rc || same_comment ? rc : pgdrv_comment_named(em, to);
}

/* ---- composite types ------------------------------------------------------------------ */

typedef struct pgdrv_attrs {
    size_t n;
    pgdrv_span *name, *rest; /* "a", "integer COLLATE x" */
} pgdrv_attrs;

/* Reads "CREATE TYPE name AS (a type, ...)": -1 for anything else (a
 * range type). */
static int pgdrv_parse_composite(const char *s, pgdrv_attrs *a)
{
    static const char *const as[] = {"AS", NULL};
    memset(a, 0, sizeof *a);
    int w;
    if (strncmp(s, "CREATE TYPE ", 12) != 0)
        return -1;
    size_t open = pgdrv_skip_space(s, pgdrv_next_word(s, 12, as, &w) + 2);
    size_t close = w == 0 && s[open] == '(' ? pgdrv_match_paren(s, open) : 0;
    if (!close || s[pgdrv_skip_space(s, close + 1)])
        return -1;
    size_t cap = (close - open) / 2 + 1;
    a->name = calloc(cap, sizeof *a->name);
    a->rest = calloc(cap, sizeof *a->rest);
    if (!a->name || !a->rest)
        return CAIRN_ENOMEM;
    int depth = 0;
    for (size_t p = open + 1, b = p; p <= close;) {
        if (s[p] == '(')
            depth++;
        else if (s[p] == ')' && p < close)
            depth--;
        if ((depth == 0 && s[p] == ',') || p == close) {
            pgdrv_span x = pgdrv_trim(s, b, p);
            if (x.e > x.b) {
                size_t ne = pgdrv_ident_end(s, x.b);
                a->name[a->n] = (pgdrv_span){x.b, ne};
                a->rest[a->n++] = pgdrv_trim(s, ne, x.e);
            }
            b = p + 1;
            if (p == close)
                break;
        }
        p = pgdrv_skip_token(s, p);
    }
    return 0;
}

static void pgdrv_attrs_free(pgdrv_attrs *a)
{
    free(a->name);
    free(a->rest);
}

static long pgdrv_attr_index(const char *s, const pgdrv_attrs *a, const char *xs, pgdrv_span x)
{
    for (size_t i = 0; i < a->n; i++)
        if (pgdrv_span_eq(s, a->name[i], xs, x))
            return (long)i;
    return -1;
}

/* The ALTER TYPE that takes composite f to t: 1 when there is none
 * (attributes kept but reordered, or added before kept ones, and no column
 * uses the type); an attribute's new type is refused while a column uses
 * the type (PostgreSQL cannot convert the column's values). */
static int pgdrv_alter_composite(pgdrv_emitter *em, const cairn_object *from,
                                 const cairn_object *to, const pgdrv_attrs *f,
                                 const pgdrv_attrs *t)
{
    const char *fs = from->definition, *ts = to->definition;
    const cairn_host *h = em->h;
    long last = -1;
    int added = 0;
    for (size_t j = 0; j < t->n; j++) {
        long i = pgdrv_attr_index(fs, f, ts, t->name[j]);
        if (i >= 0 && (added || i < last))
            return 1;
        if (i >= 0)
            last = i;
        else
            added = 1;
    }
    for (size_t j = 0; j < t->n; j++) {
        long i = pgdrv_attr_index(fs, f, ts, t->name[j]);
        if (i >= 0 && !pgdrv_span_eq(fs, f->rest[i], ts, t->rest[j]))
            return pgdrv_unless_used(em, from, to, "an attribute changes its type",
                                     "ALTER TYPE", "type");
    }
    h->buf_puts(em->b, "ALTER TYPE ");
    pgdrv_qname(h, em->b, to->schema, to->name);
    const char *sep = " ";
    for (size_t i = 0; i < f->n; i++)
        if (pgdrv_attr_index(ts, t, fs, f->name[i]) < 0) {
            h->buf_printf(em->b, "%sDROP ATTRIBUTE ", sep);
            pgdrv_put_span(em, fs, f->name[i]);
            sep = ", ";
        }
    for (size_t j = 0; j < t->n; j++) {
        long i = pgdrv_attr_index(fs, f, ts, t->name[j]);
        if (i >= 0 && pgdrv_span_eq(fs, f->rest[i], ts, t->rest[j]))
            continue;
        h->buf_printf(em->b, "%s%s ATTRIBUTE ", sep, i >= 0 ? "ALTER" : "ADD");
        pgdrv_put_span(em, ts, t->name[j]);
        h->buf_puts(em->b, i >= 0 ? " TYPE " : " ");
        pgdrv_put_span(em, ts, t->rest[j]);
        sep = ", ";
    }
    if (sep[0] == ' ') {
        h->buf_reset(em->b); /* nothing an attribute says: the name's spelling */
        return 1;
    }
    return pgdrv_flush(em, 0);
}

/* A composite type's attributes added, dropped or retyped in place; a
 * range type (and any other change) is dropped and created (1). */
int pgdrv_replace_type(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to)
{
    pgdrv_attrs f, t;
    int rc = pgdrv_parse_composite(from->definition, &f);
    if (!rc)
        rc = pgdrv_parse_composite(to->definition, &t);
    else
        memset(&t, 0, sizeof t);
    if (rc == CAIRN_ENOMEM)
        rc = em->h->error(em->s->hc, rc, NULL, "out of memory");
    else if (rc)
        rc = 1;
    else
        rc = pgdrv_alter_composite(em, from, to, &f, &t);
    pgdrv_attrs_free(&f);
    pgdrv_attrs_free(&t);
    return rc;
}

/* ---- policies ---------------------------------------------------------------------------- */

typedef struct pgdrv_policy {
    pgdrv_span head, as, cmd, roles, using, check; /* head: "name ON table" */
} pgdrv_policy;

static int pgdrv_parse_policy(const char *s, pgdrv_policy *p)
{
    static const char *const words[] = {"AS", "FOR", "TO", "USING", "WITH", NULL};
    memset(p, 0, sizeof *p);
    if (strncmp(s, "CREATE POLICY ", 14) != 0)
        return -1;
    size_t at[5], n = strlen(s), q = 14;
    int w, next = 0;
    for (size_t k = 0; k < 5; k++)
        at[k] = n;
    /* each clause in its canonical place: AS, FOR, TO, then USING and WITH */
    while ((q = pgdrv_next_word(s, q, words, &w)) < n) {
        if (w < next)
            return -1;
        at[w] = q;
        next = w + 1;
        q += strlen(words[w]);
    }
    if (at[0] == n || at[1] == n || at[2] == n)
        return -1;
    size_t end_roles = at[3] < n ? at[3] : at[4];
    p->head = pgdrv_trim(s, 14, at[0]);
    p->as = pgdrv_trim(s, at[0] + 2, at[1]);
    p->cmd = pgdrv_trim(s, at[1] + 3, at[2]);
    p->roles = pgdrv_trim(s, at[2] + 2, end_roles);
    if (at[3] < n)
        p->using = pgdrv_trim(s, at[3] + 5, at[4]);
    if (at[4] < n) {
        size_t c = pgdrv_skip_space(s, at[4] + 4), ce = pgdrv_ident_end(s, c);
        if (!pgdrv_word_is(s, c, ce, "CHECK"))
            return -1;
        p->check = pgdrv_trim(s, ce, n);
    }
    return 0;
}

/* ALTER POLICY for new roles, USING or WITH CHECK; another command or
 * kind, or an expression taken away, is a drop and a create (1). */
int pgdrv_replace_policy(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to)
{
    const char *fs = from->definition, *ts = to->definition;
    pgdrv_policy f, t;
    if (pgdrv_parse_policy(fs, &f) || pgdrv_parse_policy(ts, &t) ||
        !pgdrv_span_eq(fs, f.as, ts, t.as) || !pgdrv_span_eq(fs, f.cmd, ts, t.cmd) ||
        (f.using.e > f.using.b && t.using.e == t.using.b) ||
        (f.check.e > f.check.b && t.check.e == t.check.b))
        return 1;
    const cairn_host *h = em->h;
    h->buf_puts(em->b, "ALTER POLICY ");
    pgdrv_put_span(em, ts, t.head);
    size_t len = h->buf_len(em->b);
    if (!pgdrv_span_eq(fs, f.roles, ts, t.roles)) {
        h->buf_puts(em->b, " TO ");
        pgdrv_put_span(em, ts, t.roles);
    }
    if (!pgdrv_span_eq(fs, f.using, ts, t.using)) {
        h->buf_puts(em->b, " USING ");
        pgdrv_put_span(em, ts, t.using);
    }
    if (!pgdrv_span_eq(fs, f.check, ts, t.check)) {
        h->buf_puts(em->b, " WITH CHECK ");
        pgdrv_put_span(em, ts, t.check);
    }
    if (h->buf_len(em->b) == len) {
        h->buf_reset(em->b);
        return 1;
    }
    return pgdrv_flush(em, 0);
}

/* ---- enums that lose or reorder values ------------------------------------------------------ */

int pgdrv_is_enum_rebuild(const cairn_plan *plan, size_t i)
{
    if (i + 1 >= plan->nchanges)
        return 0;
    const cairn_change *a = plan->changes[i], *b = plan->changes[i + 1];
    if (a->kind != CAIRN_CHANGE_DROP_ENUM || b->kind != CAIRN_CHANGE_CREATE_ENUM)
        return 0;
    const cairn_enum *f = a->from.enm, *t = b->to.enm;
    return strcmp(f->name, t->name) == 0 &&
           (f->schema ? t->schema && strcmp(f->schema, t->schema) == 0 : !t->schema);
}

/* The table `t` of the old schema as the plan has it when enums are
 * written (after the renames), and as the new schema has it; NULL when the
 * plan drops it. */
static const cairn_table *pgdrv_table_now(pgdrv_emitter *em, const cairn_table *t,
                                          const cairn_table **after)
{
    const cairn_plan *plan = em->plan;
    const cairn_table *now = t;
    *after = NULL;
    for (size_t i = 0; i < plan->nchanges; i++) {
        const cairn_change *ch = plan->changes[i];
        if (ch->kind == CAIRN_CHANGE_DROP_TABLE && ch->from.table == t)
            return NULL;
        if (ch->kind == CAIRN_CHANGE_RENAME_TABLE && ch->from.table == t)
            now = *after = ch->to.table;
    }
    if (!*after)
        *after = plan->to ? em->h->find_table(plan->to, t->schema, t->name) : NULL;
    return now;
}

/* The column `c` of the old table as the new table has it, or NULL. */
static const cairn_column *pgdrv_column_after(const cairn_plan *plan, const cairn_table *after,
                                              const cairn_column *c)
{
    for (size_t i = 0; i < plan->nchanges; i++) {
        const cairn_change *ch = plan->changes[i];
        if (ch->kind == CAIRN_CHANGE_RENAME_COLUMN && ch->from.column == c)
            return ch->to.column;
    }
    for (size_t j = 0; after && j < after->ncolumns; j++)
        if (strcmp(after->columns[j]->name, c->name) == 0)
            return after->columns[j];
    return NULL;
}

/* "ALTER TABLE t ALTER COLUMN c " */
static void pgdrv_alter_column_head(pgdrv_emitter *em, const cairn_table *t, const char *column)
{
    pgdrv_alter_table(em, t);
    em->h->buf_puts(em->b, "ALTER COLUMN ");
    pgdrv_quote(em, column);
    em->h->buf_puts(em->b, " ");
}

/* One column of the old enum moved to the new one: its default goes while
 * the type changes (it cannot be cast), and the new schema's comes back. */
static int pgdrv_enum_column(pgdrv_emitter *em, const cairn_enum *e, const cairn_table *t,
                             const cairn_column *c)
{
    const cairn_host *h = em->h;
    const cairn_table *after, *now = pgdrv_table_now(em, t, &after);
    if (!now)
        return 0;
    const cairn_column *ac = pgdrv_column_after(em->plan, after, c);
    int rc = 0, array = strstr(c->type, "[]") != NULL;
    if (c->default_expr) {
        pgdrv_alter_column_head(em, now, c->name);
        h->buf_puts(em->b, "DROP DEFAULT");
        rc = pgdrv_flush(em, 0);
    }
    if (rc)
        return rc;
    pgdrv_alter_column_head(em, now, c->name);
    h->buf_puts(em->b, "TYPE ");
    pgdrv_qname(h, em->b, e->schema, e->name);
    h->buf_puts(em->b, array ? "[] USING " : " USING ");
    pgdrv_quote(em, c->name);
    h->buf_puts(em->b, array ? "::text[]::" : "::text::");
    pgdrv_qname(h, em->b, e->schema, e->name);
    h->buf_puts(em->b, array ? "[]" : "");
    rc = pgdrv_flush(em, 0);
    if (!rc && c->default_expr && ac && ac->default_expr) {
        pgdrv_alter_column_head(em, now, c->name);
        h->buf_printf(em->b, "SET DEFAULT %s", ac->default_expr);
        rc = pgdrv_flush(em, 0);
    }
    return rc;
}

/* An enum that loses or reorders values cannot be altered: the old type
 * steps aside under another name, the new one is created, every column of
 * the old one is converted through text (rows keep their values; a value
 * that is gone fails the statement, and the transaction with it), and the
 * old type is dropped. */
int pgdrv_emit_enum_rebuild(pgdrv_emitter *em, const cairn_change *drop,
                            const cairn_change *create)
{
    const cairn_host *h = em->h;
    const cairn_enum *old = drop->from.enm, *e = create->to.enm;
    size_t len = strlen(old->name);
    char *aside = malloc(len + 12);
    if (!aside)
        return h->error(em->s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    memcpy(aside, old->name, len);
    memcpy(aside + len, "__cairn_old", 12);
    h->buf_puts(em->b, "ALTER TYPE ");
    pgdrv_qname(h, em->b, old->schema, old->name);
    h->buf_puts(em->b, " RENAME TO ");
    pgdrv_quote(em, aside);
    int rc = pgdrv_flush(em, 0);
    if (!rc)
        rc = pgdrv_emit_create_enum(em, create);
    const cairn_schema *from = em->plan->from;
    for (size_t i = 0; from && i < from->ntables && !rc; i++)
        for (size_t j = 0; j < from->tables[i]->ncolumns && !rc; j++) {
            const cairn_column *c = from->tables[i]->columns[j];
            if (c->type && pgdrv_type_is(c->type, old->schema, old->name))
                rc = pgdrv_enum_column(em, e, from->tables[i], c);
        }
    if (!rc) {
        h->buf_puts(em->b, "DROP TYPE ");
        pgdrv_qname(h, em->b, old->schema, aside);
        rc = pgdrv_flush(em, pgdrv_stmt_flags(drop));
    }
    free(aside);
    return rc;
}

/* ---- row-level security ------------------------------------------------------------------------ */

static const char *pgdrv_row_security_of(const cairn_table *t)
{
    for (size_t i = 0; t && i < t->noptions; i++)
        if (strncmp(t->options[i], "row_security=", 13) == 0)
            return t->options[i] + 13;
    return NULL;
}

/* ENABLE / DISABLE and FORCE / NO FORCE ROW LEVEL SECURITY from the table
 * option row_security ("enabled", "force"), from `from` (NULL: a new table)
 * to `to`. */
int pgdrv_row_security(pgdrv_emitter *em, const cairn_table *from, const cairn_table *to)
{
    const char *a = pgdrv_row_security_of(from), *b = pgdrv_row_security_of(to);
    if (b && strcmp(b, "enabled") != 0 && strcmp(b, "force") != 0)
        return em->h->error(em->s->hc, CAIRN_ESCHEMA, NULL,
                            "table %s%s%s: option row_security \"%s\": want \"enabled\" or \"force\"",
                            to->schema ? to->schema : "", to->schema ? "." : "", to->name, b);
    int fa = a && strcmp(a, "force") == 0, fb = b && strcmp(b, "force") == 0, rc = 0;
    if (!a != !b) {
        pgdrv_alter_table(em, to);
        em->h->buf_puts(em->b, b ? "ENABLE ROW LEVEL SECURITY" : "DISABLE ROW LEVEL SECURITY");
        rc = pgdrv_flush(em, 0);
    }
    if (!rc && fa != fb) {
        pgdrv_alter_table(em, to);
        em->h->buf_puts(em->b, fb ? "FORCE ROW LEVEL SECURITY" : "NO FORCE ROW LEVEL SECURITY");
        rc = pgdrv_flush(em, 0);
    }
    return rc;
}

/* CREATE TABLE and its row_security. */
int pgdrv_emit_new_table(pgdrv_emitter *em, const cairn_table *t)
{
    int rc = pgdrv_emit_create_table(em, t);
    return rc ? rc : pgdrv_row_security(em, NULL, t);
}
