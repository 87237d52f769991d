/*
 * The diff's private declarations, shared by diff.c (pairing, phases, the
 * plan) and diff_compare.c (how two columns, constraints, indexes and
 * triggers compare). Not installed; not for other modules.
 */
#ifndef CAIRN_DIFF_H
#define CAIRN_DIFF_H

#include "internal.h"

/* The public plan is the first member, so a cairn_plan * is a plan_box *. */
typedef struct plan_box {
    cairn_plan p;
    cairn_arena *arena;   /* changes, the change array, warnings */
    cairn_schema *empty;  /* stands in for a NULL `from` */
    cairn_schema *owned;  /* freed with the plan (cairn_plan_own) */
    cairn_schema *kept;   /* keep_drops: `to` with the kept objects */
    cairn_plan *first;    /* keep_drops: the plan with the drops (`skipped`) */
} plan_box;

/* cairn_diff with opts->keep_drops (diff_keep.c). */
int diff_keep_drops(cairn_ctx *cx, const cairn_schema *from, const cairn_schema *to,
                    const cairn_diff_opts *opts, cairn_plan **out);

/* A constraint, index or trigger, with its content as canonical text so that
 * unnamed objects match by content and named ones compare by it. */
typedef struct dobj {
    const void *p;
    const char *name;
    const char *sig;
    int peer;  /* index of the paired object on the other side, -1 if none */
    int same;  /* paired and equal */
    int moved; /* dropped before the objects of stage 1 and 2 (an old one),
                * or added after them (a new one): it calls one of them */
} dobj;

typedef struct dset {
    dobj *f, *t;
    size_t nf, nt;
} dset;

/* A table of the new schema paired with the one it was in the old schema. */
typedef struct tpair {
    const cairn_table *from, *to;
    const cairn_column **col_to;   /* per from column: its new column or NULL */
    const cairn_column **col_from; /* per to column: its old column or NULL */
    cairn_column *const **fcols;   /* the from table's column slots, by name */
    dset uniques, checks, fkeys, indexes, triggers;
    int pk_changed;
    /* one table on both sides (a table the newest snapshot borrows from
     * the schema file), each column paired with itself: its objects'
     * signatures are the same on both sides (diff_analyse_pair) */
    int ident;
} tpair;

typedef struct rename_opt {
    const char *table;        /* for a column rename: the table's (new) name */
    const char *old_name, *new_name;
} rename_opt;

typedef struct differ {
    cairn_ctx *cx;
    plan_box *pb;
    cairn_arena *tmp;
    const cairn_schema *from, *to;
    int hints;                /* rename hints apply (there is an old schema) */
    rename_opt *renames;
    size_t nrenames;
    const cairn_table **ft, **tt; /* tables, sorted */
    tpair **pair_of_from;         /* per ft: its pair, or NULL if dropped */
    tpair **pair_of_to;           /* per tt: its pair, or NULL if created */
    tpair **pairs;                /* sorted by the new name */
    size_t nft, ntt, npairs;
    cairn_buf b1, b2;
    const cairn_type_family *types; /* the dialect's, or the standard's */
    int column_order;               /* CAIRN_CAP_COLUMN_ORDER: moves are changes */
    struct oplan *objects;          /* diff_objects.c's plan, once made */
    int rc;
} differ;

CAIRN_INTERNAL void diff_canon(cairn_buf *b, const char *s, int fold);
CAIRN_INTERNAL int diff_cmp_dobj(const void *pa, const void *pb);
/** The position of the old table's column `name` in pair `p`, or its column count. */
CAIRN_INTERNAL size_t diff_from_column(const tpair *p, const char *name);
CAIRN_INTERNAL size_t diff_find_sorted_table(const cairn_table *const *v, size_t n, const char *ns, const char *name);
CAIRN_INTERNAL tpair *diff_pair_of_old(const differ *d, const char *ns, const char *name);
CAIRN_INTERNAL const char *diff_qname(differ *d, const char *ns, const char *name);
CAIRN_INTERNAL int diff_str_eq(const char *a, const char *b);
CAIRN_INTERNAL int diff_str_eq_ci(const char *a, const char *b);
CAIRN_INTERNAL int diff_text_eq(differ *d, const char *a, const char *b, int fold);
CAIRN_INTERNAL void *diff_tmp_alloc(differ *d, size_t n, size_t size);
CAIRN_INTERNAL const char *diff_tmp_str(differ *d, cairn_buf *b);
CAIRN_INTERNAL void diff_analyse_pair(differ *d, tpair *p);
/* After every pair is analysed: a kept foreign key whose referenced key
 * changes (a new primary key, a unique key dropped) is dropped before it
 * and added again after. */
CAIRN_INTERNAL void diff_fkeys_follow_keys(differ *d);
CAIRN_INTERNAL uint32_t diff_column_changes(differ *d, const cairn_column *a, const cairn_column *b);
/* What else differs between two paired constraints or triggers of the same
 * definition (`kind`: the ALTER_KEY ... ALTER_TRIGGER change it would be):
 * CAIRN_ALTER_COMMENT, CAIRN_ALTER_VALIDATE (NOT VALID to valid only). */
CAIRN_INTERNAL uint32_t diff_constraint_changes(cairn_change_kind kind, const void *a,
                                                const void *b);
CAIRN_INTERNAL int diff_is_widening(differ *d, const char *a, const char *b);
CAIRN_INTERNAL int diff_options_equal(const cairn_table *a, const cairn_table *b);
CAIRN_INTERNAL int diff_option_lists_equal(const char *const *a, size_t na, const char *const *b,
                                           size_t nb);
extern CAIRN_INTERNAL const cairn_type_family diff_sql_standard_types[];

CAIRN_INTERNAL cairn_change *diff_add_change(differ *d, cairn_change_kind kind,
                                             const cairn_table *tf, const cairn_table *tt,
                                             const void *from, const void *to);

/* diff_objects.c: objects carried as DDL text. `gone` says whether the plan
 * drops (or drops and recreates) the table or view (kind "table" or
 * "view") of the old schema. Stages: 0 before the tables, 1 between the
 * tables and the views, 2 after the views. */
typedef struct oplan diff_oplan;
typedef int diff_gone_fn(void *ud, const char *kind, const char *ns, const char *name);
/* The pairing and the objects' own changes, before the views are planned;
 * then settle: what goes with the tables and views the plan drops. */
CAIRN_INTERNAL diff_oplan *diff_objects_plan(differ *d);
CAIRN_INTERNAL int diff_objects_settle(differ *d, diff_oplan *op, diff_gone_fn *gone, void *ud);
/* The drops of `stage`; at stage 0, `renewed` picks the renewals (dropped
 * before the stage-0 creates) or the rest (dropped at the end). */
CAIRN_INTERNAL void diff_objects_drops(differ *d, diff_oplan *op, int stage, int renewed);
CAIRN_INTERNAL void diff_objects_creates(differ *d, diff_oplan *op, int stage);
/* Which objects a question about a call is about (diff_objects_calls):
 *   DIFF_RENEWED   old schema: dropped and created again (any stage);
 *   DIFF_RENEWED0  old schema: the same, of stage 0 only;
 *   DIFF_LATE_DROP old schema: dropped, of stage 1 or 2 (dropped before
 *                  the tables change, so what calls it goes first);
 *   DIFF_LATE_MADE new schema: created, of stage 1 or 2 (created after the
 *                  tables, so what calls it is added after it). */
typedef enum diff_which { DIFF_RENEWED, DIFF_RENEWED0, DIFF_LATE_DROP, DIFF_LATE_MADE } diff_which;
/* Does `sql`, an expression of table `t` (NULL: a view's), call one of the
 * objects `which` names? Resolved by namespace, name and argument types
 * (diff_calls.c); what the text leaves open counts as a call. */
CAIRN_INTERNAL int diff_objects_calls(differ *d, diff_which which, const cairn_table *t,
                                      const char *sql);

/* diff_calls.c: the call sites of SQL text. */
#define DIFF_NAME_MAX 128
typedef struct diff_call {
    char ns[DIFF_NAME_MAX];   /* "" when unqualified; unquoted names folded */
    char name[DIFF_NAME_MAX];
    const char *args;         /* between the parentheses */
    size_t argslen;
} diff_call;
/* The next call site `[ns.]name(` of the text at *pos (advanced); 0 at the end. */
CAIRN_INTERNAL int diff_next_call(const char **pos, diff_call *c);
CAIRN_INTERNAL size_t diff_call_nargs(const diff_call *c);
/* The type of argument k as the signature spells it (an explicit cast, a
 * number, a boolean, a column of `t`, or of the tables of `s` when `t` is
 * NULL): 0 when the text does not tell. */
CAIRN_INTERNAL int diff_call_arg_type(const diff_call *c, size_t k, const cairn_schema *s,
                                      const cairn_table *t, char *dst, size_t size);
/* The number of parameters of a signature, and whether one is VARIADIC. */
CAIRN_INTERNAL size_t diff_sig_nparams(const char *sig, int *variadic);
/* Is parameter k of the signature of type `type` (diff_call_arg_type's spelling)? */
CAIRN_INTERNAL int diff_sig_param_is(const char *sig, size_t k, const char *type);

#endif
