/* core/diagram.c: what a diagram selects (filters, stubs, column modes),
 * how a foreign key's ends read, the escaping of names, the engine by size. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diagram.h"

static cairn_column *col(cairn_schema *s, cairn_table *t, const char *name, int not_null)
{
    cairn_column *c = cairn_table_add_column(s, t, name);
    c->type = cairn_schema_strdup(s, "integer");
    c->not_null = not_null;
    return c;
}

/* users(id PK); profiles(user_id PK, FK -> users: one to one, not null);
 * posts(id PK, author_id FK -> users, nullable, and a text column);
 * app.audit(id FK -> app.gone, a table the schema does not hold: a stub). */
static cairn_schema *sample(void)
{
    cairn_schema *s = cairn_schema_new();
    cairn_table *u = cairn_schema_add_table(s, NULL, "users");
    col(s, u, "id", 1);
    cairn_key_add_column(s, cairn_table_set_primary_key(s, u, NULL), "id");
    cairn_table *p = cairn_schema_add_table(s, NULL, "profiles");
    col(s, p, "user_id", 1);
    cairn_key_add_column(s, cairn_table_set_primary_key(s, p, NULL), "user_id");
    cairn_fkey *fk = cairn_table_add_fkey(s, p, NULL);
    fk->ref_table = cairn_schema_strdup(s, "users");
    cairn_fkey_add_columns(s, fk, "user_id", "id");
    cairn_table *po = cairn_schema_add_table(s, NULL, "posts");
    col(s, po, "id", 1);
    col(s, po, "author_id", 0);
    col(s, po, "body <b>", 0);
    cairn_key_add_column(s, cairn_table_set_primary_key(s, po, NULL), "id");
    fk = cairn_table_add_fkey(s, po, "posts_author");
    fk->ref_table = cairn_schema_strdup(s, "users");
    fk->on_delete = CAIRN_FK_SET_NULL;
    cairn_fkey_add_columns(s, fk, "author_id", "id");
    cairn_table *a = cairn_schema_add_table(s, "app", "audit");
    col(s, a, "id", 1);
    fk = cairn_table_add_fkey(s, a, NULL);
    fk->ref_table = cairn_schema_strdup(s, "gone");
    cairn_fkey_add_columns(s, fk, "id", "id");
    cairn_schema_sort(s);
    return s;
}

static const cairn_dg_node *node(const cairn_dgraph *g, const char *name)
{
    for (size_t i = 0; i < g->nnodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return &g->nodes[i];
    return NULL;
}

static char *text(const cairn_dgraph *g, int mermaid)
{
    cairn_buf b;
    cairn_buf_init(&b);
    int rc = mermaid ? cairn_dgraph_mermaid(g, &b) : cairn_dgraph_dot(g, &b);
    CHECK(rc == 0, "writer failed");
    return cairn_buf_steal(&b);
}

int main(void)
{
    cairn_ctx *cx;
    cairn_ctx_new(&cx);
    cairn_schema *s = sample();
    cairn_dgraph g;

    /* everything: four tables, three edges, one stub for the missing table */
    CHECK(cairn_dgraph_build(cx, s, CAIRN_DIAGRAM_COLUMNS_AUTO, &g) == 0, "%s",
          cairn_ctx_error(cx)->message);
    CHECK(g.ntables == 4 && g.nedges == 3 && g.nnodes == 5, "%zu tables %zu edges %zu nodes",
          g.ntables, g.nedges, g.nnodes);
    CHECK(g.columns == CAIRN_DIAGRAM_COLUMNS_ALL, "auto is all for a few tables");
    CHECK(g.clusters, "a table in namespace app makes clusters");
    const cairn_dg_node *stub = node(&g, "gone");
    CHECK(stub && !stub->table && !stub->view && stub->ns && strcmp(stub->ns, "app") == 0,
          "the missing table is a stub in its referencing table's namespace");
    char *dot = text(&g, 0), *mmd = text(&g, 1);
    CHECK(strstr(dot, "class=\"stub\"") != NULL, "the stub is drawn: %s", dot);
    CHECK(strstr(dot, "body &lt;b&gt;") != NULL, "a column name is escaped in DOT");
    CHECK(strstr(dot, "label=\"on delete set null\"") != NULL, "the action labels the edge");
    /* profiles.user_id is the whole primary key: one to one, not null */
    CHECK(strstr(mmd, "users ||--o| profiles : \"user_id\"") != NULL, "one to one: %s", mmd);
    /* posts.author_id is nullable: zero or one user, many posts */
    CHECK(strstr(mmd, "users |o--o{ posts : \"author_id (on delete set null)\"") != NULL,
          "optional parent: %s", mmd);
    CHECK(strstr(mmd, "app__audit[\"app.audit\"]") != NULL, "a namespaced entity's label");
    CHECK(strstr(mmd, "integer body__b_") != NULL, "a Mermaid word keeps letters only: %s", mmd);
    free(dot);
    free(mmd);
    CHECK(strcmp(cairn_dgraph_engine(&g), "dot") == 0, "dot for a small graph");
    cairn_dgraph_release(&g);

    /* a cut: posts alone draws users as a stub; keys mode hides the text column */
    cairn_ctx_set(cx, "tables", "posts");
    CHECK(cairn_dgraph_build(cx, s, CAIRN_DIAGRAM_COLUMNS_KEYS, &g) == 0, "%s",
          cairn_ctx_error(cx)->message);
    CHECK(g.ntables == 1 && g.nnodes == 2, "posts and the users stub: %zu", g.nnodes);
    const cairn_dg_node *posts = node(&g, "posts");
    CHECK(posts && cairn_dgraph_column_shown(&g, posts, 1) &&
              !cairn_dgraph_column_shown(&g, posts, 2),
          "keys: the foreign key column, not the text one");
    cairn_dgraph_release(&g);

    /* a dotted glob matches namespace.name; the default namespace is public */
    cairn_ctx_set(cx, "tables", "public.u*,app.*");
    CHECK(cairn_dgraph_build(cx, s, CAIRN_DIAGRAM_COLUMNS_NONE, &g) == 0, "%s",
          cairn_ctx_error(cx)->message);
    CHECK(g.ntables == 2 && node(&g, "users") && node(&g, "audit"), "%zu tables", g.ntables);
    CHECK(!cairn_dgraph_column_shown(&g, node(&g, "users"), 0), "none shows no column");
    cairn_dgraph_release(&g);

    /* a glob or a namespace selecting nothing is refused, naming it */
    cairn_ctx_set(cx, "tables", "users,nosuch*");
    CHECK(cairn_dgraph_build(cx, s, CAIRN_DIAGRAM_COLUMNS_ALL, &g) == CAIRN_EUSAGE, "refused");
    CHECK(strstr(cairn_ctx_error(cx)->message, "'nosuch*'") != NULL, "%s",
          cairn_ctx_error(cx)->message);
    CHECK(g.arena == NULL, "nothing left to release after a refusal");
    cairn_ctx_set(cx, "tables", NULL);
    cairn_ctx_set(cx, "namespaces", "billing");
    CHECK(cairn_dgraph_build(cx, s, CAIRN_DIAGRAM_COLUMNS_ALL, &g) == CAIRN_EUSAGE, "refused");
    CHECK(strstr(cairn_ctx_error(cx)->message, "'billing'") != NULL, "%s",
          cairn_ctx_error(cx)->message);
    /* a namespace that holds tables the globs leave out is not a mistake */
    cairn_ctx_set(cx, "namespaces", "public,app");
    cairn_ctx_set(cx, "tables", "app.*");
    CHECK(cairn_dgraph_build(cx, s, CAIRN_DIAGRAM_COLUMNS_ALL, &g) == 0, "%s",
          cairn_ctx_error(cx)->message);
    CHECK(g.ntables == 1 && node(&g, "audit"), "%zu tables", g.ntables);
    cairn_dgraph_release(&g);
    cairn_ctx_set(cx, "tables", NULL);
    cairn_ctx_set(cx, "namespaces", "default");
    CHECK(cairn_dgraph_build(cx, s, CAIRN_DIAGRAM_COLUMNS_ALL, &g) == 0,
          "'default' names the default namespace");
    CHECK(g.ntables == 3 && !node(&g, "audit"), "%zu tables", g.ntables);
    cairn_dgraph_release(&g);

    /* escaping: XML-safe, control characters dropped, newlines kept or flattened */
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_dgraph_escape(&b, "a<b>&\"c\"\x01\nd", 0);
    CHECK_STR(cairn_buf_cstr(&b), "a&lt;b&gt;&amp;&quot;c&quot;\nd");
    cairn_buf_reset(&b);
    cairn_dgraph_escape(&b, "x\ny\tz", 1);
    CHECK_STR(cairn_buf_cstr(&b), "x y z");
    cairn_buf_release(&b);

    cairn_schema_free(s);
    cairn_ctx_free(cx);
    return check_done();
}
