/*
 * cairn diagram: an ER diagram of a schema file, a migration's snapshot or
 * a live database, as DOT or Mermaid text (written here, no library), as
 * SVG (the DOT laid out by the Graphviz module, render.c) or as a
 * self-contained HTML page (diagram_html.c).
 *
 * Output is deterministic: nodes follow the schema's sorted order, columns
 * their table's order, edges their tables' foreign keys in order, so a
 * diagram kept in git changes only where the schema did.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "diagram.h"

/* ---- what is drawn ---------------------------------------------------------- */

/* The default namespace (NULL in the model) is spelled "public" or
 * "default" in --namespaces. */
static int ns_is(const char *ns, const char *want)
{
    if (ns)
        return strcmp(ns, want) == 0;
    return strcmp(want, "public") == 0 || strcmp(want, "default") == 0;
}

/* Is (ns, name) selected by the namespaces and table globs? The hits mark
 * the globs that selected something and the namespaces that hold something. A glob with a dot
 * matches "namespace.name" (the default namespace is "public"), as the
 * drivers' introspection filters do. */
typedef struct filter {
    char **globs, **nss;
    size_t nglobs, nnss;
    unsigned char *glob_hit, *ns_hit;
} filter;

static int selected(filter *f, const char *ns, const char *name)
{
    /* a namespace is found when it holds anything, whatever the globs */
    int in_ns = f->nnss == 0;
    for (size_t i = 0; i < f->nnss; i++)
        if (ns_is(ns, f->nss[i]))
            in_ns = f->ns_hit[i] = 1;
    if (!in_ns)
        return 0;
    int in = f->nglobs == 0;
    char full[512];
    snprintf(full, sizeof full, "%s.%s", ns ? ns : "public", name);
    for (size_t i = 0; i < f->nglobs; i++)
        if (fnmatch(f->globs[i], strchr(f->globs[i], '.') ? full : name, 0) == 0)
            in = f->glob_hit[i] = 1;
    return in;
}

static long column_index(const cairn_table *t, const char *name)
{
    for (size_t i = 0; t && name && i < t->ncolumns; i++)
        if (strcmp(t->columns[i]->name, name) == 0)
            return (long)i;
    return -1;
}

static int in_list(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] && strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

unsigned cairn_dgraph_column_keys(const cairn_table *t, size_t i)
{
    const char *c = t->columns[i]->name;
    unsigned k = 0;
    if (t->primary_key && in_list(t->primary_key->columns, t->primary_key->ncolumns, c))
        k |= CAIRN_DG_PK;
    for (size_t j = 0; j < t->nfkeys; j++)
        if (in_list(t->fkeys[j]->columns, t->fkeys[j]->ncolumns, c))
            k |= CAIRN_DG_FK;
    for (size_t j = 0; j < t->nuniques; j++)
        if (in_list(t->uniques[j]->columns, t->uniques[j]->ncolumns, c))
            k |= CAIRN_DG_UQ;
    for (size_t j = 0; j < t->nindexes; j++) {
        const cairn_index *ix = t->indexes[j];
        for (size_t p = 0; ix->unique && p < ix->nparts; p++)
            if (ix->parts[p]->column && strcmp(ix->parts[p]->column, c) == 0)
                k |= CAIRN_DG_UQ;
    }
    return k;
}

int cairn_dgraph_column_shown(const cairn_dgraph *g, const cairn_dg_node *n, size_t i)
{
    if (!n->table || g->columns == CAIRN_DIAGRAM_COLUMNS_NONE)
        return 0;
    return g->columns == CAIRN_DIAGRAM_COLUMNS_ALL || n->referenced[i] ||
           cairn_dgraph_column_keys(n->table, i) != 0;
}

const char *cairn_dgraph_action(cairn_fk_action a)
{
    switch (a) {
    case CAIRN_FK_RESTRICT: return "restrict";
    case CAIRN_FK_CASCADE: return "cascade";
    case CAIRN_FK_SET_NULL: return "set null";
    case CAIRN_FK_SET_DEFAULT: return "set default";
    case CAIRN_FK_NO_ACTION: break;
    }
    return NULL;
}

/* An enum is drawn when a drawn table's column has its type, or, without
 * a table filter, when its namespace is drawn. */
static int enum_used(const cairn_dgraph *g, const cairn_enum *e)
{
    char full[512];
    snprintf(full, sizeof full, "%s.%s", e->schema ? e->schema : "", e->name);
    for (size_t i = 0; i < g->ntables; i++) {
        const cairn_table *t = g->nodes[i].table;
        for (size_t j = 0; j < t->ncolumns; j++)
            if (t->columns[j]->type && (strcmp(t->columns[j]->type, e->name) == 0 ||
                                        strcmp(t->columns[j]->type, full) == 0))
                return 1;
    }
    return 0;
}

static cairn_dg_node *add_node(cairn_dgraph *g, const char *ns, const char *name)
{
    cairn_dg_node *n = &g->nodes[g->nnodes];
    n->ns = ns;
    n->name = name;
    snprintf(n->id, sizeof n->id, "t%zu", g->nnodes++);
    return n;
}

/* The node a foreign key of `t` points at: a drawn table, or a stub made
 * once per name. `map` holds every node by (ns, name). */
static int edge_target(const cairn_ctx *cx, cairn_dgraph *g, cairn_strmap *map,
                       const cairn_table *t, const cairn_fkey *fk, size_t *to)
{
    const char *ns = cairn_fkey_ref_ns(cx, t, fk);
    const cairn_dg_node *n = cairn_strmap_get(map, ns, fk->ref_table);
    if (!n) {
        cairn_dg_node *stub = add_node(g, ns, fk->ref_table);
        if (cairn_strmap_put(map, ns, fk->ref_table, stub))
            return CAIRN_ENOMEM;
        n = stub;
    }
    *to = (size_t)(n - g->nodes);
    return 0;
}

static int build_edges(const cairn_ctx *cx, cairn_dgraph *g, cairn_strmap *map)
{
    for (size_t i = 0; i < g->ntables; i++) {
        const cairn_table *t = g->nodes[i].table;
        for (size_t j = 0; j < t->nfkeys; j++) {
            const cairn_fkey *fk = t->fkeys[j];
            cairn_dg_edge *e = &g->edges[g->nedges++];
            e->fk = fk;
            e->from = i;
            if (edge_target(cx, g, map, t, fk, &e->to))
                return CAIRN_ENOMEM;
            const cairn_dg_node *to = &g->nodes[e->to];
            e->from_col = column_index(t, fk->ncolumns ? fk->columns[0] : NULL);
            e->to_col = column_index(to->table, fk->nref_columns ? fk->ref_columns[0] : NULL);
            for (size_t k = 0; to->table && k < fk->nref_columns; k++) {
                long c = column_index(to->table, fk->ref_columns[k]);
                if (c >= 0)
                    to->referenced[c] = 1;
            }
        }
    }
    return 0;
}

/* One line naming the first glob or namespace that selected nothing. */
static int filter_check(cairn_ctx *cx, const filter *f)
{
    for (size_t i = 0; i < f->nglobs; i++)
        if (!f->glob_hit[i])
            return cairn_err(cx, CAIRN_EUSAGE,
                             "--tables: '%s' matches no table or view (nothing written)",
                             f->globs[i]);
    for (size_t i = 0; i < f->nnss; i++)
        if (!f->ns_hit[i])
            return cairn_err(cx, CAIRN_EUSAGE,
                             "--namespaces: '%s' holds no table or view to draw (nothing "
                             "written)",
                             f->nss[i]);
    return 0;
}

static void filter_release(filter *f)
{
    cairn_strv_free(f->globs, f->nglobs);
    cairn_strv_free(f->nss, f->nnss);
    free(f->glob_hit);
    free(f->ns_hit);
}

static int filter_read(cairn_ctx *cx, filter *f)
{
    memset(f, 0, sizeof *f);
    int rc = cairn_split_list(cairn_ctx_get(cx, "tables"), ',', &f->globs, &f->nglobs);
    if (!rc)
        rc = cairn_split_list(cairn_ctx_get(cx, "namespaces"), ',', &f->nss, &f->nnss);
    if (!rc && (!(f->glob_hit = calloc(f->nglobs + 1, 1)) || !(f->ns_hit = calloc(f->nnss + 1, 1))))
        rc = CAIRN_ENOMEM;
    return rc;
}

int cairn_dgraph_build(cairn_ctx *cx, const cairn_schema *s, cairn_diagram_columns columns,
                       cairn_dgraph *g)
{
    memset(g, 0, sizeof *g);
    filter f;
    int rc = filter_read(cx, &f);
    size_t nfk = 0;
    for (size_t i = 0; i < s->ntables; i++)
        nfk += s->tables[i]->nfkeys;
    cairn_strmap *map = NULL;
    if (!rc && (!(g->arena = cairn_arena_new()) || !(map = cairn_strmap_new(g->arena)) ||
                !(g->nodes = cairn_arena_alloc(g->arena, (s->ntables + s->nviews + nfk + 1) *
                                                             sizeof *g->nodes)) ||
                !(g->edges = cairn_arena_alloc(g->arena, (nfk + 1) * sizeof *g->edges)) ||
                !(g->enums = cairn_arena_alloc(g->arena, (s->nenums + 1) * sizeof *g->enums))))
        rc = CAIRN_ENOMEM;
    for (size_t i = 0; i < s->ntables && !rc; i++) {
        const cairn_table *t = s->tables[i];
        if (!selected(&f, t->schema, t->name))
            continue;
        cairn_dg_node *n = add_node(g, t->schema, t->name);
        n->table = t;
        if (!(n->referenced = cairn_arena_alloc(g->arena, t->ncolumns + 1)) ||
            cairn_strmap_put(map, t->schema, t->name, n))
            rc = CAIRN_ENOMEM;
    }
    g->ntables = g->nnodes;
    for (size_t i = 0; i < s->nviews && !rc; i++) {
        const cairn_view *v = s->views[i];
        if (!selected(&f, v->schema, v->name))
            continue;
        add_node(g, v->schema, v->name)->view = v;
        g->nviews++;
    }
    if (!rc)
        rc = filter_check(cx, &f);
    if (!rc && build_edges(cx, g, map))
        rc = CAIRN_ENOMEM;
    for (size_t i = 0; i < s->nenums && !rc; i++) {
        const cairn_enum *e = s->enums[i];
        int ns_in = f.nnss == 0;
        for (size_t k = 0; k < f.nnss; k++)
            ns_in |= ns_is(e->schema, f.nss[k]);
        if (f.nglobs ? enum_used(g, e) : ns_in)
            g->enums[g->nenums++] = e;
    }
    for (size_t i = 0; i < g->nnodes && !g->clusters; i++)
        g->clusters = g->nodes[i].ns != NULL;
    if (columns == CAIRN_DIAGRAM_COLUMNS_AUTO)
        columns = g->ntables <= 100   ? CAIRN_DIAGRAM_COLUMNS_ALL
                  : g->ntables <= 400 ? CAIRN_DIAGRAM_COLUMNS_KEYS
                                      : CAIRN_DIAGRAM_COLUMNS_NONE;
    g->columns = columns;
    filter_release(&f);
    if (rc == CAIRN_ENOMEM)
        cairn_err(cx, rc, "out of memory");
    if (rc)
        cairn_dgraph_release(g);
    return rc;
}

void cairn_dgraph_release(cairn_dgraph *g)
{
    cairn_arena_free(g->arena);
    memset(g, 0, sizeof *g);
}

void cairn_dgraph_counts(const cairn_dgraph *g, cairn_buf *b)
{
    cairn_buf_printf(b, "%zu table%s, %zu view%s, %zu foreign key%s", g->ntables,
                     g->ntables == 1 ? "" : "s", g->nviews, g->nviews == 1 ? "" : "s", g->nedges,
                     g->nedges == 1 ? "" : "s");
}

/* dot lays out a few hundred tables in seconds, and grows much faster than
 * linearly (docs/diagram.md has the figures); sfdp stays near-linear. */
const char *cairn_dgraph_engine(const cairn_dgraph *g)
{
    return g->nnodes <= 300 ? "dot" : "sfdp";
}

/* ---- DOT ------------------------------------------------------------------------ */

void cairn_dgraph_escape(cairn_buf *b, const char *s, int flat)
{
    const char *p = s ? s : "", *run = p;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        const char *rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;"
                          : c == '"' ? "&quot;" : NULL;
        if (!rep && c >= 0x20)
            continue;
        cairn_buf_append(b, run, (size_t)(p - run));
        run = p + 1;
        if (rep)
            cairn_buf_puts(b, rep);
        else if (c == '\n' || c == '\t')
            cairn_buf_puts(b, flat ? " " : c == '\n' ? "\n" : "\t");
    }
    cairn_buf_append(b, run, (size_t)(p - run));
}

/* Text inside a Graphviz HTML-like label: one line. */
static void html_text(cairn_buf *b, const char *s)
{
    cairn_dgraph_escape(b, s, 1);
}

/* A quoted DOT string. */
static void dot_string(cairn_buf *b, const char *s)
{
    cairn_buf_puts(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            cairn_buf_puts(b, "\\");
        cairn_buf_append(b, p, 1);
    }
    cairn_buf_puts(b, "\"");
}

#define DG_FONT "Helvetica,Arial,sans-serif"
#define DG_LINE "#5b6b7c"

/* "PK FK UQ NN" of a column, into `out`. */
static const char *column_marks(const cairn_table *t, size_t i, char out[16])
{
    unsigned k = cairn_dgraph_column_keys(t, i);
    snprintf(out, 16, "%s%s%s%s", k & CAIRN_DG_PK ? " PK" : "", k & CAIRN_DG_FK ? " FK" : "",
             k & CAIRN_DG_UQ ? " UQ" : "",
             t->columns[i]->not_null && !(k & CAIRN_DG_PK) ? " NN" : "");
    return out[0] ? out + 1 : out;
}

/* A node's start: its name, id, class and tooltip (the qualified name, which
 * the SVG shows on hover), and its label table up to the first row. */
static void dot_node_open(cairn_buf *b, const char *id, const char *cls, const char *ns,
                          const char *name, const char *color)
{
    char qname[512];
    snprintf(qname, sizeof qname, "%s%s%s", ns ? ns : "", ns ? "." : "", name);
    cairn_buf_printf(b, "  %s [id=\"%s\", class=\"%s\", tooltip=", id, id, cls);
    dot_string(b, qname);
    cairn_buf_printf(b, ", label=<<TABLE BORDER=\"1\" COLOR=\"%s\" CELLBORDER=\"0\" "
                        "CELLSPACING=\"0\" CELLPADDING=\"3\">",
                     color);
}

/* The header row: "<I>kind</I> <B>ns.name</B>" on `bg`. */
static void dot_header_row(cairn_buf *b, const char *bg, const char *kind, const char *ns,
                           const char *name, int span)
{
    cairn_buf_printf(b, "\n    <TR><TD COLSPAN=\"%d\" BGCOLOR=\"%s\" ALIGN=\"CENTER\">", span, bg);
    if (kind)
        cairn_buf_printf(b, "<I>%s</I> ", kind);
    cairn_buf_puts(b, "<B>");
    if (ns) {
        html_text(b, ns);
        cairn_buf_puts(b, ".");
    }
    html_text(b, name);
    cairn_buf_puts(b, "</B></TD></TR>");
}

/* One row of plain text. */
static void dot_text_row(cairn_buf *b, const char *text)
{
    cairn_buf_puts(b, "\n    <TR><TD ALIGN=\"LEFT\">");
    html_text(b, text);
    cairn_buf_puts(b, "</TD></TR>");
}

static void dot_table(cairn_buf *b, const cairn_dgraph *g, const cairn_dg_node *n)
{
    const cairn_table *t = n->table;
    dot_node_open(b, n->id, "table", n->ns, n->name, DG_LINE);
    dot_header_row(b, "#d6e4f2", NULL, n->ns, n->name, 3);
    for (size_t i = 0; i < t->ncolumns; i++) {
        if (!cairn_dgraph_column_shown(g, n, i))
            continue;
        const cairn_column *c = t->columns[i];
        char marks[16];
        unsigned k = cairn_dgraph_column_keys(t, i);
        cairn_buf_printf(b, "\n    <TR><TD ALIGN=\"LEFT\" PORT=\"c%zu\">%s", i,
                         k & CAIRN_DG_PK ? "<B>" : "");
        html_text(b, c->name);
        cairn_buf_printf(b, "%s</TD><TD ALIGN=\"LEFT\"><FONT COLOR=\"#4a5560\">",
                         k & CAIRN_DG_PK ? "</B>" : "");
        html_text(b, c->type);
        /* an empty FONT element is a syntax error to Graphviz */
        const char *m = column_marks(t, i, marks);
        cairn_buf_printf(b, "</FONT></TD><TD ALIGN=\"RIGHT\" PORT=\"c%zur\">%s%s%s</TD></TR>",
                         i, *m ? "<FONT COLOR=\"#9a5b00\">" : "", m, *m ? "</FONT>" : "");
    }
    cairn_buf_puts(b, "\n  </TABLE>>];\n");
}

static void dot_view(cairn_buf *b, const cairn_dgraph *g, const cairn_dg_node *n)
{
    const cairn_view *v = n->view;
    dot_node_open(b, n->id, "view", n->ns, n->name, "#6d8f4e");
    dot_header_row(b, "#e3efd6", v->materialized ? "materialized view" : "view", n->ns, n->name,
                   1);
    for (size_t i = 0; g->columns == CAIRN_DIAGRAM_COLUMNS_ALL && i < v->ncolumns; i++)
        dot_text_row(b, v->columns[i]);
    cairn_buf_puts(b, "\n  </TABLE>>];\n");
}

static void dot_stub(cairn_buf *b, const cairn_dg_node *n)
{
    dot_node_open(b, n->id, "stub", n->ns, n->name, "#9aa5b1");
    cairn_buf_puts(b, "\n    <TR><TD><FONT COLOR=\"#6b7785\"><I>");
    if (n->ns) {
        html_text(b, n->ns);
        cairn_buf_puts(b, ".");
    }
    html_text(b, n->name);
    cairn_buf_puts(b, "</I></FONT></TD></TR>\n  </TABLE>>];\n");
}

#define DG_ENUM_VALUES 12

static void dot_enum(cairn_buf *b, const cairn_enum *e, size_t k)
{
    char id[24];
    snprintf(id, sizeof id, "e%zu", k);
    dot_node_open(b, id, "enum", e->schema, e->name, "#a0763a");
    dot_header_row(b, "#f5e8d5", "enum", e->schema, e->name, 1);
    for (size_t i = 0; i < e->nvalues && i < DG_ENUM_VALUES; i++)
        dot_text_row(b, e->values[i]);
    if (e->nvalues > DG_ENUM_VALUES)
        cairn_buf_printf(b, "\n    <TR><TD ALIGN=\"LEFT\"><I>%zu more</I></TD></TR>",
                         e->nvalues - DG_ENUM_VALUES);
    cairn_buf_puts(b, "\n  </TABLE>>];\n");
}

static int same_ns(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Every node (and enum) of namespace `ns`. */
static void dot_nodes(cairn_buf *b, const cairn_dgraph *g, const char *ns)
{
    for (size_t i = 0; i < g->nnodes; i++) {
        const cairn_dg_node *n = &g->nodes[i];
        if (!same_ns(n->ns, ns))
            continue;
        if (n->table)
            dot_table(b, g, n);
        else if (n->view)
            dot_view(b, g, n);
        else
            dot_stub(b, n);
    }
    for (size_t i = 0; i < g->nenums; i++)
        if (same_ns(g->enums[i]->schema, ns))
            dot_enum(b, g->enums[i], i);
}

/* Was namespace `ns` seen before node `i` (or before enum `i - nnodes`)? */
static int ns_seen_before(const cairn_dgraph *g, size_t i, const char *ns)
{
    for (size_t k = 0; k < i; k++)
        if (same_ns(k < g->nnodes ? g->nodes[k].ns : g->enums[k - g->nnodes]->schema, ns))
            return 1;
    return 0;
}

/* Do `cols` (n of them) hold exactly the columns of `v`? */
static int same_set(const char *const *cols, size_t n, const char *const *v, size_t nv)
{
    if (n != nv)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!in_list(v, nv, cols[i]))
            return 0;
    return 1;
}

/* How the two ends of a foreign key read: `optional`, a referencing column
 * may be null (zero or one parent); `unique`, the referencing columns are a
 * key of their own (one to one). */
static void edge_ends(const cairn_dgraph *g, const cairn_dg_edge *e, int *optional, int *unique)
{
    const cairn_table *t = g->nodes[e->from].table;
    const cairn_fkey *fk = e->fk;
    *optional = *unique = 0;
    for (size_t i = 0; i < fk->ncolumns; i++) {
        long c = column_index(t, fk->columns[i]);
        *optional |= c >= 0 && !t->columns[c]->not_null;
    }
    if (t->primary_key)
        *unique |= same_set(fk->columns, fk->ncolumns, t->primary_key->columns,
                            t->primary_key->ncolumns);
    for (size_t i = 0; i < t->nuniques; i++)
        *unique |= same_set(fk->columns, fk->ncolumns, t->uniques[i]->columns,
                            t->uniques[i]->ncolumns);
    for (size_t i = 0; i < t->nindexes; i++) {
        const cairn_index *ix = t->indexes[i];
        int plain = ix->unique && !ix->where && ix->nparts == fk->ncolumns;
        for (size_t p = 0; plain && p < ix->nparts; p++)
            plain = ix->parts[p]->column && in_list(fk->columns, fk->ncolumns, ix->parts[p]->column);
        *unique |= plain;
    }
}

/* The arrows: crow's foot at the referencing table (a bar when its columns
 * are unique: one to one), a bar at the referenced one with a circle when
 * the referencing columns may be null. */
static void dot_edge(cairn_buf *b, const cairn_dgraph *g, const cairn_dg_edge *e, size_t k)
{
    const cairn_dg_node *from = &g->nodes[e->from], *to = &g->nodes[e->to];
    int optional, unique;
    edge_ends(g, e, &optional, &unique);
    cairn_buf_printf(b, "  %s", from->id);
    if (e->from_col >= 0 && cairn_dgraph_column_shown(g, from, (size_t)e->from_col))
        cairn_buf_printf(b, ":c%ldr", e->from_col);
    cairn_buf_printf(b, " -> %s", to->id);
    if (e->to_col >= 0 && cairn_dgraph_column_shown(g, to, (size_t)e->to_col))
        cairn_buf_printf(b, ":c%ld", e->to_col);
    cairn_buf_printf(b, " [id=\"f%zu\", class=\"fk %s %s\", arrowtail=%s, arrowhead=%s", k,
                     from->id, to->id, unique ? "tee" : "crow", optional ? "teeodot" : "tee");
    const char *del = cairn_dgraph_action(e->fk->on_delete);
    const char *upd = cairn_dgraph_action(e->fk->on_update);
    if (del || upd)
        cairn_buf_printf(b, ", label=\"%s%s%s%s%s\"", del ? "on delete " : "", del ? del : "",
                         del && upd ? "\\n" : "", upd ? "on update " : "", upd ? upd : "");
    cairn_buf_puts(b, "];\n");
}

int cairn_dgraph_dot(const cairn_dgraph *g, cairn_buf *b)
{
    cairn_buf_puts(b, "// written by cairn diagram: ");
    cairn_dgraph_counts(g, b);
    cairn_buf_puts(b, "\n");
    cairn_buf_puts(b, "digraph schema {\n"
                      "  graph [rankdir=LR, fontname=\"" DG_FONT "\", fontsize=11, "
                      "nodesep=0.3, ranksep=0.8, pad=0.3, overlap=false, outputorder=edgesfirst];\n"
                      "  node [shape=plaintext, margin=0, fontname=\"" DG_FONT "\", "
                      "fontsize=10];\n"
                      "  edge [fontname=\"" DG_FONT "\", fontsize=9, color=\"" DG_LINE "\", "
                      "fontcolor=\"" DG_LINE "\", arrowsize=0.8, dir=both];\n");
    /* the default namespace outside any cluster, then one cluster per
     * namespace, in the schema's order */
    dot_nodes(b, g, NULL);
    size_t total = g->nnodes + g->nenums;
    for (size_t i = 0; i < total; i++) {
        const char *ns = i < g->nnodes ? g->nodes[i].ns : g->enums[i - g->nnodes]->schema;
        if (!ns || ns_seen_before(g, i, ns))
            continue;
        cairn_buf_puts(b, "  subgraph ");
        cairn_buf_printf(b, "cluster_%zu {\n    label=", i);
        dot_string(b, ns);
        cairn_buf_puts(b, "; style=\"rounded,dashed\"; color=\"#9aa5b1\"; fontcolor=\"#4a5560\";\n");
        dot_nodes(b, g, ns);
        cairn_buf_puts(b, "  }\n");
    }
    for (size_t i = 0; i < g->nedges; i++)
        dot_edge(b, g, &g->edges[i], i);
    cairn_buf_puts(b, "}\n");
    return b->oom ? CAIRN_ENOMEM : 0;
}

/* ---- Mermaid ------------------------------------------------------------------- */

/* A Mermaid word: letters, digits, '_' and '-' (and for types '(', ')',
 * '[' and ']'); anything else becomes '_'. */
static void mermaid_word(cairn_buf *b, const char *s, int type)
{
    if (!s || !*s || (*s >= '0' && *s <= '9') || *s == '-')
        cairn_buf_puts(b, "_");
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                 (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
                 (type && (*p == '(' || *p == ')' || *p == '[' || *p == ']'));
        cairn_buf_append(b, ok ? (const char *)p : "_", 1);
    }
}

static int mermaid_plain(const char *ns, const char *name)
{
    if (ns || !*name || (*name >= '0' && *name <= '9') || *name == '-')
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return 0;
    return 1;
}

/* A quoted Mermaid string: no double quote can be escaped, so it becomes a
 * single one. */
static void mermaid_string(cairn_buf *b, const char *s)
{
    cairn_buf_puts(b, "\"");
    for (const char *p = s; *p; p++)
        cairn_buf_append(b, *p == '"' ? "'" : (*p == '\n' || *p == '\r') ? " " : p, 1);
    cairn_buf_puts(b, "\"");
}

/* An entity's name: the table's when Mermaid takes it as it is; else
 * "ns_name" with the real name as its label. */
static void mermaid_entity(cairn_buf *b, const cairn_dg_node *n, int label)
{
    if (n->ns) {
        mermaid_word(b, n->ns, 0);
        cairn_buf_puts(b, "__");
    }
    mermaid_word(b, n->name, 0);
    if (!label || (mermaid_plain(n->ns, n->name) && !n->view))
        return;
    cairn_buf shown;
    cairn_buf_init(&shown);
    cairn_buf_printf(&shown, "%s%s%s%s",
                     !n->view ? "" : n->view->materialized ? "materialized view " : "view ",
                     n->ns ? n->ns : "", n->ns ? "." : "", n->name);
    cairn_buf_puts(b, "[");
    mermaid_string(b, cairn_buf_cstr(&shown));
    cairn_buf_puts(b, "]");
    b->oom |= shown.oom;
    cairn_buf_release(&shown);
}

static void mermaid_table(cairn_buf *b, const cairn_dgraph *g, const cairn_dg_node *n)
{
    const cairn_table *t = n->table;
    cairn_buf_puts(b, "    ");
    mermaid_entity(b, n, 1);
    int any = 0;
    for (size_t i = 0; i < t->ncolumns; i++) {
        if (!cairn_dgraph_column_shown(g, n, i))
            continue;
        const cairn_column *c = t->columns[i];
        unsigned k = cairn_dgraph_column_keys(t, i);
        cairn_buf_puts(b, any++ ? "        " : " {\n        ");
        mermaid_word(b, c->type, 1);
        cairn_buf_puts(b, " ");
        mermaid_word(b, c->name, 0);
        const char *sep = " ";
        static const struct { unsigned bit; const char *word; } marks[] = {
            {CAIRN_DG_PK, "PK"}, {CAIRN_DG_FK, "FK"}, {CAIRN_DG_UQ, "UK"}};
        for (size_t m = 0; m < 3; m++)
            if (k & marks[m].bit) {
                cairn_buf_printf(b, "%s%s", sep, marks[m].word);
                sep = ", ";
            }
        int nn = c->not_null && !(k & CAIRN_DG_PK);
        if (nn || c->comment) {
            cairn_buf note;
            cairn_buf_init(&note);
            cairn_buf_printf(&note, "%s%s%s", nn ? "not null" : "", nn && c->comment ? "; " : "",
                             c->comment ? c->comment : "");
            cairn_buf_puts(b, " ");
            mermaid_string(b, cairn_buf_cstr(&note));
            b->oom |= note.oom;
            cairn_buf_release(&note);
        }
        cairn_buf_puts(b, "\n");
    }
    cairn_buf_puts(b, any ? "    }\n" : "\n");
}

static void mermaid_edge(cairn_buf *b, const cairn_dgraph *g, const cairn_dg_edge *e)
{
    int optional, unique;
    edge_ends(g, e, &optional, &unique);
    cairn_buf_puts(b, "    ");
    mermaid_entity(b, &g->nodes[e->to], 0);
    cairn_buf_printf(b, " %s--%s ", optional ? "|o" : "||", unique ? "o|" : "o{");
    mermaid_entity(b, &g->nodes[e->from], 0);
    cairn_buf_puts(b, " : ");
    cairn_buf label;
    cairn_buf_init(&label);
    for (size_t i = 0; i < e->fk->ncolumns; i++)
        cairn_buf_printf(&label, "%s%s", i ? ", " : "", e->fk->columns[i]);
    const char *del = cairn_dgraph_action(e->fk->on_delete);
    if (del)
        cairn_buf_printf(&label, " (on delete %s)", del);
    mermaid_string(b, cairn_buf_cstr(&label));
    b->oom |= label.oom;
    cairn_buf_release(&label);
    cairn_buf_puts(b, "\n");
}

int cairn_dgraph_mermaid(const cairn_dgraph *g, cairn_buf *b)
{
    cairn_buf_puts(b, "%% written by cairn diagram: ");
    cairn_dgraph_counts(g, b);
    cairn_buf_puts(b, "\nerDiagram\n");
    for (size_t i = 0; i < g->nnodes; i++) {
        const cairn_dg_node *n = &g->nodes[i];
        if (n->table) {
            mermaid_table(b, g, n);
        } else if (n->view) {
            cairn_buf_puts(b, "    ");
            mermaid_entity(b, n, 1);
            cairn_buf_puts(b, "\n");
        }
    }
    for (size_t i = 0; i < g->nedges; i++)
        mermaid_edge(b, g, &g->edges[i]);
    /* Mermaid has no box for a type: enums are listed as comments */
    for (size_t i = 0; i < g->nenums; i++) {
        const cairn_enum *e = g->enums[i];
        cairn_buf_printf(b, "    %%%% enum %s%s%s:", e->schema ? e->schema : "",
                         e->schema ? "." : "", e->name);
        for (size_t k = 0; k < e->nvalues; k++)
            cairn_buf_printf(b, "%s %s", k ? "," : "", e->values[k]);
        cairn_buf_puts(b, "\n");
    }
    return b->oom ? CAIRN_ENOMEM : 0;
}

/* ---- the command ------------------------------------------------------------------ */

/* The snapshot of migration `name` in the migrations folder. */
static int load_snapshot(cairn_ctx *cx, const char *name, cairn_schema **out)
{
    const char *dir = cairn_ctx_get(cx, "out");
    if (!dir)
        dir = "migrations";
    cairn_migration *list = NULL;
    size_t n = 0;
    int rc = cairn_is_dir(dir) ? cairn_folder_list(cx, dir, &list, &n) : 0;
    const cairn_migration *m = NULL;
    for (size_t i = 0; i < n && !rc; i++)
        if (strcmp(list[i].name, name) == 0)
            m = &list[i];
    if (!rc && !m)
        rc = cairn_err(cx, CAIRN_EUSAGE, "--at: no migration '%s' in %s (nothing written)", name,
                       dir);
    cairn_snapshot snap;
    memset(&snap, 0, sizeof snap);
    if (!rc)
        rc = cairn_folder_read_snapshot(cx, m->dir, &snap);
    if (!rc) {
        *out = snap.schema;
        snap.schema = NULL;
    }
    cairn_snapshot_release(&snap);
    cairn_folder_free(list, n);
    return rc;
}

static int load_source(cairn_ctx *cx, const cairn_diagram_opts *o, cairn_schema **s)
{
    *s = NULL;
    switch (o->source) {
    case CAIRN_DIAGRAM_SCHEMA_FILE: return cairn_schema_load(cx, s);
    case CAIRN_DIAGRAM_SNAPSHOT: return load_snapshot(cx, o->at, s);
    case CAIRN_DIAGRAM_DATABASE: return cairn_introspect(cx, s);
    }
    return cairn_err(cx, CAIRN_EUSAGE, "diagram: unknown source %d", (int)o->source);
}

/* The migrations folder for the page (none when there is no folder), and
 * each one's state when the diagram is of the database. */
static int page_migrations(cairn_ctx *cx, const cairn_diagram_opts *o, cairn_dg_page *p,
                           cairn_status_row **rows, size_t *nrows)
{
    const char *dir = cairn_ctx_get(cx, "out");
    if (!dir)
        dir = "migrations";
    if (!cairn_is_dir(dir))
        return 0;
    int rc = cairn_folder_list(cx, dir, &p->migrations, &p->nmigrations);
    if (!rc)
        rc = cairn_folder_load_all(cx, p->migrations, p->nmigrations);
    if (!rc && o->source == CAIRN_DIAGRAM_DATABASE)
        rc = cairn_status(cx, rows, nrows);
    if (!rc && *nrows && !(p->states = calloc(p->nmigrations + 1, sizeof *p->states)))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < p->nmigrations && *nrows; i++) {
        p->states[i] = "pending";
        for (size_t k = 0; k < *nrows; k++)
            if (strcmp((*rows)[k].name, p->migrations[i].name) == 0) {
                static const char *const words[] = {"applied",  "pending", "modified",
                                                    "missing",  "partial", "baseline",
                                                    "squashed"};
                p->states[i] = words[(*rows)[k].state];
            }
    }
    return rc;
}

static int write_html(cairn_ctx *cx, const cairn_diagram_opts *o, const cairn_dgraph *g,
                      const cairn_schema *s, const cairn_buf *svg, cairn_buf *out)
{
    cairn_dg_page p;
    memset(&p, 0, sizeof p);
    char title[512];
    if (o->source == CAIRN_DIAGRAM_SNAPSHOT)
        snprintf(title, sizeof title, "migration %s", o->at);
    else if (o->source == CAIRN_DIAGRAM_DATABASE)
        snprintf(title, sizeof title, "database");
    else
        snprintf(title, sizeof title, "%s", cairn_ctx_get(cx, "schema"));
    p.title = title;
    p.dialect = s->dialect;
    const char *start = strstr(cairn_buf_cstr(svg), "<svg");
    p.svg = start ? start : "";
    p.svg_len = start ? svg->len - (size_t)(start - svg->data) : 0;
    cairn_status_row *rows = NULL;
    size_t nrows = 0;
    int rc = page_migrations(cx, o, &p, &rows, &nrows);
    if (!rc && cairn_dgraph_html(g, &p, out))
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    cairn_folder_free(p.migrations, p.nmigrations);
    free(p.states);
    cairn_status_free(rows, nrows);
    return rc;
}

int cairn_diagram(cairn_ctx *cx, const cairn_diagram_opts *o, char **out)
{
    if (out)
        *out = NULL;
    cairn_err_clear(cx);
    if ((unsigned)o->format > CAIRN_DIAGRAM_HTML || (unsigned)o->columns > CAIRN_DIAGRAM_COLUMNS_NONE)
        return cairn_err(cx, CAIRN_EUSAGE, "diagram: unknown format or columns setting");
    if (o->source == CAIRN_DIAGRAM_SNAPSHOT && (!o->at || !*o->at))
        return cairn_err(cx, CAIRN_EUSAGE, "diagram: a snapshot needs a migration's name");
    if (!o->output && !out)
        return cairn_err(cx, CAIRN_EUSAGE, "diagram: no output and nowhere to return the text");
    cairn_schema *s;
    int rc = load_source(cx, o, &s);
    if (rc)
        return rc;
    cairn_dgraph g;
    rc = cairn_dgraph_build(cx, s, o->columns, &g);
    cairn_buf dot, res;
    cairn_buf_init(&dot);
    cairn_buf_init(&res);
    if (!rc && o->format == CAIRN_DIAGRAM_MERMAID)
        rc = cairn_dgraph_mermaid(&g, &res);
    else if (!rc)
        rc = cairn_dgraph_dot(&g, o->format == CAIRN_DIAGRAM_DOT ? &res : &dot);
    if (rc == CAIRN_ENOMEM)
        cairn_err(cx, rc, "out of memory");
    if (!rc && o->format >= CAIRN_DIAGRAM_SVG) {
        cairn_buf svg;
        cairn_buf_init(&svg);
        rc = cairn_render_svg(cx, dot.data, dot.len, cairn_dgraph_engine(&g),
                              o->format == CAIRN_DIAGRAM_SVG ? &res : &svg);
        if (!rc && o->format == CAIRN_DIAGRAM_HTML)
            rc = write_html(cx, o, &g, s, &svg, &res);
        cairn_buf_release(&svg);
    }
    if (!rc && o->output) {
        rc = cairn_write_file_atomic(cx, o->output, cairn_buf_cstr(&res), res.len);
        if (!rc)
        {
            cairn_buf what;
            cairn_buf_init(&what);
            cairn_dgraph_counts(&g, &what);
            cairn_log(cx, CAIRN_LOG_INFO, "wrote %s: %s", o->output, cairn_buf_cstr(&what));
            cairn_buf_release(&what);
        }
    } else if (!rc && !(*out = cairn_buf_steal(&res))) {
        rc = cairn_err(cx, CAIRN_ENOMEM, "out of memory");
    }
    cairn_buf_release(&dot);
    cairn_buf_release(&res);
    if (g.arena)
        cairn_dgraph_release(&g);
    cairn_schema_free(s);
    return rc;
}
