/* PLACEHOLDER until the commands module lands. */
#include "internal.h"
#define NOT_YET return cairn_err(cx, CAIRN_EUNSUPPORTED, "not built yet")
int cairn_schema_load(cairn_ctx *cx, cairn_schema **out) { (void)out; NOT_YET; }
int cairn_generate(cairn_ctx *cx, const cairn_generate_opts *opts, char **dir_out) { (void)opts; (void)dir_out; NOT_YET; }
int cairn_pull(cairn_ctx *cx, const char *output, int force) { (void)output; (void)force; NOT_YET; }
int cairn_push(cairn_ctx *cx, const cairn_push_opts *opts) { (void)opts; NOT_YET; }
int cairn_export(cairn_ctx *cx, char **sql_out) { (void)sql_out; NOT_YET; }
