/* DDL for MySQL / MariaDB: a plan in, statements out, every identifier
 * backtick-quoted. No connection: `generate` works offline. Each change
 * is written where the server can run it (the state of a table when a
 * change runs, what waits for a later change); the clauses the statements
 * are made of are in mysqldrv_clause.c. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mysqldrv_partition.h"

static int mysqldrv_create_table(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_table *t = ch->to.table;
    int rc = mysqldrv_part_check(e, t);
    if (rc)
        return rc;
    P(e, "CREATE TABLE ");
    Q(e, t->name);
    P(e, " (");
    const char *sep = "\n  ";
    for (size_t i = 0; i < t->ncolumns; i++) {
        P(e, sep);
        mysqldrv_column_def(e, t, t->columns[i]);
        sep = ",\n  ";
    }
    if (t->primary_key) {
        P(e, sep);
        mysqldrv_pk(e, t->primary_key);
    }
    for (size_t i = 0; i < t->nuniques; i++) {
        P(e, sep);
        P(e, "UNIQUE KEY ");
        if (t->uniques[i]->name) {
            Q(e, t->uniques[i]->name);
            P(e, " ");
        }
        mysqldrv_cols(e, t->uniques[i]->columns, t->uniques[i]->ncolumns);
        P(e, " COMMENT '" MYSQLDRV_UNIQUE_MARK "'");
    }
    for (size_t i = 0; i < t->nindexes; i++) {
        const cairn_index *ix = t->indexes[i];
        int r = mysqldrv_check_index(e, ix);
        if (r)
            return r;
        P(e, sep);
        P(e, mysqldrv_index_kind(ix));
        P(e, "KEY ");
        if (ix->name) {
            Q(e, ix->name);
            P(e, " ");
        }
        mysqldrv_index_parts(e, ix);
        mysqldrv_index_tail(e, ix);
    }
    for (size_t i = 0; i < t->nchecks; i++) {
        if (t->checks[i]->name && e->h->find_column(t, t->checks[i]->name))
            continue; /* on its column */
        P(e, sep);
        mysqldrv_constraint(e, t->checks[i]->name);
        P(e, "CHECK (");
        P(e, t->checks[i]->expr);
        P(e, ")");
    }
    for (size_t i = 0; i < t->nfkeys; i++) {
        /* the host kept back a key whose target is not there yet
         * (CAIRN_CAP_FKEY_NEEDS_TARGET) */
        const cairn_fkey *fk = t->fkeys[i];
        P(e, sep);
        mysqldrv_fk_autoindex(e, t, fk, "", ", ");
        mysqldrv_fkey_def(e, fk);
    }
    P(e, "\n)");
    int nopt = 0;
    rc = mysqldrv_table_options(e, t, &nopt);
    if (rc)
        return rc;
    if (t->comment) {
        P(e, " COMMENT=");
        mysqldrv_literal(e->h, e->b, t->comment);
    }
    if (mysqldrv_part_of(t)) {
        P(e, "\n");
        P(e, mysqldrv_part_of(t));
    }
    rc = mysqldrv_flush(e, 0);
    for (size_t i = 0; !rc && i < t->ntriggers; i++)
        rc = mysqldrv_put_definition(e, t->triggers[i]->name, t->triggers[i]->sql, 0);
    return rc;
}

/* The name the change's table has when the change runs: the plan may put
 * a change before or after the table's RENAME. */
static const char *mysqldrv_table_now(mysqldrv_em *e, const cairn_change *ch)
{
    if (!ch->table_from)
        return ch->table_to->name;
    if (!ch->table_to)
        return ch->table_from->name;
    for (size_t i = 0; i < e->at; i++) {
        const cairn_change *c = e->plan->changes[i];
        if (c->kind == CAIRN_CHANGE_RENAME_TABLE &&
            (c->from.table == ch->table_from || c->to.table == ch->table_to))
            return ch->table_to->name;
    }
    return ch->table_from->name;
}

static void mysqldrv_alter_prefix(mysqldrv_em *e, const cairn_change *ch)
{
    P(e, "ALTER TABLE ");
    Q(e, mysqldrv_table_now(e, ch));
    P(e, " ");
}

/* "<head>`name`" as a statement of its own: DROP TABLE, DROP VIEW, ... */
static int mysqldrv_drop(mysqldrv_em *e, const char *head, const char *name, uint32_t flags)
{
    P(e, head);
    Q(e, name);
    return mysqldrv_flush(e, flags);
}

/* "ALTER TABLE `table` <what>`name`" as a statement of its own. */
static int mysqldrv_alter_drop(mysqldrv_em *e, const char *table, const char *what,
                               const char *name, uint32_t flags)
{
    P(e, "ALTER TABLE ");
    Q(e, table);
    P(e, " ");
    P(e, what);
    Q(e, name);
    return mysqldrv_flush(e, flags);
}

/* Is column `name` of the table there when change `at` runs? */
static int mysqldrv_column_ready(mysqldrv_em *e, const cairn_change *ch, const char *name)
{
    const cairn_table *from = ch->table_from;
    int exists = from && e->h->find_column(from, name) != NULL;
    for (size_t i = 0; i < e->at; i++) {
        const cairn_change *c = e->plan->changes[i];
        if (c->table_to != ch->table_to)
            continue;
        if ((c->kind == CAIRN_CHANGE_ADD_COLUMN || c->kind == CAIRN_CHANGE_RENAME_COLUMN) &&
            !strcmp(c->to.column->name, name))
            exists = 1;
        else if ((c->kind == CAIRN_CHANGE_DROP_COLUMN ||
                  c->kind == CAIRN_CHANGE_RENAME_COLUMN) &&
                 !strcmp(c->from.column->name, name))
            exists = 0;
    }
    return exists;
}

static int mysqldrv_key_has(const cairn_key *k, const char *name)
{
    for (size_t i = 0; k && i < k->ncolumns; i++)
        if (!strcmp(k->columns[i], name))
            return 1;
    return 0;
}

/* A column turning AUTO_INCREMENT (added, or altered from a plain one)
 * whose primary key the plan adds later: the server wants the key first
 * (error 1075), so the column goes in without AUTO_INCREMENT and the
 * primary key change sets it (mysqldrv_set_pk). `was` is the column
 * before, NULL for one added. */
static int mysqldrv_ai_later(mysqldrv_em *e, size_t at, const cairn_column *was,
                             const cairn_column *col)
{
    const cairn_change *ch = e->plan->changes[at];
    if (col->identity == CAIRN_IDENTITY_NONE || (was && was->identity != CAIRN_IDENTITY_NONE))
        return 0;
    for (size_t i = at + 1; i < e->plan->nchanges; i++) {
        const cairn_change *c = e->plan->changes[i];
        if (c->kind == CAIRN_CHANGE_SET_PRIMARY_KEY && c->table_to == ch->table_to &&
            mysqldrv_key_has(c->to.key, col->name))
            return 1;
    }
    return 0;
}

/* Does DROP COLUMN change `at` take the table's last column (error 1090)
 * while the plan adds others later? Then it waits for the first of them
 * (mysqldrv_add_column). */
static int mysqldrv_drop_waits(mysqldrv_em *e, size_t at)
{
    const cairn_change *ch = e->plan->changes[at];
    if (ch->kind != CAIRN_CHANGE_DROP_COLUMN || !ch->table_from)
        return 0;
    size_t alive = ch->table_from->ncolumns;
    for (size_t i = 0; i < at; i++) {
        const cairn_change *c = e->plan->changes[i];
        if (c->table_to == ch->table_to && c->kind == CAIRN_CHANGE_ADD_COLUMN)
            alive++;
        else if (c->table_to == ch->table_to && c->kind == CAIRN_CHANGE_DROP_COLUMN)
            alive--;
    }
    if (alive != 1)
        return 0;
    for (size_t i = at + 1; i < e->plan->nchanges; i++)
        if (e->plan->changes[i]->table_to == ch->table_to &&
            e->plan->changes[i]->kind == CAIRN_CHANGE_ADD_COLUMN)
            return 1;
    return 0;
}

/* An AUTO_INCREMENT column added where the plan then adds the primary key
 * on it, with no key before and its other columns there: the key goes in
 * the ADD COLUMN, so the rows present are numbered as the column fills
 * (added without AUTO_INCREMENT, every row would get 0 and the key fail).
 * Returns that primary key change, which then does nothing. */
static const cairn_change *mysqldrv_ai_pk(mysqldrv_em *e, size_t at)
{
    const cairn_change *ch = e->plan->changes[at];
    if (ch->kind != CAIRN_CHANGE_ADD_COLUMN || ch->to.column->identity == CAIRN_IDENTITY_NONE)
        return NULL;
    for (size_t i = at + 1; i < e->plan->nchanges; i++) {
        const cairn_change *c = e->plan->changes[i];
        if (c->kind != CAIRN_CHANGE_SET_PRIMARY_KEY || c->table_to != ch->table_to)
            continue;
        if (c->from.key || !mysqldrv_key_has(c->to.key, ch->to.column->name))
            return NULL;
        size_t saved = e->at;
        int ready = 1;
        e->at = at;
        for (size_t k = 0; k < c->to.key->ncolumns && ready; k++)
            ready = !strcmp(c->to.key->columns[k], ch->to.column->name) ||
                    mysqldrv_column_ready(e, ch, c->to.key->columns[k]);
        e->at = saved;
        return ready ? c : NULL;
    }
    return NULL;
}

/* Keep the declared column order: AFTER the nearest earlier column that
 * exists when the change runs, or FIRST when none does. */
static void mysqldrv_place(mysqldrv_em *e, const cairn_change *ch, const cairn_table *t,
                           const cairn_column *col)
{
    size_t pos = 0;
    while (pos < t->ncolumns && t->columns[pos] != col)
        pos++;
    if (pos == t->ncolumns)
        return;
    for (size_t i = pos; i-- > 0;) {
        if (mysqldrv_column_ready(e, ch, t->columns[i]->name)) {
            P(e, " AFTER ");
            Q(e, t->columns[i]->name);
            return;
        }
    }
    P(e, " FIRST");
}

static int mysqldrv_add_column(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_table *t = ch->table_to;
    const cairn_column *col = ch->to.column;
    mysqldrv_alter_prefix(e, ch);
    P(e, "ADD COLUMN ");
    const cairn_change *pk = mysqldrv_ai_pk(e, e->at);
    mysqldrv_column_spec(e, t, col, pk || !mysqldrv_ai_later(e, e->at, NULL, col));
    mysqldrv_place(e, ch, t, col);
    if (pk) {
        P(e, ", ADD ");
        mysqldrv_pk(e, pk->to.key);
    }
    int rc = mysqldrv_flush(e, 0);
    /* the first column added: now the drop that waited for one can run */
    for (size_t i = 0; i < e->at && !rc; i++) {
        const cairn_change *c = e->plan->changes[i];
        if (c->table_to == ch->table_to && c->kind == CAIRN_CHANGE_ADD_COLUMN)
            return 0;
    }
    for (size_t i = 0; i < e->at && !rc; i++) {
        if (e->plan->changes[i]->table_to != ch->table_to || !mysqldrv_drop_waits(e, i))
            continue;
        rc = mysqldrv_alter_drop(e, mysqldrv_table_now(e, ch), "DROP COLUMN ",
                                 e->plan->changes[i]->from.column->name, CAIRN_STMT_DESTRUCTIVE);
    }
    return rc;
}

/* An index of the table as it is when change `at` runs, by name: the old
 * one unless the plan dropped it before, the new one if the plan made it. */
static const cairn_index *mysqldrv_index_now(mysqldrv_em *e, const cairn_change *ch,
                                             const char *name)
{
    const cairn_index *now = NULL;
    for (size_t i = 0; ch->table_from && i < ch->table_from->nindexes; i++)
        if (ch->table_from->indexes[i]->name && !strcmp(ch->table_from->indexes[i]->name, name))
            now = ch->table_from->indexes[i];
    for (size_t i = 0; i < e->at; i++) {
        const cairn_change *c = e->plan->changes[i];
        if (c->table_to != ch->table_to)
            continue;
        if (c->kind == CAIRN_CHANGE_DROP_INDEX && !strcmp(c->from.index->name, name))
            now = NULL;
        else if (c->kind == CAIRN_CHANGE_CREATE_INDEX && c->to.index->name &&
                 !strcmp(c->to.index->name, name))
            now = c->to.index;
    }
    return now;
}

static int mysqldrv_index_old(const cairn_change *ch, const char *name)
{
    for (size_t i = 0; ch->table_from && i < ch->table_from->nindexes; i++)
        if (ch->table_from->indexes[i]->name && !strcmp(ch->table_from->indexes[i]->name, name))
            return 1;
    return 0;
}

static int mysqldrv_index_has(const cairn_index *ix, const char *a, const char *b)
{
    for (size_t i = 0; i < ix->nparts; i++)
        if (ix->parts[i]->column &&
            (!strcmp(ix->parts[i]->column, a) || !strcmp(ix->parts[i]->column, b)))
            return 1;
    return 0;
}

/* The indexes on the column as they are now, dropped (add = 0) or added
 * back (add = 1) inside the ALTER that rebuilds the column. */
static void mysqldrv_rebuild_indexes(mysqldrv_em *e, const cairn_change *ch, int add)
{
    const char *a = ch->from.column->name, *b = ch->to.column->name;
    const cairn_table *tabs[2] = {ch->table_from, ch->table_to};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; tabs[k] && i < tabs[k]->nindexes; i++) {
            const char *name = tabs[k]->indexes[i]->name;
            const cairn_index *ix = name ? mysqldrv_index_now(e, ch, name) : NULL;
            /* each name once: the old table's, or the new one's if only there */
            if (!ix || !mysqldrv_index_has(ix, a, b) || (k == 1 && mysqldrv_index_old(ch, name)))
                continue;
            if (add) {
                P(e, ", ADD ");
                P(e, mysqldrv_index_kind(ix));
                P(e, "INDEX ");
                Q(e, name);
                P(e, " ");
                mysqldrv_index_parts(e, ix);
                mysqldrv_index_tail(e, ix);
            } else {
                P(e, "DROP INDEX ");
                Q(e, name);
                P(e, ", ");
            }
        }
    }
}

/* MariaDB and MySQL cannot MODIFY a column between generated and regular,
 * or between VIRTUAL and STORED (error 1907 / 3106): the column is dropped
 * and added back in its place, in one ALTER that also drops and adds back
 * the indexes on it. A generated column's values are derived, so nothing
 * is lost; one that turns regular keeps its values through a copy. */
static int mysqldrv_rebuild_column(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_column *from = ch->from.column, *to = ch->to.column;
    const char *now = mysqldrv_column_ready(e, ch, to->name) ? to->name : from->name;
    static const char tmp[] = "cairn__regular";
    if (!to->generated) {
        mysqldrv_alter_prefix(e, ch);
        P(e, "ADD COLUMN ");
        Q(e, tmp);
        P(e, " ");
        P(e, to->type ? to->type : "text");
        P(e, " AFTER ");
        Q(e, now);
        int rc = mysqldrv_flush(e, 0);
        if (rc)
            return rc;
        P(e, "UPDATE ");
        Q(e, mysqldrv_table_now(e, ch));
        P(e, " SET ");
        Q(e, tmp);
        P(e, " = ");
        Q(e, now);
        rc = mysqldrv_flush(e, 0);
        if (rc)
            return rc;
    }
    mysqldrv_alter_prefix(e, ch);
    mysqldrv_rebuild_indexes(e, ch, 0);
    P(e, "DROP COLUMN ");
    Q(e, now);
    if (!to->generated) {
        P(e, ", CHANGE COLUMN ");
        Q(e, tmp);
        P(e, " ");
        mysqldrv_column_def(e, ch->table_to, to);
    } else {
        P(e, ", ADD COLUMN ");
        mysqldrv_column_def(e, ch->table_to, to);
        mysqldrv_place(e, ch, ch->table_to, to);
    }
    mysqldrv_rebuild_indexes(e, ch, 1);
    /* a regular column's values are replaced by the expression's */
    return mysqldrv_flush(e, from->generated ? 0 : CAIRN_STMT_DESTRUCTIVE);
}

/* A primary key added, changed or dropped. Where DROP COLUMN already took
 * the old key with its last column, there is nothing to drop (error 1091).
 * The columns that wait for the key to turn AUTO_INCREMENT (see
 * mysqldrv_ai_later) turn in the same statement. */
static int mysqldrv_set_pk(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_key *from = ch->from.key, *to = ch->to.key;
    int rc = to ? mysqldrv_part_check(e, ch->table_to) : 0;
    if (rc)
        return rc;
    for (size_t i = 0; i < e->at; i++)
        if (mysqldrv_ai_pk(e, i) == ch)
            return 0;
    size_t gone = 0;
    for (size_t i = 0; i < e->at && from; i++) {
        const cairn_change *c = e->plan->changes[i];
        if (c->kind == CAIRN_CHANGE_DROP_COLUMN && c->table_to == ch->table_to &&
            mysqldrv_key_has(from, c->from.column->name))
            gone++;
    }
    int drop = from && gone < from->ncolumns;
    if (!drop && !to)
        return 0;
    mysqldrv_alter_prefix(e, ch);
    if (drop)
        P(e, "DROP PRIMARY KEY");
    if (to) {
        if (drop)
            P(e, ", ");
        P(e, "ADD ");
        mysqldrv_pk(e, to);
        for (size_t i = 0; i < e->at; i++) {
            const cairn_change *c = e->plan->changes[i];
            if (c->table_to != ch->table_to ||
                (c->kind != CAIRN_CHANGE_ADD_COLUMN && c->kind != CAIRN_CHANGE_ALTER_COLUMN) ||
                !mysqldrv_key_has(to, c->to.column->name))
                continue;
            const cairn_column *was =
                c->kind == CAIRN_CHANGE_ALTER_COLUMN ? c->from.column : NULL;
            if (!mysqldrv_ai_later(e, i, was, c->to.column))
                continue;
            P(e, ", MODIFY COLUMN ");
            mysqldrv_column_def(e, c->table_to, c->to.column);
        }
    }
    return mysqldrv_flush(e, to ? 0 : CAIRN_STMT_DESTRUCTIVE);
}

static int mysqldrv_create_index(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_index *ix = ch->to.index;
    int rc = mysqldrv_check_index(e, ix);
    if (!rc && ix->unique)
        rc = mysqldrv_part_check(e, ch->table_to);
    if (rc)
        return rc;
    if (!ix->name)
        return e->h->error(e->hc, CAIRN_ESCHEMA, NULL, "mysql: table %s: an index needs a name",
                           ch->table_to->name);
    P(e, "CREATE ");
    P(e, mysqldrv_index_kind(ix));
    P(e, "INDEX ");
    Q(e, ix->name);
    P(e, " ON ");
    Q(e, mysqldrv_table_now(e, ch));
    P(e, " ");
    mysqldrv_index_parts(e, ix);
    mysqldrv_index_tail(e, ix);
    return mysqldrv_flush(e, 0);
}

/* After a foreign key goes, the index the server made for it stays behind
 * unless the schema declares it; drop it so the database converges. The
 * server names it after the constraint, or, for a key given without a
 * name, after its first column. IF EXISTS: MariaDB 10.1.4+. */
static int mysqldrv_drop_fk_index(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_fkey *fk = ch->from.fkey;
    const cairn_table *to = ch->table_to, *from = ch->table_from;
    if (!fk->name || !to || !fk->ncolumns)
        return 0;
    /* only when every column of the key survives: else DROP COLUMN takes it */
    for (size_t i = 0; i < fk->ncolumns; i++)
        if (!e->h->find_column(to, fk->columns[i]))
            return 0;
    /* the first column's index may serve another key that stays */
    int shared = 0;
    for (size_t i = 0; i < to->nfkeys && !shared; i++)
        shared = to->fkeys[i]->ncolumns && (!to->fkeys[i]->name ||
                 strcmp(to->fkeys[i]->name, fk->name)) &&
                 !strcmp(to->fkeys[i]->columns[0], fk->columns[0]);
    const char *names[2] = {fk->name, shared ? NULL : fk->columns[0]};
    int n = 0;
    for (int k = 0; k < 2; k++) {
        if (!names[k] || mysqldrv_index_named(to, names[k]) ||
            mysqldrv_index_named(from, names[k]) || (k && !strcmp(names[0], names[1])))
            continue;
        n++ ? P(e, ", ") : mysqldrv_alter_prefix(e, ch);
        P(e, "DROP INDEX IF EXISTS ");
        Q(e, names[k]);
    }
    if (!n)
        return 0;
    return mysqldrv_flush(e, 0);
}

/* A foreign key of the table that stays through the whole plan, the
 * index being dropped serving it and no declared index taking over: the
 * server refuses to drop its last index (error 1553). A key given without
 * a name (mysqldrv_fk_autonamed) gets the index the server would have made
 * in the same ALTER. This is a database where such a key's index was named
 * after the key. */
static const cairn_fkey *mysqldrv_index_fk(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_table *to = ch->table_to;
    const cairn_index *ix = ch->from.index;
    const char *cols[64];
    size_t n = ix->nparts < 64 ? ix->nparts : 64;
    for (size_t k = 0; k < n; k++)
        cols[k] = ix->parts[k]->length ? NULL : ix->parts[k]->column;
    for (size_t i = 0; to && i < to->nfkeys; i++) {
        const cairn_fkey *fk = to->fkeys[i];
        if (!fk->ncolumns || !mysqldrv_fk_autonamed(to->name, fk->name) ||
            !mysqldrv_fk_led(fk, cols, n))
            continue;
        int changed = 0;
        for (size_t j = 0; j < e->plan->nchanges && !changed; j++) {
            const cairn_change *c = e->plan->changes[j];
            changed = c->table_to == to && c->kind == CAIRN_CHANGE_DROP_FOREIGN_KEY &&
                      c->from.fkey->name && !strcmp(c->from.fkey->name, fk->name);
        }
        if (!changed)
            return fk;
    }
    return NULL;
}

static int mysqldrv_drop_index(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_fkey *fk = mysqldrv_index_fk(e, ch);
    mysqldrv_alter_prefix(e, ch);
    P(e, "DROP INDEX ");
    Q(e, ch->from.index->name);
    if (fk)
        mysqldrv_fk_autoindex(e, ch->table_to, fk, ", ADD ", "");
    return mysqldrv_flush(e, 0);
}

/* A column's check added or dropped: MODIFY the column to its new
 * definition, which carries its check or none. Nothing when the plan adds
 * the column (its ADD COLUMN has the check) or drops it (the check goes
 * with it). */
static int mysqldrv_modify_check(mysqldrv_em *e, const cairn_change *ch, const char *column)
{
    const cairn_column *col = e->h->find_column(ch->table_to, column);
    if (!col || !mysqldrv_column_ready(e, ch, column))
        return 0;
    for (size_t i = 0; i < e->at; i++) {
        const cairn_change *c = e->plan->changes[i];
        if (c->kind == CAIRN_CHANGE_ADD_COLUMN && c->to.column == col)
            return 0;
    }
    mysqldrv_alter_prefix(e, ch);
    P(e, "MODIFY COLUMN ");
    mysqldrv_column_def(e, ch->table_to, col);
    return mysqldrv_flush(e, 0);
}

/* ---- one function per change kind ----------------------------------------- */

/* The server drops a unique key, check or foreign key by its name only. */
static int mysqldrv_unnamed(mysqldrv_em *e, const cairn_change *ch, const char *what)
{
    return e->h->error(e->hc, CAIRN_ESCHEMA, NULL, "mysql: table %s: cannot drop an unnamed %s",
                       ch->table_from->name, what);
}

static int mysqldrv_rename_table(mysqldrv_em *e, const cairn_change *ch)
{
    P(e, "RENAME TABLE ");
    Q(e, ch->from.table->name);
    P(e, " TO ");
    Q(e, ch->to.table->name);
    return mysqldrv_flush(e, 0);
}

static int mysqldrv_drop_column(mysqldrv_em *e, const cairn_change *ch)
{
    if (mysqldrv_drop_waits(e, e->at))
        return 0; /* mysqldrv_add_column runs it */
    return mysqldrv_alter_drop(e, mysqldrv_table_now(e, ch), "DROP COLUMN ",
                               ch->from.column->name, CAIRN_STMT_DESTRUCTIVE);
}

static int mysqldrv_rename_column(mysqldrv_em *e, const cairn_change *ch)
{
    mysqldrv_alter_prefix(e, ch);
    P(e, "RENAME COLUMN ");
    Q(e, ch->from.column->name);
    P(e, " TO ");
    Q(e, ch->to.column->name);
    return mysqldrv_flush(e, 0);
}

/* A column that moves (CAIRN_ALTER_POSITION): as it is, named as it is
 * now, after the nearest earlier column of the new order that exists (the
 * plan adds the others after the moves), or FIRST. */
static int mysqldrv_move_column(mysqldrv_em *e, const cairn_change *ch)
{
    cairn_column now = *ch->from.column;
    now.name = ch->to.column->name;
    mysqldrv_alter_prefix(e, ch);
    P(e, "MODIFY COLUMN ");
    mysqldrv_column_def(e, ch->table_from, &now);
    mysqldrv_place(e, ch, ch->table_to, ch->to.column);
    return mysqldrv_flush(e, 0);
}

/* A default alone changes without rebuilding the table; a change between
 * generated and regular (or VIRTUAL and STORED) rebuilds the column; a
 * column turning AUTO_INCREMENT may wait for its primary key. */
static int mysqldrv_alter_column(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_column *from = ch->from.column, *to = ch->to.column;
    uint32_t destructive = (ch->flags & CAIRN_CHANGE_DESTRUCTIVE) ? CAIRN_STMT_DESTRUCTIVE : 0;
    if (ch->alter == CAIRN_ALTER_POSITION)
        return mysqldrv_move_column(e, ch);
    if (ch->alter != CAIRN_ALTER_DEFAULT &&
        (!from->generated != !to->generated ||
         (to->generated && !from->generated_stored != !to->generated_stored)))
        return mysqldrv_rebuild_column(e, ch);
    int later = ch->alter != CAIRN_ALTER_DEFAULT && mysqldrv_ai_later(e, e->at, from, to);
    if (later && ch->alter == CAIRN_ALTER_IDENTITY)
        return 0; /* all of it waits for the primary key */
    mysqldrv_alter_prefix(e, ch);
    if (ch->alter == CAIRN_ALTER_DEFAULT) {
        P(e, "ALTER COLUMN ");
        Q(e, to->name);
        if (to->default_expr) {
            P(e, " SET DEFAULT ");
            int lit = mysqldrv_default_is_literal(to->default_expr);
            P(e, lit ? "" : "(");
            P(e, to->default_expr);
            P(e, lit ? "" : ")");
        } else {
            P(e, " DROP DEFAULT");
        }
    } else {
        P(e, "MODIFY COLUMN ");
        mysqldrv_column_spec(e, ch->table_to, to, !later);
    }
    return mysqldrv_flush(e, destructive);
}

static int mysqldrv_add_unique(mysqldrv_em *e, const cairn_change *ch)
{
    int rc = mysqldrv_part_check(e, ch->table_to);
    if (rc)
        return rc;
    mysqldrv_alter_prefix(e, ch);
    P(e, "ADD ");
    mysqldrv_constraint(e, ch->to.key->name);
    P(e, "UNIQUE ");
    mysqldrv_cols(e, ch->to.key->columns, ch->to.key->ncolumns);
    P(e, " COMMENT '" MYSQLDRV_UNIQUE_MARK "'");
    return mysqldrv_flush(e, 0);
}

static int mysqldrv_drop_unique(mysqldrv_em *e, const cairn_change *ch)
{
    if (!ch->from.key->name)
        return mysqldrv_unnamed(e, ch, "unique key");
    return mysqldrv_alter_drop(e, mysqldrv_table_now(e, ch), "DROP INDEX ", ch->from.key->name,
                               0);
}

/* A check named after a column is that column's (mysqldrv_column_check). */
static int mysqldrv_add_check(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_check *ck = ch->to.check;
    if (ck->name && e->h->find_column(ch->table_to, ck->name))
        return mysqldrv_modify_check(e, ch, ck->name);
    mysqldrv_alter_prefix(e, ch);
    P(e, "ADD ");
    mysqldrv_constraint(e, ck->name);
    P(e, "CHECK (");
    P(e, ck->expr);
    P(e, ")");
    return mysqldrv_flush(e, 0);
}

static int mysqldrv_drop_check(mysqldrv_em *e, const cairn_change *ch)
{
    const char *name = ch->from.check->name;
    if (!name)
        return mysqldrv_unnamed(e, ch, "check");
    if (e->h->find_column(ch->table_from, name))
        return mysqldrv_modify_check(e, ch, name);
    return mysqldrv_alter_drop(e, mysqldrv_table_now(e, ch), "DROP CONSTRAINT ", name, 0);
}

/* "ALTER TABLE `table` [ADD KEY ..., ]ADD CONSTRAINT ... FOREIGN KEY ..."
 * for key `fk` of table `t`, named `table` when the statement runs. */
static int mysqldrv_add_fkey_to(mysqldrv_em *e, const char *table, const cairn_table *t,
                                const cairn_fkey *fk)
{
    P(e, "ALTER TABLE ");
    Q(e, table);
    P(e, " ");
    mysqldrv_fk_autoindex(e, t, fk, "ADD ", ", ");
    P(e, "ADD ");
    mysqldrv_fkey_def(e, fk);
    return mysqldrv_flush(e, 0);
}

static int mysqldrv_drop_fkey(mysqldrv_em *e, const cairn_change *ch)
{
    const char *name = ch->from.fkey->name;
    if (!name)
        return mysqldrv_unnamed(e, ch, "foreign key");
    int rc = mysqldrv_alter_drop(e, mysqldrv_table_now(e, ch), "DROP FOREIGN KEY ", name, 0);
    return rc ? rc : mysqldrv_drop_fk_index(e, ch);
}

static int mysqldrv_create_view(mysqldrv_em *e, const cairn_change *ch)
{
    const cairn_view *v = ch->to.view;
    if (v->materialized)
        return e->h->error(e->hc, CAIRN_EUNSUPPORTED, NULL,
                           "mysql: view %s: materialized views are not supported", v->name);
    const char *algorithm = NULL, *security = NULL, *check = NULL;
    int rc = mysqldrv_view_options(e, v, &algorithm, &security, &check);
    if (rc)
        return rc;
    P(e, "CREATE OR REPLACE ");
    if (algorithm) {
        P(e, "ALGORITHM=");
        P(e, algorithm);
        P(e, " ");
    }
    mysqldrv_view_definer_put(e, v);
    if (security) {
        P(e, "SQL SECURITY ");
        P(e, security);
        P(e, " ");
    }
    P(e, "VIEW ");
    Q(e, v->name);
    P(e, " AS ");
    P(e, v->definition);
    if (check) {
        P(e, " WITH ");
        P(e, check);
        P(e, " CHECK OPTION");
    }
    return mysqldrv_flush(e, 0);
}

static int mysqldrv_set_comment(mysqldrv_em *e, const cairn_change *ch)
{
    mysqldrv_alter_prefix(e, ch);
    P(e, "COMMENT=");
    mysqldrv_literal(e->h, e->b, ch->to.table->comment ? ch->to.table->comment : "");
    return mysqldrv_flush(e, 0);
}

static int mysqldrv_set_options(mysqldrv_em *e, const cairn_change *ch)
{
    int rc = mysqldrv_part_check(e, ch->to.table);
    if (rc)
        return rc;
    if (!mysqldrv_options_differ_besides_partition(ch->table_from, ch->to.table))
        return mysqldrv_part_emit(e, mysqldrv_table_now(e, ch),
                                  mysqldrv_part_of(ch->table_from), mysqldrv_part_of(ch->to.table));
    P(e, "ALTER TABLE ");
    Q(e, mysqldrv_table_now(e, ch));
    int nopt = 0;
    rc = mysqldrv_table_options(e, ch->to.table, &nopt);
    if (rc)
        return rc;
    /* an option the schema no longer states goes back to the default */
    mysqldrv_options_reset(e, ch->table_from, ch->to.table, &nopt);
    if (!nopt)
        e->h->buf_reset(e->b); /* keeps a failure, for emit to report */
    else if ((rc = mysqldrv_flush(e, 0)) != 0)
        return rc;
    /* partitions last: a new partitioning may use what the options set */
    return mysqldrv_part_emit(e, mysqldrv_table_now(e, ch), mysqldrv_part_of(ch->table_from),
                              mysqldrv_part_of(ch->to.table));
}

static int mysqldrv_change(mysqldrv_em *e, const cairn_change *ch)
{
    switch (ch->kind) {
    case CAIRN_CHANGE_CREATE_TABLE:
        return mysqldrv_create_table(e, ch);
    case CAIRN_CHANGE_DROP_TABLE:
        return mysqldrv_drop(e, "DROP TABLE ", ch->from.table->name, CAIRN_STMT_DESTRUCTIVE);
    case CAIRN_CHANGE_RENAME_TABLE:
        return mysqldrv_rename_table(e, ch);
    case CAIRN_CHANGE_ADD_COLUMN:
        return mysqldrv_add_column(e, ch);
    case CAIRN_CHANGE_DROP_COLUMN:
        return mysqldrv_drop_column(e, ch);
    case CAIRN_CHANGE_RENAME_COLUMN:
        return mysqldrv_rename_column(e, ch);
    case CAIRN_CHANGE_ALTER_COLUMN:
        return mysqldrv_alter_column(e, ch);
    case CAIRN_CHANGE_SET_PRIMARY_KEY:
        return mysqldrv_set_pk(e, ch);
    case CAIRN_CHANGE_ADD_UNIQUE:
        return mysqldrv_add_unique(e, ch);
    case CAIRN_CHANGE_DROP_UNIQUE:
        return mysqldrv_drop_unique(e, ch);
    case CAIRN_CHANGE_ADD_CHECK:
        return mysqldrv_add_check(e, ch);
    case CAIRN_CHANGE_DROP_CHECK:
        return mysqldrv_drop_check(e, ch);
    case CAIRN_CHANGE_ADD_FOREIGN_KEY:
        return mysqldrv_add_fkey_to(e, mysqldrv_table_now(e, ch), ch->table_to, ch->to.fkey);
    case CAIRN_CHANGE_DROP_FOREIGN_KEY:
        return mysqldrv_drop_fkey(e, ch);
    case CAIRN_CHANGE_CREATE_INDEX:
        return mysqldrv_create_index(e, ch);
    case CAIRN_CHANGE_DROP_INDEX:
        return mysqldrv_drop_index(e, ch);
    case CAIRN_CHANGE_CREATE_TRIGGER:
        return mysqldrv_put_definition(e, ch->to.trigger->name, ch->to.trigger->sql, 0);
    case CAIRN_CHANGE_DROP_TRIGGER:
        return mysqldrv_drop(e, "DROP TRIGGER ", ch->from.trigger->name, 0);
    case CAIRN_CHANGE_CREATE_VIEW:
        return mysqldrv_create_view(e, ch);
    case CAIRN_CHANGE_DROP_VIEW:
        return mysqldrv_drop(e, "DROP VIEW ", ch->from.view->name, 0);
    case CAIRN_CHANGE_SET_TABLE_COMMENT:
        return mysqldrv_set_comment(e, ch);
    case CAIRN_CHANGE_SET_TABLE_OPTIONS:
        return mysqldrv_set_options(e, ch);
    case CAIRN_CHANGE_CREATE_NAMESPACE:
    case CAIRN_CHANGE_DROP_NAMESPACE:
    case CAIRN_CHANGE_CREATE_ENUM:
    case CAIRN_CHANGE_ALTER_ENUM:
    case CAIRN_CHANGE_DROP_ENUM:
    case CAIRN_CHANGE_CREATE_SEQUENCE:
    case CAIRN_CHANGE_ALTER_SEQUENCE:
    case CAIRN_CHANGE_DROP_SEQUENCE:
    /* never planned without CAIRN_CAP_CONSTRAINT_OPTIONS / _COMMENTS */
    case CAIRN_CHANGE_ALTER_KEY:
    case CAIRN_CHANGE_ALTER_CHECK:
    case CAIRN_CHANGE_ALTER_FOREIGN_KEY:
    case CAIRN_CHANGE_ALTER_TRIGGER:
        break;
    case CAIRN_CHANGE_CREATE_OBJECT:
    case CAIRN_CHANGE_DROP_OBJECT:
    case CAIRN_CHANGE_REPLACE_OBJECT:
        return mysqldrv_emit_object(e, ch);
    }
    return e->h->error(e->hc, CAIRN_EUNSUPPORTED, NULL,
                       "mysql: change kind %d is not supported by this dialect", (int)ch->kind);
}

/* ---- the order of a plan's changes ---------------------------------------- */

/* A change whose statements delete rows: DROP TABLE, DROP COLUMN, a
 * partition dropped. */
static int mysqldrv_drops_rows(const cairn_change *ch)
{
    int drops = 0;
    if (ch->kind == CAIRN_CHANGE_DROP_TABLE || ch->kind == CAIRN_CHANGE_DROP_COLUMN)
        return 1;
    if (ch->kind == CAIRN_CHANGE_SET_TABLE_OPTIONS)
        mysqldrv_part_kind_of(mysqldrv_part_of(ch->table_from), mysqldrv_part_of(ch->to.table),
                              &drops);
    return drops;
}

/* Must drop `d` run before `later`: does `later` need the name `d` frees
 * (a table or view made or renamed to a dropped table's name, a column
 * added or renamed to a dropped column's), is it the new primary key of
 * the table a column leaves (an AUTO_INCREMENT column must stay a key until
 * it goes: error 1075), or does it change a table the dropped table's
 * foreign keys point to (their index must stay while they do)? */
static int mysqldrv_must_precede(const cairn_change *d, const cairn_change *later)
{
    if (d->kind == CAIRN_CHANGE_DROP_COLUMN && later->kind == CAIRN_CHANGE_SET_PRIMARY_KEY &&
        later->table_from == d->table_from)
        return 1;
    for (size_t i = 0; d->kind == CAIRN_CHANGE_DROP_TABLE && later->table_from &&
                       i < d->from.table->nfkeys; i++)
        if (!strcmp(d->from.table->fkeys[i]->ref_table, later->table_from->name))
            return 1;
    if (d->kind == CAIRN_CHANGE_DROP_TABLE) {
        const char *n = d->from.table->name, *m = NULL;
        if (later->kind == CAIRN_CHANGE_CREATE_TABLE || later->kind == CAIRN_CHANGE_RENAME_TABLE)
            m = later->to.table->name;
        else if (later->kind == CAIRN_CHANGE_CREATE_VIEW)
            m = later->to.view->name;
        return m && !strcasecmp(n, m);
    }
    if (d->kind == CAIRN_CHANGE_DROP_COLUMN)
        return (later->kind == CAIRN_CHANGE_ADD_COLUMN ||
                later->kind == CAIRN_CHANGE_RENAME_COLUMN) &&
               later->table_from == d->table_from &&
               !strcasecmp(later->to.column->name, d->from.column->name);
    return 0;
}

/* MySQL commits each DDL statement: a change that fails on existing rows
 * (NOT NULL, UNIQUE, a narrower type, a check) after a drop has run leaves
 * the data gone and the schema half-way. So the changes that delete rows
 * run last, in their order, unless one must run before a later change
 * (mysqldrv_must_precede; `cairn lint` warns of those, CA107). `order` gets
 * the plan's indexes in the order to emit. The `order` slot (ABI 1.5). */
int mysqldrv_order(cairn_dsession *s, const cairn_plan *plan, size_t *order)
{
    (void)s;
    unsigned char *late = calloc(plan->nchanges + 1, 1);
    if (!late)
        return CAIRN_ENOMEM;
    /* from the end: a drop that stays in place keeps the drops before it
     * in place too, so drops never pass each other */
    int pinned = 0;
    for (size_t i = plan->nchanges; i-- > 0;) {
        const cairn_change *ch = plan->changes[i];
        int drop = mysqldrv_drops_rows(ch);
        late[i] = drop && !pinned;
        for (size_t j = i + 1; late[i] && j < plan->nchanges; j++)
            late[i] = !mysqldrv_must_precede(ch, plan->changes[j]);
        pinned |= drop && !late[i];
    }
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < plan->nchanges; i++)
            if (late[i] == pass)
                order[n++] = i;
    free(late);
    return 0;
}

int mysqldrv_emit(cairn_dsession *s, const cairn_plan *plan, cairn_stmts *out)
{
    size_t *order = malloc((plan->nchanges + 1) * sizeof *order);
    cairn_change **changes = malloc((plan->nchanges + 1) * sizeof *changes);
    mysqldrv_em e = {.s = s, .h = s->host, .hc = s->hc, .out = out};
    e.b = s->host->buf_new(s->hc);
    if (!e.b || !order || !changes || mysqldrv_order(s, plan, order)) {
        s->host->buf_free(e.b);
        free(order);
        free(changes);
        return s->host->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    }
    /* the plan in that order: what the changes before one are (the state
     * of its table) follows the order they run in */
    cairn_plan ordered = *plan;
    for (size_t i = 0; i < plan->nchanges; i++)
        changes[i] = plan->changes[order[i]];
    ordered.changes = changes;
    e.plan = &ordered;
    int rc = 0;
    for (size_t i = 0; i < plan->nchanges && !rc; i++) {
        e.at = i;
        rc = mysqldrv_change(&e, changes[i]);
    }
    free(order);
    free(changes);
    /* what no flush asked about: a statement left unwritten (its buffer
     * reset), the triggers of a new table */
    if (!rc)
        rc = s->host->buf_status(e.b);
    if (!rc)
        rc = s->host->stmts_status(out);
    s->host->buf_free(e.b);
    if (rc == CAIRN_ENOMEM)
        s->host->error(s->hc, CAIRN_ENOMEM, NULL, "out of memory");
    return rc;
}
