/* PLACEHOLDER until the migrator lands. */
#include "internal.h"
#define NOT_YET return cairn_err(cx, CAIRN_EUNSUPPORTED, "not built yet")
int cairn_migrate(cairn_ctx *cx, const cairn_migrate_opts *opts) { (void)opts; NOT_YET; }
int cairn_status(cairn_ctx *cx, cairn_status_row **rows, size_t *count) { (void)rows; (void)count; NOT_YET; }
void cairn_status_free(cairn_status_row *rows, size_t count) { (void)rows; (void)count; }
int cairn_check_migrations(cairn_ctx *cx) { NOT_YET; }
int cairn_drop(cairn_ctx *cx, char **name_out) { (void)name_out; NOT_YET; }
