/* The dialect table's layout is frozen: an installed driver reads and a
 * host checks fields by offset, so a slot that moves breaks every driver
 * built before. This test fails if any field moves, if the slot list that
 * the loader checks (CAIRN_DIALECT_SLOTS) disagrees with the struct, or if
 * docs/writing-a-dialect.md's slot table disagrees with the list. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairn/sys/dialect.h>

static int passed, failed;

static void check(int ok, const char *what, const char *detail)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    }
}

/* Offsets on LP64 (x86-64, aarch64 Linux), as released: never edit a line,
 * only append the fields of a new minor version. */
static const struct { const char *field; size_t offset; } frozen[] = {
    {"magic", 0}, {"abi_major", 4}, {"abi_minor", 6}, {"struct_size", 8}, {"reserved", 12},
    {"name", 16}, {"version", 24}, {"schemes", 32}, {"caps", 40}, {"quote", 48},
    {"open", 56}, {"close", 64}, {"connect", 72}, {"disconnect", 80}, {"exec", 88},
    {"begin", 96}, {"commit", 104}, {"rollback", 112}, {"introspect", 120},
    {"normalize_type", 128}, {"normalize_default", 136}, {"emit", 144},
    {"history_ensure", 152}, {"history_list", 160}, {"history_record", 168},
    {"history_remove", 176}, {"lock", 184}, {"unlock", 192}, {"scratch_connect", 200},
    {"scratch_release", 208}, {"describe", 216},
    /* 1.1 */
    {"normalize_expr", 224},
    /* 1.2 */
    {"quote_close", 232}, {"type_families", 240}, {"ident_max_bytes", 248},
    {"ident_max_chars", 250},
    /* 1.3 */
    {"query", 256}, {"hazards", 264}, {"type_names", 272},
    /* 1.4 */
    {"normalize_schema", 280},
    /* 1.5 */
    {"default_namespace", 288},
    {"order", 296},
    {"object_recreates", 304},
    {"normalize_object", 312},
};

#define OFF(f) {#f, offsetof(cairn_dialect, f)}
static const struct { const char *field; size_t offset; } actual[] = {
    OFF(magic), OFF(abi_major), OFF(abi_minor), OFF(struct_size), OFF(reserved), OFF(name),
    OFF(version), OFF(schemes), OFF(caps), OFF(quote), OFF(open), OFF(close), OFF(connect),
    OFF(disconnect), OFF(exec), OFF(begin), OFF(commit), OFF(rollback), OFF(introspect),
    OFF(normalize_type), OFF(normalize_default), OFF(emit), OFF(history_ensure),
    OFF(history_list), OFF(history_record), OFF(history_remove), OFF(lock), OFF(unlock),
    OFF(scratch_connect), OFF(scratch_release), OFF(describe), OFF(normalize_expr),
    OFF(quote_close), OFF(type_families), OFF(ident_max_bytes), OFF(ident_max_chars),
    OFF(query), OFF(hazards), OFF(type_names), OFF(normalize_schema),
    OFF(default_namespace), OFF(order), OFF(object_recreates), OFF(normalize_object),
};

typedef struct slot { const char *name; int required, minor; size_t offset; } slot;
#define AS_SLOT(f, need, min) {#f, CAIRN_##need, min, offsetof(cairn_dialect, f)},
enum { CAIRN_OPTIONAL, CAIRN_REQUIRED };
static const slot slots[] = {CAIRN_DIALECT_SLOTS(AS_SLOT)};
#define NSLOTS (sizeof slots / sizeof *slots)

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* The docs' slot table: a row naming `slot` ("`slot(" or "`slot`") must say
 * **required** exactly when the slot is, and "since 1.N" for a later slot. */
static void check_docs(const char *path)
{
    char *text = read_all(path);
    check(text != NULL, "docs readable", path);
    if (!text)
        return;
    const char *table = strstr(text, "## The slots");
    check(table != NULL, "docs have a section '## The slots'", NULL);
    for (size_t i = 0; table && i < NSLOTS; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "`%s(", slots[i].name);
        snprintf(b, sizeof b, "`%s`", slots[i].name);
        const char *row = NULL;
        for (const char *line = table; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
            const char *eol = strchr(line, '\n');
            size_t len = eol ? (size_t)(eol - line) : strlen(line);
            char buf[2048];
            if (line[0] != '|' || len >= sizeof buf)
                continue;
            memcpy(buf, line, len);
            buf[len] = '\0';
            char *first_cell_end = strchr(buf + 1, '|');
            if (!first_cell_end)
                continue;
            *first_cell_end = '\0';
            if (strstr(buf, a) || strstr(buf, b)) {
                row = line;
                *first_cell_end = '|';
                char *second_end = strchr(first_cell_end + 1, '|');
                if (second_end)
                    *second_end = '\0';
                const char *need = first_cell_end + 1;
                char detail[256];
                snprintf(detail, sizeof detail, "slot %s: docs say '%s'", slots[i].name, need);
                check((strstr(need, "**required**") != NULL) == slots[i].required,
                      "docs say required exactly for required slots", detail);
                if (slots[i].minor > 0) {
                    char since[32];
                    snprintf(since, sizeof since, "since 1.%d", slots[i].minor);
                    check(strstr(need, since) != NULL, "docs say since which ABI", detail);
                }
                break;
            }
        }
        check(row != NULL, "every slot is in the docs' slot table", slots[i].name);
    }
    free(text);
}

int main(int argc, char **argv)
{
    check(sizeof frozen / sizeof *frozen == sizeof actual / sizeof *actual,
          "every field is frozen", NULL);
    for (size_t i = 0; i < sizeof actual / sizeof *actual; i++) {
        char detail[128];
        snprintf(detail, sizeof detail, "%s at %zu, frozen at %zu", actual[i].field,
                 actual[i].offset, frozen[i].offset);
        check(strcmp(actual[i].field, frozen[i].field) == 0 && actual[i].offset == frozen[i].offset,
              "field offset", detail);
    }
    /* the slot list is the struct's slots, in order, none missing */
    size_t covered = 0;
    for (size_t i = 0; i < NSLOTS; i++) {
        check(i == 0 || slots[i].offset > slots[i - 1].offset, "slot list in table order",
              slots[i].name);
        covered++;
    }
    check(slots[0].offset == offsetof(cairn_dialect, open), "slot list starts at open", NULL);
    check(covered == 28, "slot list has every function slot (28)", NULL);
    check(slots[NSLOTS - 1].offset == offsetof(cairn_dialect, normalize_object),
          "slot list ends at the last function slot", NULL);
    /* every slot added after 1.0 is optional: an older driver lacks it */
    for (size_t i = 0; i < NSLOTS; i++)
        check(slots[i].minor == 0 || !slots[i].required, "later slots are optional",
              slots[i].name);
    if (argc > 1)
        check_docs(argv[1]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
