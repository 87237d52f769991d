/*
 * The diagram module's loader: find <libdir>/cairn/render/graphviz.so
 * beside libcairn (a build tree, a relocated install) or in the compiled-in
 * install directory, check its table, hand it DOT text. The module is
 * optional: the core package does not depend on Graphviz (core/render.h).
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "diagram.h"
#include "internal.h"
#include "render.h"

#define RENDER_FILE "graphviz.so"

/* <dir of libcairn>/cairn/render/graphviz.so, or NULL. */
static char *beside_libcairn(void)
{
    Dl_info info;
    static const char here = 0; /* an object inside libcairn, for dladdr */
    if (!dladdr(&here, &info) || !info.dli_fname)
        return NULL;
    char *real = realpath(info.dli_fname, NULL);
    char *slash = real ? strrchr(real, '/') : NULL;
    if (slash)
        *slash = '\0';
    char *path = slash ? cairn_path_join(real, "cairn/render/" RENDER_FILE) : NULL;
    free(real);
    return path;
}

/* Modules are never unloaded (as drivers are not): the handle stays open
 * until the process ends, and a second call finds it loaded already. */
static int render_open(cairn_ctx *cx, const cairn_render **out)
{
    char *near = beside_libcairn();
    const char *tried[] = {near, CAIRN_INSTALL_RENDERDIR "/" RENDER_FILE};
    void *h = NULL;
    const char *path = NULL, *why = NULL;
    for (size_t i = 0; i < 2 && !h; i++) {
        if (!tried[i] || !cairn_file_exists(tried[i]))
            continue;
        path = tried[i];
        if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
            why = dlerror();
    }
    int rc = 0;
    const cairn_render *r = h ? dlsym(h, CAIRN_RENDER_ENTRY) : NULL;
    if (!path)
        rc = cairn_err(cx, CAIRN_EUNSUPPORTED,
                       "svg and html need the diagram module (%s, package cairn-diagram), "
                       "which is not installed: dot and mermaid work without it",
                       CAIRN_INSTALL_RENDERDIR "/" RENDER_FILE);
    else if (!h)
        rc = cairn_err(cx, CAIRN_EUNSUPPORTED, "%s: cannot load the diagram module: %s", path,
                       why ? why : "unknown reason");
    else if (!r || r->magic != CAIRN_RENDER_MAGIC || r->version != CAIRN_RENDER_VERSION ||
             !r->svg || !r->free_text)
        rc = cairn_err(cx, CAIRN_EUNSUPPORTED,
                       "%s is not a diagram module of this cairn (version %u wanted): "
                       "reinstall the cairn-diagram package of the same version",
                       path, CAIRN_RENDER_VERSION);
    free(near);
    if (rc && h)
        dlclose(h);
    *out = rc ? NULL : r;
    return rc;
}

int cairn_render_svg(cairn_ctx *cx, const char *dot, size_t len, const char *engine,
                     cairn_buf *svg)
{
    const cairn_render *r;
    int rc = render_open(cx, &r);
    if (rc)
        return rc;
    char *text = NULL, why[256];
    size_t n = 0;
    if (r->svg(dot, len, engine, &text, &n, why, sizeof why) != 0)
        return cairn_err(cx, CAIRN_EGENERIC, "%s", why);
    cairn_log(cx, CAIRN_LOG_DEBUG, "laid out with %s, engine %s: %zu bytes of SVG", r->library,
              engine, n);
    rc = cairn_buf_append(svg, text, n);
    r->free_text(text);
    return rc ? cairn_err(cx, CAIRN_ENOMEM, "out of memory") : 0;
}
