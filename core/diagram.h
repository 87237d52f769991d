/*
 * cairn diagram: the part of a schema a diagram draws (diagram.c), and the
 * writers that share it: DOT and Mermaid (diagram.c), the HTML page
 * (diagram_html.c), SVG through the Graphviz module (render.c).
 */
#ifndef CAIRN_DIAGRAM_H
#define CAIRN_DIAGRAM_H

#include "internal.h"

/** A box of the diagram: a table, a view, or a stub (a table a foreign key
 *  references that the filters left out, drawn as its name only). */
typedef struct cairn_dg_node {
    const cairn_table *table; /* NULL for a view or a stub */
    const cairn_view *view;
    const char *ns, *name;
    /** "t<N>": the node's name in DOT, its id in the SVG, its anchor in
     *  the HTML page; N is the node's index. */
    char id[24];
    /** Per column of `table`: a foreign key of a drawn table references it. */
    unsigned char *referenced;
} cairn_dg_node;

/** A foreign key, drawn from the referencing table to the referenced one. */
typedef struct cairn_dg_edge {
    const cairn_fkey *fk;
    size_t from, to;         /* node indexes */
    long from_col, to_col;   /* first column of each side in its table, -1: none */
} cairn_dg_edge;

typedef struct cairn_dgraph {
    cairn_arena *arena;
    cairn_dg_node *nodes;    /* tables, then views, then stubs */
    size_t nnodes, ntables, nviews;
    cairn_dg_edge *edges;
    size_t nedges;
    const cairn_enum **enums;
    size_t nenums;
    cairn_diagram_columns columns; /* never AUTO */
    int clusters;            /* namespaces are drawn as clusters */
} cairn_dgraph;

/** Select what `s` draws under the "tables" and "namespaces" settings.
 *  CAIRN_EUSAGE when a glob or a namespace selects nothing. `s` must
 *  outlive `g`. */
int cairn_dgraph_build(cairn_ctx *cx, const cairn_schema *s, cairn_diagram_columns columns,
                       cairn_dgraph *g);
void cairn_dgraph_release(cairn_dgraph *g);
/** Is column `i` of node `n`'s table drawn, with the graph's columns setting? */
int cairn_dgraph_column_shown(const cairn_dgraph *g, const cairn_dg_node *n, size_t i);
/** "pk", "fk", "uq" flags of column `i` of a table. */
enum { CAIRN_DG_PK = 1, CAIRN_DG_FK = 2, CAIRN_DG_UQ = 4 };
unsigned cairn_dgraph_column_keys(const cairn_table *t, size_t i);
/** The name of a referential action, NULL for NO ACTION (the default). */
const char *cairn_dgraph_action(cairn_fk_action a);

int cairn_dgraph_dot(const cairn_dgraph *g, cairn_buf *b);
int cairn_dgraph_mermaid(const cairn_dgraph *g, cairn_buf *b);
/** `s` (NULL: nothing) as HTML or XML text or attribute value: & < > "
 *  escaped, control characters dropped, and with `flat` newlines and tabs
 *  made spaces too. */
void cairn_dgraph_escape(cairn_buf *b, const char *s, int flat);
/** "3 tables, 1 view, 2 foreign keys" */
void cairn_dgraph_counts(const cairn_dgraph *g, cairn_buf *b);
/** The Graphviz engine for a graph of this size. */
const char *cairn_dgraph_engine(const cairn_dgraph *g);

/** What the HTML page shows besides the diagram. */
typedef struct cairn_dg_page {
    const char *title;        /* "schema.json", "migration X", "database" */
    const char *dialect;
    const char *svg;          /* the rendered diagram, from "<svg" on */
    size_t svg_len;
    cairn_migration *migrations; /* SQL loaded; NULL when there is no folder */
    size_t nmigrations;
    /** Per migration: its state when a database was read, else NULL. */
    const char **states;
} cairn_dg_page;

/** diagram_html.c: the self-contained page. */
int cairn_dgraph_html(const cairn_dgraph *g, const cairn_dg_page *p, cairn_buf *b);

/** render.c: `dot` laid out and rendered as SVG by the diagram module,
 *  appended to `svg`; CAIRN_EUNSUPPORTED when the module is missing. */
int cairn_render_svg(cairn_ctx *cx, const char *dot, size_t len, const char *engine,
                     cairn_buf *svg);

#endif
