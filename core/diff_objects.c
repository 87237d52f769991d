/*
 * The diff of objects carried as DDL text (cairn_object: functions,
 * domains, extensions, policies, events, ...).
 *
 * Objects pair by identity (kind, namespace, table, name, signature) and
 * compare by their definition and comment. Each object gets a stage from
 * what it depends on, directly or through other objects of its schema:
 *   0  nothing of the tables' world: created before the tables (a domain or
 *      a function a column uses), dropped after them;
 *   1  a table: created after the tables, before the views, and dropped
 *      after the views, before the tables;
 *   2  a view: created after the views, dropped before them.
 * Within a stage an object comes after the objects it depends on (before
 * them when dropped). An object whose table, view or object is dropped or
 * recreated by the plan is dropped and created again around it.
 *
 * A changed object the dialect can only drop and create (a function whose
 * result changes: object_recreates), or one dropped while another of its
 * kind and name is created (a new signature), is "renewed": at stage 0 it
 * is dropped after every table-side drop and before the stage-0 creates,
 * and the views, triggers, checks, indexes and column defaults that call
 * it go before it and come back after it (diff.c asks diff_objects_calls,
 * which tells it from another of its name by namespace and argument
 * types). An object of stage 1 or 2 (a function that reads a table) is
 * created after the tables: the checks, defaults, indexes and triggers
 * that call it are added after it, and dropped before it.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "diff.h"

typedef struct oside {
    const cairn_schema *s;
    const cairn_object **v; /* sorted by identity */
    size_t n;
    cairn_strmap *by_ref;   /* "kind\x1fname\x1fsig" in a namespace -> index + 1 */
    cairn_strmap *by_name;  /* folded name in a namespace -> index + 1 */
    size_t *next_name;      /* per object: the next one of its name + 1, or 0 */
    signed char *stage;     /* per object, -1 while it is being worked out */
    char *visit;            /* per object: 0 new, 1 on the path, 2 done */
} oside;

struct oplan {
    oside f, t;
    int *peer_of_t;   /* per t: index into f, -1 */
    int *peer_of_f;   /* per f: index into t, -1 */
    char *drop;       /* per f: dropped (gone or forced) */
    char *create;     /* per t: created (new or forced) */
    char *replace;    /* per t: replaced in place */
    char *renew;      /* per f: dropped, and its kind and name created again */
    size_t npicked[4]; /* per diff_which: how many objects it names */
};

static int cmp_objp(const void *pa, const void *pb)
{
    return cairn_object_cmp(*(const cairn_object *const *)pa, *(const cairn_object *const *)pb);
}

/* The map key of an object or a reference: kind, name and signature, with
 * separators no identifier of a sane schema holds. */
static const char *ref_key(differ *d, const char *kind, const char *name, const char *sig)
{
    cairn_buf_reset(&d->b1);
    cairn_buf_printf(&d->b1, "%s\x1f%s\x1f%s", kind, name, sig ? sig : "");
    return diff_tmp_str(d, &d->b1);
}

static int side_init(differ *d, oside *o, const cairn_schema *s)
{
    o->s = s;
    o->n = s->nobjects;
    size_t n = o->n ? o->n : 1;
    o->v = diff_tmp_alloc(d, n, sizeof *o->v);
    o->stage = diff_tmp_alloc(d, n, 1);
    o->visit = diff_tmp_alloc(d, n, 1);
    o->next_name = diff_tmp_alloc(d, n, sizeof *o->next_name);
    o->by_ref = cairn_strmap_new(d->tmp);
    o->by_name = cairn_strmap_new(d->tmp);
    if (d->rc || !o->by_ref || !o->by_name)
        return d->rc ? d->rc : (d->rc = cairn_err(d->cx, CAIRN_ENOMEM, "out of memory"));
    if (o->n)
        memcpy(o->v, s->objects, o->n * sizeof *o->v);
    qsort(o->v, o->n, sizeof *o->v, cmp_objp);
    for (size_t i = 0; i < o->n; i++) {
        const cairn_object *ob = o->v[i];
        o->stage[i] = -1;
        const char *key = ref_key(d, ob->kind, ob->name, ob->signature);
        /* two policies of one name on two tables: a reference names neither */
        if (!key || (!cairn_strmap_get(o->by_ref, ob->schema, key) &&
                     cairn_strmap_put(o->by_ref, ob->schema, key, (void *)(i + 1))))
            return d->rc ? d->rc : (d->rc = cairn_err(d->cx, CAIRN_ENOMEM, "out of memory"));
    }
    /* backwards, so that each name's chain runs in order */
    for (size_t i = o->n; i-- > 0;) {
        const cairn_object *ob = o->v[i];
        char *key = cairn_arena_strdup(d->tmp, ob->name);
        for (char *k = key; k && *k; k++)
            *k = (char)tolower((unsigned char)*k);
        if (!key)
            return d->rc = cairn_err(d->cx, CAIRN_ENOMEM, "out of memory");
        o->next_name[i] = (size_t)(uintptr_t)cairn_strmap_get(o->by_name, ob->schema, key);
        if (cairn_strmap_put(o->by_name, ob->schema, key, (const void *)(uintptr_t)(i + 1)))
            return d->rc = cairn_err(d->cx, CAIRN_ENOMEM, "out of memory");
    }
    return 0;
}

/* The index of the object `r` names in `o`, or -1 (not an object, or one
 * the schema does not hold: an extension's function). */
static long find_ref(differ *d, const oside *o, const cairn_object_ref *r)
{
    const char *key = ref_key(d, r->kind, r->name, r->signature);
    const void *v = key ? cairn_strmap_get(o->by_ref, r->schema, key) : NULL;
    return v ? (long)((size_t)v - 1) : -1;
}

static int is_view(const cairn_schema *s, const char *ns, const char *name)
{
    for (size_t i = 0; i < s->nviews; i++)
        if (diff_str_eq(s->views[i]->schema, ns) && strcmp(s->views[i]->name, name) == 0)
            return 1;
    return 0;
}

static int stage_of(differ *d, oside *o, size_t i)
{
    if (o->stage[i] >= 0)
        return o->stage[i];
    o->stage[i] = 0; /* a cycle stops here */
    const cairn_object *ob = o->v[i];
    int st = 0;
    if (ob->table)
        st = is_view(o->s, ob->schema, ob->table) ? 2 : 1;
    for (size_t k = 0; k < ob->ndepends && st < 2; k++) {
        const cairn_object_ref *r = ob->depends[k];
        int rs = 0;
        if (strcmp(r->kind, "table") == 0)
            rs = 1;
        else if (strcmp(r->kind, "view") == 0)
            rs = 2;
        else {
            long j = find_ref(d, o, r);
            if (j >= 0)
                rs = stage_of(d, o, (size_t)j);
        }
        if (rs > st)
            st = rs;
    }
    return o->stage[i] = (signed char)st;
}

/* Is anything `ob` (of the old schema) needs dropped or recreated by the
 * plan? Its table, a table or view it names, or an object being dropped. */
static int needs_gone(differ *d, diff_oplan *op, size_t i, diff_gone_fn *gone, void *ud)
{
    const cairn_object *ob = op->f.v[i];
    if (ob->table && gone && gone(ud, "table", ob->schema, ob->table))
        return 1;
    for (size_t k = 0; k < ob->ndepends; k++) {
        const cairn_object_ref *r = ob->depends[k];
        if (strcmp(r->kind, "table") == 0 || strcmp(r->kind, "view") == 0) {
            if (gone && gone(ud, r->kind, r->schema, r->name))
                return 1;
        } else {
            long j = find_ref(d, &op->f, r);
            if (j >= 0 && op->drop[j])
                return 1;
        }
    }
    return 0;
}

/* What depends on something gone goes too, to the end of the chain; the
 * old schema is sorted, so each pass is linear and chains are short.
 * Without `gone`, only objects count. Then what is created or replaced. */
static void cascade(differ *d, diff_oplan *op, diff_gone_fn *gone, void *ud)
{
    for (int more = 1; more;) {
        more = 0;
        for (size_t k = 0; k < op->f.n; k++)
            if (!op->drop[k] && needs_gone(d, op, k, gone, ud))
                op->drop[k] = more = 1;
    }
    for (size_t j = 0; j < op->t.n; j++) {
        int p = op->peer_of_t[j];
        op->create[j] = op->replace[j] = 0;
        if (p < 0 || op->drop[p])
            op->create[j] = 1;
        else if (!diff_text_eq(d, op->f.v[p]->definition, op->t.v[j]->definition, 0) ||
                 !diff_str_eq(op->f.v[p]->comment, op->t.v[j]->comment))
            op->replace[j] = 1;
    }
}

static int find_renewals(differ *d, diff_oplan *op);
static void count_picked(diff_oplan *op);

diff_oplan *diff_objects_plan(differ *d)
{
    diff_oplan *op = diff_tmp_alloc(d, 1, sizeof *op);
    if (!op || side_init(d, &op->f, d->from) || side_init(d, &op->t, d->to))
        return NULL;
    size_t nf = op->f.n ? op->f.n : 1, nt = op->t.n ? op->t.n : 1;
    op->peer_of_t = diff_tmp_alloc(d, nt, sizeof *op->peer_of_t);
    op->peer_of_f = diff_tmp_alloc(d, nf, sizeof *op->peer_of_f);
    op->drop = diff_tmp_alloc(d, nf, 1);
    op->create = diff_tmp_alloc(d, nt, 1);
    op->replace = diff_tmp_alloc(d, nt, 1);
    if (d->rc)
        return NULL;
    for (size_t i = 0; i < op->f.n; i++)
        op->peer_of_f[i] = -1;
    /* both sides sorted by identity: one walk pairs them */
    size_t i = 0;
    for (size_t j = 0; j < op->t.n; j++) {
        op->peer_of_t[j] = -1;
        while (i < op->f.n && cairn_object_cmp(op->f.v[i], op->t.v[j]) < 0)
            i++;
        if (i < op->f.n && cairn_object_cmp(op->f.v[i], op->t.v[j]) == 0) {
            op->peer_of_t[j] = (int)i;
            op->peer_of_f[i] = (int)j;
            i++;
        }
    }
    for (size_t k = 0; k < op->f.n; k++)
        stage_of(d, &op->f, k);
    for (size_t k = 0; k < op->t.n; k++)
        stage_of(d, &op->t, k);
    for (size_t k = 0; k < op->f.n; k++) {
        int j = op->peer_of_f[k];
        const cairn_object *a = op->f.v[k];
        if (j < 0 || (!diff_text_eq(d, a->definition, op->t.v[j]->definition, 0) &&
                      cairn_ctx_object_recreates(d->cx, a, op->t.v[j])))
            op->drop[k] = 1;
    }
    /* Objects of stage 0 need no table or view: the renewals are known
     * before the views are planned (the views that call one go too). */
    cascade(d, op, NULL, NULL);
    return d->rc || find_renewals(d, op) ? NULL : op;
}

int diff_objects_settle(differ *d, diff_oplan *op, diff_gone_fn *gone, void *ud)
{
    cascade(d, op, gone, ud);
    count_picked(op);
    return d->rc;
}

/* Is object i of the side `which` asks about one it names? */
static int picked(const diff_oplan *op, diff_which which, size_t i)
{
    switch (which) {
    case DIFF_RENEWED: return op->renew[i];
    case DIFF_RENEWED0: return op->renew[i] && op->f.stage[i] == 0;
    case DIFF_LATE_DROP: return op->drop[i] && op->f.stage[i] > 0;
    case DIFF_LATE_MADE: return op->create[i] && op->t.stage[i] > 0;
    }
    return 0;
}

/* How many objects each diff_which names, once the drops and creates are
 * known, so that a question about none is answered at once. */
static void count_picked(diff_oplan *op)
{
    for (int w = DIFF_RENEWED; w <= DIFF_LATE_MADE; w++) {
        size_t n = w == DIFF_LATE_MADE ? op->t.n : op->f.n;
        op->npicked[w] = 0;
        for (size_t i = 0; i < n; i++)
            op->npicked[w] += (size_t)picked(op, (diff_which)w, i);
    }
}

/* Which drops are renewals: the object, or another of its kind and name,
 * is created again. */
static int find_renewals(differ *d, diff_oplan *op)
{
    cairn_strmap *made = cairn_strmap_new(d->tmp);
    op->renew = diff_tmp_alloc(d, op->f.n ? op->f.n : 1, 1);
    if (d->rc || !made)
        return d->rc ? d->rc : (d->rc = cairn_err(d->cx, CAIRN_ENOMEM, "out of memory"));
    for (size_t j = 0; j < op->t.n; j++) {
        const cairn_object *o = op->t.v[j];
        const char *key = op->create[j] ? ref_key(d, o->kind, o->name, NULL) : NULL;
        if (key && cairn_strmap_put(made, o->schema, key, o))
            return d->rc = cairn_err(d->cx, CAIRN_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < op->f.n && !d->rc; i++) {
        const cairn_object *o = op->f.v[i];
        if (!op->drop[i] || !cairn_strmap_get(made, o->schema, ref_key(d, o->kind, o->name, NULL)))
            continue;
        op->renew[i] = 1;
    }
    count_picked(op);
    return d->rc;
}

/* Does call site `c` reach an object `which` names? Its candidates are the
 * objects of its namespace and name; of those whose parameters take its
 * arguments as the text types them, one is the call's; when none does (an
 * implicit cast, a type the text does not show), any of its arity may be. */
static int call_picks(differ *d, const diff_oplan *op, diff_which which, const cairn_table *t,
                      const diff_call *c)
{
    const oside *o = which == DIFF_LATE_MADE ? &op->t : &op->f;
    const char *ns = c->ns[0] ? c->ns : NULL;
    const char *def = cairn_ctx_default_namespace(d->cx);
    if (ns && def && strcmp(ns, def) == 0)
        ns = NULL;
    size_t first = (size_t)(uintptr_t)cairn_strmap_get(o->by_name, ns, c->name);
    if (!first)
        return 0;
    size_t nargs = diff_call_nargs(c);
    char types[8][DIFF_NAME_MAX];
    for (size_t k = 0; k < 8; k++)
        if (k >= nargs || !diff_call_arg_type(c, k, o->s, t, types[k], sizeof types[k]))
            types[k][0] = '\0';
    int typed = 0, hit = 0;
    for (size_t i = first; i; i = o->next_name[i - 1]) {
        int variadic;
        const char *sig = o->v[i - 1]->signature;
        if (diff_sig_nparams(sig, &variadic) != nargs)
            continue;
        int fits = 1;
        for (size_t k = 0; k < nargs && k < 8 && fits; k++)
            fits = !types[k][0] || diff_sig_param_is(sig, k, types[k]);
        if (fits) {
            typed = 1;
            hit |= picked(op, which, i - 1);
        }
    }
    if (typed)
        return hit;
    for (size_t i = first; i; i = o->next_name[i - 1]) {
        int variadic;
        size_t np = diff_sig_nparams(o->v[i - 1]->signature, &variadic);
        /* fewer arguments: the others may have defaults */
        if ((np >= nargs || (variadic && nargs + 1 >= np)) && picked(op, which, i - 1))
            return 1;
    }
    return 0;
}

int diff_objects_calls(differ *d, diff_which which, const cairn_table *t, const char *sql)
{
    const diff_oplan *op = d->objects;
    if (!op || !sql || !op->npicked[which])
        return 0;
    diff_call c;
    for (const char *p = sql; diff_next_call(&p, &c);)
        if (call_picks(d, op, which, t, &c))
            return 1;
    return 0;
}

/* Append to `out` the objects of `o` selected by `pick` and of `stage`,
 * each after those of them it depends on. */
static void topo_visit(differ *d, oside *o, const char *pick, size_t i, size_t *out, size_t *n)
{
    o->visit[i] = 1;
    const cairn_object *ob = o->v[i];
    for (size_t k = 0; k < ob->ndepends; k++) {
        long j = find_ref(d, o, ob->depends[k]);
        if (j >= 0 && pick[j] && o->visit[j] == 0 && o->stage[j] == o->stage[i])
            topo_visit(d, o, pick, (size_t)j, out, n);
    }
    o->visit[i] = 2;
    out[(*n)++] = i;
}

static size_t *topo(differ *d, oside *o, const char *pick, int stage, size_t *n)
{
    size_t *out = diff_tmp_alloc(d, o->n ? o->n : 1, sizeof *out);
    *n = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (pick[i] && o->stage[i] == stage && o->visit[i] == 0)
            topo_visit(d, o, pick, i, out, n);
    for (size_t i = 0; i < o->n; i++)
        if (o->stage[i] == stage)
            o->visit[i] = 0;
    return out;
}

void diff_objects_drops(differ *d, diff_oplan *op, int stage, int renewed)
{
    char *pick = op ? diff_tmp_alloc(d, op->f.n ? op->f.n : 1, 1) : NULL;
    if (!pick)
        return;
    for (size_t i = 0; i < op->f.n; i++)
        pick[i] = op->drop[i] && (stage != 0 || !op->renew[i] == !renewed);
    size_t n;
    size_t *order = topo(d, &op->f, pick, stage, &n);
    for (size_t k = n; order && k-- > 0;)
        diff_add_change(d, CAIRN_CHANGE_DROP_OBJECT, NULL, NULL, op->f.v[order[k]], NULL);
}

void diff_objects_creates(differ *d, diff_oplan *op, int stage)
{
    char *pick = op ? diff_tmp_alloc(d, op->t.n ? op->t.n : 1, 1) : NULL;
    if (!pick)
        return;
    for (size_t j = 0; j < op->t.n; j++)
        pick[j] = op->create[j] || op->replace[j];
    size_t n;
    size_t *order = topo(d, &op->t, pick, stage, &n);
    for (size_t k = 0; order && k < n; k++) {
        size_t j = order[k];
        if (op->create[j])
            diff_add_change(d, CAIRN_CHANGE_CREATE_OBJECT, NULL, NULL, NULL, op->t.v[j]);
        else
            diff_add_change(d, CAIRN_CHANGE_REPLACE_OBJECT, NULL, NULL,
                            op->f.v[op->peer_of_t[j]], op->t.v[j]);
    }
}
