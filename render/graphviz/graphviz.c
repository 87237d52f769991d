/*
 * cairn's diagram module: DOT text in, SVG out, through Graphviz's
 * libraries (libgvc lays out and renders, libcgraph reads the graph). The
 * contract is core/render.h; this file is all the module there is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "render.h"

#define GVRENDER_EXPORT __attribute__((visibility("default")))

/* Graphviz reports errors through a process-wide callback; the first line
 * of this call's errors is kept for `why`. Graphviz itself keeps global
 * state, so one render at a time (cairn_diagram says so). */
static char *gv_why;
static size_t gv_whylen;

static int gv_error(char *msg)
{
    if (gv_why && !gv_why[0]) {
        snprintf(gv_why, gv_whylen, "graphviz: %s", msg);
        char *nl = strchr(gv_why, '\n');
        if (nl)
            *nl = '\0';
    }
    return 0;
}

static int gvrender_svg(const char *dot, size_t len, const char *engine, char **svg,
                        size_t *svg_len, char *why, size_t whylen)
{
    *svg = NULL;
    *svg_len = 0;
    why[0] = '\0';
    gv_why = why;
    gv_whylen = whylen;
    agseterrf(gv_error);
    agseterr(AGERR);
    /* agmemread wants a NUL-terminated string */
    char *text = malloc(len + 1);
    GVC_t *gvc = text ? gvContext() : NULL;
    Agraph_t *g = NULL;
    int rc = -1;
    if (gvc) {
        memcpy(text, dot, len);
        text[len] = '\0';
        g = agmemread(text);
    }
    if (g && gvLayout(gvc, g, engine) == 0) {
        char *data = NULL;
        unsigned int n = 0;
        if (gvRenderData(gvc, g, "svg", &data, &n) == 0 && data) {
            if ((*svg = malloc((size_t)n + 1))) {
                memcpy(*svg, data, n);
                (*svg)[n] = '\0';
                *svg_len = n;
                rc = 0;
            }
            gvFreeRenderData(data);
        }
        gvFreeLayout(gvc, g);
    }
    if (rc && !why[0])
        snprintf(why, whylen, !text || !gvc ? "graphviz: out of memory"
                              : !g          ? "graphviz: cannot read the DOT text"
                                            : "graphviz: layout or rendering with '%s' failed",
                 engine);
    if (g)
        agclose(g);
    if (gvc)
        gvFreeContext(gvc);
    free(text);
    gv_why = NULL;
    return rc;
}

static void gvrender_free(char *text)
{
    free(text);
}

GVRENDER_EXPORT const cairn_render cairn_render_entry = {
    .magic = CAIRN_RENDER_MAGIC,
    .version = CAIRN_RENDER_VERSION,
    .library = "graphviz " GVRENDER_GRAPHVIZ_VERSION,
    .svg = gvrender_svg,
    .free_text = gvrender_free,
};
