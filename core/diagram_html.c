/*
 * cairn diagram --format html: one self-contained page (no network, no
 * external script, style or font) holding the SVG diagram, a list of the
 * tables to filter by typing, each table's columns, indexes, constraints
 * and comments, and the migrations folder's history with its SQL.
 *
 * The page's address can carry a filter or a selection
 * (report.html#filter=user, report.html#select=users), so a link shows
 * what it is about; the browser test drives the filter box that way.
 */
#include <string.h>

#include "diagram.h"

/* Text in HTML, element content or a quoted attribute. */
static void esc(cairn_buf *b, const char *s)
{
    cairn_dgraph_escape(b, s, 0);
}

static void qualified(cairn_buf *b, const char *ns, const char *name)
{
    if (ns) {
        esc(b, ns);
        cairn_buf_puts(b, ".");
    }
    esc(b, name);
}

static void names(cairn_buf *b, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cairn_buf_puts(b, i ? ", " : "");
        esc(b, v[i]);
    }
}

static const char page_style[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:14px/1.4 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "color:#1f2933;background:#f7f9fb}"
    "header{padding:10px 16px;background:#243b53;color:#fff}"
    "header h1{margin:0;font-size:18px}header p{margin:2px 0 0;color:#bcccdc;font-size:13px}"
    "#side{position:fixed;top:58px;bottom:0;left:0;width:250px;display:flex;flex-direction:column;"
    "border-right:1px solid #d9e2ec;background:#fff}"
    "#filter{margin:10px;padding:6px 8px;font:inherit;border:1px solid #9fb3c8;border-radius:4px}"
    "#count{margin:0 10px 6px;color:#627d98;font-size:12px}"
    "#list{list-style:none;margin:0;padding:0 0 10px;overflow:auto;flex:1}"
    "#list li{padding:2px 12px;cursor:pointer;white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis}"
    "#list li:hover{background:#f0f4f8}#list li.sel{background:#d6e4f2;font-weight:600}"
    "#list li.nb{background:#eef5e6}#list li small{color:#829ab1}"
    "main{margin-left:250px;padding:12px 16px}"
    "h2{font-size:16px;margin:18px 0 8px}"
    "#tools{margin-bottom:6px}#tools button{font:inherit;padding:2px 10px;margin-right:4px}"
    "#svgwrap{max-height:75vh;overflow:auto;background:#fff;border:1px solid #d9e2ec;border-radius:4px}"
    "#svgwrap svg{display:block}"
    "g.node,g.edge{cursor:pointer}"
    "svg.focus g.node,svg.focus g.edge{opacity:.25}"
    "svg.focus g.node.sel,svg.focus g.node.nb,svg.focus g.edge.hl{opacity:1}"
    "g.node.sel polygon:last-of-type{stroke:#d9480f;stroke-width:3}"
    "g.edge.hl path{stroke:#d9480f;stroke-width:2}g.node.dim{opacity:.2}"
    "article{background:#fff;border:1px solid #d9e2ec;border-radius:4px;padding:8px 12px;"
    "margin:0 0 10px}"
    "article.sel{border-color:#d9480f}"
    "article h3{margin:0 0 4px;font-size:15px}article h3 small{color:#829ab1;font-weight:400}"
    "table.cols{border-collapse:collapse;width:100%;font-size:13px}"
    "table.cols th,table.cols td{text-align:left;padding:2px 8px;border-bottom:1px solid #eef2f6;"
    "vertical-align:top}"
    "table.cols th{color:#627d98;font-weight:600}"
    "code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}"
    "pre{background:#f0f4f8;padding:8px;overflow:auto;max-height:40em}"
    ".k{color:#9a5b00;font-weight:600}.cm{color:#486581;font-style:italic;margin:2px 0}"
    "ul.cons{margin:6px 0 0;padding-left:18px;font-size:13px}"
    "details{background:#fff;border:1px solid #d9e2ec;border-radius:4px;margin:0 0 6px;"
    "padding:4px 10px}"
    "summary{cursor:pointer}"
    ".st{display:inline-block;margin-left:8px;padding:0 6px;border-radius:3px;font-size:12px;"
    "background:#e6f0da}"
    ".st.pending{background:#fff3c4}.st.modified,.st.missing,.st.partial{background:#ffd8d8}";

/* Filter, select, zoom; reads the page's own markup only. */
static const char page_script[] =
    "(function(){"
    "var q=document.getElementById('filter'),items=document.querySelectorAll('#list li'),"
    "count=document.getElementById('count'),wrap=document.getElementById('svgwrap'),"
    "svg=wrap.querySelector('svg'),byName={},i;"
    "for(i=0;i<items.length;i++)byName[items[i].getAttribute('data-name')]=items[i];"
    "function each(sel,f){var l=document.querySelectorAll(sel);for(var k=0;k<l.length;k++)f(l[k]);}"
    "function filter(){var v=q.value.trim().toLowerCase(),n=0;"
    "for(var k=0;k<items.length;k++){var li=items[k],t=li.getAttribute('data-t'),"
    "hit=!v||li.getAttribute('data-name').toLowerCase().indexOf(v)>=0;"
    "li.hidden=!hit;n+=hit?1:0;var a=document.getElementById('d-'+t);if(a)a.hidden=!hit;"
    "var g=document.getElementById(t);if(g)g.classList.toggle('dim',!!v&&!hit);}"
    "count.textContent=n+' of '+items.length+' shown';}"
    "function select(t,center){"
    "each('.sel,.nb,.hl',function(e){e.classList.remove('sel','nb','hl');});"
    "if(!t){if(svg)svg.classList.remove('focus');return;}"
    "var g=document.getElementById(t),li=document.querySelector('#list li[data-t=\"'+t+'\"]'),"
    "a=document.getElementById('d-'+t);"
    "if(g)g.classList.add('sel');if(li)li.classList.add('sel');if(a)a.classList.add('sel');"
    "each('g.edge.'+t,function(e){e.classList.add('hl');e.getAttribute('class').split(' ')"
    ".forEach(function(c){if(/^t[0-9]+$/.test(c)&&c!==t){var n=document.getElementById(c);"
    "if(n)n.classList.add('nb');var l=document.querySelector('#list li[data-t=\"'+c+'\"]');"
    "if(l)l.classList.add('nb');}});});"
    "if(svg)svg.classList.add('focus');"
    "if(g&&center){var r=g.getBoundingClientRect(),w=wrap.getBoundingClientRect();"
    "wrap.scrollLeft+=r.left-w.left-(w.width-r.width)/2;"
    "wrap.scrollTop+=r.top-w.top-(w.height-r.height)/2;}}"
    "q.addEventListener('input',filter);"
    "document.getElementById('list').addEventListener('click',function(ev){"
    "var li=ev.target.closest('li');if(li)select(li.getAttribute('data-t'),true);});"
    "if(svg){svg.addEventListener('click',function(ev){var g=ev.target.closest('g.node');"
    "select(g&&/^t[0-9]+$/.test(g.id)?g.id:null,false);});"
    "svg.addEventListener('dblclick',function(ev){var g=ev.target.closest('g.node');"
    "var a=g&&document.getElementById('d-'+g.id);if(a)a.scrollIntoView();});"
    "var w0=svg.width.baseVal.value,h0=svg.height.baseVal.value,z=1;"
    "function zoom(f){z=f;svg.setAttribute('width',w0*z);svg.setAttribute('height',h0*z);}"
    "document.getElementById('zin').onclick=function(){zoom(z*1.25);};"
    "document.getElementById('zout').onclick=function(){zoom(z/1.25);};"
    "document.getElementById('zfit').onclick=function(){"
    "zoom(Math.min(1,wrap.clientWidth/w0,wrap.clientHeight/h0));};"
    "if(w0>wrap.clientWidth||h0>wrap.clientHeight)"
    "zoom(Math.max(0.25,Math.min(1,wrap.clientWidth/w0,wrap.clientHeight/h0)));}"
    "function fromAddress(){var h=decodeURIComponent(location.hash.slice(1)),m;"
    "if((m=/^filter=(.*)$/.exec(h))){q.value=m[1];filter();}"
    "else if((m=/^select=(.*)$/.exec(h))&&byName[m[1]])"
    "select(byName[m[1]].getAttribute('data-t'),true);}"
    "window.addEventListener('hashchange',fromAddress);filter();fromAddress();"
    "})();";

static void columns_table(cairn_buf *b, const cairn_table *t)
{
    cairn_buf_puts(b, "<table class=\"cols\"><tr><th>column</th><th>type</th><th>null</th>"
                      "<th>default</th><th>keys</th><th>comment</th></tr>");
    for (size_t i = 0; i < t->ncolumns; i++) {
        const cairn_column *c = t->columns[i];
        unsigned k = cairn_dgraph_column_keys(t, i);
        cairn_buf_puts(b, "<tr><td>");
        esc(b, c->name);
        cairn_buf_puts(b, "</td><td><code>");
        esc(b, c->type);
        if (c->collation) {
            cairn_buf_puts(b, " collate ");
            esc(b, c->collation);
        }
        cairn_buf_printf(b, "</code></td><td>%s</td><td><code>", c->not_null ? "not null" : "");
        if (c->generated) {
            cairn_buf_printf(b, "generated (%s) ", c->generated_stored ? "stored" : "virtual");
            esc(b, c->generated);
        } else if (c->identity) {
            cairn_buf_puts(b, c->identity == CAIRN_IDENTITY_AUTO ? "auto increment" : "identity");
        } else {
            esc(b, c->default_expr);
        }
        cairn_buf_printf(b, "</code></td><td class=\"k\">%s%s%s</td><td>",
                         k & CAIRN_DG_PK ? "PK " : "", k & CAIRN_DG_FK ? "FK " : "",
                         k & CAIRN_DG_UQ ? "UQ" : "");
        esc(b, c->comment);
        cairn_buf_puts(b, "</td></tr>");
    }
    cairn_buf_puts(b, "</table>");
}

/* The node a foreign key of node `from` points at (edges are in order). */
static const cairn_dg_node *fk_target(const cairn_dgraph *g, size_t from, const cairn_fkey *fk)
{
    for (size_t i = 0; i < g->nedges; i++)
        if (g->edges[i].from == from && g->edges[i].fk == fk)
            return &g->nodes[g->edges[i].to];
    return NULL;
}

static void link_node(cairn_buf *b, const cairn_dg_node *n)
{
    if (n->table || n->view)
        cairn_buf_printf(b, "<a href=\"#d-%s\">", n->id);
    qualified(b, n->ns, n->name);
    cairn_buf_puts(b, n->table || n->view ? "</a>" : "");
}

static void constraints(cairn_buf *b, const cairn_dgraph *g, size_t idx)
{
    const cairn_table *t = g->nodes[idx].table;
    cairn_buf_puts(b, "<ul class=\"cons\">");
    if (t->primary_key) {
        cairn_buf_puts(b, "<li>primary key (");
        names(b, t->primary_key->columns, t->primary_key->ncolumns);
        cairn_buf_puts(b, ")</li>");
    }
    for (size_t i = 0; i < t->nuniques; i++) {
        cairn_buf_puts(b, "<li>unique ");
        esc(b, t->uniques[i]->name);
        cairn_buf_puts(b, " (");
        names(b, t->uniques[i]->columns, t->uniques[i]->ncolumns);
        cairn_buf_puts(b, ")</li>");
    }
    for (size_t i = 0; i < t->nfkeys; i++) {
        const cairn_fkey *fk = t->fkeys[i];
        const cairn_dg_node *to = fk_target(g, idx, fk);
        cairn_buf_puts(b, "<li>foreign key ");
        esc(b, fk->name);
        cairn_buf_puts(b, " (");
        names(b, fk->columns, fk->ncolumns);
        cairn_buf_puts(b, ") references ");
        if (to)
            link_node(b, to);
        cairn_buf_puts(b, " (");
        names(b, fk->ref_columns, fk->nref_columns);
        cairn_buf_puts(b, ")");
        const char *del = cairn_dgraph_action(fk->on_delete);
        const char *upd = cairn_dgraph_action(fk->on_update);
        cairn_buf_printf(b, "%s%s%s%s</li>", del ? " on delete " : "", del ? del : "",
                         upd ? " on update " : "", upd ? upd : "");
    }
    for (size_t i = 0; i < t->nchecks; i++) {
        cairn_buf_puts(b, "<li>check ");
        esc(b, t->checks[i]->name);
        cairn_buf_puts(b, " <code>");
        esc(b, t->checks[i]->expr);
        cairn_buf_puts(b, "</code></li>");
    }
    for (size_t i = 0; i < t->nindexes; i++) {
        const cairn_index *ix = t->indexes[i];
        cairn_buf_printf(b, "<li>%sindex ", ix->unique ? "unique " : "");
        esc(b, ix->name);
        cairn_buf_puts(b, " (");
        for (size_t p = 0; p < ix->nparts; p++) {
            cairn_buf_puts(b, p ? ", " : "");
            esc(b, ix->parts[p]->column ? ix->parts[p]->column : ix->parts[p]->expr);
            cairn_buf_puts(b, ix->parts[p]->desc ? " desc" : "");
        }
        cairn_buf_puts(b, ")");
        if (ix->method) {
            cairn_buf_puts(b, " using ");
            esc(b, ix->method);
        }
        if (ix->where) {
            cairn_buf_puts(b, " where <code>");
            esc(b, ix->where);
            cairn_buf_puts(b, "</code>");
        }
        cairn_buf_puts(b, "</li>");
    }
    cairn_buf_puts(b, "</ul>");
    int any = 0;
    for (size_t i = 0; i < g->nedges; i++) {
        if (g->edges[i].to != idx)
            continue;
        cairn_buf_puts(b, any++ ? ", " : "<p>referenced by ");
        link_node(b, &g->nodes[g->edges[i].from]);
    }
    cairn_buf_puts(b, any ? "</p>" : "");
}

static void details(cairn_buf *b, const cairn_dgraph *g)
{
    cairn_buf_puts(b, "<h2 id=\"details\">Tables and views</h2>");
    for (size_t i = 0; i < g->ntables + g->nviews; i++) {
        const cairn_dg_node *n = &g->nodes[i];
        cairn_buf_printf(b, "<article id=\"d-%s\"><h3>", n->id);
        qualified(b, n->ns, n->name);
        cairn_buf_printf(b, " <small>%s</small></h3>",
                         n->table ? "table" : n->view->materialized ? "materialized view" : "view");
        const char *comment = n->table ? n->table->comment : n->view->comment;
        if (comment) {
            cairn_buf_puts(b, "<p class=\"cm\">");
            esc(b, comment);
            cairn_buf_puts(b, "</p>");
        }
        if (n->table) {
            columns_table(b, n->table);
            constraints(b, g, i);
        } else {
            if (n->view->ncolumns) {
                cairn_buf_puts(b, "<p>columns: ");
                names(b, n->view->columns, n->view->ncolumns);
                cairn_buf_puts(b, "</p>");
            }
            cairn_buf_puts(b, "<pre>");
            esc(b, n->view->definition);
            cairn_buf_puts(b, "</pre>");
        }
        cairn_buf_puts(b, "</article>\n");
    }
    if (g->nenums)
        cairn_buf_puts(b, "<h2 id=\"enums\">Enums</h2><ul>");
    for (size_t i = 0; i < g->nenums; i++) {
        cairn_buf_puts(b, "<li><b>");
        qualified(b, g->enums[i]->schema, g->enums[i]->name);
        cairn_buf_puts(b, "</b>: ");
        names(b, g->enums[i]->values, g->enums[i]->nvalues);
        cairn_buf_puts(b, "</li>");
    }
    cairn_buf_puts(b, g->nenums ? "</ul>" : "");
}

static void migrations(cairn_buf *b, const cairn_dg_page *p)
{
    if (!p->migrations)
        return;
    cairn_buf_printf(b, "<h2 id=\"migrations\">Migrations (%zu)</h2>", p->nmigrations);
    if (!p->nmigrations)
        cairn_buf_puts(b, "<p>The migrations folder holds no migration yet.</p>");
    for (size_t i = p->nmigrations; i-- > 0;) {
        const cairn_migration *m = &p->migrations[i];
        cairn_buf_puts(b, "<details><summary><code>");
        esc(b, m->name);
        cairn_buf_puts(b, "</code>");
        if (p->states)
            cairn_buf_printf(b, "<span class=\"st %s\">%s</span>", p->states[i], p->states[i]);
        cairn_buf_puts(b, "</summary><pre>");
        esc(b, m->sql ? m->sql : "(no migration.sql)");
        cairn_buf_puts(b, "</pre></details>\n");
    }
}

int cairn_dgraph_html(const cairn_dgraph *g, const cairn_dg_page *p, cairn_buf *b)
{
    cairn_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<meta name=\"generator\" content=\"cairn ");
    cairn_buf_puts(b, cairn_version());
    cairn_buf_puts(b, "\"><title>Schema: ");
    esc(b, p->title);
    cairn_buf_printf(b, "</title><style>%s</style></head>\n<body><header><h1>Schema: ", page_style);
    esc(b, p->title);
    cairn_buf_puts(b, "</h1><p>");
    cairn_dgraph_counts(g, b);
    if (p->dialect) {
        cairn_buf_puts(b, " &middot; ");
        esc(b, p->dialect);
    }
    cairn_buf_printf(b, " &middot; written by cairn %s</p></header>\n", cairn_version());
    cairn_buf_puts(b, "<nav id=\"side\"><input id=\"filter\" type=\"search\" "
                      "placeholder=\"Filter tables\" aria-label=\"Filter tables\" "
                      "autocomplete=\"off\"><p id=\"count\"></p><ul id=\"list\">");
    for (size_t i = 0; i < g->ntables + g->nviews; i++) {
        const cairn_dg_node *n = &g->nodes[i];
        cairn_buf_printf(b, "<li data-t=\"%s\" data-name=\"", n->id);
        qualified(b, n->ns, n->name);
        cairn_buf_puts(b, "\">");
        qualified(b, n->ns, n->name);
        cairn_buf_puts(b, n->view ? " <small>view</small></li>" : "</li>");
    }
    cairn_buf_puts(b, "</ul></nav>\n<main><section id=\"diagram\"><div id=\"tools\">"
                      "<button id=\"zin\" type=\"button\">+</button>"
                      "<button id=\"zout\" type=\"button\">&minus;</button>"
                      "<button id=\"zfit\" type=\"button\">fit</button> "
                      "<small>click a table to see its neighbours, double-click for its "
                      "details</small></div><div id=\"svgwrap\">");
    cairn_buf_append(b, p->svg, p->svg_len);
    cairn_buf_puts(b, "</div></section>\n");
    details(b, g);
    migrations(b, p);
    cairn_buf_printf(b, "</main>\n<script>%s</script>\n</body></html>\n", page_script);
    return b->oom ? CAIRN_ENOMEM : 0;
}
