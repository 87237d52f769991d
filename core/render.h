/*
 * cairn — the contract between libcairn and its diagram module.
 *
 * The SVG and HTML formats of `cairn diagram` need Graphviz's layout
 * libraries (libgvc, libcgraph). They live in a module of their own,
 * <libdir>/cairn/render/graphviz.so, shipped in its own package, so that
 * libcairn and the `cairn` package never link Graphviz. libcairn writes the
 * DOT text itself and hands it to the module, which lays it out and renders
 * it as SVG.
 *
 * The module is built from this tree and packaged at the same version as
 * libcairn (its package depends on that exact version), so this is not a
 * stable plugin ABI: the magic and version only turn a stray or stale file
 * into one clear error line instead of a crash.
 */
#ifndef CAIRN_RENDER_H
#define CAIRN_RENDER_H

#include <stddef.h>
#include <stdint.h>

#define CAIRN_RENDER_MAGIC 0x43524e44u /* "CRND" */
#define CAIRN_RENDER_VERSION 1u

/** Lay out `dot` (`len` bytes) with the Graphviz engine `engine` ("dot",
 *  "sfdp", ...) and render it as SVG into `*svg` (`*svg_len` bytes,
 *  NUL-terminated, freed with the table's free_text). Returns 0, or -1
 *  with a one-line reason in `why`. */
typedef int cairn_render_svg_fn(const char *dot, size_t len, const char *engine, char **svg,
                                size_t *svg_len, char *why, size_t whylen);

typedef struct cairn_render {
    uint32_t magic;   /* CAIRN_RENDER_MAGIC */
    uint32_t version; /* CAIRN_RENDER_VERSION */
    /** The layout library and its version ("graphviz 2.43.0"). */
    const char *library;
    cairn_render_svg_fn *svg;
    void (*free_text)(char *text);
} cairn_render;

/** The one symbol the module exports. */
#define CAIRN_RENDER_ENTRY "cairn_render_entry"

#endif
