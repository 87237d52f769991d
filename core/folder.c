/* PLACEHOLDER until the migrations-folder module lands. */
#include "internal.h"
int cairn_folder_list(cairn_ctx *cx, const char *out, cairn_migration **list, size_t *n)
{ (void)out; (void)list; (void)n; return cairn_err(cx, CAIRN_EUNSUPPORTED, "not built yet"); }
void cairn_folder_free(cairn_migration *list, size_t n) { (void)list; (void)n; }
int cairn_folder_latest_snapshot(cairn_ctx *cx, const char *out, cairn_snapshot *snap)
{ (void)out; (void)snap; return cairn_err(cx, CAIRN_EUNSUPPORTED, "not built yet"); }
int cairn_folder_write(cairn_ctx *cx, const char *out, const char *name, const char *sql, const char *snapshot_json)
{ (void)out; (void)name; (void)sql; (void)snapshot_json; return cairn_err(cx, CAIRN_EUNSUPPORTED, "not built yet"); }
