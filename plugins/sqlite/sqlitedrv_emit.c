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

/* ---- small writers ----------------------------------------------------------
 * Appends are not checked one by one: the host's buffers and statement
 * lists keep their first failure (host ABI 1.1), and flush asks once. */

static void put(emitter *e, const char *s)
{
    e->h->buf_puts(e->b, s);
}

static void quote(emitter *e, const char *ident)
{
    e->h->buf_quote(e->b, ident, '"');
}

static void put_quoted(emitter *e, const char *s, const char *ident)
{
    put(e, s);
    quote(e, ident);
}

/* Hand the buffer over as one statement, unless an append to it failed,
 * and start a new one. */
static int flush(emitter *e, uint32_t flags)
{
    int rc = e->h->buf_status(e->b);
    if (!rc)
        rc = e->h->stmt_add(e->out, e->h->buf_cstr(e->b), flags);
    e->h->buf_reset(e->b);
    return rc;
}

/* 0, or the first failure of the buffer or of the statement list: a run of
 * flushes and stmt_adds may go unchecked and ask here once. */
static int status(const emitter *e)
{
    int rc = e->h->buf_status(e->b);
    return rc ? rc : e->h->stmts_status(e->out);
}

/* ALTER TABLE <table><what>. */
static void alter_table(emitter *e, const char *table, const char *what)
{
    put_quoted(e, "ALTER TABLE ", table);
    put(e, what);
}

static void names(emitter *e, const char *const *v, size_t n)
{
    put(e, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(e, ", ");
        quote(e, v[i]);
    }
    put(e, ")");
}

static int has_name(const char *const *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(v[i], name) == 0)
            return 1;
    return 0;
}

/* The value of option `key`, NULL when the table has none. */
static const char *option(const cairn_table *t, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < t->noptions; i++)
        if (strncmp(t->options[i], key, klen) == 0 && t->options[i][klen] == '=')
            return t->options[i] + klen + 1;
    return NULL;
}

static int option_on(const cairn_table *t, const char *key)
{
    const char *v = option(t, key);
    return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

static void default_clause(emitter *e, const char *expr)
{
    int lit = sqlitedrv_default_is_literal(expr);
    put(e, lit ? " DEFAULT " : " DEFAULT (");
    put(e, expr);
    if (!lit)
        put(e, ")");
}

static void constraint_name(emitter *e, const char *name)
{
    if (name) {
        put_quoted(e, "CONSTRAINT ", name);
        put(e, " ");
    }
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
    quote(e, col->name);
    if (col->type && *col->type) {
        put(e, " ");
        put(e, col->type);
    }
    if (inline_pk(t, col)) {
        put(e, " ");
        constraint_name(e, t->primary_key->name);
        put(e, "PRIMARY KEY AUTOINCREMENT");
    }
    if (col->not_null)
        put(e, " NOT NULL");
    if (col->default_expr && !col->generated)
        default_clause(e, col->default_expr);
    if (col->collation)
        put_quoted(e, " COLLATE ", col->collation);
    if (col->generated) {
        put(e, " GENERATED ALWAYS AS (");
        put(e, col->generated);
        put(e, col->generated_stored ? ") STORED" : ") VIRTUAL");
    }
    return 0;
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

static void fkey_def(emitter *e, const cairn_fkey *fk)
{
    constraint_name(e, fk->name);
    put(e, "FOREIGN KEY ");
    names(e, fk->columns, fk->ncolumns);
    put_quoted(e, " REFERENCES ", fk->ref_table);
    if (fk->nref_columns) {
        put(e, " ");
        names(e, fk->ref_columns, fk->nref_columns);
    }
    if (fk_action(fk->on_delete))
        e->h->buf_printf(e->b, " ON DELETE %s", fk_action(fk->on_delete));
    if (fk_action(fk->on_update))
        e->h->buf_printf(e->b, " ON UPDATE %s", fk_action(fk->on_update));
    if (fk->deferrable)
        put(e, fk->initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
}

/* CREATE VIRTUAL TABLE <name> USING <module>(<args>): the arguments go to
 * the module as written. */
static void create_virtual(emitter *e, const cairn_table *t, const char *name)
{
    const char *args = option(t, "args");
    put_quoted(e, "CREATE VIRTUAL TABLE ", name);
    put_quoted(e, " USING ", option(t, "using"));
    if (args && *args) {
        put(e, "(");
        put(e, args);
        put(e, ")");
    }
}

/* Is `t` an FTS4/FTS5 index of an external content table (content=<table>,
 * not content='')? Created (or created again), it must be rebuilt from
 * that table's rows. */
static int external_content(const cairn_table *t)
{
    const char *m = option(t, "using"), *args = option(t, "args");
    if (!m || !args || (strcasecmp(m, "fts4") != 0 && strcasecmp(m, "fts5") != 0))
        return 0;
    sqlitedrv_toks tk;
    if (sqlitedrv_lex(args, &tk))
        return 0;
    int found = 0, depth = 0;
    for (size_t i = 0; i + 2 < tk.n && !found; i++) {
        depth += sqlitedrv_tok_is(&tk.v[i], "(") - sqlitedrv_tok_is(&tk.v[i], ")");
        if (depth == 0 && (i == 0 || sqlitedrv_tok_is(&tk.v[i - 1], ",")) &&
            sqlitedrv_tok_is(&tk.v[i], "content") && sqlitedrv_tok_is(&tk.v[i + 1], "=") &&
            !sqlitedrv_tok_is(&tk.v[i + 2], ","))
            found = tk.v[i + 2].kind == SQLITEDRV_TK_WORD || tk.v[i + 2].n > 2;
    }
    sqlitedrv_toks_free(&tk);
    return found;
}

/* CREATE TABLE <name> (...) for table `t` into the buffer. */
static int create_table(emitter *e, const cairn_table *t, const char *name)
{
    if (option(t, "using")) {
        create_virtual(e, t, name);
        return 0;
    }
    put_quoted(e, "CREATE TABLE ", name);
    put(e, " (");
    const char *sep = "\n  ";
    for (size_t i = 0; i < t->ncolumns; i++) {
        put(e, sep);
        int rc = column_def(e, t, t->columns[i]);
        if (rc)
            return rc;
        sep = ",\n  ";
    }
    const cairn_key *pk = t->primary_key;
    const cairn_column *pkcol = pk && pk->ncolumns == 1 ? e->h->find_column(t, pk->columns[0]) : NULL;
    if (pk && pk->ncolumns && !(pkcol && inline_pk(t, pkcol))) {
        put(e, sep);
        constraint_name(e, pk->name);
        put(e, "PRIMARY KEY ");
        names(e, pk->columns, pk->ncolumns);
    }
    for (size_t i = 0; i < t->nuniques; i++) {
        put(e, sep);
        constraint_name(e, t->uniques[i]->name);
        put(e, "UNIQUE ");
        names(e, t->uniques[i]->columns, t->uniques[i]->ncolumns);
    }
    for (size_t i = 0; i < t->nchecks; i++) {
        put(e, sep);
        constraint_name(e, t->checks[i]->name);
        e->h->buf_printf(e->b, "CHECK (%s)", t->checks[i]->expr);
    }
    for (size_t i = 0; i < t->nfkeys; i++) {
        put(e, sep);
        fkey_def(e, t->fkeys[i]);
    }
    put(e, "\n)");
    int strict = option_on(t, "strict"), wr = option_on(t, "without_rowid");
    if (strict)
        put(e, " STRICT");
    if (wr)
        put(e, strict ? ", WITHOUT ROWID" : " WITHOUT ROWID");
    return 0;
}

static int create_index(emitter *e, const cairn_table *t, const cairn_index *ix)
{
    put(e, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (ix->name) {
        quote(e, ix->name);
    } else {
        /* an unnamed index gets <table>_<columns>_idx, as most tools do */
        cairn_buf *nb = e->h->buf_new(e->s->hc);
        if (!nb)
            return CAIRN_ENOMEM;
        e->h->buf_puts(nb, t->name);
        for (size_t i = 0; i < ix->nparts; i++)
            e->h->buf_printf(nb, "_%s", ix->parts[i]->column ? ix->parts[i]->column : "expr");
        e->h->buf_puts(nb, "_idx");
        int rc = e->h->buf_status(nb);
        if (!rc)
            quote(e, e->h->buf_cstr(nb));
        e->h->buf_free(nb);
        if (rc)
            return rc;
    }
    put_quoted(e, " ON ", t->name);
    put(e, " (");
    for (size_t i = 0; i < ix->nparts; i++) {
        const cairn_index_part *p = ix->parts[i];
        if (i)
            put(e, ", ");
        if (p->column)
            quote(e, p->column);
        else
            e->h->buf_printf(e->b, "(%s)", p->expr);
        if (p->collation)
            put_quoted(e, " COLLATE ", p->collation);
        if (p->desc)
            put(e, " DESC");
    }
    put(e, ")");
    if (ix->where)
        e->h->buf_printf(e->b, " WHERE %s", ix->where);
    return flush(e, 0);
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

/* SQLite's names are matched in any case. */
static const cairn_column *find_column_ci(const cairn_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncolumns; i++)
        if (strcasecmp(t->columns[i]->name, name) == 0)
            return t->columns[i];
    return NULL;
}

/* Does the table have an INTEGER PRIMARY KEY, the column that is its rowid? */
static int rowid_alias(const cairn_table *t)
{
    const cairn_key *pk = t->primary_key;
    const cairn_column *col = pk && pk->ncolumns == 1 ? find_column_ci(t, pk->columns[0]) : NULL;
    return col && col->type && strcasecmp(col->type, "integer") == 0;
}

/* The name to copy the rowid by, or NULL: a table without an INTEGER
 * PRIMARY KEY numbers its rows by itself, and other data may refer to those
 * numbers (an FTS index of its rows, an application's own references), so
 * a rebuild carries them over. Not to or from a WITHOUT ROWID table, and
 * not when every alias of the rowid is taken by a column. */
static const char *rowid_copy(const rebuild *r)
{
    static const char *const names[] = {"rowid", "_rowid_", "oid"};
    if (!r->from || option_on(r->from, "without_rowid") || option_on(r->to, "without_rowid") ||
        rowid_alias(r->to))
        return NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!find_column_ci(r->from, names[i]) && !find_column_ci(r->to, names[i]))
            return names[i];
    return NULL;
}

/* INSERT INTO <tmpname> (...) SELECT ... FROM <src>: the columns kept,
 * renamed ones mapped; new ones take their default; the rowid where the
 * table has one of its own. No column: no copy. */
static int copy_rows(emitter *e, const rebuild *r, const char *tmpname, const char *src)
{
    const cairn_host *h = e->h;
    const cairn_table *t = r->to;
    cairn_buf *sel = h->buf_new(e->s->hc);
    if (!sel)
        return CAIRN_ENOMEM;
    const char *rowid = rowid_copy(r);
    size_t ncopy = 0;
    for (size_t i = 0; i < t->ncolumns; i++) {
        const cairn_column *col = t->columns[i];
        const cairn_column *from = col->generated ? NULL : source_column(e, r, col);
        if (!from)
            continue;
        if (ncopy++ == 0) {
            put_quoted(e, "INSERT INTO ", tmpname);
            put(e, " (");
            if (rowid) {
                e->h->buf_printf(e->b, "%s, ", rowid);
                h->buf_printf(sel, "%s, ", rowid);
            }
        } else {
            put(e, ", ");
            h->buf_puts(sel, ", ");
        }
        quote(e, col->name);
        /* a column made NOT NULL takes its default where the old value is NULL */
        int coalesce = col->not_null && col->default_expr && !from->not_null;
        int lit = coalesce && sqlitedrv_default_is_literal(col->default_expr);
        if (coalesce)
            h->buf_puts(sel, "coalesce(");
        h->buf_quote(sel, from->name, '"');
        if (coalesce)
            h->buf_printf(sel, ", %s%s%s)", lit ? "" : "(", col->default_expr, lit ? "" : ")");
    }
    int rc = h->buf_status(sel);
    if (!rc && ncopy) {
        h->buf_printf(e->b, ") SELECT %s FROM ", h->buf_cstr(sel));
        quote(e, src);
        rc = flush(e, 0);
    }
    h->buf_free(sel);
    return rc;
}

/* The statements that rebuild `r`'s table, named `src` at this point of
 * the plan, through a new table `tmpname`. */
static int rebuild_table(emitter *e, const rebuild *r, const char *src, const char *tmpname)
{
    const cairn_host *h = e->h;
    uint32_t dflags = 0;
    for (size_t i = 0; i < e->plan->nchanges; i++)
        if (rebuild_of(e, change(e, i)) == r && (change(e, i)->flags & CAIRN_CHANGE_DESTRUCTIVE))
            dflags = CAIRN_STMT_DESTRUCTIVE;
    h->buf_printf(e->b,
                  "-- cairn: table \"%s\" is rebuilt, SQLite's ALTER TABLE cannot make "
                  "this change: new table, copy of the rows, drop, rename.\n"
                  "-- It needs PRAGMA foreign_keys=OFF, set outside the transaction "
                  "(cairn migrate does it), or dropping the old table deletes the rows "
                  "that reference it through ON DELETE CASCADE.", src);
    int rc = flush(e, 0);
    if (!rc)
        rc = create_table(e, r->to, tmpname);
    if (!rc)
        rc = flush(e, 0);
    if (!rc)
        rc = copy_rows(e, r, tmpname, src);
    if (rc)
        return rc;
    /* the flushes from here go unchecked: status() below tells any failure */
    if (has_autoincrement(r->to)) {
        /* keep the AUTOINCREMENT counter: DROP TABLE would forget it */
        put(e, "DELETE FROM sqlite_sequence WHERE name = ");
        h->buf_literal(e->b, tmpname);
        flush(e, 0);
        put(e, "UPDATE sqlite_sequence SET name = ");
        h->buf_literal(e->b, tmpname);
        put(e, " WHERE name = ");
        h->buf_literal(e->b, src);
        flush(e, 0);
    }
    put_quoted(e, "DROP TABLE ", src);
    flush(e, dflags);
    /* legacy mode: the rename must not re-check views and triggers that
     * read the table, which reference it by a name that is missing for now */
    h->stmt_add(e->out, "PRAGMA legacy_alter_table = ON", 0);
    alter_table(e, tmpname, " RENAME TO ");
    quote(e, src);
    flush(e, 0);
    h->stmt_add(e->out, "PRAGMA legacy_alter_table = OFF", 0);
    rc = status(e);
    if (rc)
        return rc;
    cairn_table named = *r->to;
    named.name = src;
    return table_objects(e, &named);
}

static int emit_rebuild(emitter *e, const rebuild *r)
{
    /* the table's name at this point of the plan: a rename may come later */
    const char *src = table_name_at(e, r->last + 1, change(e, r->last));
    cairn_buf *tmp = e->h->buf_new(e->s->hc);
    if (!tmp)
        return CAIRN_ENOMEM;
    e->h->buf_printf(tmp, SQLITEDRV_TMP_PREFIX "%s", src);
    int rc = e->h->buf_status(tmp);
    if (!rc)
        rc = rebuild_table(e, r, src, e->h->buf_cstr(tmp));
    e->h->buf_free(tmp);
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
        put_quoted(e, "DROP TABLE ", c->from.table->name);
        return flush(e, flags);
    case CAIRN_CHANGE_RENAME_TABLE:
        alter_table(e, c->from.table->name, " RENAME TO ");
        quote(e, c->to.table->name);
        return flush(e, 0);
    case CAIRN_CHANGE_ADD_COLUMN:
        alter_table(e, table_name_at(e, i, c), " ADD COLUMN ");
        rc = column_def(e, c->table_to, c->to.column);
        return rc ? rc : flush(e, 0);
    case CAIRN_CHANGE_DROP_COLUMN:
        alter_table(e, table_name_at(e, i, c), " DROP COLUMN ");
        quote(e, c->from.column->name);
        return flush(e, flags);
    case CAIRN_CHANGE_RENAME_COLUMN:
        alter_table(e, table_name_at(e, i, c), " RENAME COLUMN ");
        quote(e, c->from.column->name);
        put_quoted(e, " TO ", c->to.column->name);
        return flush(e, 0);
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
        put(e, c->kind == CAIRN_CHANGE_DROP_INDEX     ? "DROP INDEX "
               : c->kind == CAIRN_CHANGE_DROP_TRIGGER ? "DROP TRIGGER "
                                                      : "DROP VIEW ");
        quote(e, c->kind == CAIRN_CHANGE_DROP_INDEX     ? c->from.index->name
                 : c->kind == CAIRN_CHANGE_DROP_TRIGGER ? c->from.trigger->name
                                                        : c->from.view->name);
        return flush(e, flags);
    case CAIRN_CHANGE_CREATE_TRIGGER:
        return e->h->stmt_add(e->out, c->to.trigger->sql, 0);
    case CAIRN_CHANGE_CREATE_VIEW:
        put_quoted(e, "CREATE VIEW ", c->to.view->name);
        if (CAIRN_HOST_HAS(e->h, view_add_column) && c->to.view->ncolumns) {
            put(e, " ");
            names(e, c->to.view->columns, c->to.view->ncolumns);
        }
        put(e, " AS ");
        put(e, c->to.view->definition);
        return flush(e, 0);
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
    /* an external content index is filled from its table's rows once every
     * table of the plan is there */
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        const cairn_change *c = change(&e, i);
        if (c->kind != CAIRN_CHANGE_CREATE_TABLE || !external_content(c->to.table))
            continue;
        put_quoted(&e, "INSERT INTO ", c->to.table->name);
        put(&e, " (");
        quote(&e, c->to.table->name);
        put(&e, ") VALUES ('rebuild')");
        rc = flush(&e, 0);
    }
    free(e.rb);
    if (!rc)
        rc = status(&e);
    e.h->buf_free(e.b);
    return rc;
}
