/*
 * Storage of tables, views and columns, rules, and the indexes of
 * materialized views.
 *
 * Storage rides in table options (cairn_table.options):
 *   persistence=unlogged      CREATE UNLOGGED TABLE, ALTER TABLE SET [UN]LOGGED;
 *                             absent for a logged table (the only other value)
 *   <parameter>=<value>       every other option that is not one of the
 *                             driver's own (partition_by, partition_of,
 *                             partition_bound, inherits, row_security):
 *                             a storage parameter as pg_class.reloptions holds
 *                             it ("fillfactor=70", "autovacuum_enabled=false"),
 *                             the TOAST table's with "toast." before it;
 *                             CREATE TABLE ... WITH (...), ALTER TABLE SET (...)
 *                             and RESET (...). The server checks names and
 *                             values: an unknown one fails the statement.
 * A view's options are all storage parameters (security_barrier,
 * check_option, a materialized view's fillfactor): CREATE VIEW ... WITH.
 * A column's STORAGE, COMPRESSION and STATISTICS are words of its `extra`
 * (below).
 * Rules (kind "rule", as pg_get_ruledef prints them) and the indexes of
 * materialized views (kind "index", as pg_get_indexdef prints them; a
 * table's indexes are the model's own) are objects of their table or
 * view, which the core drops and creates again around a recreated view.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pgdrv.h"

/* The table options that are not storage parameters. */
static const char *const pgdrv_own_options[] = {"partition_by", "partition_of", "partition_bound",
                                                "inherits",     "row_security", "persistence"};

/* The options of a table, or of a view (whose options are all storage
 * parameters: security_barrier, check_option, a materialized view's
 * fillfactor, ...). */
typedef struct pgdrv_opts {
    const char *const *v;
    size_t n;
    int view;
} pgdrv_opts;

static pgdrv_opts pgdrv_opts_of(const cairn_table *t)
{
    pgdrv_opts o = {t ? (const char *const *)t->options : NULL, t ? t->noptions : 0, 0};
    return o;
}

/* Whether option "key=value" is a storage parameter; its key's length to *len. */
static int pgdrv_is_param(const pgdrv_opts *o, const char *opt, size_t *len)
{
    const char *eq = strchr(opt, '=');
    size_t n = eq ? (size_t)(eq - opt) : strlen(opt);
    for (size_t i = 0; !o->view && i < sizeof pgdrv_own_options / sizeof *pgdrv_own_options; i++)
        if (strlen(pgdrv_own_options[i]) == n && strncmp(opt, pgdrv_own_options[i], n) == 0)
            return 0;
    *len = n;
    return 1;
}

/* The value of option [key, key + len) of o, or NULL. */
static const char *pgdrv_param_of(const pgdrv_opts *o, const char *key, size_t len)
{
    for (size_t i = 0; i < o->n; i++)
        if (strncmp(o->v[i], key, len) == 0 && o->v[i][len] == '=')
            return o->v[i] + len + 1;
    return NULL;
}

int pgdrv_read_storage(const cairn_host *h, cairn_schema *out, cairn_table *t, cairn_view *view,
                       char persistence, const char *opts, const char *toast)
{
    int rc = 0;
    if (view && !CAIRN_HOST_HAS(h, set_view_option))
        return 0; /* an older host has no view options to put them in */
    if (t && persistence == 'u' && h->set_table_option(out, t, "persistence", "unlogged"))
        rc = CAIRN_ENOMEM;
    for (int k = 0; k < 2 && !rc; k++) {
        char **v = NULL, key[256];
        size_t n = 0;
        rc = pgdrv_parse_array(k ? toast : opts, &v, &n);
        for (size_t i = 0; i < n && !rc; i++) {
            char *eq = v[i] ? strchr(v[i], '=') : NULL;
            if (!eq)
                continue;
            *eq = '\0';
            snprintf(key, sizeof key, "%s%s", k ? "toast." : "", v[i]);
            if (t ? h->set_table_option(out, t, key, eq + 1)
                  : h->set_view_option(out, view, key, eq + 1))
                rc = CAIRN_ENOMEM;
        }
        pgdrv_free_strv(v, n);
    }
    return rc;
}

/* A storage parameter of `o` whose name is not words and dots, refused
 * naming the table or view (`what` "table" or "view"). */
static int pgdrv_check_params(pgdrv_emitter *em, const pgdrv_opts *o, const char *what,
                              const char *schema, const char *name)
{
    for (size_t i = 0; i < o->n; i++) {
        size_t len, k = 0;
        if (!pgdrv_is_param(o, o->v[i], &len))
            continue;
        while (k < len && (isalnum((unsigned char)o->v[i][k]) || o->v[i][k] == '_' ||
                           o->v[i][k] == '.'))
            k++;
        if (k == len && len)
            continue;
        return em->h->error(em->s->hc, CAIRN_ESCHEMA, NULL,
                            "%s %s%s%s: option \"%.*s\": not a storage parameter name", what,
                            schema ? schema : "", schema ? "." : "", name,
                            (int)(len > 100 ? 100 : len), o->v[i]);
    }
    return 0;
}

/* Whether t is unlogged (*unlogged), refusing a persistence other than
 * "unlogged" and a storage parameter whose name is not words and dots. */
static int pgdrv_storage_check(pgdrv_emitter *em, const cairn_table *t, int *unlogged)
{
    const char *p = pgdrv_table_option(t, "persistence");
    *unlogged = p && strcmp(p, "unlogged") == 0;
    if (p && !*unlogged)
        return em->h->error(em->s->hc, CAIRN_ESCHEMA, NULL,
                            "table %s%s%s: option persistence \"%.100s\": want \"unlogged\" (a "
                            "logged table has no such option)",
                            t->schema ? t->schema : "", t->schema ? "." : "", t->name, p);
    pgdrv_opts o = pgdrv_opts_of(t);
    return t ? pgdrv_check_params(em, &o, "table", t->schema, t->name) : 0;
}

int pgdrv_create_table_head(pgdrv_emitter *em, const cairn_table *t)
{
    int unlogged = 0, rc = pgdrv_storage_check(em, t, &unlogged);
    em->h->buf_puts(em->b, unlogged ? "CREATE UNLOGGED TABLE " : "CREATE TABLE ");
    return rc;
}

/* The storage parameters of `o` that `other` has not with the same value
 * (all of them when other is NULL; with `names`, those it has not at all):
 * how many, and with `write` "k = 'v', ..." (the keys alone with `names`). */
static size_t pgdrv_param_list(pgdrv_emitter *em, const pgdrv_opts *o, const pgdrv_opts *other,
                               int names, int write)
{
    size_t n = 0, len;
    for (size_t i = 0; i < o->n; i++) {
        const char *opt = o->v[i];
        if (!pgdrv_is_param(o, opt, &len))
            continue;
        const char *was = other ? pgdrv_param_of(other, opt, len) : NULL;
        if (was && (names || strcmp(was, opt + len + 1) == 0))
            continue;
        if (write)
            em->h->buf_printf(em->b, "%s%.*s", n ? ", " : "", (int)len, opt);
        if (write && !names) {
            em->h->buf_puts(em->b, " = ");
            em->h->buf_literal(em->b, opt + len + 1);
        }
        n++;
    }
    return n;
}

/* " WITH (k = 'v', ...)" of every storage parameter of o; nothing for none. */
static void pgdrv_with(pgdrv_emitter *em, const pgdrv_opts *o)
{
    if (!pgdrv_param_list(em, o, NULL, 0, 0))
        return;
    em->h->buf_puts(em->b, " WITH (");
    pgdrv_param_list(em, o, NULL, 0, 1);
    em->h->buf_puts(em->b, ")");
}

int pgdrv_create_table_with(pgdrv_emitter *em, const cairn_table *t)
{
    pgdrv_opts o = pgdrv_opts_of(t);
    pgdrv_with(em, &o);
    return 0;
}

int pgdrv_create_view_with(pgdrv_emitter *em, const cairn_view *v)
{
    pgdrv_opts o = {NULL, 0, 1};
    /* a view of a host before view options has none */
    if (CAIRN_HOST_HAS(em->h, set_view_option)) {
        o.v = (const char *const *)v->options;
        o.n = v->noptions;
    }
    int rc = pgdrv_check_params(em, &o, v->materialized ? "materialized view" : "view", v->schema,
                                v->name);
    if (!rc)
        pgdrv_with(em, &o);
    return rc;
}

int pgdrv_storage_change(pgdrv_emitter *em, const cairn_table *from, const cairn_table *to)
{
    int uf = 0, ut = 0, rc = pgdrv_storage_check(em, to, &ut);
    if (!rc) /* what the database has was read from it, or refused before */
        uf = pgdrv_table_option(from, "persistence") != NULL;
    if (!rc && uf != ut) {
        pgdrv_alter_table(em, to);
        em->h->buf_puts(em->b, ut ? "SET UNLOGGED" : "SET LOGGED");
        rc = pgdrv_flush(em, 0);
    }
    pgdrv_opts of = pgdrv_opts_of(from), ot = pgdrv_opts_of(to);
    for (int reset = 0; reset < 2 && !rc; reset++) {
        const pgdrv_opts *o = reset ? &of : &ot, *other = reset ? &ot : &of;
        if (!pgdrv_param_list(em, o, other, reset, 0))
            continue;
        pgdrv_alter_table(em, to);
        em->h->buf_puts(em->b, reset ? "RESET (" : "SET (");
        pgdrv_param_list(em, o, other, reset, 1);
        em->h->buf_puts(em->b, ")");
        rc = pgdrv_flush(em, 0);
    }
    return rc;
}

/* ---- rules and the indexes of materialized views ------------------------------ */

/* Not a member of an extension. */
#define PGDRV_REL_NOT_EXT \
    " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x" \
    "   WHERE x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.objid = c.oid" \
    "   AND x.deptype = 'e')"

/* Rows: namespace, table or view, name, definition, comment, whether the
 * relation is a view, and what else it needs as a text[] of {kind,
 * namespace, name} triples: a rule, the tables and views its actions name. */
static const char *const q_rules =
    "SELECT n.nspname, c.relname, r.rulename,"
    " pg_catalog.rtrim(pg_catalog.pg_get_ruledef(r.oid, true), ';'),"
    " pg_catalog.obj_description(r.oid, 'pg_rewrite'), c.relkind IN ('v', 'm'),"
    " ARRAY(SELECT u.x FROM (SELECT DISTINCT CASE WHEN dc.relkind IN ('v', 'm') THEN 'view'"
    "   ELSE 'table' END AS k, dn.nspname AS ns, dc.relname AS nm"
    "   FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class dc ON dc.oid = d.refobjid"
    "   JOIN pg_catalog.pg_namespace dn ON dn.oid = dc.relnamespace"
    "   WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid"
    "   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "   AND d.refobjid <> r.ev_class AND dc.relkind IN ('r', 'p', 'v', 'm')"
    "   AND dn.nspname = ANY($1::text[])) dep,"
    "   LATERAL pg_catalog.unnest(ARRAY[dep.k, dep.ns, dep.nm]::text[]) WITH ORDINALITY u(x, o)"
    "   ORDER BY dep.ns, dep.nm, dep.k, u.o)"
    " FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = ANY($1::text[]) AND r.rulename <> '_RETURN'" PGDRV_REL_NOT_EXT
    " ORDER BY 1, 2, 3";

static const char *const q_view_indexes =
    "SELECT n.nspname, c.relname, ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid),"
    " pg_catalog.obj_description(i.indexrelid, 'pg_class'), true, '{}'::text[]"
    " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid"
    " JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'm' AND n.nspname = ANY($1::text[])" PGDRV_REL_NOT_EXT
    " ORDER BY 1, 2, 3";

/* Rows of q_rules' shape as objects of `kind`; a table the filter left out
 * keeps its rules out too (every view is read). */
static int pgdrv_read_rel_objects(cairn_dconn *c, const char *nsarr, cairn_schema *out,
                                  const char *kind, const char *sql)
{
    const cairn_host *h = c->s->host;
    PGresult *r;
    int rc = pgdrv_query(c, sql, 1, &nsarr, &r);
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        const char *ns = pgdrv_ns(PQgetvalue(r, i, 0)), *rel = PQgetvalue(r, i, 1);
        int view = PQgetvalue(r, i, 5)[0] == 't';
        if (!view && !h->find_table(out, ns, rel))
            continue;
        cairn_object *o = h->add_object(out, kind, ns, PQgetvalue(r, i, 2), NULL, rel,
                                        PQgetvalue(r, i, 3));
        if (!o || (!PQgetisnull(r, i, 4) && !(o->comment = h->strdup(out, PQgetvalue(r, i, 4)))))
            rc = CAIRN_ENOMEM;
        else
            rc = h->object_add_depend(out, o, view ? "view" : "table", ns, rel, NULL);
        if (!rc)
            rc = pgdrv_add_depends(c, out, o, PQgetvalue(r, i, 6), 0);
    }
    PQclear(r);
    if (rc == CAIRN_ENOMEM)
        return h->error(c->s->hc, rc, NULL, "out of memory");
    return rc;
}

int pgdrv_read_rules(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    return pgdrv_read_rel_objects(c, nsarr, out, "rule", q_rules);
}

int pgdrv_read_view_indexes(cairn_dconn *c, const char *nsarr, cairn_schema *out)
{
    return pgdrv_read_rel_objects(c, nsarr, out, "index", q_view_indexes);
}

/* A changed rule: CREATE OR REPLACE RULE (1: not a CREATE RULE, drop and
 * create). */
int pgdrv_replace_rule(pgdrv_emitter *em, const cairn_object *from, const cairn_object *to)
{
    (void)from;
    const char *def = to->definition;
    while (isspace((unsigned char)*def))
        def++;
    if (strncasecmp(def, "CREATE RULE ", 12) != 0)
        return 1;
    em->h->buf_printf(em->b, "CREATE OR REPLACE RULE %s", def + 12);
    return pgdrv_flush(em, 0);
}

/* ---- column storage: words of `extra` after the sequence options ------------- */

/* A column's STORAGE (where it is not its type's), COMPRESSION (PostgreSQL
 * 14+) and STATISTICS ride in its `extra`, in that order, after what an
 * identity or serial keeps there: "STORAGE EXTERNAL COMPRESSION lz4
 * STATISTICS 500". */
static const char *const pgdrv_col_words[] = {"STORAGE", "COMPRESSION", "STATISTICS"};
#define PGDRV_NCOL_WORDS (sizeof pgdrv_col_words / sizeof *pgdrv_col_words)

static int pgdrv_col_word(const char *p, size_t w)
{
    for (size_t k = 0; k < PGDRV_NCOL_WORDS; k++)
        if (strlen(pgdrv_col_words[k]) == w && strncasecmp(p, pgdrv_col_words[k], w) == 0)
            return (int)k;
    return -1;
}

size_t pgdrv_extra_seq_len(const char *extra)
{
    size_t p = 0, end = 0;
    while (extra && extra[p]) {
        while (isspace((unsigned char)extra[p]))
            p++;
        size_t w = strcspn(extra + p, " \t\n");
        if (!w || pgdrv_col_word(extra + p, w) >= 0)
            break;
        p += w;
        end = p;
    }
    return end;
}

/* The value after word k in the storage part of extra, into buf; NULL when
 * absent. */
static const char *pgdrv_col_attr(const char *extra, size_t k, char *buf, size_t size)
{
    const char *p = extra ? extra + pgdrv_extra_seq_len(extra) : "";
    while (*p) {
        while (isspace((unsigned char)*p))
            p++;
        size_t w = strcspn(p, " \t\n");
        int word = pgdrv_col_word(p, w);
        p += w;
        while (isspace((unsigned char)*p))
            p++;
        size_t v = strcspn(p, " \t\n");
        if (word == (int)k) {
            snprintf(buf, size, "%.*s", (int)v, p);
            return buf;
        }
        p += v;
    }
    return NULL;
}

int pgdrv_read_column_storage(const cairn_host *h, cairn_schema *out, cairn_column *col,
                              const char *storage, const char *compression, const char *stats)
{
    static const char *const names[] = {"p", "PLAIN", "e", "EXTERNAL", "m", "MAIN", "x", "EXTENDED"};
    const char *st = NULL;
    for (size_t i = 0; storage && i < 8; i += 2)
        if (strcmp(storage, names[i]) == 0)
            st = names[i + 1];
    const char *comp = !compression ? NULL : *compression == 'p' ? "pglz"
                                          : *compression == 'l' ? "lz4" : NULL;
    if (stats && strcmp(stats, "-1") == 0)
        stats = NULL;
    if (!st && !comp && !stats)
        return 0;
    const char *vals[] = {st, comp, stats};
    char buf[1024];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%s", col->extra ? col->extra : "");
    for (size_t k = 0; k < PGDRV_NCOL_WORDS && n < sizeof buf; k++)
        if (vals[k])
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s %s", n ? " " : "",
                                  pgdrv_col_words[k], vals[k]);
    return (col->extra = h->strdup(out, buf)) ? 0 : CAIRN_ENOMEM;
}

static int pgdrv_column_refusal(pgdrv_emitter *em, const cairn_table *t, const cairn_column *c,
                                const char *what)
{
    return em->h->error(em->s->hc, CAIRN_ESCHEMA, NULL, "table %s%s%s: column %s: %s",
                        t->schema ? t->schema : "", t->schema ? "." : "", t->name, c->name, what);
}

/* ALTER TABLE t ALTER COLUMN c SET STORAGE / COMPRESSION / STATISTICS for
 * each that `to` has other than `from` (NULL: a new column, whose are the
 * defaults); one statement each. Back to the type's STORAGE is read from
 * the catalogue at run time. */
int pgdrv_column_storage(pgdrv_emitter *em, const cairn_table *t, const cairn_column *from,
                         const cairn_column *to)
{
    const cairn_host *h = em->h;
    int rc = 0;
    for (size_t k = 0; k < PGDRV_NCOL_WORDS && !rc; k++) {
        char ab[64], bb[64], what[160];
        const char *a = from ? pgdrv_col_attr(from->extra, k, ab, sizeof ab) : NULL;
        const char *b = pgdrv_col_attr(to->extra, k, bb, sizeof bb);
        if ((!a && !b) || (a && b && strcasecmp(a, b) == 0))
            continue;
        size_t ok = 0;
        while (b && (isalnum((unsigned char)b[ok]) || (k == 2 && ok == 0 && b[ok] == '-')))
            ok++;
        if (b && (!*b || b[ok])) {
            snprintf(what, sizeof what, "%s \"%s\" in extra: not a value it takes",
                     pgdrv_col_words[k], b);
            return pgdrv_column_refusal(em, t, to, what);
        }
        if (k == 1 && b && em->s->server_version && em->s->server_version < 140000)
            return pgdrv_column_refusal(em, t, to, "COMPRESSION needs PostgreSQL 14 or later");
        if (k == 0 && !b) {
            h->buf_puts(em->b, "DO $cairn$BEGIN EXECUTE pg_catalog.format('ALTER TABLE %s"
                               " ALTER COLUMN %I SET STORAGE %s', ");
            rc = pgdrv_table_literal(em, em->b, t);
            h->buf_puts(em->b, ", ");
            h->buf_literal(em->b, to->name);
            h->buf_puts(em->b, ", (SELECT CASE y.typstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN"
                               " 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END"
                               " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type y"
                               " ON y.oid = a.atttypid WHERE a.attrelid = ");
            if (!rc)
                rc = pgdrv_table_literal(em, em->b, t);
            h->buf_puts(em->b, "::pg_catalog.regclass AND a.attname = ");
            h->buf_literal(em->b, to->name);
            h->buf_puts(em->b, ")); END$cairn$");
        } else {
            pgdrv_alter_table(em, t);
            h->buf_puts(em->b, "ALTER COLUMN ");
            pgdrv_quote(em, to->name);
            h->buf_printf(em->b, " SET %s %s", pgdrv_col_words[k],
                          b ? b : k == 1 ? "DEFAULT" : "-1");
        }
        if (!rc)
            rc = pgdrv_flush(em, 0);
    }
    return rc;
}
