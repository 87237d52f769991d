/*
 * What the JSON reader (json.c) and writer (json_write.c) share; private to
 * them. jansson stays inside these two files.
 */
#ifndef CAIRN_JSON_H
#define CAIRN_JSON_H

#include <jansson.h>

#include "internal.h"

/* ---- json_pos.c: the position index ---------------------------------------- */
typedef struct jnode {
    int line, col;    /* first character of the value */
    int kline, kcol;  /* opening quote of its member name (else = the value) */
    const char *key;  /* unescaped member name; NULL for array elements */
    const char *text; /* raw text of the value (numbers keep their spelling) */
    size_t textlen;
    struct jnode **kids; /* members or elements, in text order */
    size_t nkids;
} jnode;

typedef struct scanner {
    const char *p, *end;
    int line, col; /* col: characters consumed on the current line */
    int depth;     /* objects and arrays open */
    int deepest;   /* the most open at once */
    cairn_arena *a;
    cairn_buf tmp;
    int oom;
} scanner;

CAIRN_INTERNAL void json_sc_next(scanner *s);
CAIRN_INTERNAL jnode *json_sc_value(scanner *s);
CAIRN_INTERNAL void json_sc_skip(scanner *s);
CAIRN_INTERNAL void json_sc_ws(scanner *s);
CAIRN_INTERNAL void json_sc_move(scanner *s, const char *to);
CAIRN_INTERNAL int json_sc_path(scanner *s, const char *const *path);
CAIRN_INTERNAL const jnode *json_jn_get(const jnode *n, const char *key);
CAIRN_INTERNAL const jnode *json_jn_at(const jnode *n, size_t i);
CAIRN_INTERNAL const jnode *json_jn_differs(const jnode *n, json_t *v);

#define CAIRN_SNAPSHOT_VERSION 1

/** Names of cairn_fk_action values, by value. */
extern CAIRN_INTERNAL const char *const json_fk_action_names[5];
/** Names of cairn_identity values, by value (NONE has none). */
extern CAIRN_INTERNAL const char *const json_identity_names[4];

#endif
