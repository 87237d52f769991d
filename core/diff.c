/* PLACEHOLDER until the diff module lands. */
#include "internal.h"
int cairn_diff(cairn_ctx *cx, const cairn_schema *from, const cairn_schema *to, const cairn_diff_opts *opts, cairn_plan **out)
{ (void)from; (void)to; (void)opts; (void)out; return cairn_err(cx, CAIRN_EUNSUPPORTED, "diff: not built yet"); }
void cairn_plan_free(cairn_plan *p) { (void)p; }
int cairn_plan_sql(cairn_ctx *cx, const cairn_plan *p, char **out)
{ (void)p; (void)out; return cairn_err(cx, CAIRN_EUNSUPPORTED, "diff: not built yet"); }
int cairn_schema_same(cairn_ctx *cx, const cairn_schema *a, const cairn_schema *b, int *same)
{ (void)a; (void)b; (void)same; return cairn_err(cx, CAIRN_EUNSUPPORTED, "diff: not built yet"); }
