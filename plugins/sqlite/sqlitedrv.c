/* PLACEHOLDER until the SQLite driver lands: no entry symbol yet. */
#include <sqlite3.h>
int sqlitedrv_placeholder(void);
int sqlitedrv_placeholder(void) { return sqlite3_libversion_number(); }
