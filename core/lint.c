/* cairn lint: findings about migrations, read from their plans (each
 * snapshot diffed from its parent's), never from their SQL text.
 *
 * Every finding has a stable code (docs/lint.md is the catalogue): what a
 * change destroys, what present rows would make fail (counted in the
 * configured database, never shown), what the dialect's driver says the
 * change does to a live table's traffic (its `hazards` slot: no dialect
 * name is tested here), and a drop + add that reads like a rename. A
 * migration whose SQL is not what cairn writes for its schema change (a
 * --custom or edited one) is not analysed, and says so. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* ---- the catalogue ------------------------------------------------------------ */

typedef struct lint_code {
    const char *code;
    cairn_lint_level level; /* the default */
    const char *category;
} lint_code;

enum {
    L_DROP_TABLE, L_DROP_COLUMN, L_DROP_FK_INDEX, L_NARROW, L_DROP_DEFAULT, L_LOSSY,
    L_NOT_NULL_ROWS, L_UNIQUE_DUPS, L_CHECK_ROWS, L_FKEY_ROWS, L_TRUNCATE, L_NULLS,
    L_INDEX_LOCK, L_CONSTRAINT_SCAN, L_NOT_NULL_SCAN, L_VOLATILE_DEFAULT, L_REWRITE, L_COPY,
    L_RENAME, L_CUSTOM, L_COUNT_
};

static const lint_code catalogue[L_COUNT_] = {
    [L_DROP_TABLE] = {"CA101", CAIRN_LINT_ERROR, "destructive"},
    [L_DROP_COLUMN] = {"CA102", CAIRN_LINT_ERROR, "destructive"},
    [L_DROP_FK_INDEX] = {"CA103", CAIRN_LINT_WARNING, "destructive"},
    [L_NARROW] = {"CA104", CAIRN_LINT_ERROR, "destructive"},
    [L_DROP_DEFAULT] = {"CA105", CAIRN_LINT_WARNING, "destructive"},
    [L_LOSSY] = {"CA106", CAIRN_LINT_WARNING, "destructive"},
    [L_NOT_NULL_ROWS] = {"CA201", CAIRN_LINT_WARNING, "data"},
    [L_UNIQUE_DUPS] = {"CA202", CAIRN_LINT_ERROR, "data"},
    [L_CHECK_ROWS] = {"CA203", CAIRN_LINT_ERROR, "data"},
    [L_FKEY_ROWS] = {"CA204", CAIRN_LINT_ERROR, "data"},
    [L_TRUNCATE] = {"CA205", CAIRN_LINT_ERROR, "data"},
    [L_NULLS] = {"CA206", CAIRN_LINT_ERROR, "data"},
    [L_INDEX_LOCK] = {"CA301", CAIRN_LINT_WARNING, "locking"},
    [L_CONSTRAINT_SCAN] = {"CA302", CAIRN_LINT_WARNING, "locking"},
    [L_NOT_NULL_SCAN] = {"CA303", CAIRN_LINT_WARNING, "locking"},
    [L_VOLATILE_DEFAULT] = {"CA304", CAIRN_LINT_WARNING, "locking"},
    [L_REWRITE] = {"CA305", CAIRN_LINT_WARNING, "locking"},
    [L_COPY] = {"CA306", CAIRN_LINT_WARNING, "locking"},
    [L_RENAME] = {"CA401", CAIRN_LINT_WARNING, "rename"},
    [L_CUSTOM] = {"CA901", CAIRN_LINT_INFO, "custom"},
};

/* The driver's hazard bits, by the code they raise. */
static const struct {
    uint32_t bit;
    int code;
    const char *what;
} hazard_codes[] = {
    {CAIRN_HAZARD_INDEX_BLOCKS_WRITES, L_INDEX_LOCK,
     "blocks writes to the table while the index builds (build it CONCURRENTLY, in a "
     "migration marked -- cairn:no-transaction)"},
    {CAIRN_HAZARD_CONSTRAINT_SCAN, L_CONSTRAINT_SCAN,
     "reads every row under a lock that blocks writes (add it NOT VALID, then VALIDATE "
     "CONSTRAINT in a later migration)"},
    {CAIRN_HAZARD_NOT_NULL_SCAN, L_NOT_NULL_SCAN,
     "scans the table under an exclusive lock (first add and validate CHECK (col IS NOT "
     "NULL) NOT VALID)"},
    {CAIRN_HAZARD_VOLATILE_DEFAULT, L_VOLATILE_DEFAULT,
     "rewrites the table under an exclusive lock: the default is computed per row (add the "
     "column without it, then backfill)"},
    {CAIRN_HAZARD_TABLE_REWRITE, L_REWRITE,
     "rewrites the table under an exclusive lock (add a new column, backfill, then swap)"},
    {CAIRN_HAZARD_DELETES_ROWS, L_LOSSY,
     "deletes rows as the dialect writes it (a dropped partition's rows go with it)"},
    {CAIRN_HAZARD_TABLE_COPY, L_COPY,
     "cannot run ALGORITHM=INPLACE or INSTANT: the table is copied and writes wait (use an "
     "online schema change tool for a large table)"},
};

const char *cairn_lint_level_name(cairn_lint_level level)
{
    return level == CAIRN_LINT_ERROR ? "error" : level == CAIRN_LINT_WARNING ? "warning" : "info";
}

static int code_index(const char *code)
{
    for (int i = 0; i < L_COUNT_; i++)
        if (strcasecmp(catalogue[i].code, code) == 0)
            return i;
    return -1;
}

/* ---- a run ------------------------------------------------------------------ */

typedef struct lint_run {
    cairn_ctx *cx;
    cairn_session *s;
    const cairn_dialect *d;
    cairn_lint_finding *v;
    size_t n, cap;
    char ignore[L_COUNT_], raise[L_COUNT_];
    cairn_conn *c;        /* the configured database, or NULL */
    cairn_schema *live;   /* its schema, for the data checks */
    const char *mig;      /* the migration being linted */
    cairn_buf msg, sql;
    int rc;
} lint_run;

void cairn_lint_free(cairn_lint_finding *list, size_t count)
{
    if (!list)
        return;
    for (size_t i = 0; i < count; i++) {
        free((char *)list[i].migration);
        free((char *)list[i].message);
    }
    free(list);
}

/* Add a finding; `level` < 0: the code's default. The project's config
 * drops it or raises it to an error. */
static void add(lint_run *r, int code, int level, const char *fmt, ...) CAIRN_FMT(4, 5);
static void add(lint_run *r, int code, int level, const char *fmt, ...)
{
    if (r->rc || r->ignore[code])
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        cairn_lint_finding *nv = realloc(r->v, cap * sizeof *nv);
        if (!nv) {
            r->rc = CAIRN_ENOMEM;
            return;
        }
        r->v = nv;
        r->cap = cap;
    }
    cairn_buf_reset(&r->msg);
    va_list ap;
    va_start(ap, fmt);
    cairn_buf_vprintf(&r->msg, fmt, ap);
    va_end(ap);
    cairn_lint_finding *f = &r->v[r->n];
    f->code = catalogue[code].code;
    f->category = catalogue[code].category;
    f->level = r->raise[code] ? CAIRN_LINT_ERROR
               : level < 0    ? catalogue[code].level
                              : (cairn_lint_level)level;
    f->migration = strdup(r->mig);
    f->message = r->msg.oom ? NULL : strdup(cairn_buf_cstr(&r->msg));
    if (!f->migration || !f->message) {
        free((char *)f->migration);
        free((char *)f->message);
        r->rc = CAIRN_ENOMEM;
        return;
    }
    r->n++;
}

/* "lint.ignore" / "lint.error": comma-separated codes, each one known. */
static int read_code_list(lint_run *r, const char *key, char *marks)
{
    char **v = NULL;
    size_t n = 0;
    if (cairn_split_list(cairn_ctx_get(r->cx, key), ',', &v, &n))
        return cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        int k = code_index(v[i]);
        if (k < 0)
            rc = cairn_err(r->cx, CAIRN_ECONFIG,
                           "\"%s\": unknown lint code '%s' (docs/lint.md lists them)", key, v[i]);
        else
            marks[k] = 1;
    }
    cairn_strv_free(v, n);
    return rc;
}

/* ---- names in messages -------------------------------------------------------- */

/* "ns.table" or "table", into `buf`. */
static const char *tname(const cairn_table *t, char *buf, size_t size)
{
    if (t->schema)
        snprintf(buf, size, "%s.%s", t->schema, t->name);
    else
        snprintf(buf, size, "%s", t->name);
    return buf;
}

static const cairn_table *table_of(const cairn_change *ch)
{
    return ch->table_to ? ch->table_to : ch->table_from;
}

/* ---- the data checks: counts in the live database ------------------------------- */

static int count_row(void *ud, size_t ncols, const char *const *values)
{
    long long *n = ud;
    *n = ncols && values[0] ? strtoll(values[0], NULL, 10) : 0;
    return 0;
}

/* The number `sql` counts, or -1 when it cannot be asked (no database,
 * no query slot); a database error stops the run. */
static long long count(lint_run *r, const char *sql)
{
    long long n = -1;
    if (!r->c || r->rc)
        return -1;
    int rc = cairn_conn_query(r->c, sql, count_row, &n);
    if (rc == CAIRN_EUNSUPPORTED) {
        cairn_err_clear(r->cx);
        cairn_conn_close(r->c);
        r->c = NULL; /* asked once: the dialect cannot answer */
        return -1;
    }
    if (rc)
        r->rc = rc;
    return rc ? -1 : n;
}

/* A count the database refused (an expression it cannot run before the
 * migration, a function it lacks): not counted, said with --verbose. */
static long long soft(lint_run *r, long long n, const char *what)
{
    if (r->rc != CAIRN_EDB)
        return n;
    cairn_log(r->cx, CAIRN_LOG_DEBUG, "lint: %s not counted: %s", what,
              cairn_ctx_error(r->cx)->message);
    cairn_err_clear(r->cx);
    r->rc = 0;
    return -1;
}

static void quote(lint_run *r, cairn_buf *b, const char *ident)
{
    char q = r->d->quote;
    char close = CAIRN_DIALECT_HAS(r->d, quote_close) && r->d->quote_close ? r->d->quote_close : q;
    cairn_buf_quote_pair(b, ident, q, close);
}

static void qtable(lint_run *r, cairn_buf *b, const cairn_table *t)
{
    if (t->schema) {
        quote(r, b, t->schema);
        cairn_buf_puts(b, ".");
    }
    quote(r, b, t->name);
}

/* The table as it is live, when it is there with every column of `cols`
 * (a table a pending migration before this one creates is not). */
static const cairn_table *live_table(lint_run *r, const cairn_table *t, const char *const *cols,
                                     size_t ncols)
{
    if (!r->live || !t)
        return NULL;
    const cairn_table *lt = cairn_schema_find_table(r->live, t->schema, t->name);
    for (size_t i = 0; lt && i < ncols; i++)
        if (!cairn_table_find_column(lt, cols[i]))
            return NULL;
    return lt;
}

static long long table_rows(lint_run *r, const cairn_table *t)
{
    if (!live_table(r, t, NULL, 0))
        return -1;
    cairn_buf_reset(&r->sql);
    cairn_buf_puts(&r->sql, "SELECT COUNT(*) FROM ");
    qtable(r, &r->sql, t);
    return count(r, cairn_buf_cstr(&r->sql));
}

/* Groups of rows sharing values of `cols` (NULLs never clash). */
static long long duplicate_groups(lint_run *r, const cairn_table *t, const char *const *cols,
                                  size_t n)
{
    if (!live_table(r, t, cols, n))
        return -1;
    cairn_buf *b = &r->sql;
    cairn_buf_reset(b);
    cairn_buf_puts(b, "SELECT COUNT(*) FROM (SELECT 1 AS x FROM ");
    qtable(r, b, t);
    for (size_t i = 0; i < n; i++) {
        cairn_buf_puts(b, i ? " AND " : " WHERE ");
        quote(r, b, cols[i]);
        cairn_buf_puts(b, " IS NOT NULL");
    }
    cairn_buf_puts(b, " GROUP BY ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            cairn_buf_puts(b, ", ");
        quote(r, b, cols[i]);
    }
    cairn_buf_puts(b, " HAVING COUNT(*) > 1) d");
    return count(r, cairn_buf_cstr(b));
}

static long long null_rows(lint_run *r, const cairn_table *t, const char *col)
{
    if (!live_table(r, t, &col, 1))
        return -1;
    cairn_buf_reset(&r->sql);
    cairn_buf_puts(&r->sql, "SELECT COUNT(*) FROM ");
    qtable(r, &r->sql, t);
    cairn_buf_puts(&r->sql, " WHERE ");
    quote(r, &r->sql, col);
    cairn_buf_puts(&r->sql, " IS NULL");
    return count(r, cairn_buf_cstr(&r->sql));
}

/* Rows where the check is false (NULL passes a check). The expression is
 * the schema's, in the dialect's SQL; a column it names that is not there
 * yet makes the database refuse it: then it is not counted. */
static long long check_rows(lint_run *r, const cairn_table *t, const cairn_check *ck)
{
    if (!live_table(r, t, NULL, 0))
        return -1;
    cairn_buf_reset(&r->sql);
    cairn_buf_puts(&r->sql, "SELECT COUNT(*) FROM ");
    qtable(r, &r->sql, t);
    cairn_buf_printf(&r->sql, " WHERE NOT (%s)", ck->expr);
    return soft(r, count(r, cairn_buf_cstr(&r->sql)), "a check's violations");
}

/* Rows whose key is set and matches no row of the referenced table. */
static long long orphan_rows(lint_run *r, const cairn_table *t, const cairn_fkey *fk)
{
    cairn_table ref = {.schema = cairn_fkey_ref_ns(r->cx, t, fk),
                       .name = fk->ref_table};
    if (!live_table(r, t, fk->columns, fk->ncolumns) ||
        !live_table(r, &ref, fk->ref_columns, fk->nref_columns))
        return -1;
    cairn_buf *b = &r->sql;
    cairn_buf_reset(b);
    cairn_buf_puts(b, "SELECT COUNT(*) FROM ");
    qtable(r, b, t);
    cairn_buf_puts(b, " c WHERE ");
    for (size_t i = 0; i < fk->ncolumns; i++) {
        cairn_buf_puts(b, "c.");
        quote(r, b, fk->columns[i]);
        cairn_buf_puts(b, " IS NOT NULL AND ");
    }
    cairn_buf_puts(b, "NOT EXISTS (SELECT 1 FROM ");
    qtable(r, b, &ref);
    cairn_buf_puts(b, " p WHERE ");
    for (size_t i = 0; i < fk->ncolumns; i++) {
        if (i)
            cairn_buf_puts(b, " AND ");
        cairn_buf_puts(b, "p.");
        quote(r, b, fk->ref_columns[i]);
        cairn_buf_puts(b, " = c.");
        quote(r, b, fk->columns[i]);
    }
    cairn_buf_puts(b, ")");
    return count(r, cairn_buf_cstr(b));
}

/* The length limit of a string type "name(n)" of the dialect's string
 * family, or 0. */
static long string_limit(lint_run *r, const char *type)
{
    const cairn_type_family *fam = cairn_ctx_type_families(r->cx);
    const char *paren = type ? strchr(type, '(') : NULL;
    if (!fam || !paren)
        return 0;
    size_t len = (size_t)(paren - type);
    while (len && type[len - 1] == ' ')
        len--;
    for (; fam->name; fam++)
        if (fam->kind == CAIRN_TYPE_STRING && strlen(fam->name) == len &&
            strncasecmp(fam->name, type, len) == 0)
            return strtol(paren + 1, NULL, 10);
    return 0;
}

/* Rows whose value is longer than the new type keeps. CHAR_LENGTH is
 * standard SQL (PostgreSQL, MySQL); a dialect without it (SQLite, which
 * keeps every string whole anyway) refuses the query: not counted. */
static long long too_long_rows(lint_run *r, const cairn_table *t, const cairn_column *to)
{
    long limit = string_limit(r, to->type);
    if (limit <= 0 || !live_table(r, t, &to->name, 1))
        return -1;
    cairn_buf_reset(&r->sql);
    cairn_buf_puts(&r->sql, "SELECT COUNT(*) FROM ");
    qtable(r, &r->sql, t);
    cairn_buf_puts(&r->sql, " WHERE CHAR_LENGTH(");
    quote(r, &r->sql, to->name);
    cairn_buf_printf(&r->sql, ") > %ld", limit);
    return soft(r, count(r, cairn_buf_cstr(&r->sql)), "values too long");
}

/* ---- classifying one change ------------------------------------------------- */

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcasecmp(a, b) == 0);
}

/* Does some index or key of `t` other than `skip` start with the columns
 * of `fk`? (MySQL needs one; elsewhere a delete on the parent scans.) */
static int fkey_indexed(const cairn_table *t, const cairn_fkey *fk, const cairn_index *skip)
{
    for (size_t i = 0; i < t->nindexes; i++) {
        const cairn_index *ix = t->indexes[i];
        if (ix == skip || ix->nparts < fk->ncolumns)
            continue;
        size_t k = 0;
        while (k < fk->ncolumns && ix->parts[k]->column &&
               strcmp(ix->parts[k]->column, fk->columns[k]) == 0)
            k++;
        if (k == fk->ncolumns)
            return 1;
    }
    const cairn_key *keys[64];
    size_t nk = 0;
    if (t->primary_key)
        keys[nk++] = t->primary_key;
    for (size_t i = 0; i < t->nuniques && nk < 64; i++)
        keys[nk++] = t->uniques[i];
    for (size_t i = 0; i < nk; i++) {
        if (keys[i]->ncolumns < fk->ncolumns)
            continue;
        size_t k = 0;
        while (k < fk->ncolumns && strcmp(keys[i]->columns[k], fk->columns[k]) == 0)
            k++;
        if (k == fk->ncolumns)
            return 1;
    }
    return 0;
}

static void lint_drop_index(lint_run *r, const cairn_change *ch)
{
    const cairn_table *before = ch->table_from, *after = ch->table_to;
    const cairn_index *ix = ch->from.index;
    if (!before || !after)
        return;
    char tn[300];
    for (size_t i = 0; i < after->nfkeys; i++) {
        const cairn_fkey *fk = after->fkeys[i];
        /* the index served the key before, and nothing serves it after */
        if (fkey_indexed(before, fk, NULL) && !fkey_indexed(after, fk, NULL) &&
            !fkey_indexed(before, fk, ix)) {
            add(r, L_DROP_FK_INDEX, -1,
                "drop index %s of %s: the foreign key on %s(%s%s) to %s has no index left",
                ix->name, tname(after, tn, sizeof tn), after->name, fk->columns[0],
                fk->ncolumns > 1 ? ", ..." : "", fk->ref_table);
            return;
        }
    }
}

static void lint_add_column(lint_run *r, const cairn_change *ch)
{
    const cairn_column *c = ch->to.column;
    const cairn_table *t = table_of(ch);
    char tn[300];
    if (!ch->table_from || !c->not_null || c->default_expr || c->generated ||
        c->identity != CAIRN_IDENTITY_NONE)
        return;
    long long rows = table_rows(r, ch->table_from);
    if (rows == 0)
        return;
    if (rows > 0)
        add(r, L_NOT_NULL_ROWS, CAIRN_LINT_ERROR,
            "add NOT NULL column %s.%s without a default: %s has %lld row%s, which would "
            "have no value",
            tname(t, tn, sizeof tn), c->name, t->name, rows, rows == 1 ? "" : "s");
    else
        add(r, L_NOT_NULL_ROWS, -1,
            "add NOT NULL column %s.%s without a default: fails if %s has rows",
            tname(t, tn, sizeof tn), c->name, t->name);
}

static void lint_alter_column(lint_run *r, const cairn_change *ch)
{
    const cairn_column *a = ch->from.column, *b = ch->to.column;
    const cairn_table *t = table_of(ch);
    char tn[300];
    if ((ch->alter & CAIRN_ALTER_TYPE) && (ch->flags & CAIRN_CHANGE_DESTRUCTIVE)) {
        add(r, L_NARROW, -1, "narrow %s.%s from %s to %s (values may not fit)",
            tname(t, tn, sizeof tn), b->name, a->type ? a->type : "?", b->type ? b->type : "?");
        long long n = ch->table_from ? too_long_rows(r, ch->table_from, b) : -1;
        if (n > 0)
            add(r, L_TRUNCATE, -1, "narrow %s.%s to %s: %lld row%s hold%s a longer value",
                tname(t, tn, sizeof tn), b->name, b->type, n, n == 1 ? "" : "s",
                n == 1 ? "s" : "");
    }
    if ((ch->alter & CAIRN_ALTER_DEFAULT) && a->default_expr && !b->default_expr && b->not_null)
        add(r, L_DROP_DEFAULT, -1,
            "drop the default of NOT NULL column %s.%s: inserts that leave it out will fail",
            tname(t, tn, sizeof tn), b->name);
    if ((ch->alter & CAIRN_ALTER_NULLABILITY) && b->not_null && !a->not_null && ch->table_from) {
        long long n = null_rows(r, ch->table_from, a->name);
        if (n > 0)
            add(r, L_NULLS, -1, "set %s.%s NOT NULL: %lld row%s hold%s NULL",
                tname(t, tn, sizeof tn), b->name, n, n == 1 ? "" : "s", n == 1 ? "s" : "");
    }
}

static void lint_unique(lint_run *r, const cairn_change *ch, const char *what, const char *name,
                        const char *const *cols, size_t n)
{
    if (!ch->table_from)
        return;
    long long d = duplicate_groups(r, ch->table_from, cols, n);
    char tn[300];
    if (d > 0)
        add(r, L_UNIQUE_DUPS, -1, "add %s %s on %s (%s%s): %lld value%s occur%s more than once",
            what, name ? name : "(unnamed)", tname(table_of(ch), tn, sizeof tn), cols[0],
            n > 1 ? ", ..." : "", d, d == 1 ? "" : "s", d == 1 ? "s" : "");
}

/* Locking hazards, as the driver writes the change; none on a table that
 * is live and empty. */
static void lint_hazards(lint_run *r, const cairn_plan *p, const cairn_change *ch)
{
    if (!ch->table_from || !CAIRN_DIALECT_HAS(r->d, hazards))
        return;
    uint32_t bits = r->d->hazards(r->s->ds, p, ch);
    if (!bits || table_rows(r, ch->table_from) == 0)
        return;
    char tn[300];
    const cairn_table *t = table_of(ch);
    const char *verb, *obj = NULL;
    switch (ch->kind) {
    case CAIRN_CHANGE_CREATE_INDEX: verb = "create index on"; obj = ch->to.index->name; break;
    case CAIRN_CHANGE_ADD_UNIQUE: verb = "add unique key to"; obj = ch->to.key->name; break;
    case CAIRN_CHANGE_ADD_FOREIGN_KEY: verb = "add foreign key to"; obj = ch->to.fkey->name; break;
    case CAIRN_CHANGE_ADD_CHECK: verb = "add check to"; obj = ch->to.check->name; break;
    case CAIRN_CHANGE_ADD_COLUMN: verb = "add column"; obj = ch->to.column->name; break;
    case CAIRN_CHANGE_ALTER_COLUMN: verb = "alter column"; obj = ch->to.column->name; break;
    case CAIRN_CHANGE_SET_PRIMARY_KEY: verb = "change the primary key of"; break;
    default: verb = "change"; break;
    }
    tname(t, tn, sizeof tn);
    for (size_t i = 0; i < sizeof hazard_codes / sizeof *hazard_codes; i++)
        if (bits & hazard_codes[i].bit)
            add(r, hazard_codes[i].code, -1, "%s %s%s%s: %s", verb, tn, obj ? "." : "",
                obj ? obj : "", hazard_codes[i].what);
}

/* A dropped column and an added one of the same type in one table read
 * like a rename that the diff could not know about. */
static void lint_renames(lint_run *r, const cairn_plan *p)
{
    char *used = calloc(p->nchanges + 1, 1);
    char tn[300];
    if (!used) {
        r->rc = CAIRN_ENOMEM;
        return;
    }
    for (size_t i = 0; i < p->nchanges; i++) {
        const cairn_change *dr = p->changes[i];
        if (dr->kind == CAIRN_CHANGE_DROP_COLUMN && dr->table_to) {
            for (size_t j = 0; j < p->nchanges; j++) {
                const cairn_change *ad = p->changes[j];
                if (used[j] || ad->kind != CAIRN_CHANGE_ADD_COLUMN ||
                    ad->table_to != dr->table_to ||
                    !same_text(ad->to.column->type, dr->from.column->type))
                    continue;
                used[j] = 1;
                tname(dr->table_to, tn, sizeof tn);
                add(r, L_RENAME, -1,
                    "drop column %s.%s and add column %s.%s of the same type (%s): did you mean "
                    "`--rename %s.%s=%s.%s`?",
                    tn, dr->from.column->name, tn, ad->to.column->name,
                    ad->to.column->type ? ad->to.column->type : "no type", dr->table_to->name,
                    dr->from.column->name, dr->table_to->name, ad->to.column->name);
                break;
            }
        }
        if (dr->kind == CAIRN_CHANGE_DROP_TABLE) {
            const cairn_table *a = dr->from.table;
            for (size_t j = 0; j < p->nchanges; j++) {
                const cairn_change *ad = p->changes[j];
                if (used[j] || ad->kind != CAIRN_CHANGE_CREATE_TABLE ||
                    ad->to.table->ncolumns != a->ncolumns)
                    continue;
                const cairn_table *b = ad->to.table;
                size_t k = 0;
                while (k < a->ncolumns && strcmp(a->columns[k]->name, b->columns[k]->name) == 0 &&
                       same_text(a->columns[k]->type, b->columns[k]->type))
                    k++;
                if (k < a->ncolumns)
                    continue;
                used[j] = 1;
                add(r, L_RENAME, -1,
                    "drop table %s and create table %s with the same columns: did you mean "
                    "`--rename %s=%s`?",
                    a->name, b->name, a->name, b->name);
                break;
            }
        }
    }
    free(used);
}

static void lint_change(lint_run *r, const cairn_plan *p, const cairn_change *ch)
{
    char tn[300];
    const cairn_table *t = table_of(ch);
    switch (ch->kind) {
    case CAIRN_CHANGE_DROP_TABLE:
        add(r, L_DROP_TABLE, -1, "drop table %s", tname(ch->from.table, tn, sizeof tn));
        break;
    case CAIRN_CHANGE_DROP_COLUMN:
        add(r, L_DROP_COLUMN, -1, "drop column %s.%s", tname(t, tn, sizeof tn),
            ch->from.column->name);
        break;
    case CAIRN_CHANGE_DROP_INDEX:
        lint_drop_index(r, ch);
        break;
    case CAIRN_CHANGE_ADD_COLUMN:
        lint_add_column(r, ch);
        break;
    case CAIRN_CHANGE_ALTER_COLUMN:
        lint_alter_column(r, ch);
        break;
    case CAIRN_CHANGE_ADD_UNIQUE:
        lint_unique(r, ch, "unique key", ch->to.key->name, ch->to.key->columns,
                    ch->to.key->ncolumns);
        break;
    case CAIRN_CHANGE_SET_PRIMARY_KEY:
        if (ch->to.key)
            lint_unique(r, ch, "primary key", ch->to.key->name, ch->to.key->columns,
                        ch->to.key->ncolumns);
        break;
    case CAIRN_CHANGE_CREATE_INDEX:
        if (ch->to.index->unique) {
            const cairn_index *ix = ch->to.index;
            const char *cols[64];
            size_t n = 0;
            for (size_t k = 0; k < ix->nparts && n < 64; k++)
                if (ix->parts[k]->column)
                    cols[n++] = ix->parts[k]->column;
            if (n == ix->nparts && !ix->where)
                lint_unique(r, ch, "unique index", ix->name, cols, n);
        }
        break;
    case CAIRN_CHANGE_ADD_CHECK:
        if (ch->table_from) {
            long long n = check_rows(r, ch->table_from, ch->to.check);
            if (n > 0)
                add(r, L_CHECK_ROWS, -1, "add check %s on %s: %lld row%s violate%s (%s)",
                    ch->to.check->name ? ch->to.check->name : "(unnamed)",
                    tname(t, tn, sizeof tn), n, n == 1 ? "" : "s", n == 1 ? "s" : "",
                    ch->to.check->expr);
        }
        break;
    case CAIRN_CHANGE_ADD_FOREIGN_KEY:
        if (ch->table_from) {
            long long n = orphan_rows(r, ch->table_from, ch->to.fkey);
            if (n > 0)
                add(r, L_FKEY_ROWS, -1,
                    "add foreign key %s on %s to %s: %lld row%s reference%s no row",
                    ch->to.fkey->name ? ch->to.fkey->name : "(unnamed)",
                    tname(t, tn, sizeof tn), ch->to.fkey->ref_table, n, n == 1 ? "" : "s",
                    n == 1 ? "s" : "");
        }
        break;
    default:
        break;
    }
    /* what the diff itself flags as losing data, beyond the cases above */
    if ((ch->flags & CAIRN_CHANGE_DESTRUCTIVE) && ch->kind != CAIRN_CHANGE_DROP_TABLE &&
        ch->kind != CAIRN_CHANGE_DROP_COLUMN && ch->kind != CAIRN_CHANGE_ALTER_COLUMN)
        add(r, L_LOSSY, -1, "%s", ch->warning ? ch->warning : "a change that can lose data");
    lint_hazards(r, p, ch);
}

/* ---- one migration ------------------------------------------------------------ */

/* `sql`'s statements without comment lines and blank ones, for comparing
 * a file with what cairn writes (headers and warnings are comments). */
static int code_statements(const char *sql, char ***out, size_t *n)
{
    int rc = cairn_split_statements(sql, out, n);
    cairn_buf b;
    cairn_buf_init(&b);
    size_t kept = 0;
    for (size_t i = 0; i < *n && !rc; i++) {
        cairn_buf_reset(&b);
        for (const char *line = (*out)[i]; *line;) {
            size_t len = strcspn(line, "\n");
            const char *p = line;
            while (p < line + len && (*p == ' ' || *p == '\t' || *p == '\r'))
                p++;
            if (p < line + len && !(len - (size_t)(p - line) >= 2 && p[0] == '-' && p[1] == '-')) {
                cairn_buf_append(&b, line, len);
                cairn_buf_puts(&b, "\n");
            }
            line += len + (line[len] == '\n');
        }
        free((*out)[i]);
        (*out)[i] = NULL;
        if (b.oom)
            rc = CAIRN_ENOMEM;
        else if (b.len)
            (*out)[kept++] = cairn_buf_steal(&b);
    }
    cairn_buf_release(&b);
    if (rc) {
        for (size_t i = 0; i < *n; i++)
            free((*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    *n = kept;
    return 0;
}

/* Is migration.sql what cairn writes for `plan` (comments aside)? */
static int written_by_cairn(lint_run *r, const cairn_migration *m, const cairn_plan *plan,
                            int *same)
{
    cairn_stmts st;
    cairn_stmts_init(&st);
    char *text = NULL, **a = NULL, **b = NULL;
    size_t na = 0, nb = 0;
    int rc = cairn_session_emit(r->cx, r->s, plan, &st);
    if (!rc)
        rc = cairn_migfile_build(r->cx, &st, NULL, &text);
    if (!rc && (code_statements(text, &a, &na) || code_statements(m->sql, &b, &nb)))
        rc = cairn_err(r->cx, CAIRN_ENOMEM, "out of memory");
    *same = !rc && na == nb;
    for (size_t i = 0; *same && i < na; i++)
        *same = strcmp(a[i], b[i]) == 0;
    cairn_strv_free(a, na);
    cairn_strv_free(b, nb);
    free(text);
    cairn_stmts_release(&st);
    return rc;
}

/* The state migration `idx` starts from: its parent's snapshot, or for a
 * migration that joins branches (merges), the merge of its parents, as
 * generate computed it. */
static int base_state(lint_run *r, const cairn_graph *g, size_t idx, cairn_snapshot *base)
{
    unsigned char *seen = NULL;
    size_t *heads = NULL, nheads = 0;
    memset(base, 0, sizeof *base);
    int rc = cairn_graph_ancestors(r->cx, g, idx, &seen);
    if (!rc) {
        seen[idx] = 0;
        rc = cairn_graph_state(r->cx, g, seen, base, &heads, &nheads, NULL);
    }
    free(heads);
    free(seen);
    return rc;
}

static int lint_one(lint_run *r, const cairn_graph *g, size_t idx)
{
    const cairn_migration *m = &g->list[idx];
    cairn_snapshot snap, base;
    memset(&base, 0, sizeof base);
    r->mig = m->name;
    int rc = cairn_folder_read_snapshot(r->cx, m->dir, &snap);
    if (!rc)
        rc = base_state(r, g, idx, &base);
    cairn_plan *plan = NULL;
    if (!rc)
        rc = cairn_diff(r->cx, base.schema, snap.schema, NULL, &plan);
    int same = 0;
    if (!rc && !m->sql)
        rc = cairn_err(r->cx, CAIRN_EINTEGRITY, "%s: migration.sql is missing", m->name);
    if (!rc)
        rc = written_by_cairn(r, m, plan, &same);
    if (!rc && !same) {
        add(r, L_CUSTOM, -1,
            "not analysed: its SQL is not what cairn writes for its schema change (a --custom "
            "or edited migration); review it by hand");
    } else if (!rc) {
        for (size_t i = 0; i < plan->nchanges && !r->rc; i++)
            lint_change(r, plan, plan->changes[i]);
        lint_renames(r, plan);
    }
    if (!rc && r->rc)
        rc = r->rc == CAIRN_ENOMEM ? cairn_err(r->cx, CAIRN_ENOMEM, "out of memory") : r->rc;
    cairn_plan_free(plan);
    cairn_snapshot_release(&base);
    cairn_snapshot_release(&snap);
    return rc;
}

/* The pending migrations' indexes (folder order) into `pick`. */
static int pick_pending(lint_run *r, const cairn_migration *list, size_t n, char *pick)
{
    cairn_history_opts h;
    cairn_history hist;
    cairn_history_init(&hist);
    cairn_session_history_opts(r->cx, &h);
    int rc = cairn_conn_history_list(r->c, &h, &hist);
    for (size_t i = 0; i < n && !rc; i++)
        pick[i] = !cairn_history_find(&hist, list[i].name);
    cairn_history_release(&hist);
    return rc;
}

static void run_init(lint_run *r, cairn_ctx *cx)
{
    memset(r, 0, sizeof *r);
    r->cx = cx;
    cairn_buf_init(&r->msg);
    cairn_buf_init(&r->sql);
}

static void run_release(lint_run *r)
{
    cairn_conn_close(r->c);
    cairn_schema_free(r->live);
    cairn_buf_release(&r->msg);
    cairn_buf_release(&r->sql);
}

static int run_config(lint_run *r)
{
    int rc = read_code_list(r, "lint.ignore", r->ignore);
    return rc ? rc : read_code_list(r, "lint.error", r->raise);
}

void cairn_lint_log_plan(cairn_ctx *cx, cairn_session *s, const char *name,
                         const cairn_plan *plan)
{
    lint_run r;
    run_init(&r, cx);
    r.s = s;
    r.d = cairn_session_dialect(s);
    r.mig = name;
    if (run_config(&r)) {
        cairn_log(cx, CAIRN_LOG_WARN, "not linted: %s", cairn_ctx_error(cx)->message);
        cairn_err_clear(cx);
    } else {
        for (size_t i = 0; i < plan->nchanges && !r.rc; i++)
            lint_change(&r, plan, plan->changes[i]);
        lint_renames(&r, plan);
    }
    for (size_t i = 0; i < r.n; i++)
        cairn_log(cx, CAIRN_LOG_WARN, "%s %s %s: %s (%s)", r.v[i].code,
                  cairn_lint_level_name(r.v[i].level), r.v[i].migration, r.v[i].message,
                  r.v[i].category);
    cairn_lint_free(r.v, r.n);
    run_release(&r);
}

int cairn_lint(cairn_ctx *cx, const cairn_lint_opts *opts, cairn_lint_finding **out,
               size_t *count)
{
    static const cairn_lint_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    *out = NULL;
    *count = 0;
    lint_run r;
    run_init(&r, cx);
    cairn_graph g;
    memset(&g, 0, sizeof g);
    char *pick = NULL;
    int rc = run_config(&r);
    if (!rc)
        rc = cairn_session_get(cx, &r.s);
    if (!rc) {
        r.d = cairn_session_dialect(r.s);
        rc = cairn_graph_load(cx, cairn_ctx_get(cx, "out"), &g);
    }
    cairn_migration *list = g.list;
    size_t n = g.n;
    if (!rc)
        rc = cairn_folder_load_all(cx, list, n);
    if (!rc && !(pick = calloc(n + 1, 1)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    /* the names asked for, each one a migration of the folder */
    for (size_t i = 0; i < opts->nnames && !rc; i++) {
        size_t k = 0;
        while (k < n && strcmp(list[k].name, opts->names[i]) != 0)
            k++;
        if (k == n)
            rc = cairn_err(cx, CAIRN_EUSAGE, "no migration named '%s' in %s", opts->names[i],
                           cairn_ctx_get(cx, "out"));
        else
            pick[k] = 1;
    }
    /* a database, for the pending migrations and the data checks */
    const char *url = cairn_ctx_get(cx, "url");
    if (!rc && url && *url) {
        rc = cairn_session_connect(cx, r.s, &r.c);
        if (!rc)
            rc = cairn_conn_introspect(r.c, &r.live);
        if (!rc && !opts->nnames)
            rc = pick_pending(&r, list, n, pick);
    } else if (!rc && !opts->nnames && n) {
        pick[n - 1] = 1;
    }
    for (size_t i = 0; i < n && !rc; i++)
        if (pick[i])
            rc = lint_one(&r, &g, i);
    run_release(&r);
    free(pick);
    cairn_graph_free(&g);
    if (rc) {
        cairn_lint_free(r.v, r.n);
        return rc;
    }
    *out = r.v;
    *count = r.n;
    return 0;
}
