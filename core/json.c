/* PLACEHOLDER until the JSON module lands: every entry point refuses. */
#include "internal.h"
int cairn_json_read_schema(cairn_ctx *cx, const char *text, size_t len, const char *fname, cairn_schema **out)
{ (void)text; (void)len; (void)fname; (void)out; return cairn_err(cx, CAIRN_EUNSUPPORTED, "json: not built yet"); }
int cairn_json_write_schema(cairn_ctx *cx, const cairn_schema *s, cairn_buf *out)
{ (void)s; (void)out; return cairn_err(cx, CAIRN_EUNSUPPORTED, "json: not built yet"); }
int cairn_json_read_snapshot(cairn_ctx *cx, const char *text, size_t len, const char *fname, cairn_snapshot *out)
{ (void)text; (void)len; (void)fname; (void)out; return cairn_err(cx, CAIRN_EUNSUPPORTED, "json: not built yet"); }
int cairn_json_write_snapshot(cairn_ctx *cx, const cairn_snapshot *snap, cairn_buf *out)
{ (void)snap; (void)out; return cairn_err(cx, CAIRN_EUNSUPPORTED, "json: not built yet"); }
void cairn_snapshot_release(cairn_snapshot *snap) { (void)snap; }
int cairn_json_read_config(cairn_ctx *cx, const char *text, size_t len, const char *fname, cairn_config_cb *cb, void *ud)
{ (void)text; (void)len; (void)fname; (void)cb; (void)ud; return cairn_err(cx, CAIRN_EUNSUPPORTED, "json: not built yet"); }
int cairn_schema_to_json(cairn_ctx *cx, const cairn_schema *s, char **out)
{ (void)s; (void)out; return cairn_err(cx, CAIRN_EUNSUPPORTED, "json: not built yet"); }
int cairn_schema_from_json(cairn_ctx *cx, const char *text, const char *name, cairn_schema **out)
{ (void)text; (void)name; (void)out; return cairn_err(cx, CAIRN_EUNSUPPORTED, "json: not built yet"); }
