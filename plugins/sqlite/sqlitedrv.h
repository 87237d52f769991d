/* The SQLite dialect driver: declarations shared by its source files.
 * Nothing here is exported: the module's only visible symbol is
 * cairn_dialect_entry (sqlitedrv.c). */
#ifndef CAIRN_SQLITEDRV_H
#define CAIRN_SQLITEDRV_H

#include <stddef.h>

#include <sqlite3.h>

#include <cairn/sys/dialect.h>

/* The name a table is rebuilt under before it takes the old one's. */
#define SQLITEDRV_TMP_PREFIX "__cairn_new_"

struct cairn_dsession {
    const cairn_host *host;
    cairn_hostctx *hc;
};

struct cairn_dconn {
    cairn_dsession *s;
    sqlite3 *db;
    char *path;        /* as the user gave it, for messages and describe */
    char *lock_path;   /* "<database file>-cairn.lock", NULL for :memory: */
    int lock_fd;       /* -1 unless `lock` holds the lock file */
    int fk_before;     /* PRAGMA foreign_keys before `begin`, -1 outside */
    /* A database file that does not exist yet: reads see an empty in-memory
     * stand-in, and the file is created by the first write, so status,
     * pull and dry runs never leave an empty database behind. */
    char *pending;
};

/* ---- a pool of allocations freed in one call (parser results) ---------- */
typedef struct sqlitedrv_pool {
    void **items;
    size_t n, cap;
    int oom;
} sqlitedrv_pool;
void *sqlitedrv_pool_alloc(sqlitedrv_pool *p, size_t size);
char *sqlitedrv_pool_strndup(sqlitedrv_pool *p, const char *s, size_t n);
void sqlitedrv_pool_free(sqlitedrv_pool *p);

/* ---- sqlitedrv_parse.c: a tokenizer and parsers for SQLite's DDL -------- */
enum {
    SQLITEDRV_TK_WORD,   /* keyword or bare identifier */
    SQLITEDRV_TK_QUOTED, /* "ident", `ident`, [ident] */
    SQLITEDRV_TK_STRING, /* 'text' */
    SQLITEDRV_TK_BLOB,   /* X'00ff' */
    SQLITEDRV_TK_NUMBER,
    SQLITEDRV_TK_PUNCT,  /* ( ) , ; . */
    SQLITEDRV_TK_OP      /* any other operator or parameter */
};

typedef struct sqlitedrv_tok {
    int kind;
    const char *s;
    size_t n;
} sqlitedrv_tok;

typedef struct sqlitedrv_toks {
    const char *src;
    sqlitedrv_tok *v;
    size_t n;
} sqlitedrv_toks;

/** Split `sql` into tokens (comments and whitespace dropped). Returns 0,
 *  CAIRN_ENOMEM, or CAIRN_ESCHEMA for an unterminated quote or comment. */
int sqlitedrv_lex(const char *sql, sqlitedrv_toks *out);
void sqlitedrv_toks_free(sqlitedrv_toks *t);
/** Is token `t` the (unquoted) keyword `kw`, case-insensitively? */
int sqlitedrv_tok_is(const sqlitedrv_tok *t, const char *kw);
/** Append the tokens [from, to) to `out` with one space wherever the source
 *  had whitespace or a comment between two tokens. */
int sqlitedrv_join(const cairn_host *h, const sqlitedrv_toks *t, size_t from, size_t to,
                   cairn_buf *out);
/** The same, into a pool string. */
char *sqlitedrv_join_pool(sqlitedrv_pool *p, const sqlitedrv_toks *t, size_t from, size_t to);
/** The identifier a token names, unquoted, in the pool. */
char *sqlitedrv_ident(sqlitedrv_pool *p, const sqlitedrv_tok *t);
/** Index of the ')' matching the '(' at `open`, or t->n if unbalanced. */
size_t sqlitedrv_match_paren(const sqlitedrv_toks *t, size_t open);
/** Does any identifier token of `text` name `ident` (case-insensitive)? */
int sqlitedrv_mentions(const char *text, const char *ident);

enum { SQLITEDRV_PK = 1, SQLITEDRV_UNIQUE, SQLITEDRV_CHECK, SQLITEDRV_FK };

/** A constraint of a CREATE TABLE, from a column or the table. */
typedef struct sqlitedrv_pcons {
    int kind;
    char *name;            /* CONSTRAINT name, NULL if none */
    char **cols;           /* columns (one for a column constraint) */
    size_t ncols;
    char *expr;            /* CHECK expression */
    char *ref_table;       /* FOREIGN KEY */
    char **ref_cols;
    size_t nref_cols;
    int deferrable, initially_deferred;
    int used;              /* matched by introspection */
} sqlitedrv_pcons;

typedef struct sqlitedrv_pcol {
    char *name;
    char *collation;
    char *generated;       /* generation expression, NULL if not generated */
    int generated_stored;
    int autoincrement;
} sqlitedrv_pcol;

typedef struct sqlitedrv_ptable {
    sqlitedrv_pcol *cols;
    size_t ncols;
    sqlitedrv_pcons *cons;
    size_t ncons;
    int strict, without_rowid;
} sqlitedrv_ptable;

/** Parse a CREATE TABLE statement (as sqlite_schema stores it). */
int sqlitedrv_parse_table(sqlitedrv_pool *p, const char *sql, sqlitedrv_ptable *out);
const sqlitedrv_pcol *sqlitedrv_ptable_col(const sqlitedrv_ptable *t, const char *name);

typedef struct sqlitedrv_ppart {
    char *column, *expr, *collation;
    int desc;
} sqlitedrv_ppart;

typedef struct sqlitedrv_pindex {
    int unique;
    sqlitedrv_ppart *parts;
    size_t nparts;
    char *where;
} sqlitedrv_pindex;

/** Parse a CREATE INDEX statement. */
int sqlitedrv_parse_index(sqlitedrv_pool *p, const char *sql, sqlitedrv_pindex *out);
/** The SELECT of a CREATE VIEW statement (text after AS, trimmed), and the
 *  names of its column list (none: no list). */
char *sqlitedrv_view_body(sqlitedrv_pool *p, const char *sql, char ***cols, size_t *ncols);
/** The module and the argument text (between the parentheses, "" for none)
 *  of a CREATE VIRTUAL TABLE statement; CAIRN_ESCHEMA if it is not one. */
int sqlitedrv_parse_virtual(sqlitedrv_pool *p, const char *sql, char **module, char **args);

/* ---- sqlitedrv_normalize.c ---------------------------------------------- */
/* slots of the dialect table, declared with their slot types */
cairn_dialect_normalize_type_fn sqlitedrv_normalize_type;
cairn_dialect_normalize_default_fn sqlitedrv_normalize_default;
/** Is a (normalised) default usable after DEFAULT without parentheses? */
int sqlitedrv_default_is_literal(const char *expr);
/** Is a default a constant (allowed by ALTER TABLE ADD COLUMN)? */
int sqlitedrv_default_is_constant(const char *expr);

/* ---- sqlitedrv_introspect.c --------------------------------------------- */
cairn_dialect_introspect_fn sqlitedrv_introspect;

/* ---- sqlitedrv_emit.c ---------------------------------------------------- */
cairn_dialect_emit_fn sqlitedrv_emit;

/* ---- sqlitedrv.c ---------------------------------------------------------- */
/** Report the connection's last SQLite error: CAIRN_ELOCKED for a busy or
 *  locked database, CAIRN_EDB otherwise; `what` says what was being done. */
int sqlitedrv_dberr(cairn_dconn *c, const char *what);

#endif
