/* A driver from a future era: built for the next ABI major. The host must
 * refuse it with one line naming both ABI versions, before running any of
 * its code (it has none to run). */
#include <cairn/sys/dialect.h>

static const char *const future_schemes[] = {"future", NULL};

CAIRN_PLUGIN_EXPORT const cairn_dialect cairn_dialect_entry = {
    .magic = CAIRN_DIALECT_MAGIC,
    .abi_major = CAIRN_DIALECT_ABI_MAJOR + 1,
    .abi_minor = 0,
    .struct_size = sizeof(cairn_dialect),
    .name = "future",
    .version = "9.9.9",
    .schemes = future_schemes,
    .quote = '"',
};
