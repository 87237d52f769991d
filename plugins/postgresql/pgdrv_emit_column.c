/* DDL emission for columns: a column's definition, ADD and RENAME COLUMN,
 * and ALTER COLUMN one aspect at a time (identity, serial and generated
 * columns included). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrv.h"

/* serial types stand for identity "auto" (a sequence owned by the column). */
static const char *pgdrv_serial_type(const char *type)
{
    if (strcmp(type, "integer") == 0)
        return "serial";
    if (strcmp(type, "bigint") == 0)
        return "bigserial";
    if (strcmp(type, "smallint") == 0)
        return "smallserial";
    return NULL;
}

/* The sequence type an identity's or serial's `extra` names ("AS bigint
 * ...", a serial's sequence of another type than its column), or `type`. */
static const char *pgdrv_sequence_type(const char *type, const char *extra, char *buf, size_t size)
{
    if (!extra || strncasecmp(extra, "AS ", 3) != 0)
        return type;
    size_t w = strcspn(extra + 3, " \t\n");
    snprintf(buf, size, "%.*s", (int)w, extra + 3);
    return buf;
}

/* An identity's sequence options as pgdrv_identity_options writes them (or a
 * user in a JSON schema), with PostgreSQL's defaults for a column of `type`
 * (or the sequence type "AS type" names) where one is not given:
 * {start, increment, min, max, cache, cycle}. */
static void pgdrv_parse_identity_options(const char *type, const char *extra, long long v[6])
{
    char seqtype[64], seq[512];
    /* not the column's STORAGE, COMPRESSION and STATISTICS that follow */
    if (extra) {
        snprintf(seq, sizeof seq, "%.*s", (int)pgdrv_extra_seq_len(extra), extra);
        extra = seq;
    }
    type = pgdrv_sequence_type(type, extra, seqtype, sizeof seqtype);
    if (type == seqtype)
        extra += 3 + strlen(seqtype);
    long long tmax = strcmp(type, "smallint") == 0  ? 32767LL
                     : strcmp(type, "integer") == 0 ? 2147483647LL
                                                    : 9223372036854775807LL;
    int has[4] = {0, 0, 0, 0};
    memset(v, 0, 6 * sizeof *v);
    v[1] = v[4] = 1;
    for (const char *p = extra ? extra : ""; *p;) {
        while (isspace((unsigned char)*p))
            p++;
        size_t w = strcspn(p, " \t\n");
        int k = strncasecmp(p, "start", w) == 0 && w == 5       ? 0
                : strncasecmp(p, "increment", w) == 0 && w == 9 ? 1
                : strncasecmp(p, "minvalue", w) == 0 && w == 8  ? 2
                : strncasecmp(p, "maxvalue", w) == 0 && w == 8  ? 3
                : strncasecmp(p, "cache", w) == 0 && w == 5     ? 4
                : strncasecmp(p, "cycle", w) == 0 && w == 5     ? 5
                                                                : -1;
        p += w;
        if (k == 5)
            v[5] = 1;
        if (k < 0 || k == 5)
            continue;
        while (isspace((unsigned char)*p))
            p++;
        if (strncasecmp(p, "with ", 5) == 0 || strncasecmp(p, "by ", 3) == 0)
            p += strcspn(p, " ");
        char *end;
        v[k] = strtoll(p, &end, 10);
        if (k < 4)
            has[k] = 1;
        p = end;
    }
    if (!has[2])
        v[2] = v[1] > 0 ? 1 : -tmax - 1;
    if (!has[3])
        v[3] = v[1] > 0 ? tmax : -1;
    if (!has[0])
        v[0] = v[1] > 0 ? v[2] : v[3];
}

/* `what`, then the identity's sequence options (in `extra`) in parentheses. */
static void pgdrv_identity_clause(pgdrv_emitter *em, const cairn_column *c, const char *what)
{
    em->h->buf_puts(em->b, what);
    size_t n = pgdrv_extra_seq_len(c->extra);
    if (n)
        em->h->buf_printf(em->b, " (%.*s)", (int)n, c->extra);
}

/* Whether a default needs parentheses in a column definition, where
 * PostgreSQL's grammar takes only a b_expr: no AT TIME ZONE, boolean
 * operators, IS, LIKE, IN, ... at the top level. */
static int pgdrv_default_needs_parens(const char *expr)
{
    static const char *const a_only[] = {"at", "and", "or", "not", "is", "isnull", "notnull",
                                         "like", "ilike", "similar", "between", "in", "collate"};
    int depth = 0;
    for (size_t p = 0; expr[p];) {
        if (expr[p] == '(' || expr[p] == '[')
            depth++;
        else if (expr[p] == ')' || expr[p] == ']')
            depth--;
        if (depth == 0 && pgdrv_is_ident_char(expr[p]) && !isdigit((unsigned char)expr[p])) {
            size_t w = p;
            while (pgdrv_is_ident_char(expr[w]))
                w++;
            for (size_t i = 0; i < sizeof a_only / sizeof *a_only; i++)
                if (pgdrv_word_is(expr, p, w, a_only[i]))
                    return 1;
            p = w;
            continue;
        }
        p = pgdrv_is_ident_char(expr[p]) ? p + 1 : pgdrv_skip_token(expr, p);
    }
    return 0;
}

int pgdrv_is_serial_with_options(const cairn_column *c)
{
    return c->identity == CAIRN_IDENTITY_AUTO && pgdrv_extra_seq_len(c->extra) &&
           pgdrv_serial_type(c->type);
}

void pgdrv_column_def(pgdrv_emitter *em, const cairn_column *c)
{
    const cairn_host *h = em->h;
    const char *serial = c->identity == CAIRN_IDENTITY_AUTO ? pgdrv_serial_type(c->type) : NULL;
    pgdrv_quote(em, c->name);
    h->buf_printf(em->b, " %s", serial ? serial : c->type);
    if (c->collation) {
        h->buf_puts(em->b, " COLLATE ");
        pgdrv_quote(em, c->collation);
    }
    if (c->generated)
        h->buf_printf(em->b, " GENERATED ALWAYS AS (%s) %s", c->generated,
                      c->generated_stored ? "STORED" : "VIRTUAL");
    else if (c->identity == CAIRN_IDENTITY_ALWAYS)
        pgdrv_identity_clause(em, c, " GENERATED ALWAYS AS IDENTITY");
    else if (c->identity == CAIRN_IDENTITY_BY_DEFAULT ||
             (c->identity == CAIRN_IDENTITY_AUTO && !serial))
        pgdrv_identity_clause(em, c, " GENERATED BY DEFAULT AS IDENTITY");
    else if (c->default_expr)
        h->buf_printf(em->b, pgdrv_default_needs_parens(c->default_expr) ? " DEFAULT (%s)"
                                                                         : " DEFAULT %s",
                      c->default_expr);
    if (c->not_null && c->not_null_name) {
        /* kept by PostgreSQL 18; older servers take the name and drop it */
        h->buf_puts(em->b, " CONSTRAINT ");
        pgdrv_quote(em, c->not_null_name);
    }
    if (c->not_null)
        h->buf_puts(em->b, " NOT NULL");
}

/* The qualified name of table t as a string literal ('"s"."t"'), into b, for
 * the functions that take a relation by name. */
int pgdrv_table_literal(pgdrv_emitter *em, cairn_buf *b, const cairn_table *t)
{
    const cairn_host *h = em->h;
    cairn_buf *tn = h->buf_new(em->s->hc);
    if (!tn)
        return CAIRN_ENOMEM;
    pgdrv_qname(h, tn, t->schema, t->name);
    int rc = h->buf_status(tn);
    if (!rc)
        h->buf_literal(b, h->buf_cstr(tn));
    h->buf_free(tn);
    return rc;
}

/* A serial column's sequence, dropped once its default is gone. Its name
 * is looked up at run time: a renamed table keeps its old sequence name.
 * The block is an ordinary string literal, so no identifier can end it. */
static int pgdrv_drop_serial_sequence(pgdrv_emitter *em, const cairn_table *t, const char *column)
{
    const cairn_host *h = em->h;
    cairn_buf *body = h->buf_new(em->s->hc);
    if (!body)
        return CAIRN_ENOMEM;
    h->buf_puts(body, "DECLARE s text := pg_catalog.pg_get_serial_sequence(");
    int rc = pgdrv_table_literal(em, body, t);
    h->buf_puts(body, ", ");
    h->buf_literal(body, column);
    h->buf_puts(body, "); BEGIN IF s IS NOT NULL THEN EXECUTE 'DROP SEQUENCE ' || s;"
                      " END IF; END");
    if (!rc)
        rc = h->buf_status(body);
    if (!rc) {
        h->buf_puts(em->b, "DO ");
        h->buf_literal(em->b, h->buf_cstr(body));
        rc = pgdrv_flush(em, 0);
    }
    h->buf_free(body);
    return rc;
}

/* The identity's sequence of `column` moved past the values its rows hold:
 * above the greatest, or below the least when it counts down (`down`); with
 * `start` (an identity with options), only when there are rows and never
 * short of *start, so that a sequence whose bounds exclude 1 or the rows
 * keeps its start. */
static int pgdrv_restart_past_rows(pgdrv_emitter *em, const cairn_table *t, const char *column,
                                   int down, const long long *start)
{
    const cairn_host *h = em->h;
    h->buf_puts(em->b, "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(");
    int rc = pgdrv_table_literal(em, em->b, t);
    h->buf_puts(em->b, ", ");
    h->buf_literal(em->b, column);
    if (start)
        h->buf_puts(em->b, down ? "), LEAST(min(" : "), GREATEST(max(");
    else
        h->buf_puts(em->b, "), COALESCE(max(");
    pgdrv_quote(em, column);
    if (start)
        h->buf_printf(em->b, ") %s 1, %lld), false) FROM ", down ? "-" : "+", *start);
    else
        h->buf_puts(em->b, "), 0) + 1, false) FROM ");
    pgdrv_table_name(em, t);
    if (start)
        h->buf_puts(em->b, " HAVING count(*) > 0");
    return rc ? rc : pgdrv_flush(em, 0);
}

/* Whether `type`, a column's type as format_type() writes it, is an enum of
 * schema s: "mood" (on the search path: public) or "other.mood". */
static int pgdrv_is_enum(const cairn_schema *s, const char *type)
{
    for (size_t i = 0; s && i < s->nenums; i++) {
        const cairn_enum *e = s->enums[i];
        const char *es = e->schema ? e->schema : "public";
        size_t sl = strlen(es);
        if ((strcmp(type, e->name) == 0 && strcmp(es, "public") == 0) ||
            (strncmp(type, es, sl) == 0 && type[sl] == '.' && strcmp(type + sl + 1, e->name) == 0))
            return 1;
    }
    return 0;
}

/* ---- columns added and renamed ---------------------------------------- */

int pgdrv_add_column(pgdrv_emitter *em, const cairn_table *t, const cairn_column *c)
{
    pgdrv_alter_table(em, t);
    em->h->buf_puts(em->b, "ADD COLUMN ");
    pgdrv_column_def(em, c);
    int rc = pgdrv_flush(em, 0);
    if (!rc && pgdrv_is_serial_with_options(c))
        rc = pgdrv_serial_options(em, t, c, 2);
    if (!rc)
        rc = pgdrv_column_storage(em, t, NULL, c);
    if (!rc && c->comment)
        rc = pgdrv_comment(em, "COLUMN", t->schema, t->name, c->name, c->comment);
    return rc;
}

int pgdrv_emit_rename_column(pgdrv_emitter *em, const cairn_change *ch)
{
    pgdrv_alter_table(em, pgdrv_table_after(ch));
    em->h->buf_puts(em->b, "RENAME COLUMN ");
    pgdrv_quote(em, ch->from.column->name);
    em->h->buf_puts(em->b, " TO ");
    pgdrv_quote(em, ch->to.column->name);
    return pgdrv_flush(em, 0);
}

/* ---- ALTER COLUMN, one function per aspect ------------------------------------ */

/* GENERATED ALWAYS or BY DEFAULT AS IDENTITY, as opposed to serial ("auto"). */
static int pgdrv_is_std_identity(int identity)
{
    return identity == CAIRN_IDENTITY_ALWAYS || identity == CAIRN_IDENTITY_BY_DEFAULT;
}

/* "ALTER TABLE <t> ALTER COLUMN <c>" */
static void pgdrv_alter_col(pgdrv_emitter *em, const cairn_table *t, const cairn_column *c)
{
    pgdrv_alter_table(em, t);
    em->h->buf_puts(em->b, "ALTER COLUMN ");
    pgdrv_quote(em, c->name);
}

/* "ALTER TABLE <t> ALTER COLUMN <c><what>" as one statement. */
static int pgdrv_alter_col_stmt(pgdrv_emitter *em, const cairn_table *t, const cairn_column *c,
                                const char *what)
{
    pgdrv_alter_col(em, t, c);
    em->h->buf_puts(em->b, what);
    return pgdrv_flush(em, 0);
}

/* PostgreSQL cannot change a generation expression in place: the column is
 * computed, so dropping and re-adding it loses nothing. A VIRTUAL column
 * that becomes a plain one is re-added empty: that loses its values. */
static int pgdrv_readd_generated(pgdrv_emitter *em, const cairn_change *ch, const cairn_table *t)
{
    const cairn_column *from = ch->from.column, *to = ch->to.column;
    uint32_t lost = !from->generated_stored && !to->generated ? CAIRN_STMT_DESTRUCTIVE : 0;
    int rc = pgdrv_alter_table_drop(em, t, "DROP COLUMN ", ch->from.column->name,
                                    pgdrv_stmt_flags(ch) | lost);
    return rc ? rc : pgdrv_add_column(em, t, ch->to.column);
}

/* serial -> something else: the default goes; the sequence stays owned by
 * the column and is dropped with it. */
static int pgdrv_alter_drop_serial(pgdrv_emitter *em, const cairn_table *t, const cairn_column *to)
{
    int rc = pgdrv_alter_col_stmt(em, t, to, " DROP DEFAULT");
    return rc ? rc : pgdrv_drop_serial_sequence(em, t, to->name);
}

/* TYPE (with USING when the type changes) and COLLATE. */
static int pgdrv_alter_type(pgdrv_emitter *em, const cairn_change *ch, const cairn_table *t)
{
    const cairn_host *h = em->h;
    const cairn_column *from = ch->from.column, *to = ch->to.column;
    pgdrv_alter_col(em, t, to);
    h->buf_printf(em->b, " TYPE %s", to->type);
    if (to->collation) {
        h->buf_puts(em->b, " COLLATE ");
        pgdrv_quote(em, to->collation);
    }
    if (ch->alter & CAIRN_ALTER_TYPE) {
        h->buf_puts(em->b, " USING ");
        pgdrv_quote(em, to->name);
        /* an enum casts to another type only through text */
        if (pgdrv_is_enum(em->plan->from, from->type))
            h->buf_puts(em->b, "::text");
        h->buf_printf(em->b, "::%s", to->type);
    }
    return pgdrv_flush(em, pgdrv_stmt_flags(ch));
}

/* serial <-> bigserial: the sequence takes the column's new type, as it
 * would have had from the start; its name is looked up, it need not be
 * <table>_<column>_seq after renames */
static int pgdrv_alter_serial_type(pgdrv_emitter *em, const cairn_table *t, const cairn_column *to)
{
    const cairn_host *h = em->h;
    h->buf_puts(em->b, "DO $cairn$BEGIN EXECUTE pg_catalog.format('ALTER SEQUENCE %s AS ");
    h->buf_puts(em->b, to->type);
    h->buf_puts(em->b, "', pg_catalog.pg_get_serial_sequence(");
    int rc = pgdrv_table_literal(em, em->b, t);
    h->buf_puts(em->b, ", ");
    h->buf_literal(em->b, to->name);
    h->buf_puts(em->b, ")); END$cairn$");
    return rc ? rc : pgdrv_flush(em, 0);
}

/* A partitioned table's own default: ONLY, since its partitions have their
 * own (pgdrv_partition_defaults) and get theirs in changes of their own. */
int pgdrv_alter_default(pgdrv_emitter *em, const cairn_table *t, const cairn_column *to)
{
    if (pgdrv_table_option(t, "partition_by")) {
        em->h->buf_puts(em->b, "ALTER TABLE ONLY ");
        pgdrv_table_name(em, t);
        em->h->buf_puts(em->b, " ALTER COLUMN ");
        pgdrv_quote(em, to->name);
    } else {
        pgdrv_alter_col(em, t, to);
    }
    if (to->default_expr)
        em->h->buf_printf(em->b, " SET DEFAULT %s", to->default_expr);
    else
        em->h->buf_puts(em->b, " DROP DEFAULT");
    return pgdrv_flush(em, 0);
}

/* An identity's sequence options changed (they ride in `extra`). */
static int pgdrv_alter_identity_options(pgdrv_emitter *em, const cairn_table *t,
                                        const cairn_column *to)
{
    long long v[6];
    pgdrv_parse_identity_options(to->type, to->extra, v);
    pgdrv_alter_col(em, t, to);
    em->h->buf_printf(em->b,
                      " SET INCREMENT BY %lld SET MINVALUE %lld SET MAXVALUE %lld"
                      " SET START WITH %lld SET CACHE %lld SET %sCYCLE RESTART",
                      v[1], v[2], v[3], v[0], v[4], v[5] ? "" : "NO ");
    int rc = pgdrv_flush(em, 0);
    /* restarted at its new start, then past the rows there are */
    return rc ? rc : pgdrv_restart_past_rows(em, t, to->name, v[1] < 0, v);
}

/* The column becomes an identity (`was_std`: it was one of the other kind). */
static int pgdrv_alter_set_identity(pgdrv_emitter *em, const cairn_table *t,
                                    const cairn_column *to, int was_std)
{
    int always = to->identity == CAIRN_IDENTITY_ALWAYS;
    pgdrv_alter_col(em, t, to);
    if (was_std)
        em->h->buf_printf(em->b, " SET GENERATED %s", always ? "ALWAYS" : "BY DEFAULT");
    else
        pgdrv_identity_clause(em, to, always ? " ADD GENERATED ALWAYS AS IDENTITY"
                                             : " ADD GENERATED BY DEFAULT AS IDENTITY");
    int rc = pgdrv_flush(em, 0);
    if (!rc && !was_std) {
        long long v[6];
        pgdrv_parse_identity_options(to->type, to->extra, v);
        rc = pgdrv_restart_past_rows(em, t, to->name, v[1] < 0,
                                     pgdrv_extra_seq_len(to->extra) ? v : NULL);
    }
    return rc;
}

/* A serial column's sequence options (its `extra`, see
 * pgdrv_parse_identity_options), all written out, on the sequence it owns,
 * looked up at run time; `restart` 1: from its start (a new table), 2: and
 * then past the rows there are (a column added to a table with rows). */
int pgdrv_serial_options(pgdrv_emitter *em, const cairn_table *t, const cairn_column *c,
                         int restart)
{
    const cairn_host *h = em->h;
    long long v[6];
    char seqtype[64];
    pgdrv_parse_identity_options(c->type, c->extra, v);
    h->buf_puts(em->b, "DO $cairn$BEGIN EXECUTE pg_catalog.format('ALTER SEQUENCE %s AS ");
    h->buf_printf(em->b,
                  "%s INCREMENT BY %lld MINVALUE %lld MAXVALUE %lld START WITH %lld CACHE %lld"
                  " %sCYCLE%s', pg_catalog.pg_get_serial_sequence(",
                  pgdrv_sequence_type(c->type, c->extra, seqtype, sizeof seqtype), v[1], v[2],
                  v[3], v[0], v[4], v[5] ? "" : "NO ", restart ? " RESTART" : "");
    int rc = pgdrv_table_literal(em, em->b, t);
    h->buf_puts(em->b, ", ");
    h->buf_literal(em->b, c->name);
    h->buf_puts(em->b, ")); END$cairn$");
    rc = rc ? rc : pgdrv_flush(em, 0);
    return rc || restart < 2 ? rc : pgdrv_restart_past_rows(em, t, c->name, v[1] < 0, v);
}

/* The column becomes serial, doing what "serial" does: a sequence owned by
 * the column, its nextval as the default, started past the existing rows. */
static int pgdrv_alter_add_serial(pgdrv_emitter *em, const cairn_table *t, const cairn_column *to)
{
    const cairn_host *h = em->h;
    cairn_buf *seq = h->buf_new(em->s->hc);
    char *sname = malloc(strlen(t->name) + strlen(to->name) + 6);
    int rc = seq && sname ? 0 : CAIRN_ENOMEM;
    if (!rc) {
        sprintf(sname, "%s_%s_seq", t->name, to->name);
        pgdrv_qname(h, seq, t->schema, sname);
        rc = h->buf_status(seq);
    }
    free(sname);
    if (!rc) {
        h->buf_printf(em->b, "CREATE SEQUENCE %s AS %s OWNED BY ", h->buf_cstr(seq), to->type);
        pgdrv_table_name(em, t);
        h->buf_puts(em->b, ".");
        pgdrv_quote(em, to->name);
        rc = pgdrv_flush(em, 0);
    }
    if (!rc) {
        pgdrv_alter_col(em, t, to);
        h->buf_puts(em->b, " SET DEFAULT nextval(");
        h->buf_literal(em->b, h->buf_cstr(seq));
        h->buf_puts(em->b, "::regclass)");
        rc = pgdrv_flush(em, 0);
    }
    if (!rc && pgdrv_extra_seq_len(to->extra)) {
        /* its options, from their start and past the rows */
        rc = pgdrv_serial_options(em, t, to, 2);
    } else if (!rc) {
        h->buf_puts(em->b, "SELECT pg_catalog.setval(");
        h->buf_literal(em->b, h->buf_cstr(seq));
        h->buf_puts(em->b, ", COALESCE(max(");
        pgdrv_quote(em, to->name);
        h->buf_puts(em->b, "), 0) + 1, false) FROM ");
        pgdrv_table_name(em, t);
        rc = pgdrv_flush(em, 0);
    }
    h->buf_free(seq);
    return rc;
}

/* PostgreSQL 18: the NOT NULL constraint of `from` (the server's own name
 * when it has none in the model) renamed to `to`'s (never NULL: see
 * CAIRN_ALTER_NOT_NULL_NAME; the server's as a fallback). */
static int pgdrv_rename_not_null(pgdrv_emitter *em, const cairn_table *t,
                                 const cairn_column *from, const cairn_column *to)
{
    char def_from[200], def_to[200];
    snprintf(def_from, sizeof def_from, "%s_%s_not_null", t->name, from->name);
    snprintf(def_to, sizeof def_to, "%s_%s_not_null", t->name, to->name);
    pgdrv_alter_table(em, t);
    em->h->buf_puts(em->b, "RENAME CONSTRAINT ");
    pgdrv_quote(em, from->not_null_name ? from->not_null_name : def_from);
    em->h->buf_puts(em->b, " TO ");
    pgdrv_quote(em, to->not_null_name ? to->not_null_name : def_to);
    return pgdrv_flush(em, 0);
}

/* ALTER COLUMN: each aspect is its own statement, so an error names it. The
 * order is PostgreSQL's: what would stand in the way of a later aspect goes
 * first (identity, serial default, a default the new type cannot take). */
int pgdrv_emit_alter_column(pgdrv_emitter *em, const cairn_change *ch)
{
    const cairn_table *t = pgdrv_table_after(ch);
    const cairn_column *from = ch->from.column, *to = ch->to.column;
    int id_from = from->identity, id_to = to->identity;
    int rc = 0;
    /* DROP EXPRESSION keeps a STORED column's values; a VIRTUAL one has
     * none to keep, and PostgreSQL 18 refuses it there. */
    if ((ch->alter & CAIRN_ALTER_GENERATED) && from->generated && from->generated_stored &&
        !to->generated)
        rc = pgdrv_alter_col_stmt(em, t, to, " DROP EXPRESSION");
    else if (ch->alter & CAIRN_ALTER_GENERATED)
        return pgdrv_readd_generated(em, ch, t);
    /* Identity first when it goes away: its sequence feeds no default
     * the type change would have to cast. */
    if (!rc && (ch->alter & CAIRN_ALTER_IDENTITY) && pgdrv_is_std_identity(id_from) &&
        !pgdrv_is_std_identity(id_to))
        rc = pgdrv_alter_col_stmt(em, t, to, " DROP IDENTITY IF EXISTS");
    if (!rc && (ch->alter & CAIRN_ALTER_IDENTITY) && id_from == CAIRN_IDENTITY_AUTO)
        rc = pgdrv_alter_drop_serial(em, t, to);
    /* An old default may not cast to the new type ("default for column
     * cannot be cast automatically"): it goes first and comes back after. */
    int redefault = (ch->alter & CAIRN_ALTER_TYPE) && from->default_expr &&
                    from->identity != CAIRN_IDENTITY_AUTO;
    if (!rc && redefault)
        rc = pgdrv_alter_col_stmt(em, t, to, " DROP DEFAULT");
    if (!rc && (ch->alter & (CAIRN_ALTER_TYPE | CAIRN_ALTER_COLLATION)))
        rc = pgdrv_alter_type(em, ch, t);
    if (!rc && (ch->alter & CAIRN_ALTER_TYPE) && id_from == CAIRN_IDENTITY_AUTO &&
        id_to == CAIRN_IDENTITY_AUTO)
        rc = pgdrv_alter_serial_type(em, t, to);
    if (!rc && ((ch->alter & CAIRN_ALTER_DEFAULT) || (redefault && to->default_expr)) &&
        id_to != CAIRN_IDENTITY_AUTO)
        rc = pgdrv_alter_default(em, t, to);
    /* the sequence options at the head of `extra`, not the storage words
     * after them */
    size_t sf = pgdrv_extra_seq_len(from->extra), st = pgdrv_extra_seq_len(to->extra);
    int seq_changed = (ch->alter & CAIRN_ALTER_EXTRA) &&
                      (sf != st || (sf && strncmp(from->extra, to->extra, sf) != 0));
    if (!rc && seq_changed && pgdrv_is_std_identity(id_from) && pgdrv_is_std_identity(id_to))
        rc = pgdrv_alter_identity_options(em, t, to);
    /* a serial's: the sequence keeps counting where it is */
    if (!rc && seq_changed && id_from == CAIRN_IDENTITY_AUTO && id_to == CAIRN_IDENTITY_AUTO &&
        pgdrv_serial_type(to->type))
        rc = pgdrv_serial_options(em, t, to, 0);
    /* a new type has its own STORAGE: all of them again */
    if (!rc && (ch->alter & (CAIRN_ALTER_EXTRA | CAIRN_ALTER_TYPE)))
        rc = pgdrv_column_storage(em, t, (ch->alter & CAIRN_ALTER_TYPE) ? NULL : from, to);
    /* before an identity is added: it needs the column NOT NULL */
    if (!rc && (ch->alter & CAIRN_ALTER_NULLABILITY) && to->not_null && to->not_null_name) {
        /* PostgreSQL 18: a NOT NULL constraint of that name */
        pgdrv_alter_table(em, t);
        em->h->buf_puts(em->b, "ADD CONSTRAINT ");
        pgdrv_quote(em, to->not_null_name);
        em->h->buf_puts(em->b, " NOT NULL ");
        pgdrv_quote(em, to->name);
        rc = pgdrv_flush(em, 0);
    } else if (!rc && (ch->alter & CAIRN_ALTER_NULLABILITY)) {
        rc = pgdrv_alter_col_stmt(em, t, to, to->not_null ? " SET NOT NULL" : " DROP NOT NULL");
    }
    if (!rc && (ch->alter & CAIRN_ALTER_NOT_NULL_NAME))
        rc = pgdrv_rename_not_null(em, t, from, to);
    if (!rc && (ch->alter & CAIRN_ALTER_IDENTITY) && pgdrv_is_std_identity(id_to))
        rc = pgdrv_alter_set_identity(em, t, to, pgdrv_is_std_identity(id_from));
    else if (!rc && (ch->alter & CAIRN_ALTER_IDENTITY) && id_to == CAIRN_IDENTITY_AUTO)
        rc = pgdrv_alter_add_serial(em, t, to);
    if (!rc && (ch->alter & CAIRN_ALTER_COMMENT))
        rc = pgdrv_comment(em, "COLUMN", t->schema, t->name, to->name, to->comment);
    return rc;
}
