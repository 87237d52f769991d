/* Partitioning on MySQL / MariaDB (see mysqldrv_partition.h): the
 * canonical text introspection writes, and the statements between two. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysqldrv_partition.h"

/* ---- introspection -------------------------------------------------------- */

static char *mysqldrv_dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

int mysqldrv_ptab_add(mysqldrv_ptab *p, char **row)
{
    if (!p->method) {
        p->method = mysqldrv_dup(row[2]);
        p->submethod = mysqldrv_dup(row[3]);
        p->expr = mysqldrv_dup(row[4] ? row[4] : "");
        p->subexpr = mysqldrv_dup(row[5]);
        if (!p->method || !p->expr || (row[3] && !p->submethod) || (row[5] && !p->subexpr))
            return CAIRN_ENOMEM;
    }
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 16;
        mysqldrv_prow *n = realloc(p->rows, ncap * sizeof *n);
        if (!n)
            return CAIRN_ENOMEM;
        p->rows = n;
        p->cap = ncap;
    }
    mysqldrv_prow *r = &p->rows[p->n++];
    *r = (mysqldrv_prow){mysqldrv_dup(row[0]), mysqldrv_dup(row[1]), mysqldrv_dup(row[6]),
                         mysqldrv_dup(row[7])};
    if (!r->part || (row[1] && !r->sub) || (row[6] && !r->desc) || (row[7] && !r->comment))
        return CAIRN_ENOMEM;
    return 0;
}

void mysqldrv_ptab_clear(mysqldrv_ptab *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->rows[i].part);
        free(p->rows[i].sub);
        free(p->rows[i].desc);
        free(p->rows[i].comment);
    }
    free(p->rows);
    free(p->method);
    free(p->expr);
    free(p->submethod);
    free(p->subexpr);
    *p = (mysqldrv_ptab){0};
}

/* Is `name` the one the server gives partition `i` when none is stated:
 * p0, p1, ... ; a subpartition's, "<partition>sp<j>"? */
static int mysqldrv_auto_name(const char *name, const char *prefix, size_t i)
{
    char want[160];
    if (prefix)
        snprintf(want, sizeof want, "%ssp%zu", prefix, i);
    else
        snprintf(want, sizeof want, "p%zu", i);
    return !strcmp(name, want);
}

int mysqldrv_ptab_text(const cairn_host *h, const mysqldrv_ptab *p, cairn_buf *out)
{
    h->buf_reset(out);
    /* methods cairn writes back; SYSTEM_TIME (MariaDB system versioning)
     * is not one */
    static const char *const methods[] = {"RANGE", "LIST", "HASH", "LINEAR HASH", "KEY",
                                          "LINEAR KEY", "RANGE COLUMNS", "LIST COLUMNS"};
    int known = 0, known_sub = !p->submethod;
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
        known |= !strcasecmp(p->method, methods[i]);
        known_sub |= p->submethod && !strcasecmp(p->submethod, methods[i]);
    }
    if (!known || !known_sub || !p->n)
        return 1;
    int range = !strcasecmp(p->method, "RANGE") || !strcasecmp(p->method, "RANGE COLUMNS");
    int list = !strcasecmp(p->method, "LIST") || !strcasecmp(p->method, "LIST COLUMNS");
    h->buf_printf(out, "PARTITION BY %s (", p->method);
    mysqldrv_expr_canon(h, p->expr, out);
    h->buf_puts(out, ")");
    if (p->submethod) {
        h->buf_printf(out, " SUBPARTITION BY %s (", p->submethod);
        mysqldrv_expr_canon(h, p->subexpr ? p->subexpr : "", out);
        h->buf_puts(out, ")");
    }
    /* the partitions, each with its subpartitions (consecutive rows) */
    size_t nparts = 0, nsub = 0, sub_auto = p->submethod != NULL, part_auto = !range && !list;
    for (size_t i = 0; i < p->n;) {
        size_t j = i;
        while (j < p->n && !strcmp(p->rows[j].part, p->rows[i].part))
            j++;
        if (nparts == 0)
            nsub = j - i;
        sub_auto = sub_auto && j - i == nsub;
        for (size_t k = i; k < j && sub_auto; k++)
            sub_auto = p->rows[k].sub && mysqldrv_auto_name(p->rows[k].sub, p->rows[i].part, k - i);
        part_auto = part_auto && mysqldrv_auto_name(p->rows[i].part, NULL, nparts) &&
                    !(p->rows[i].comment && *p->rows[i].comment);
        nparts++;
        i = j;
    }
    if (sub_auto)
        h->buf_printf(out, " SUBPARTITIONS %zu", nsub);
    if (part_auto && (sub_auto || !p->submethod)) {
        /* one is what the server makes when none is stated (and a dump
         * shows "PARTITIONS 1" only where it was) */
        if (nparts > 1)
            h->buf_printf(out, " PARTITIONS %zu", nparts);
        return h->buf_status(out);
    }
    const char *sep = " (";
    for (size_t i = 0; i < p->n;) {
        const mysqldrv_prow *r = &p->rows[i];
        h->buf_puts(out, sep);
        h->buf_puts(out, "PARTITION ");
        mysqldrv_ident_canon(h, r->part, out);
        if (range && r->desc && !strcasecmp(p->method, "RANGE") && !strcmp(r->desc, "MAXVALUE"))
            h->buf_puts(out, " VALUES LESS THAN MAXVALUE");
        else if (range && r->desc)
            h->buf_printf(out, " VALUES LESS THAN (%s)", r->desc);
        else if (list && r->desc)
            h->buf_printf(out, " VALUES IN (%s)", r->desc);
        if (r->comment && *r->comment) {
            h->buf_puts(out, " COMMENT ");
            mysqldrv_literal(h, out, r->comment);
        }
        size_t j = i;
        const char *ssep = " (";
        while (j < p->n && !strcmp(p->rows[j].part, r->part)) {
            if (p->submethod && !sub_auto && p->rows[j].sub) {
                h->buf_puts(out, ssep);
                h->buf_puts(out, "SUBPARTITION ");
                mysqldrv_ident_canon(h, p->rows[j].sub, out);
                ssep = ", ";
            }
            j++;
        }
        if (*ssep == ',')
            h->buf_puts(out, ")");
        sep = ", ";
        i = j;
    }
    h->buf_puts(out, ")");
    return h->buf_status(out);
}

/* ---- the text, parsed back ------------------------------------------------ */

typedef struct mysqldrv_pdef {
    const char *def; /* "PARTITION p0 VALUES ..." */
    size_t len;
    char *name; /* unquoted, malloc'd */
} mysqldrv_pdef;

typedef struct mysqldrv_pspec {
    const char *head; /* up to the partitions: "PARTITION BY RANGE (x)" */
    size_t headlen;
    long count; /* PARTITIONS n, -1 for none */
    mysqldrv_pdef *parts;
    size_t n;
} mysqldrv_pspec;

static void mysqldrv_pspec_free(mysqldrv_pspec *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->parts[i].name);
    free(s->parts);
    *s = (mysqldrv_pspec){0};
}

/* Past the quoted text at `p` ('...', "...", `...`), doubled quotes kept. */
static const char *mysqldrv_skip_quoted(const char *p)
{
    char q = *p++;
    for (; *p; p++) {
        if (*p == '\\' && q != '`' && p[1])
            p++;
        else if (*p == q && p[1] == q)
            p++;
        else if (*p == q)
            return p + 1;
    }
    return p;
}

static int mysqldrv_word(const char *p, const char *w)
{
    size_t n = strlen(w);
    return !strncasecmp(p, w, n) && !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/* One item "PARTITION name ..." of the list: its name. */
static int mysqldrv_pdef_name(mysqldrv_pdef *d)
{
    const char *p = d->def, *end = d->def + d->len;
    if (!mysqldrv_word(p, "PARTITION"))
        return -1;
    p += 9;
    while (p < end && *p == ' ')
        p++;
    const char *s = p;
    if (*p == '`') {
        p = mysqldrv_skip_quoted(p);
        if (p > end || p[-1] != '`' || p - s < 3)
            return -1;
        d->name = malloc((size_t)(p - s));
        if (!d->name)
            return CAIRN_ENOMEM;
        size_t k = 0;
        for (const char *q = s + 1; q < p - 1; q++) {
            d->name[k++] = *q;
            q += *q == '`';
        }
        d->name[k] = '\0';
        return 0;
    }
    while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '$'))
        p++;
    if (p == s)
        return -1;
    d->name = strndup(s, (size_t)(p - s));
    return d->name ? 0 : CAIRN_ENOMEM;
}

/* Split canonical text (or a hand-written one in the same shape). 0, -1
 * when it is not in that shape, CAIRN_ENOMEM. */
static int mysqldrv_pspec_parse(const char *text, mysqldrv_pspec *s)
{
    *s = (mysqldrv_pspec){.head = text, .count = -1};
    size_t len = strlen(text);
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    const char *open = NULL, *close = NULL;
    int depth = 0;
    for (const char *p = text; p < text + len;) {
        if (*p == '\'' || *p == '"' || *p == '`') {
            p = mysqldrv_skip_quoted(p);
            continue;
        }
        if (*p == '(' && depth++ == 0)
            open = p;
        else if (*p == ')' && --depth == 0)
            close = p;
        else if (*p == ')' && depth < 0)
            return -1;
        p++;
    }
    if (depth)
        return -1;
    const char *in = open ? open + 1 : NULL;
    while (in && *in == ' ')
        in++;
    if (open && close == text + len - 1 && mysqldrv_word(in, "PARTITION")) {
        s->headlen = (size_t)(open - text);
        for (const char *p = in, *item = in; p <= close;) {
            if (*p == '\'' || *p == '"' || *p == '`') {
                p = mysqldrv_skip_quoted(p);
                continue;
            }
            depth += *p == '(';
            depth -= *p == ')';
            if ((*p == ',' && depth == 0) || p == close) {
                mysqldrv_pdef *n = realloc(s->parts, (s->n + 1) * sizeof *n);
                if (!n)
                    return CAIRN_ENOMEM;
                s->parts = n;
                n[s->n] = (mysqldrv_pdef){item, (size_t)(p - item), NULL};
                while (n[s->n].len && n[s->n].def[n[s->n].len - 1] == ' ')
                    n[s->n].len--;
                int rc = mysqldrv_pdef_name(&n[s->n]);
                s->n++;
                if (rc)
                    return rc;
                item = p + 1;
                while (*item == ' ')
                    item++;
            }
            p++;
        }
    } else {
        /* "... PARTITIONS n" */
        const char *w = text + len;
        while (w > text && isdigit((unsigned char)w[-1]))
            w--;
        if (w < text + len && w - text > 12 && w[-1] == ' ' &&
            !strncasecmp(w - 12, " PARTITIONS", 11)) {
            s->count = strtol(w, NULL, 10);
            s->headlen = (size_t)(w - 12 - text);
        } else {
            s->headlen = len;
        }
    }
    while (s->headlen && text[s->headlen - 1] == ' ')
        s->headlen--;
    return 0;
}

static int mysqldrv_pdef_eq(const mysqldrv_pdef *a, const mysqldrv_pdef *b)
{
    return a->len == b->len && !memcmp(a->def, b->def, a->len);
}

static const mysqldrv_pdef *mysqldrv_pdef_find(const mysqldrv_pspec *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->parts[i].name, name))
            return &s->parts[i];
    return NULL;
}

/* The plan of a change: its kind, and for REORGANIZE the partitions
 * [a, a + nf) of `from` that become [a, a + nt) of `to`. */
typedef struct mysqldrv_pplan {
    mysqldrv_part_kind kind;
    mysqldrv_pspec f, t;
    size_t a, nf, nt;
    int drops, adds;
} mysqldrv_pplan;

static int mysqldrv_pplan_make(const char *from, const char *to, mysqldrv_pplan *pl)
{
    *pl = (mysqldrv_pplan){.kind = MYSQLDRV_PART_SAME};
    if (!from && !to)
        return 0;
    if (!from || !to) {
        pl->kind = from ? MYSQLDRV_PART_REMOVE : MYSQLDRV_PART_REPARTITION;
        return 0;
    }
    if (!strcmp(from, to))
        return 0;
    pl->kind = MYSQLDRV_PART_REPARTITION;
    int rc = mysqldrv_pspec_parse(from, &pl->f);
    if (!rc)
        rc = mysqldrv_pspec_parse(to, &pl->t);
    if (rc)
        return rc == CAIRN_ENOMEM ? rc : 0;
    mysqldrv_pspec *f = &pl->f, *t = &pl->t;
    if (f->headlen != t->headlen || strncmp(f->head, t->head, f->headlen))
        return 0; /* another method or expression: the rows move */
    if (!f->n && !t->n) {
        /* HASH / KEY: "PARTITIONS n", one when not stated */
        f->count = f->count > 0 ? f->count : 1;
        t->count = t->count > 0 ? t->count : 1;
        pl->kind = f->count != t->count ? MYSQLDRV_PART_COUNT : MYSQLDRV_PART_SAME;
        return 0;
    }
    int ranged = !strncasecmp(f->head, "PARTITION BY RANGE", 18) ||
                 !strncasecmp(f->head, "PARTITION BY LIST", 17);
    if (!ranged || !f->n || !t->n)
        return 0;
    /* kept partitions unchanged and in order, new ones after them: drop
     * and add in place */
    size_t kept = 0, fi = 0;
    int in_place = 1;
    for (size_t i = 0; i < t->n && in_place; i++) {
        const mysqldrv_pdef *was = mysqldrv_pdef_find(f, t->parts[i].name);
        if (!was) {
            pl->adds = 1;
            continue;
        }
        size_t at = (size_t)(was - f->parts);
        in_place = at >= fi && mysqldrv_pdef_eq(was, &t->parts[i]) && !pl->adds;
        fi = at + 1;
        kept++;
    }
    if (in_place && kept) {
        pl->kind = MYSQLDRV_PART_EDIT;
        pl->drops = kept < f->n;
        return 0;
    }
    pl->adds = 0;
    /* otherwise reorganise what lies between the common head and tail */
    size_t a = 0, b = 0;
    while (a < f->n && a < t->n && mysqldrv_pdef_eq(&f->parts[a], &t->parts[a]))
        a++;
    while (b < f->n - a && b < t->n - a &&
           mysqldrv_pdef_eq(&f->parts[f->n - 1 - b], &t->parts[t->n - 1 - b]))
        b++;
    if (a + b == f->n || a + b == t->n) {
        /* one side's middle is empty: take in a neighbour */
        if (b)
            b--;
        else if (a)
            a--;
    }
    if (a == 0 && b == 0)
        return 0; /* every partition changes: re-partition */
    pl->kind = MYSQLDRV_PART_REORGANIZE;
    pl->a = a;
    pl->nf = f->n - a - b;
    pl->nt = t->n - a - b;
    return 0;
}

mysqldrv_part_kind mysqldrv_part_kind_of(const char *from, const char *to, int *drops)
{
    mysqldrv_pplan pl;
    int rc = mysqldrv_pplan_make(from, to, &pl);
    mysqldrv_part_kind k = rc ? MYSQLDRV_PART_REPARTITION : pl.kind;
    *drops = !rc && pl.drops;
    mysqldrv_pspec_free(&pl.f);
    mysqldrv_pspec_free(&pl.t);
    return k;
}

static void mysqldrv_part_names(mysqldrv_em *e, const mysqldrv_pdef *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        P(e, i ? ", " : "");
        Q(e, d[i].name);
    }
}

static void mysqldrv_part_defs(mysqldrv_em *e, const mysqldrv_pdef *d, size_t n)
{
    P(e, "(");
    for (size_t i = 0; i < n; i++) {
        P(e, i ? ", " : "");
        e->h->buf_append(e->b, d[i].def, d[i].len);
    }
    P(e, ")");
}

static void mysqldrv_part_alter(mysqldrv_em *e, const char *table)
{
    P(e, "ALTER TABLE ");
    Q(e, table);
    P(e, " ");
}

int mysqldrv_part_emit(mysqldrv_em *e, const char *table, const char *from, const char *to)
{
    mysqldrv_pplan pl;
    int rc = mysqldrv_pplan_make(from, to, &pl);
    mysqldrv_pspec *f = &pl.f, *t = &pl.t;
    if (rc)
        goto out;
    switch (pl.kind) {
    case MYSQLDRV_PART_SAME:
        break;
    case MYSQLDRV_PART_REPARTITION:
        mysqldrv_part_alter(e, table);
        P(e, to);
        rc = mysqldrv_flush(e, 0);
        break;
    case MYSQLDRV_PART_REMOVE:
        mysqldrv_part_alter(e, table);
        P(e, "REMOVE PARTITIONING");
        rc = mysqldrv_flush(e, 0);
        break;
    case MYSQLDRV_PART_COUNT:
        mysqldrv_part_alter(e, table);
        if (t->count > f->count)
            e->h->buf_printf(e->b, "ADD PARTITION PARTITIONS %ld", t->count - f->count);
        else
            e->h->buf_printf(e->b, "COALESCE PARTITION %ld", f->count - t->count);
        rc = mysqldrv_flush(e, 0);
        break;
    case MYSQLDRV_PART_EDIT:
        /* drops first: a LIST value may move from a dropped partition to
         * an added one */
        if (pl.drops) {
            mysqldrv_part_alter(e, table);
            P(e, "DROP PARTITION ");
            const char *sep = "";
            for (size_t i = 0; i < f->n; i++)
                if (!mysqldrv_pdef_find(t, f->parts[i].name)) {
                    P(e, sep);
                    Q(e, f->parts[i].name);
                    sep = ", ";
                }
            rc = mysqldrv_flush(e, CAIRN_STMT_DESTRUCTIVE);
        }
        size_t first_new = t->n;
        for (size_t i = 0; i < t->n && first_new == t->n; i++)
            if (!mysqldrv_pdef_find(f, t->parts[i].name))
                first_new = i;
        if (!rc && first_new < t->n) {
            mysqldrv_part_alter(e, table);
            P(e, "ADD PARTITION ");
            mysqldrv_part_defs(e, t->parts + first_new, t->n - first_new);
            rc = mysqldrv_flush(e, 0);
        }
        break;
    case MYSQLDRV_PART_REORGANIZE:
        mysqldrv_part_alter(e, table);
        P(e, "REORGANIZE PARTITION ");
        mysqldrv_part_names(e, f->parts + pl.a, pl.nf);
        P(e, " INTO ");
        mysqldrv_part_defs(e, t->parts + pl.a, pl.nt);
        rc = mysqldrv_flush(e, 0);
        break;
    }
out:
    mysqldrv_pspec_free(f);
    mysqldrv_pspec_free(t);
    return rc;
}

const char *mysqldrv_part_of(const cairn_table *t)
{
    return t ? mysqldrv_table_option(t, MYSQLDRV_PARTITION_KEY) : NULL;
}

int mysqldrv_options_differ_besides_partition(const cairn_table *a, const cairn_table *b)
{
    size_t i = 0, j = 0, kl = strlen(MYSQLDRV_PARTITION_KEY);
    for (;;) {
        while (i < a->noptions && !strncmp(a->options[i], MYSQLDRV_PARTITION_KEY "=", kl + 1))
            i++;
        while (j < b->noptions && !strncmp(b->options[j], MYSQLDRV_PARTITION_KEY "=", kl + 1))
            j++;
        if (i == a->noptions || j == b->noptions)
            return i != a->noptions || j != b->noptions;
        if (strcmp(a->options[i++], b->options[j++]))
            return 1;
    }
}

/* ---- the rule every unique key follows ------------------------------------ */

static int mysqldrv_in_cols(const char *const *cols, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (cols[i] && !strcasecmp(cols[i], name))
            return 1;
    return 0;
}

static int mysqldrv_in_index(const cairn_index *ix, const char *name)
{
    for (size_t i = 0; i < ix->nparts; i++)
        if (ix->parts[i]->column && !strcasecmp(ix->parts[i]->column, name))
            return 1;
    return 0;
}

/* The first unique key of `t` that lacks column `col`: its kind and name,
 * or 0 when every one has it. */
static int mysqldrv_key_without(const cairn_table *t, const char *col, const char **kind,
                                const char **name)
{
    if (t->primary_key &&
        !mysqldrv_in_cols(t->primary_key->columns, t->primary_key->ncolumns, col)) {
        *kind = "PRIMARY KEY";
        *name = "PRIMARY";
        return 1;
    }
    for (size_t i = 0; i < t->nuniques; i++)
        if (!mysqldrv_in_cols(t->uniques[i]->columns, t->uniques[i]->ncolumns, col)) {
            *kind = "UNIQUE INDEX";
            *name = t->uniques[i]->name ? t->uniques[i]->name : "(unnamed)";
            return 1;
        }
    for (size_t i = 0; i < t->nindexes; i++)
        if (t->indexes[i]->unique && !mysqldrv_in_index(t->indexes[i], col)) {
            *kind = "UNIQUE INDEX";
            *name = t->indexes[i]->name ? t->indexes[i]->name : "(unnamed)";
            return 1;
        }
    return 0;
}

int mysqldrv_part_check(mysqldrv_em *e, const cairn_table *t)
{
    const char *text = mysqldrv_part_of(t);
    mysqldrv_pspec s;
    if (!text || mysqldrv_pspec_parse(text, &s)) {
        if (text)
            mysqldrv_pspec_free(&s);
        return 0; /* the server judges text of another shape */
    }
    /* the columns named inside the head's parentheses, not function names */
    int depth = 0, rc = 0;
    for (const char *p = s.head; p < s.head + s.headlen && !rc;) {
        const char *w = p, *end;
        char name[130];
        if (*p == '\'' || *p == '"') {
            p = mysqldrv_skip_quoted(p);
            continue;
        }
        if (*p == '`') {
            end = mysqldrv_skip_quoted(p);
            snprintf(name, sizeof name, "%.*s", (int)(end - w - 2), w + 1);
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            end = p;
            while (isalnum((unsigned char)*end) || *end == '_' || *end == '$')
                end++;
            snprintf(name, sizeof name, "%.*s", (int)(end - w), w);
        } else {
            depth += *p == '(';
            depth -= *p == ')';
            p++;
            continue;
        }
        p = end;
        while (*p == ' ')
            p++;
        const char *kind, *key;
        if (depth > 0 && *p != '(' && e->h->find_column(t, name) &&
            mysqldrv_key_without(t, name, &kind, &key))
            rc = e->h->error(e->hc, CAIRN_ESCHEMA, NULL,
                             "mysql: table %s: the partitioning uses column %s, which key %s "
                             "does not include: the server refuses it (ERROR 1503 (HY000): A %s "
                             "must include all columns in the table's partitioning function)",
                             t->name, name, key, kind);
    }
    mysqldrv_pspec_free(&s);
    return rc;
}
