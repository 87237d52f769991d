/* From a plan to SQLite statements.
 *
 * ALTER TABLE in SQLite renames tables and columns, adds columns with a
 * constant default and drops columns nothing else refers to; everything
 * else (types, nullability, defaults, keys, checks, foreign keys, table
 * options) is done by rebuilding the table as the SQLite documentation
 * prescribes (lang_altertable.html#otheralter): create the new table under
 * a temporary name, copy the rows, drop the old table, rename the new one,
 * recreate its indexes and triggers. All changes of one table are folded
 * into one rebuild, placed where the plan first touches the table, so the
 * plan's order between tables is kept. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlitedrv.h"

#define SQLITEDRV_TMP_PREFIX "__cairn_new_"

typedef struct rebuild {
    const cairn_table *to, *from;
    size_t last; /* the plan position of its table's last change: the rebuild follows it */
} rebuild;

typedef struct emitter {
    cairn_dsession *s;
    const cairn_host *h;
    const cairn_plan *plan;
    cairn_stmts *out;
    cairn_buf *b;
    rebuild *rb;
    size_t nrb;
} emitter;

static const char *const kind_names[] = {
    "?", "CREATE_NAMESPACE", "DROP_NAMESPACE", "CREATE_ENUM", "ALTER_ENUM", "DROP_ENUM",
    "CREATE_SEQUENCE", "ALTER_SEQUENCE", "DROP_SEQUENCE", "CREATE_TABLE", "DROP_TABLE",
    "RENAME_TABLE", "ADD_COLUMN", "DROP_COLUMN", "RENAME_COLUMN", "ALTER_COLUMN",
    "SET_PRIMARY_KEY", "ADD_UNIQUE", "DROP_UNIQUE", "ADD_CHECK", "DROP_CHECK",
    "ADD_FOREIGN_KEY", "DROP_FOREIGN_KEY", "CREATE_INDEX", "DROP_INDEX", "CREATE_TRIGGER",
    "DROP_TRIGGER", "CREATE_VIEW", "DROP_VIEW", "SET_TABLE_COMMENT", "SET_TABLE_OPTIONS"};

static const char *kind_name(cairn_change_kind k)
{
    return (size_t)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "unknown";
}

/* ---- small writers ---------------------------------------------------------- */

static int put(emitter *e, const char *s)
{
    return e->h->buf_puts(e->b, s);
}

static int quote(emitter *e, const char *ident)
{
    return e->h->buf_quote(e->b, ident, '"');
}

/* Hand the buffer over as one statement and start a new one. */
static int flush(emitter *e, uint32_t flags)
{
    int rc = e->h->stmt_add(e->out, e->h->buf_cstr(e->b), flags);
    e->h->buf_reset(e->b);
    return rc;
}

static int names(emitter *e, const char *const *v, size_t n)
{
    int rc = put(e, "(");
    for (size_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = put(e, ", ");
        if (!rc)
            rc = quote(e, v[i]);
    }
    return rc ? rc : put(e, ")");
}

static int has_name(const char *const *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(v[i], name) == 0)
            return 1;
    return 0;
}

static int option_on(const cairn_table *t, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < t->noptions; i++)
        if (strncmp(t->options[i], key, klen) == 0 && t->options[i][klen] == '=')
            return strcasecmp(t->options[i] + klen + 1, "true") == 0 ||
                   strcmp(t->options[i] + klen + 1, "1") == 0;
    return 0;
}

static int default_clause(emitter *e, const char *expr)
{
    int lit = sqlitedrv_default_is_literal(expr);
    int rc = put(e, lit ? " DEFAULT " : " DEFAULT (");
    if (!rc)
        rc = put(e, expr);
    return rc || lit ? rc : put(e, ")");
}

/* Is `col` the table's single-column primary key, written inline so that
 * AUTOINCREMENT can follow it? */
static int inline_pk(const cairn_table *t, const cairn_column *col)
{
    return col->identity == CAIRN_IDENTITY_AUTO && t->primary_key &&
           t->primary_key->ncolumns == 1 && strcasecmp(t->primary_key->columns[0], col->name) == 0;
}

static int column_def(emitter *e, const cairn_table *t, const cairn_column *col)
{
    if (col->identity == CAIRN_IDENTITY_AUTO && !inline_pk(t, col))
        return e->h->error(e->s->hc, CAIRN_EUNSUPPORTED, NULL,
                           "sqlite: %s.%s: AUTOINCREMENT needs the column to be the whole "
                           "primary key (an INTEGER PRIMARY KEY)", t->name, col->name);
    if (col->identity == CAIRN_IDENTITY_ALWAYS || col->identity == CAIRN_IDENTITY_BY_DEFAULT)
        return e->h->error(e->s->hc, CAIRN_EUNSUPPORTED, NULL,
                           "sqlite: %s.%s: SQLite has no identity columns; an INTEGER PRIMARY "
                           "KEY numbers rows by itself (use identity \"auto\" for AUTOINCREMENT)",
                           t->name, col->name);
    int rc = quote(e, col->name);
    if (!rc && col->type && *col->type) {
        rc = put(e, " ");
        if (!rc)
            rc = put(e, col->type);
    }
    if (!rc && inline_pk(t, col)) {
        if (t->primary_key->name) {
            rc = put(e, " CONSTRAINT ");
            if (!rc)
                rc = quote(e, t->primary_key->name);
        }
        if (!rc)
            rc = put(e, " PRIMARY KEY AUTOINCREMENT");
    }
    if (!rc && col->not_null)
        rc = put(e, " NOT NULL");
    if (!rc && col->default_expr && !col->generated)
        rc = default_clause(e, col->default_expr);
    if (!rc && col->collation) {
        rc = put(e, " COLLATE ");
        if (!rc)
            rc = quote(e, col->collation);
    }
    if (!rc && col->generated) {
        rc = put(e, " GENERATED ALWAYS AS (");
        if (!rc)
            rc = put(e, col->generated);
        if (!rc)
            rc = put(e, col->generated_stored ? ") STORED" : ") VIRTUAL");
    }
    return rc;
}

static const char *fk_action(cairn_fk_action a)
{
    switch (a) {
    case CAIRN_FK_RESTRICT: return "RESTRICT";
    case CAIRN_FK_CASCADE: return "CASCADE";
    case CAIRN_FK_SET_NULL: return "SET NULL";
    case CAIRN_FK_SET_DEFAULT: return "SET DEFAULT";
    case CAIRN_FK_NO_ACTION: break;
    }
    return NULL;
}

static int constraint_name(emitter *e, const char *name)
{
    if (!name)
        return 0;
    int rc = put(e, "CONSTRAINT ");
    if (!rc)
        rc = quote(e, name);
    return rc ? rc : put(e, " ");
}

static int fkey_def(emitter *e, const cairn_fkey *fk)
{
    int rc = constraint_name(e, fk->name);
    if (!rc)
        rc = put(e, "FOREIGN KEY ");
    if (!rc)
        rc = names(e, fk->columns, fk->ncolumns);
    if (!rc)
        rc = put(e, " REFERENCES ");
    if (!rc)
        rc = quote(e, fk->ref_table);
    if (!rc && fk->nref_columns) {
        rc = put(e, " ");
        if (!rc)
            rc = names(e, fk->ref_columns, fk->nref_columns);
    }
    if (!rc && fk_action(fk->on_delete))
        rc = e->h->buf_printf(e->b, " ON DELETE %s", fk_action(fk->on_delete));
    if (!rc && fk_action(fk->on_update))
        rc = e->h->buf_printf(e->b, " ON UPDATE %s", fk_action(fk->on_update));
    if (!rc && fk->deferrable)
        rc = put(e, fk->initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
    return rc;
}

/* CREATE TABLE <name> (...) for table `t` into the buffer. */
static int create_table(emitter *e, const cairn_table *t, const char *name)
{
    int rc = put(e, "CREATE TABLE ");
    if (!rc)
        rc = quote(e, name);
    if (!rc)
        rc = put(e, " (");
    const char *sep = "\n  ";
    for (size_t i = 0; i < t->ncolumns && !rc; i++) {
        rc = put(e, sep);
        if (!rc)
            rc = column_def(e, t, t->columns[i]);
        sep = ",\n  ";
    }
    const cairn_key *pk = t->primary_key;
    const cairn_column *pkcol = pk && pk->ncolumns == 1 ? e->h->find_column(t, pk->columns[0]) : NULL;
    if (!rc && pk && pk->ncolumns && !(pkcol && inline_pk(t, pkcol))) {
        rc = put(e, sep);
        if (!rc)
            rc = constraint_name(e, pk->name);
        if (!rc)
            rc = put(e, "PRIMARY KEY ");
        if (!rc)
            rc = names(e, pk->columns, pk->ncolumns);
    }
    for (size_t i = 0; i < t->nuniques && !rc; i++) {
        rc = put(e, sep);
        if (!rc)
            rc = constraint_name(e, t->uniques[i]->name);
        if (!rc)
            rc = put(e, "UNIQUE ");
        if (!rc)
            rc = names(e, t->uniques[i]->columns, t->uniques[i]->ncolumns);
    }
    for (size_t i = 0; i < t->nchecks && !rc; i++) {
        rc = put(e, sep);
        if (!rc)
            rc = constraint_name(e, t->checks[i]->name);
        if (!rc)
            rc = e->h->buf_printf(e->b, "CHECK (%s)", t->checks[i]->expr);
    }
    for (size_t i = 0; i < t->nfkeys && !rc; i++) {
        rc = put(e, sep);
        if (!rc)
            rc = fkey_def(e, t->fkeys[i]);
    }
    if (!rc)
        rc = put(e, "\n)");
    int strict = option_on(t, "strict"), wr = option_on(t, "without_rowid");
    if (!rc && strict)
        rc = put(e, " STRICT");
    if (!rc && wr)
        rc = put(e, strict ? ", WITHOUT ROWID" : " WITHOUT ROWID");
    return rc;
}

static int create_index(emitter *e, const cairn_table *t, const cairn_index *ix)
{
    int rc = put(e, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (!rc && ix->name)
        rc = quote(e, ix->name);
    else if (!rc) {
        /* an unnamed index gets <table>_<columns>_idx, as most tools do */
        cairn_buf *nb = e->h->buf_new(e->s->hc);
        if (!nb)
            return CAIRN_ENOMEM;
        e->h->buf_puts(nb, t->name);
        for (size_t i = 0; i < ix->nparts; i++)
            e->h->buf_printf(nb, "_%s", ix->parts[i]->column ? ix->parts[i]->column : "expr");
        rc = e->h->buf_puts(nb, "_idx");
        if (!rc)
            rc = quote(e, e->h->buf_cstr(nb));
        e->h->buf_free(nb);
    }
    if (!rc)
        rc = put(e, " ON ");
    if (!rc)
        rc = quote(e, t->name);
    if (!rc)
        rc = put(e, " (");
    for (size_t i = 0; i < ix->nparts && !rc; i++) {
        const cairn_index_part *p = ix->parts[i];
        if (i)
            rc = put(e, ", ");
        if (!rc)
            rc = p->column ? quote(e, p->column) : e->h->buf_printf(e->b, "(%s)", p->expr);
        if (!rc && p->collation) {
            rc = put(e, " COLLATE ");
            if (!rc)
                rc = quote(e, p->collation);
        }
        if (!rc && p->desc)
            rc = put(e, " DESC");
    }
    if (!rc)
        rc = put(e, ")");
    if (!rc && ix->where)
        rc = e->h->buf_printf(e->b, " WHERE %s", ix->where);
    return rc ? rc : flush(e, 0);
}

/* The indexes and triggers that come with a table. */
static int table_objects(emitter *e, const cairn_table *t)
{
    int rc = 0;
    for (size_t i = 0; i < t->nindexes && !rc; i++)
        rc = create_index(e, t, t->indexes[i]);
    for (size_t i = 0; i < t->ntriggers && !rc; i++)
        rc = e->h->stmt_add(e->out, t->triggers[i]->sql, 0);
    return rc;
}

/* ---- what ALTER TABLE can do ---------------------------------------------------- */

static const cairn_change *change(const emitter *e, size_t i)
{
    return e->plan->changes[i];
}

/* Was an object of this name dropped by a change before `i`? */
static int dropped_before(const emitter *e, size_t i, cairn_change_kind kind, const char *name)
{
    for (size_t j = 0; j < i; j++) {
        const cairn_change *c = change(e, j);
        if (c->kind != kind || !c->from.ptr)
            continue;
        const char *n = kind == CAIRN_CHANGE_DROP_INDEX     ? c->from.index->name
                        : kind == CAIRN_CHANGE_DROP_TRIGGER ? c->from.trigger->name
                                                            : c->from.view->name;
        if (n && strcasecmp(n, name) == 0)
            return 1;
    }
    return 0;
}

/* ALTER TABLE ADD COLUMN: not in a key, not stored-generated, a constant
 * default, NOT NULL only with a default (lang_altertable.html#altertabaddcol). */
static int add_column_ok(const cairn_table *t, const cairn_column *col)
{
    if (t->primary_key && has_name(t->primary_key->columns, t->primary_key->ncolumns, col->name))
        return 0;
    for (size_t i = 0; i < t->nuniques; i++)
        if (has_name(t->uniques[i]->columns, t->uniques[i]->ncolumns, col->name))
            return 0;
    for (size_t i = 0; i < t->nfkeys; i++)
        if (has_name(t->fkeys[i]->columns, t->fkeys[i]->ncolumns, col->name))
            return 0;
    if ((col->generated && col->generated_stored) || col->identity != CAIRN_IDENTITY_NONE)
        return 0;
    if (col->default_expr && !col->generated && !sqlitedrv_default_is_constant(col->default_expr))
        return 0;
    return !col->not_null || col->generated ||
           (col->default_expr && strcasecmp(col->default_expr, "NULL") != 0);
}

/* ALTER TABLE DROP COLUMN: nothing may refer to the column
 * (lang_altertable.html#altertabdropcol); a mention anywhere counts. */
static int drop_column_ok(const emitter *e, size_t at_change, const cairn_table *t,
                          const cairn_column *col)
{
    const char *n = col->name;
    if (!t)
        return 0;
    if (t->primary_key && has_name(t->primary_key->columns, t->primary_key->ncolumns, n))
        return 0;
    for (size_t i = 0; i < t->nuniques; i++)
        if (has_name(t->uniques[i]->columns, t->uniques[i]->ncolumns, n))
            return 0;
    for (size_t i = 0; i < t->nfkeys; i++)
        if (has_name(t->fkeys[i]->columns, t->fkeys[i]->ncolumns, n))
            return 0;
    for (size_t i = 0; i < t->nchecks; i++)
        if (sqlitedrv_mentions(t->checks[i]->expr, n))
            return 0;
    for (size_t i = 0; i < t->ncolumns; i++)
        if (t->columns[i] != col && sqlitedrv_mentions(t->columns[i]->generated, n))
            return 0;
    for (size_t i = 0; i < t->nindexes; i++) {
        const cairn_index *ix = t->indexes[i];
        int uses = sqlitedrv_mentions(ix->where, n);
        for (size_t j = 0; j < ix->nparts && !uses; j++)
            uses = (ix->parts[j]->column && strcasecmp(ix->parts[j]->column, n) == 0) ||
                   sqlitedrv_mentions(ix->parts[j]->expr, n);
        if (uses && !(ix->name && dropped_before(e, at_change, CAIRN_CHANGE_DROP_INDEX, ix->name)))
            return 0;
    }
    for (size_t i = 0; i < t->ntriggers; i++)
        if (sqlitedrv_mentions(t->triggers[i]->sql, n) &&
            !dropped_before(e, at_change, CAIRN_CHANGE_DROP_TRIGGER, t->triggers[i]->name))
            return 0;
    /* SQLite re-checks every trigger of the database after the drop */
    for (size_t k = 0; e->plan->from && k < e->plan->from->ntables; k++) {
        const cairn_table *o = e->plan->from->tables[k];
        for (size_t i = 0; o != t && i < o->ntriggers; i++)
            if (sqlitedrv_mentions(o->triggers[i]->sql, n) &&
                sqlitedrv_mentions(o->triggers[i]->sql, t->name) &&
                !dropped_before(e, at_change, CAIRN_CHANGE_DROP_TRIGGER, o->triggers[i]->name))
                return 0;
    }
    for (size_t i = 0; e->plan->from && i < e->plan->from->nviews; i++) {
        const cairn_view *v = e->plan->from->views[i];
        if (sqlitedrv_mentions(v->definition, n) &&
            !dropped_before(e, at_change, CAIRN_CHANGE_DROP_VIEW, v->name))
            return 0;
    }
    return 1;
}

static int needs_rebuild(const emitter *e, size_t i)
{
    const cairn_change *c = change(e, i);
    switch (c->kind) {
    case CAIRN_CHANGE_ALTER_COLUMN:
        return (c->alter & ~(uint32_t)CAIRN_ALTER_COMMENT) != 0;
    case CAIRN_CHANGE_SET_PRIMARY_KEY:
    case CAIRN_CHANGE_ADD_UNIQUE:
    case CAIRN_CHANGE_DROP_UNIQUE:
    case CAIRN_CHANGE_ADD_CHECK:
    case CAIRN_CHANGE_DROP_CHECK:
    case CAIRN_CHANGE_ADD_FOREIGN_KEY:
    case CAIRN_CHANGE_DROP_FOREIGN_KEY:
    case CAIRN_CHANGE_SET_TABLE_OPTIONS:
        return 1;
    case CAIRN_CHANGE_ADD_COLUMN:
        return !c->table_to || !add_column_ok(c->table_to, c->to.column);
    case CAIRN_CHANGE_DROP_COLUMN:
        return !drop_column_ok(e, i, c->table_from, c->from.column);
    default:
        return 0;
    }
}

/* Changes folded into a rebuild of their table. Renames and drops of
 * indexes and triggers keep their own place in the plan: a name they free
 * may be taken by another table before the rebuild runs. */
static int absorbable(cairn_change_kind k)
{
    return k >= CAIRN_CHANGE_ADD_COLUMN && k <= CAIRN_CHANGE_SET_TABLE_OPTIONS &&
           k != CAIRN_CHANGE_DROP_INDEX && k != CAIRN_CHANGE_DROP_TRIGGER &&
           k != CAIRN_CHANGE_CREATE_VIEW && k != CAIRN_CHANGE_DROP_VIEW;
}

/* Changes about one existing table (not its creation or its drop). */
static int table_scoped(cairn_change_kind k)
{
    return k >= CAIRN_CHANGE_RENAME_TABLE && k <= CAIRN_CHANGE_SET_TABLE_OPTIONS &&
           k != CAIRN_CHANGE_CREATE_VIEW && k != CAIRN_CHANGE_DROP_VIEW;
}

/* Is `t` dropped by the plan? Its keys then go with it. */
static int table_dropped(const emitter *e, const cairn_table *t)
{
    for (size_t i = 0; t && i < e->plan->nchanges; i++)
        if (change(e, i)->kind == CAIRN_CHANGE_DROP_TABLE && change(e, i)->from.table == t)
            return 1;
    return 0;
}

static rebuild *rebuild_of(const emitter *e, const cairn_change *c)
{
    for (size_t i = 0; i < e->nrb; i++)
        if ((c->table_to && c->table_to == e->rb[i].to) ||
            (c->table_from && c->table_from == e->rb[i].from))
            return &e->rb[i];
    return NULL;
}

/* The name a table has when change `i` runs: renames run in plan order. */
static const char *table_name_at(const emitter *e, size_t i, const cairn_change *c)
{
    if (!c->table_to)
        return c->table_from ? c->table_from->name : "";
    for (size_t j = i; j < e->plan->nchanges; j++) {
        const cairn_change *r = change(e, j);
        if (r->kind == CAIRN_CHANGE_RENAME_TABLE && r->table_to == c->table_to && c->table_from)
            return c->table_from->name;
    }
    return c->table_to->name;
}

/* ---- the rebuild --------------------------------------------------------------- */

/* Which column of the old table fills `col` of the new one (NULL: none,
 * the new column takes its default). */
static const cairn_column *source_column(const emitter *e, const rebuild *r,
                                         const cairn_column *col)
{
    for (size_t i = 0; i < e->plan->nchanges; i++) {
        const cairn_change *c = change(e, i);
        if (rebuild_of(e, c) != r)
            continue;
        if (c->kind == CAIRN_CHANGE_ADD_COLUMN && c->to.column &&
            strcasecmp(c->to.column->name, col->name) == 0)
            return NULL;
        if (c->kind == CAIRN_CHANGE_RENAME_COLUMN && c->to.column &&
            strcasecmp(c->to.column->name, col->name) == 0)
            return c->from.column;
    }
    if (!r->from)
        return col;
    for (size_t i = 0; i < e->plan->nchanges; i++) {
        const cairn_change *c = change(e, i);
        if (rebuild_of(e, c) == r && c->kind == CAIRN_CHANGE_RENAME_COLUMN && c->from.column &&
            strcasecmp(c->from.column->name, col->name) == 0)
            return NULL; /* that old column now feeds another one */
    }
    return e->h->find_column(r->from, col->name);
}

static int has_autoincrement(const cairn_table *t)
{
    for (size_t i = 0; i < t->ncolumns; i++)
        if (t->columns[i]->identity == CAIRN_IDENTITY_AUTO)
            return 1;
    return 0;
}

static int emit_rebuild(emitter *e, rebuild *r)
{
    const cairn_table *t = r->to;
    const cairn_host *h = e->h;
    uint32_t dflags = 0;
    int rc = 0;
    for (size_t i = 0; i < e->plan->nchanges; i++)
        if (rebuild_of(e, change(e, i)) == r && (change(e, i)->flags & CAIRN_CHANGE_DESTRUCTIVE))
            dflags = CAIRN_STMT_DESTRUCTIVE;
    /* the table's name at this point of the plan: a rename may come later */
    const char *src = table_name_at(e, r->last + 1, change(e, r->last));
    cairn_buf *tmp = h->buf_new(e->s->hc);
    if (!tmp)
        return CAIRN_ENOMEM;
    h->buf_printf(tmp, SQLITEDRV_TMP_PREFIX "%s", src);
    const char *tmpname = h->buf_cstr(tmp);

    rc = h->buf_printf(e->b,
                           "-- cairn: table \"%s\" is rebuilt, SQLite's ALTER TABLE cannot make "
                           "this change: new table, copy of the rows, drop, rename.\n"
                           "-- It needs PRAGMA foreign_keys=OFF, set outside the transaction "
                           "(cairn migrate does it), or dropping the old table deletes the rows "
                           "that reference it through ON DELETE CASCADE.", src);
    if (!rc)
        rc = flush(e, 0);
    if (!rc)
        rc = create_table(e, t, tmpname);
    if (!rc)
        rc = flush(e, 0);

    /* copy the rows: common columns, renamed ones mapped, new ones defaulted */
    cairn_buf *sel = h->buf_new(e->s->hc);
    if (!sel)
        rc = CAIRN_ENOMEM;
    size_t ncopy = 0;
    for (size_t i = 0; i < t->ncolumns && !rc; i++) {
        const cairn_column *col = t->columns[i];
        const cairn_column *from = col->generated ? NULL : source_column(e, r, col);
        if (!from)
            continue;
        const char *sep = ncopy++ ? ", " : "";
        rc = put(e, sep);
        if (!rc)
            rc = quote(e, col->name);
        /* a column made NOT NULL takes its default where the old value is NULL */
        int coalesce = col->not_null && col->default_expr && !from->not_null;
        int lit = coalesce && sqlitedrv_default_is_literal(col->default_expr);
        if (!rc && (h->buf_puts(sel, sep) || (coalesce && h->buf_puts(sel, "coalesce(")) ||
                    h->buf_quote(sel, from->name, '"') ||
                    (coalesce && h->buf_printf(sel, ", %s%s%s)", lit ? "" : "(",
                                               col->default_expr, lit ? "" : ")"))))
            rc = CAIRN_ENOMEM;
    }
    if (!rc && ncopy) {
        char *cols = strdup(h->buf_cstr(e->b));
        h->buf_reset(e->b);
        if (!cols)
            rc = CAIRN_ENOMEM;
        if (!rc)
            rc = put(e, "INSERT INTO ");
        if (!rc)
            rc = quote(e, tmpname);
        if (!rc)
            rc = h->buf_printf(e->b, " (%s) SELECT %s FROM ", cols, h->buf_cstr(sel));
        if (!rc)
            rc = quote(e, src);
        if (!rc)
            rc = flush(e, 0);
        free(cols);
    }
    h->buf_free(sel);
    /* keep the AUTOINCREMENT counter: DROP TABLE would forget it */
    if (!rc && has_autoincrement(t)) {
        rc = put(e, "DELETE FROM sqlite_sequence WHERE name = ");
        if (!rc)
            rc = h->buf_literal(e->b, tmpname);
        if (!rc)
            rc = flush(e, 0);
        if (!rc)
            rc = put(e, "UPDATE sqlite_sequence SET name = ");
        if (!rc)
            rc = h->buf_literal(e->b, tmpname);
        if (!rc)
            rc = put(e, " WHERE name = ");
        if (!rc)
            rc = h->buf_literal(e->b, src);
        if (!rc)
            rc = flush(e, 0);
    }
    if (!rc)
        rc = put(e, "DROP TABLE ");
    if (!rc)
        rc = quote(e, src);
    if (!rc)
        rc = flush(e, dflags);
    /* legacy mode: the rename must not re-check views and triggers that
     * read the table, which reference it by a name that is missing for now */
    if (!rc)
        rc = h->stmt_add(e->out, "PRAGMA legacy_alter_table = ON", 0);
    if (!rc)
        rc = put(e, "ALTER TABLE ");
    if (!rc)
        rc = quote(e, tmpname);
    if (!rc)
        rc = put(e, " RENAME TO ");
    if (!rc)
        rc = quote(e, src);
    if (!rc)
        rc = flush(e, 0);
    if (!rc)
        rc = h->stmt_add(e->out, "PRAGMA legacy_alter_table = OFF", 0);
    if (!rc) {
        cairn_table named = *t;
        named.name = src;
        rc = table_objects(e, &named);
    }
    h->buf_free(tmp);
    return rc;
}

/* ---- one change ------------------------------------------------------------------ */

static int emit_change(emitter *e, size_t i)
{
    const cairn_change *c = change(e, i);
    uint32_t flags = (c->flags & CAIRN_CHANGE_DESTRUCTIVE) ? CAIRN_STMT_DESTRUCTIVE : 0;
    int rc = 0;
    switch (c->kind) {
    case CAIRN_CHANGE_CREATE_TABLE:
        rc = create_table(e, c->to.table, c->to.table->name);
        if (!rc)
            rc = flush(e, 0);
        return rc ? rc : table_objects(e, c->to.table);
    case CAIRN_CHANGE_DROP_TABLE:
        rc = put(e, "DROP TABLE ");
        if (!rc)
            rc = quote(e, c->from.table->name);
        return rc ? rc : flush(e, flags);
    case CAIRN_CHANGE_RENAME_TABLE:
        rc = put(e, "ALTER TABLE ");
        if (!rc)
            rc = quote(e, c->from.table->name);
        if (!rc)
            rc = put(e, " RENAME TO ");
        if (!rc)
            rc = quote(e, c->to.table->name);
        return rc ? rc : flush(e, 0);
    case CAIRN_CHANGE_ADD_COLUMN:
        rc = put(e, "ALTER TABLE ");
        if (!rc)
            rc = quote(e, table_name_at(e, i, c));
        if (!rc)
            rc = put(e, " ADD COLUMN ");
        if (!rc)
            rc = column_def(e, c->table_to, c->to.column);
        return rc ? rc : flush(e, 0);
    case CAIRN_CHANGE_DROP_COLUMN:
        rc = put(e, "ALTER TABLE ");
        if (!rc)
            rc = quote(e, table_name_at(e, i, c));
        if (!rc)
            rc = put(e, " DROP COLUMN ");
        if (!rc)
            rc = quote(e, c->from.column->name);
        return rc ? rc : flush(e, flags);
    case CAIRN_CHANGE_RENAME_COLUMN:
        rc = put(e, "ALTER TABLE ");
        if (!rc)
            rc = quote(e, table_name_at(e, i, c));
        if (!rc)
            rc = put(e, " RENAME COLUMN ");
        if (!rc)
            rc = quote(e, c->from.column->name);
        if (!rc)
            rc = put(e, " TO ");
        if (!rc)
            rc = quote(e, c->to.column->name);
        return rc ? rc : flush(e, 0);
    case CAIRN_CHANGE_ALTER_COLUMN:       /* only a comment changed: SQLite keeps none */
    case CAIRN_CHANGE_SET_TABLE_COMMENT:
        return 0;
    case CAIRN_CHANGE_CREATE_INDEX: {
        cairn_table renamed = *c->table_to;
        renamed.name = table_name_at(e, i, c);
        return create_index(e, &renamed, c->to.index);
    }
    case CAIRN_CHANGE_DROP_INDEX:
    case CAIRN_CHANGE_DROP_TRIGGER:
    case CAIRN_CHANGE_DROP_VIEW:
        rc = put(e, c->kind == CAIRN_CHANGE_DROP_INDEX     ? "DROP INDEX "
                    : c->kind == CAIRN_CHANGE_DROP_TRIGGER ? "DROP TRIGGER "
                                                           : "DROP VIEW ");
        if (!rc)
            rc = quote(e, c->kind == CAIRN_CHANGE_DROP_INDEX     ? c->from.index->name
                          : c->kind == CAIRN_CHANGE_DROP_TRIGGER ? c->from.trigger->name
                                                                 : c->from.view->name);
        return rc ? rc : flush(e, flags);
    case CAIRN_CHANGE_CREATE_TRIGGER:
        return e->h->stmt_add(e->out, c->to.trigger->sql, 0);
    case CAIRN_CHANGE_CREATE_VIEW:
        rc = put(e, "CREATE VIEW ");
        if (!rc)
            rc = quote(e, c->to.view->name);
        if (!rc)
            rc = put(e, " AS ");
        if (!rc)
            rc = put(e, c->to.view->definition);
        return rc ? rc : flush(e, 0);
    case CAIRN_CHANGE_CREATE_NAMESPACE:
    case CAIRN_CHANGE_DROP_NAMESPACE:
    case CAIRN_CHANGE_CREATE_ENUM:
    case CAIRN_CHANGE_ALTER_ENUM:
    case CAIRN_CHANGE_DROP_ENUM:
    case CAIRN_CHANGE_CREATE_SEQUENCE:
    case CAIRN_CHANGE_ALTER_SEQUENCE:
    case CAIRN_CHANGE_DROP_SEQUENCE:
        return e->h->error(e->s->hc, CAIRN_EUNSUPPORTED, NULL,
                           "sqlite: cannot emit change %s: SQLite has no namespaces, enums "
                           "or sequences", kind_name(c->kind));
    default:
        return e->h->error(e->s->hc, CAIRN_EUNSUPPORTED, NULL,
                           "sqlite: unknown change kind %s (%d): this driver is older than the "
                           "plan", kind_name(c->kind), (int)c->kind);
    }
}

int sqlitedrv_emit(cairn_dsession *s, const cairn_plan *plan, cairn_stmts *out)
{
    emitter e = {.s = s, .h = s->host, .plan = plan, .out = out};
    if (!(e.b = e.h->buf_new(s->hc)))
        return CAIRN_ENOMEM;
    int rc = 0;
    if (plan->nchanges && !(e.rb = calloc(plan->nchanges, sizeof *e.rb)))
        rc = CAIRN_ENOMEM;
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        const cairn_change *c = change(&e, i);
        if (!absorbable(c->kind) || rebuild_of(&e, c) || !needs_rebuild(&e, i))
            continue;
        if (!c->table_to) {
            if (table_dropped(&e, c->table_from))
                continue;
            rc = e.h->error(s->hc, CAIRN_EGENERIC, NULL,
                            "sqlite: change %s does not name its table in the new schema",
                            kind_name(c->kind));
            break;
        }
        e.rb[e.nrb].to = c->table_to;
        e.rb[e.nrb].from = c->table_from;
        e.nrb++;
    }
    /* a rebuild learns the old table from whichever change of it knows it,
     * and runs after the last change of that table, so that the drops and
     * renames kept in place all find the old table still there */
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        const cairn_change *c = change(&e, i);
        rebuild *r = table_scoped(c->kind) ? rebuild_of(&e, c) : NULL;
        if (r && !r->from && c->table_from)
            r->from = c->table_from;
        if (r)
            r->last = i;
    }
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        const cairn_change *c = change(&e, i);
        rebuild *r = table_scoped(c->kind) ? rebuild_of(&e, c) : NULL;
        if (absorbable(c->kind) && !c->table_to && table_dropped(&e, c->table_from))
            continue; /* a key of a table that is dropped goes with it */
        if (!(r && absorbable(c->kind)))
            rc = emit_change(&e, i);
        if (!rc && r && r->last == i)
            rc = emit_rebuild(&e, r);
    }
    free(e.rb);
    e.h->buf_free(e.b);
    return rc;
}
