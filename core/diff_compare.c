/*
 * How two versions of an object compare, for the diff (diff.c): columns
 * (which type changes keep every value, from the dialect's type families),
 * and constraints, indexes and triggers as canonical text, so unnamed
 * objects match by content and a rename alone never drops and re-adds one.
 */
#include <stdlib.h>
#include <string.h>

#include "diff.h"

/* The new name of an old column of the pair (the old name if it is dropped). */
static const char *new_col(const tpair *p, const char *old)
{
    if (!p || !old)
        return old;
    size_t i = diff_from_column(p, old);
    if (i < p->from->ncolumns)
        return p->col_to[i] ? p->col_to[i]->name : old;
    return old;
}

typedef struct tinfo {
    char base[64];
    long args[2];
    int nargs; /* -1: arguments that are not numbers */
} tinfo;

static void type_info(differ *d, const char *type, tinfo *ti)
{
    cairn_buf_reset(&d->b1);
    diff_canon(&d->b1, type ? type : "", 1);
    const char *s = cairn_buf_cstr(&d->b1);
    const char *par = strchr(s, '(');
    size_t n = par ? (size_t)(par - s) : strlen(s);
    memset(ti, 0, sizeof *ti);
    if (n >= sizeof ti->base)
        n = sizeof ti->base - 1;
    memcpy(ti->base, s, n);
    if (!par)
        return;
    const char *q = par + 1;
    while (*q && *q != ')') {
        char *end;
        long v = strtol(q, &end, 10);
        if (end == q || ti->nargs == 2 || (*end != ',' && *end != ')')) {
            ti->nargs = -1;
            return;
        }
        ti->args[ti->nargs++] = v;
        q = *end == ',' ? end + 1 : end;
    }
}

/* The SQL standard's names (and text, which every dialect cairn ships has),
 * for a driver that states no type families (ABI < 1.2): what the dialect
 * calls its types is the driver's to say. */
const cairn_type_family diff_sql_standard_types[] = {
    {"smallint", CAIRN_TYPE_INTEGER, 1, 0},
    {"integer", CAIRN_TYPE_INTEGER, 2, 0},
    {"bigint", CAIRN_TYPE_INTEGER, 3, 0},
    {"real", CAIRN_TYPE_FLOAT, 1, 0},
    {"double precision", CAIRN_TYPE_FLOAT, 2, 0},
    {"char", CAIRN_TYPE_STRING, 1, 0},
    {"character", CAIRN_TYPE_STRING, 1, 0},
    {"varchar", CAIRN_TYPE_STRING, 2, CAIRN_TYPE_BARE_UNBOUNDED},
    {"character varying", CAIRN_TYPE_STRING, 2, CAIRN_TYPE_BARE_UNBOUNDED},
    {"text", CAIRN_TYPE_STRING, 3, CAIRN_TYPE_BARE_UNBOUNDED},
    {"numeric", CAIRN_TYPE_DECIMAL, 1, CAIRN_TYPE_BARE_UNBOUNDED},
    {"decimal", CAIRN_TYPE_DECIMAL, 1, CAIRN_TYPE_BARE_UNBOUNDED},
    {NULL, CAIRN_TYPE_END, 0, 0}};

/* The entry of a type's base name, or NULL when it is in no family. */
static const cairn_type_family *type_family(const differ *d, const char *base)
{
    for (const cairn_type_family *f = d->types; f && f->name; f++)
        if (strcmp(base, f->name) == 0)
            return f;
    return NULL;
}

/* Same base, or synonyms: do the arguments of `x` fit in those of `y`? */
static int args_widen(const tinfo *x, const tinfo *y, const cairn_type_family *f)
{
    if (x->nargs < 0 || y->nargs < 0)
        return 0;
    if (f && f->kind == CAIRN_TYPE_INTEGER)
        return 1; /* integer display widths do not limit values */
    if (y->nargs == 0)
        return x->nargs == 0 || (f && (f->flags & CAIRN_TYPE_BARE_UNBOUNDED));
    if (x->nargs != y->nargs)
        return 0;
    if (x->nargs == 1)
        return y->args[0] >= x->args[0];
    return y->args[0] - y->args[1] >= x->args[0] - x->args[1] && y->args[1] >= x->args[1];
}

/* Does every value of type `a` fit in type `b`? */
int diff_is_widening(differ *d, const char *a, const char *b)
{
    tinfo x, y;
    type_info(d, a, &x);
    type_info(d, b, &y);
    const cairn_type_family *fx = type_family(d, x.base), *fy = type_family(d, y.base);
    if (strcmp(x.base, y.base) == 0 || (fx && fy && fx->kind == fy->kind && fx->rank == fy->rank))
        return args_widen(&x, &y, fx ? fx : fy);
    if (!fx || !fy || fx->kind != fy->kind || fy->rank <= fx->rank)
        return 0;
    if (fx->kind != CAIRN_TYPE_STRING)
        return 1;
    /* char(n) -> varchar(m) or text: only when m >= n (or unbounded) */
    if (y.nargs == 0)
        return (fy->flags & CAIRN_TYPE_BARE_UNBOUNDED) != 0;
    return y.nargs == 1 && x.nargs == 1 && y.args[0] >= x.args[0];
}

uint32_t diff_column_changes(differ *d, const cairn_column *a, const cairn_column *b)
{
    uint32_t alter = 0;
    if (a == b) /* (a table the newest snapshot borrows: every field equal) */
        return 0;
    if (!diff_text_eq(d, a->type ? a->type : "", b->type ? b->type : "", 1))
        alter |= CAIRN_ALTER_TYPE;
    if (!a->not_null != !b->not_null)
        alter |= CAIRN_ALTER_NULLABILITY;
    if (!diff_text_eq(d, a->default_expr, b->default_expr, 0))
        alter |= CAIRN_ALTER_DEFAULT;
    if (a->identity != b->identity)
        alter |= CAIRN_ALTER_IDENTITY;
    if (!diff_text_eq(d, a->generated, b->generated, 0) ||
        (a->generated && !a->generated_stored != !b->generated_stored))
        alter |= CAIRN_ALTER_GENERATED;
    if (!diff_str_eq_ci(a->collation, b->collation))
        alter |= CAIRN_ALTER_COLLATION;
    if (!diff_str_eq(a->comment, b->comment))
        alter |= CAIRN_ALTER_COMMENT;
    if (!diff_text_eq(d, a->extra, b->extra, 0))
        alter |= CAIRN_ALTER_EXTRA;
    /* a new schema without a name takes whatever the constraint is called
     * (a renamed table or column, a detached partition keep the old one) */
    if (a->not_null && b->not_null && b->not_null_name &&
        !diff_str_eq(a->not_null_name, b->not_null_name))
        alter |= CAIRN_ALTER_NOT_NULL_NAME;
    return alter;
}

uint32_t diff_constraint_changes(cairn_change_kind kind, const void *a, const void *b)
{
    const char *ca = NULL, *cb = NULL;
    int validate = 0;
    switch (kind) {
    case CAIRN_CHANGE_ALTER_KEY:
        ca = ((const cairn_key *)a)->comment;
        cb = ((const cairn_key *)b)->comment;
        break;
    case CAIRN_CHANGE_ALTER_CHECK:
        ca = ((const cairn_check *)a)->comment;
        cb = ((const cairn_check *)b)->comment;
        validate = ((const cairn_check *)a)->not_valid && !((const cairn_check *)b)->not_valid;
        break;
    case CAIRN_CHANGE_ALTER_FOREIGN_KEY:
        ca = ((const cairn_fkey *)a)->comment;
        cb = ((const cairn_fkey *)b)->comment;
        validate = ((const cairn_fkey *)a)->not_valid && !((const cairn_fkey *)b)->not_valid;
        break;
    case CAIRN_CHANGE_ALTER_TRIGGER:
        ca = ((const cairn_trigger *)a)->comment;
        cb = ((const cairn_trigger *)b)->comment;
        break;
    default:
        return 0;
    }
    return (diff_str_eq(ca, cb) ? 0 : CAIRN_ALTER_COMMENT) | (validate ? CAIRN_ALTER_VALIDATE : 0);
}

/* ---- constraints, indexes, triggers as canonical text ------------------------------- */

/* Signatures of the old side are written with the new names of renamed
 * columns and tables, so a rename alone never drops and re-adds them. */
static void sig_cols(cairn_buf *b, const tpair *map, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            cairn_buf_append(b, ",", 1);
        cairn_buf_quote(b, new_col(map, cols[i]), '"');
    }
}

static const char *fk_action(cairn_fk_action a)
{
    switch (a) {
    case CAIRN_FK_RESTRICT: return "restrict";
    case CAIRN_FK_CASCADE: return "cascade";
    case CAIRN_FK_SET_NULL: return "set null";
    case CAIRN_FK_SET_DEFAULT: return "set default";
    default: return "no action";
    }
}

typedef enum okind { O_UNIQUE, O_CHECK, O_FKEY, O_INDEX, O_TRIGGER } okind;

static const char *obj_sig(differ *d, okind k, const cairn_table *t, const tpair *map,
                           const void *o)
{
    cairn_buf b;
    cairn_buf_init(&b);
    switch (k) {
    case O_UNIQUE: {
        const cairn_key *key = o;
        sig_cols(&b, map, key->columns, key->ncolumns);
        if (key->nulls_not_distinct)
            cairn_buf_puts(&b, " nulls not distinct");
        if (key->without_overlaps)
            cairn_buf_puts(&b, " without overlaps");
        if (key->deferrable || key->initially_deferred)
            cairn_buf_puts(&b, key->initially_deferred ? " deferrable initially deferred"
                                                       : " deferrable");
        break;
    }
    case O_CHECK:
        diff_canon(&b, ((const cairn_check *)o)->expr, 0);
        break;
    case O_FKEY: {
        const cairn_fkey *fk = o;
        const char *rns = cairn_fkey_ref_ns(d->cx, t, fk);
        const char *rt = fk->ref_table ? fk->ref_table : "";
        const tpair *rp = map ? diff_pair_of_old(d, rns, rt) : NULL;
        sig_cols(&b, map, fk->columns, fk->ncolumns);
        cairn_buf_puts(&b, " -> ");
        if (rns) {
            cairn_buf_quote(&b, rns, '"');
            cairn_buf_append(&b, ".", 1);
        }
        cairn_buf_quote(&b, rp ? rp->to->name : rt, '"');
        cairn_buf_append(&b, "(", 1);
        sig_cols(&b, rp, fk->ref_columns, fk->nref_columns);
        /* (appended piece by piece: a printf per key costs more than the rest) */
        const char *const parts[] = {")", fk->period ? " period" : "", " on delete ",
                                     fk_action(fk->on_delete), " on update ",
                                     fk_action(fk->on_update), fk->match_full ? " match full" : "",
                                     fk->deferrable || fk->initially_deferred ? " deferrable" : "",
                                     fk->initially_deferred ? " initially deferred" : ""};
        for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
            cairn_buf_puts(&b, parts[i]);
        break;
    }
    case O_INDEX: {
        const cairn_index *ix = o;
        cairn_buf_puts(&b, ix->unique ? "unique (" : "(");
        for (size_t i = 0; i < ix->nparts; i++) {
            const cairn_index_part *pt = ix->parts[i];
            if (i)
                cairn_buf_append(&b, ",", 1);
            if (pt->column)
                cairn_buf_quote(&b, new_col(map, pt->column), '"');
            else {
                cairn_buf_append(&b, "(", 1);
                diff_canon(&b, pt->expr, 0);
                cairn_buf_append(&b, ")", 1);
            }
            if (pt->collation)
                cairn_buf_printf(&b, " collate %s", pt->collation);
            if (pt->length)
                cairn_buf_printf(&b, " length %d", pt->length);
            if (pt->desc)
                cairn_buf_puts(&b, " desc");
        }
        cairn_buf_append(&b, ")", 1);
        if (ix->ninclude) {
            cairn_buf_puts(&b, " include (");
            sig_cols(&b, map, ix->include, ix->ninclude);
            cairn_buf_append(&b, ")", 1);
        }
        if (ix->method) {
            cairn_buf_puts(&b, " using ");
            diff_canon(&b, ix->method, 1);
        }
        if (ix->where) {
            cairn_buf_puts(&b, " where ");
            diff_canon(&b, ix->where, 0);
        }
        if (ix->comment)
            cairn_buf_printf(&b, " comment %s", ix->comment);
        break;
    }
    case O_TRIGGER:
        diff_canon(&b, ((const cairn_trigger *)o)->sql, 0);
        break;
    }
    const char *s = diff_tmp_str(d, &b);
    cairn_buf_release(&b);
    return s;
}

static const char *obj_name(okind k, const void *o)
{
    switch (k) {
    case O_UNIQUE: return ((const cairn_key *)o)->name;
    case O_CHECK: return ((const cairn_check *)o)->name;
    case O_FKEY: return ((const cairn_fkey *)o)->name;
    case O_INDEX: return ((const cairn_index *)o)->name;
    case O_TRIGGER: return ((const cairn_trigger *)o)->name;
    }
    return NULL;
}

static dobj *dobjs(differ *d, okind k, const cairn_table *t, const tpair *map,
                   void *const *items, size_t n)
{
    dobj *v = diff_tmp_alloc(d, n ? n : 1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        v[i].p = items[i];
        v[i].name = obj_name(k, items[i]);
        v[i].sig = obj_sig(d, k, t, map, items[i]);
        v[i].peer = -1;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, diff_cmp_dobj);
    return v;
}

/* Named objects pair by name; then what is left pairs by content, as long
 * as one side is unnamed (a dialect may not keep or report names, and a
 * named and an unnamed constraint with the same content are the same). */
/* Is an object of an identical pair (p->ident) its own signature on both
 * sides? Yes, but for a foreign key to a table that is not identical too:
 * the old side's names the referenced table and columns by their new
 * names. */
static int same_sig_both_sides(differ *d, okind k, const tpair *p, void *const *v, size_t n)
{
    if (!p->ident)
        return 0;
    for (size_t i = 0; k == O_FKEY && i < n; i++) {
        const cairn_fkey *fk = v[i];
        const tpair *rp = diff_pair_of_old(d, cairn_fkey_ref_ns(d->cx, p->from, fk),
                                           fk->ref_table ? fk->ref_table : "");
        if (rp && !rp->ident)
            return 0;
    }
    return 1;
}

static void match_set(differ *d, dset *s, okind k, const tpair *p, void *const *fv, size_t nf,
                      void *const *tv, size_t nt)
{
    s->f = dobjs(d, k, p->from, p, fv, nf);
    if (!d->rc && same_sig_both_sides(d, k, p, fv, nf)) {
        /* what dobjs would make of the same objects, sorted the same */
        if ((s->t = diff_tmp_alloc(d, nf ? nf : 1, sizeof *s->t)))
            memcpy(s->t, s->f, nf * sizeof *s->t);
    } else {
        s->t = dobjs(d, k, p->to, NULL, tv, nt);
    }
    if (d->rc)
        return;
    s->nf = nf;
    s->nt = nt;
    for (size_t j = 0; j < nt; j++) {
        if (!s->t[j].name)
            continue;
        for (size_t i = 0; i < nf; i++)
            if (s->f[i].peer < 0 && diff_str_eq(s->f[i].name, s->t[j].name)) {
                s->f[i].peer = (int)j;
                s->t[j].peer = (int)i;
                s->f[i].same = s->t[j].same = strcmp(s->f[i].sig, s->t[j].sig) == 0;
                break;
            }
    }
    for (size_t j = 0; j < nt; j++) {
        if (s->t[j].peer >= 0)
            continue;
        for (size_t i = 0; i < nf; i++)
            if (s->f[i].peer < 0 && (!s->f[i].name || !s->t[j].name) &&
                strcmp(s->f[i].sig, s->t[j].sig) == 0) {
                s->f[i].peer = (int)j;
                s->t[j].peer = (int)i;
                s->f[i].same = s->t[j].same = 1;
                break;
            }
    }
}

int diff_option_lists_equal(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return 0;
    return 1;
}

int diff_options_equal(const cairn_table *a, const cairn_table *b)
{
    /* virtual tables are paired only when their options agree (diff.c) */
    if (cairn_table_is_virtual(a) && cairn_table_is_virtual(b))
        return 1;
    return diff_option_lists_equal(a->options, a->noptions, b->options, b->noptions);
}

/* There is no rename of an index (it is dropped and created), but a hint
 * that names nothing is still a mistake worth stopping for. */
static int check_index_hints(differ *d, const tpair *p)
{
    const cairn_table *f = p->from, *t = p->to;
    for (size_t j = 0; j < t->nindexes; j++) {
        const cairn_index *ix = t->indexes[j];
        int have_new = 0, have_old = 0;
        if (!ix->was || !ix->name)
            continue;
        for (size_t i = 0; i < f->nindexes; i++) {
            have_new |= diff_str_eq(f->indexes[i]->name, ix->name);
            have_old |= diff_str_eq(f->indexes[i]->name, ix->was);
        }
        if (!have_new && !have_old)
            return d->rc = cairn_err(d->cx, CAIRN_ESCHEMA,
                                     "index \"%s\" of %s was \"%s\", but neither is in the old table",
                                     ix->name, diff_qname(d, t->schema, t->name), ix->was);
    }
    return 0;
}

/* Does the old column `name` of a paired table get a new type? */
static int column_retyped(differ *d, const tpair *p, const char *name)
{
    for (size_t i = 0; i < p->from->ncolumns; i++)
        if (strcmp(p->from->columns[i]->name, name) == 0)
            return p->col_to[i] &&
                   (diff_column_changes(d, p->from->columns[i], p->col_to[i]) & CAIRN_ALTER_TYPE);
    return 0;
}

void diff_analyse_pair(differ *d, tpair *p)
{
    const cairn_table *f = p->from, *t = p->to;
    if (check_index_hints(d, p))
        return;
    match_set(d, &p->uniques, O_UNIQUE, p, (void *const *)f->uniques, f->nuniques,
              (void *const *)t->uniques, t->nuniques);
    match_set(d, &p->checks, O_CHECK, p, (void *const *)f->checks, f->nchecks,
              (void *const *)t->checks, t->nchecks);
    match_set(d, &p->fkeys, O_FKEY, p, (void *const *)f->fkeys, f->nfkeys,
              (void *const *)t->fkeys, t->nfkeys);
    match_set(d, &p->indexes, O_INDEX, p, (void *const *)f->indexes, f->nindexes,
              (void *const *)t->indexes, t->nindexes);
    match_set(d, &p->triggers, O_TRIGGER, p, (void *const *)f->triggers, f->ntriggers,
              (void *const *)t->triggers, t->ntriggers);
    /* A foreign key to a table that goes away goes before the table. */
    for (size_t i = 0; i < p->fkeys.nf; i++) {
        const cairn_fkey *fk = p->fkeys.f[i].p;
        const char *rns = cairn_fkey_ref_ns(d->cx, f, fk);
        const char *rt = fk->ref_table ? fk->ref_table : "";
        if (diff_find_sorted_table(d->ft, d->nft, rns, rt) < d->nft && !diff_pair_of_old(d, rns, rt))
            p->fkeys.f[i].same = 0;
    }
    /* A foreign key over a column whose type changes is dropped before the
     * change and added again after it: MySQL refuses to alter a column a
     * foreign key uses, and PostgreSQL wants both sides of one type. */
    for (size_t i = 0; i < p->fkeys.nf; i++) {
        dobj *o = &p->fkeys.f[i];
        if (!o->same)
            continue;
        const cairn_fkey *fk = o->p;
        const tpair *rp = diff_pair_of_old(d, cairn_fkey_ref_ns(d->cx, f, fk),
                                           fk->ref_table ? fk->ref_table : "");
        int retyped = 0;
        for (size_t k = 0; k < fk->ncolumns && !retyped; k++)
            retyped = column_retyped(d, p, fk->columns[k]);
        for (size_t k = 0; rp && k < fk->nref_columns && !retyped; k++)
            retyped = column_retyped(d, rp, fk->ref_columns[k]);
        if (retyped) {
            o->same = 0;
            if (o->peer >= 0)
                p->fkeys.t[o->peer].same = 0;
        }
    }
    if (f->primary_key || t->primary_key) {
        const cairn_key *a = f->primary_key, *b = t->primary_key;
        /* a comment is changed alone (ALTER_KEY), except where only a
         * primary key takes one (MySQL: the PRIMARY index's): with the key */
        uint64_t caps = cairn_ctx_dialect_caps(d->cx);
        int recomment = !diff_str_eq(a ? a->comment : NULL, b ? b->comment : NULL) &&
                        (caps & CAIRN_CAP_PRIMARY_KEY_COMMENT) &&
                        !(caps & CAIRN_CAP_CONSTRAINT_COMMENTS);
        if (!a || !b || (a->name && b->name && strcmp(a->name, b->name) != 0) || recomment)
            p->pk_changed = 1;
        else if (a == b && p->ident)
            p->pk_changed = 0; /* one key, one signature */
        else {
            const char *sa = obj_sig(d, O_UNIQUE, f, p, a), *sb = obj_sig(d, O_UNIQUE, t, NULL, b);
            p->pk_changed = strcmp(sa, sb) != 0;
        }
    }
}

/* Does key `k` hold exactly the columns `cols` (in any order)? */
static int key_is(const cairn_key *k, const char *const *cols, size_t n)
{
    if (!k || k->ncolumns != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < n && strcmp(k->columns[j], cols[i]) != 0)
            j++;
        if (j == n)
            return 0;
    }
    return 1;
}

/* The server ties a foreign key to the key it references (PostgreSQL to
 * its index): that key cannot be dropped under it. */
static int referenced_key_changes(const tpair *rp, const cairn_fkey *fk)
{
    const cairn_table *f = rp->from;
    if (rp->pk_changed && key_is(f->primary_key, fk->ref_columns, fk->nref_columns))
        return 1;
    for (size_t i = 0; i < rp->uniques.nf; i++)
        if (!rp->uniques.f[i].same &&
            key_is(rp->uniques.f[i].p, fk->ref_columns, fk->nref_columns))
            return 1;
    return 0;
}

void diff_fkeys_follow_keys(differ *d)
{
    for (size_t k = 0; k < d->npairs; k++) {
        tpair *p = d->pairs[k];
        for (size_t i = 0; i < p->fkeys.nf; i++) {
            dobj *o = &p->fkeys.f[i];
            const cairn_fkey *fk = o->p;
            if (!o->same || !fk->ref_table)
                continue;
            const tpair *rp = diff_pair_of_old(d, cairn_fkey_ref_ns(d->cx, p->from, fk),
                                               fk->ref_table);
            if (rp && referenced_key_changes(rp, fk)) {
                o->same = 0;
                if (o->peer >= 0)
                    p->fkeys.t[o->peer].same = 0;
            }
        }
    }
}
