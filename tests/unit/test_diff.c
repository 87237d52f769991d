/* The diff: schemas built with the public constructors, plans checked kind
 * by kind, in order, with their flags and warnings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"
#include "plan_text.h"

static cairn_ctx *cx;

/* Diff and compare the plan with `expect` (one described change per line). */
static cairn_plan *expect_plan(int line, const cairn_schema *a, const cairn_schema *b,
                               const cairn_diff_opts *opts, const char *expect)
{
    cairn_plan *p = NULL;
    int rc = cairn_diff(cx, a, b, opts, &p);
    if (rc) {
        check_failed++;
        printf("FAIL line %d: diff returned %d: %s\n", line, rc,
                cairn_ctx_error(cx)->message);
        return NULL;
    }
    cairn_buf got;
    cairn_buf_init(&got);
    for (size_t i = 0; i < p->nchanges; i++)
        plan_text_change(p->changes[i], &got);
    if (strcmp(cairn_buf_cstr(&got), expect) == 0)
        check_passed++;
    else {
        check_failed++;
        printf("FAIL line %d: plan\n--- expected\n%s--- got\n%s", line, expect,
                cairn_buf_cstr(&got));
    }
    cairn_buf_release(&got);
    return p;
}

#define PLAN(a, b, opts, expect) expect_plan(__LINE__, a, b, opts, expect)

static const cairn_change *find_kind(const cairn_plan *p, cairn_change_kind k)
{
    for (size_t i = 0; p && i < p->nchanges; i++)
        if (p->changes[i]->kind == k)
            return p->changes[i];
    return NULL;
}

/* ---- schema building -------------------------------------------------------- */

static cairn_column *col(cairn_schema *s, cairn_table *t, const char *name, const char *type,
                         int not_null)
{
    cairn_column *c = cairn_table_add_column(s, t, name);
    c->type = cairn_schema_strdup(s, type);
    c->not_null = not_null;
    return c;
}

static void pk(cairn_schema *s, cairn_table *t, const char *column)
{
    cairn_key_add_column(s, cairn_table_set_primary_key(s, t, NULL), column);
}

static cairn_table *users(cairn_schema *s)
{
    cairn_table *t = cairn_schema_add_table(s, NULL, "users");
    col(s, t, "id", "integer", 1);
    col(s, t, "name", "text", 1);
    pk(s, t, "id");
    return t;
}

static cairn_table *posts(cairn_schema *s, const char *parent)
{
    cairn_table *t = cairn_schema_add_table(s, NULL, "posts");
    col(s, t, "id", "integer", 1);
    col(s, t, "user_id", "integer", 1);
    pk(s, t, "id");
    cairn_fkey *fk = cairn_table_add_fkey(s, t, NULL);
    fk->ref_table = cairn_schema_strdup(s, parent);
    fk->on_delete = CAIRN_FK_CASCADE;
    cairn_fkey_add_columns(s, fk, "user_id", "id");
    return t;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_create_and_drop_tables(void)
{
    cairn_schema *empty = cairn_schema_new(), *s = cairn_schema_new();
    /* children declared first: the plan still creates parents first */
    posts(s, "users");
    cairn_table *c = cairn_schema_add_table(s, NULL, "comments");
    col(s, c, "post_id", "integer", 1);
    cairn_fkey *fk = cairn_table_add_fkey(s, c, "comments_post_fk");
    fk->ref_table = cairn_schema_strdup(s, "posts");
    cairn_fkey_add_columns(s, fk, "post_id", "id");
    users(s);
    cairn_index *ix = cairn_table_add_index(s, c, "comments_post_idx");
    cairn_index_add_part(s, ix)->column = "post_id";

    cairn_plan *p = PLAN(NULL, s, NULL,
                         "CREATE_TABLE users\nCREATE_TABLE posts\nCREATE_TABLE comments\n");
    CHECK(p && p->from && p->from->ntables == 0, "a NULL from is an empty schema in the plan");
    CHECK(p && p->to == s, "the plan borrows the target schema");
    cairn_plan_free(p);

    p = PLAN(s, empty, NULL,
             "DROP_TABLE comments!\nDROP_TABLE posts!\nDROP_TABLE users!\n");
    const cairn_change *d = find_kind(p, CAIRN_CHANGE_DROP_TABLE);
    CHECK(d && d->warning && strcmp(d->warning, "drops table \"comments\" and all its data") == 0,
          "drop warning: %s", d && d->warning ? d->warning : "(none)");
    CHECK(d && d->table_from && !d->table_to, "drop table sets only table_from");
    cairn_plan_free(p);

    /* a cycle: a -> b -> a, dropped together: one key goes first */
    cairn_schema *cyc = cairn_schema_new();
    cairn_table *ta = cairn_schema_add_table(cyc, NULL, "a");
    cairn_table *tb = cairn_schema_add_table(cyc, NULL, "b");
    col(cyc, ta, "b_id", "integer", 0);
    col(cyc, tb, "a_id", "integer", 0);
    fk = cairn_table_add_fkey(cyc, ta, "a_b");
    fk->ref_table = "b";
    cairn_fkey_add_columns(cyc, fk, "b_id", "id");
    fk = cairn_table_add_fkey(cyc, tb, "b_a");
    fk->ref_table = "a";
    cairn_fkey_add_columns(cyc, fk, "a_id", "id");
    cairn_plan_free(PLAN(NULL, cyc, NULL, "CREATE_TABLE a\nCREATE_TABLE b\n"));
    cairn_plan_free(PLAN(cyc, empty, NULL,
                         "DROP_FOREIGN_KEY b.b_a\nDROP_TABLE a!\nDROP_TABLE b!\n"));
    cairn_schema_free(cyc);
    cairn_schema_free(empty);
    cairn_schema_free(s);
}

/* The options that name parent tables (partition_of, inherits) order
 * created tables after their parents and dropped ones before them. */
static void test_parents_named_by_options(void)
{
    cairn_schema *empty = cairn_schema_new(), *s = cairn_schema_new();
    cairn_table *t = cairn_schema_add_table(s, NULL, "a_part");
    cairn_table_set_option(s, t, "partition_of", "z_parent");
    cairn_table_set_option(s, t, "partition_bound", "DEFAULT");
    col(s, cairn_schema_add_table(s, NULL, "z_parent"), "id", "integer", 0);
    t = cairn_schema_add_table(s, "sales", "b_kid");
    cairn_table_set_option(s, t, "inherits", "y_other, sales.m_base");
    cairn_schema_add_table(s, "sales", "m_base");
    cairn_schema_add_table(s, NULL, "y_other");
    /* a name that only starts like a parent's, and a parent not in the schema */
    t = cairn_schema_add_table(s, NULL, "c_free");
    cairn_table_set_option(s, t, "inherits", "z_parent_old, sales.z_parent");
    cairn_schema_add_namespace(s, "sales");
    cairn_plan_free(PLAN(NULL, s, NULL,
                         "CREATE_NAMESPACE sales\nCREATE_TABLE c_free\nCREATE_TABLE y_other\n"
                         "CREATE_TABLE z_parent\nCREATE_TABLE a_part\nCREATE_TABLE m_base\n"
                         "CREATE_TABLE b_kid\n"));
    cairn_plan_free(PLAN(s, empty, NULL,
                         "DROP_TABLE a_part!\nDROP_TABLE c_free!\nDROP_TABLE z_parent!\n"
                         "DROP_TABLE b_kid!\nDROP_TABLE y_other!\nDROP_TABLE m_base!\n"
                         "DROP_NAMESPACE sales\n"));
    cairn_schema_free(empty);
    cairn_schema_free(s);
}

static void test_identical_in_any_order(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    users(a);
    posts(a, "users");
    cairn_table *t = cairn_schema_find_table(a, NULL, "users");
    cairn_table_add_check(a, t, NULL, "length(name) > 0");
    cairn_table_add_check(a, t, NULL, "id > 0");
    cairn_key_add_column(a, cairn_table_add_unique(a, t, NULL), "name");
    cairn_schema_add_view(a, NULL, "v", "SELECT id FROM users");

    cairn_schema_add_view(b, NULL, "v", "SELECT  id\n  FROM users");
    posts(b, "users");
    t = users(b);
    cairn_key_add_column(b, cairn_table_add_unique(b, t, NULL), "name");
    cairn_table_add_check(b, t, NULL, "id > 0");
    cairn_table_add_check(b, t, NULL, "length(name)  >  0");
    t->columns[1]->type = "TEXT";

    int same = 0;
    CHECK(cairn_schema_same(cx, a, b, &same) == 0 && same,
          "the same schema built in another order, with other spacing, is the same");
    cairn_plan_free(PLAN(a, b, NULL, ""));
    cairn_plan_free(PLAN(b, a, NULL, ""));
    cairn_schema_free(a);
    cairn_schema_free(b);
}

static void test_columns(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    cairn_table *ta = users(a);
    col(a, ta, "age", "integer", 0);
    col(a, ta, "bio", "varchar(100)", 0);
    col(a, ta, "code", "char(4)", 0);
    col(a, ta, "score", "numeric(10,2)", 0);
    col(a, ta, "n", "smallint", 0);
    col(a, ta, "label", "text", 0);

    cairn_table *tb = users(b);
    col(b, tb, "bio", "text", 0);          /* widening */
    col(b, tb, "code", "varchar(10)", 0);  /* widening */
    col(b, tb, "score", "numeric(12,2)", 0);
    col(b, tb, "n", "bigint", 0)->default_expr = "0";
    col(b, tb, "label", "varchar(20)", 1); /* narrowing and not null */
    col(b, tb, "email", "text", 0);        /* new; age is gone: no guessing */

    cairn_plan *p = PLAN(a, b, NULL,
                         "DROP_COLUMN users.age!\nADD_COLUMN users.email\n"
                         "ALTER_COLUMN users.bio\nALTER_COLUMN users.code\n"
                         "ALTER_COLUMN users.score\nALTER_COLUMN users.n\n"
                         "ALTER_COLUMN users.label!\n");
    for (size_t i = 0; p && i < p->nchanges; i++) {
        const cairn_change *c = p->changes[i];
        if (c->kind == CAIRN_CHANGE_DROP_COLUMN)
            CHECK(c->warning && strcmp(c->warning, "drops column \"users\".\"age\" and its data") == 0,
                  "drop column warning: %s", c->warning ? c->warning : "(none)");
        if (c->kind != CAIRN_CHANGE_ALTER_COLUMN)
            continue;
        const char *n = c->to.column->name;
        if (strcmp(n, "n") == 0)
            CHECK(c->alter == (CAIRN_ALTER_TYPE | CAIRN_ALTER_DEFAULT), "n: alter %#x", c->alter);
        if (strcmp(n, "label") == 0) {
            CHECK(c->alter == (CAIRN_ALTER_TYPE | CAIRN_ALTER_NULLABILITY), "label: alter %#x",
                  c->alter);
            CHECK(c->warning && strcmp(c->warning, "changes \"users\".\"label\" from text to "
                                                   "varchar(20): values may not convert") == 0,
                  "narrowing warning: %s", c->warning ? c->warning : "(none)");
        }
        if (strcmp(n, "bio") == 0)
            CHECK(c->alter == CAIRN_ALTER_TYPE && !c->warning, "bio widening is safe");
    }
    cairn_plan_free(p);

    /* narrowing the other way round */
    p = PLAN(b, a, NULL,
             "DROP_COLUMN users.email!\nADD_COLUMN users.age\nALTER_COLUMN users.bio!\n"
             "ALTER_COLUMN users.code!\nALTER_COLUMN users.score!\nALTER_COLUMN users.n!\n"
             "ALTER_COLUMN users.label\n");
    cairn_plan_free(p);
    cairn_schema_free(a);
    cairn_schema_free(b);
}

static void test_renames(void)
{
    cairn_schema *a = cairn_schema_new();
    cairn_table *ta = users(a);
    col(a, ta, "mail", "text", 0);
    cairn_index *ix = cairn_table_add_index(a, ta, "users_mail_idx");
    cairn_index_add_part(a, ix)->column = "mail";
    posts(a, "users");

    /* via `was` on the table and the column */
    cairn_schema *b = cairn_schema_new();
    cairn_table *tb = users(b);
    tb->name = "accounts";
    tb->was = "users";
    col(b, tb, "email", "text", 0)->was = "mail";
    ix = cairn_table_add_index(b, tb, "users_mail_idx");
    cairn_index_add_part(b, ix)->column = "email";
    posts(b, "accounts");
    cairn_plan_free(PLAN(a, b, NULL,
                         "RENAME_TABLE users>accounts\nRENAME_COLUMN accounts.mail>email\n"));

    /* the same through options */
    tb->was = NULL;
    tb->columns[2]->was = NULL;
    const char *ren[] = {"users=accounts", "accounts.mail=accounts.email"};
    cairn_diff_opts opts = {.renames = ren, .nrenames = 2};
    cairn_plan_free(PLAN(a, b, &opts,
                         "RENAME_TABLE users>accounts\nRENAME_COLUMN accounts.mail>email\n"));

    /* without a hint: drop and create, flagged */
    cairn_plan_free(PLAN(a, b, NULL,
                         "DROP_FOREIGN_KEY posts.users\nDROP_TABLE users!\n"
                         "CREATE_TABLE accounts\nADD_FOREIGN_KEY posts.accounts\n"));

    /* a hint already applied (the new name is in the old schema) is ignored */
    tb->was = "users";
    cairn_plan_free(PLAN(b, b, NULL, ""));

    /* a hint naming nothing is an error */
    tb->was = "members";
    cairn_plan *p = NULL;
    CHECK(cairn_diff(cx, a, b, NULL, &p) == CAIRN_ESCHEMA && !p, "unknown was: ESCHEMA");
    CHECK(strstr(cairn_ctx_error(cx)->message, "members") != NULL, "message names it: %s",
          cairn_ctx_error(cx)->message);
    tb->was = "users";
    tb->columns[2]->was = "email_address";
    CHECK(cairn_diff(cx, a, b, NULL, &p) == CAIRN_ESCHEMA && !p, "unknown column was: ESCHEMA");
    tb->columns[2]->was = NULL;

    /* an index hint naming nothing is an error too; a renamed index is
     * dropped and created, there is no rename of an index */
    tb->columns[2]->was = "mail";
    ix->name = "accounts_email_idx";
    ix->was = "nope";
    CHECK(cairn_diff(cx, a, b, NULL, &p) == CAIRN_ESCHEMA && !p, "unknown index was: ESCHEMA");
    ix->was = "users_mail_idx";
    cairn_plan_free(PLAN(a, b, NULL,
                         "DROP_INDEX accounts.users_mail_idx\nRENAME_TABLE users>accounts\n"
                         "RENAME_COLUMN accounts.mail>email\nCREATE_INDEX accounts.accounts_email_idx\n"));
    ix->name = "users_mail_idx";
    ix->was = NULL;

    /* from nothing, hints mean nothing */
    cairn_plan_free(PLAN(NULL, b, NULL, "CREATE_TABLE accounts\nCREATE_TABLE posts\n"));

    /* bad options */
    static const char *const bad[] = {"users", "a.b=c", "t.a=u.b", "=x", "a=a", "a.b.c=a.b.d",
                                      "a=b=c", "\"a=b", "\"a\"x=b", "a\"b\"=c"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cairn_diff_opts o = {.renames = &bad[i], .nrenames = 1};
        CHECK(cairn_diff(cx, a, b, &o, &p) == CAIRN_EUSAGE && !p, "bad rename '%s' rejected",
              bad[i]);
    }
    const char *nowhere[] = {"users=people", "posts.x=posts.y", "people.a=people.b"};
    for (size_t i = 0; i < 3; i++) {
        cairn_diff_opts o = {.renames = &nowhere[i], .nrenames = 1};
        CHECK(cairn_diff(cx, a, b, &o, &p) == CAIRN_ESCHEMA && !p, "rename '%s' names nothing",
              nowhere[i]);
    }
    CHECK(strcmp(cairn_ctx_error(cx)->message,
                 "rename people.a=people.b: no table \"people\" in both schemas") == 0,
          "message: %s", cairn_ctx_error(cx)->message);
    /* a column rename may name its table by the old name too */
    tb->was = "users";
    tb->columns[2]->was = NULL;
    const char *by_old[] = {"users.mail=users.email"};
    cairn_diff_opts o = {.renames = by_old, .nrenames = 1};
    cairn_plan_free(PLAN(a, b, &o,
                         "RENAME_TABLE users>accounts\nRENAME_COLUMN accounts.mail>email\n"));
    cairn_schema_free(a);
    cairn_schema_free(b);

    /* names with dots, '=' or quotes are written in double quotes */
    cairn_schema *qa = cairn_schema_new(), *qb = cairn_schema_new();
    cairn_table *qt = cairn_schema_add_table(qa, NULL, "my.table");
    col(qa, qt, "a.b", "integer", 0);
    qt = cairn_schema_add_table(qb, NULL, "my.table");
    col(qb, qt, "c=\"d\"", "integer", 0);
    const char *quoted[] = {"\"my.table\".\"a.b\"=\"my.table\".\"c=\"\"d\"\"\""};
    cairn_diff_opts qo = {.renames = quoted, .nrenames = 1};
    cairn_plan_free(PLAN(qa, qb, &qo, "RENAME_COLUMN my.table.a.b>c=\"d\"\n"));
    cairn_schema_free(qa);
    cairn_schema_free(qb);
}

static void test_views(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    cairn_table *ta = users(a);
    col(a, ta, "age", "integer", 0);
    cairn_schema_add_view(a, NULL, "adults", "SELECT id, name FROM users WHERE age >= 18");
    cairn_schema_add_view(a, NULL, "adult_names", "SELECT name FROM adults");
    cairn_schema_add_view(a, NULL, "other", "SELECT 1");

    cairn_table *tb = users(b);
    col(b, tb, "age", "bigint", 0);
    cairn_schema_add_view(b, NULL, "adults", "SELECT id, name FROM users WHERE age >= 18");
    cairn_schema_add_view(b, NULL, "adult_names", "SELECT name FROM adults");
    cairn_schema_add_view(b, NULL, "other", "SELECT 2");

    /* users.age changes: its views go first and come back at the end, in
     * dependency order; "other" changed on its own */
    cairn_plan_free(PLAN(a, b, NULL,
                         "DROP_VIEW adult_names\nDROP_VIEW adults\nDROP_VIEW other\n"
                         "ALTER_COLUMN users.age\n"
                         "CREATE_VIEW adults\nCREATE_VIEW adult_names\nCREATE_VIEW other\n"));
    cairn_schema_free(a);
    cairn_schema_free(b);
}

/* A view is recreated only when something it reads changes: on PostgreSQL
 * a DROP VIEW takes its grants along. */
static void test_views_kept(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    users(a);
    cairn_table *pa = posts(a, "users");
    col(a, pa, "title", "text", 0);
    col(a, pa, "body", "text", 0);
    cairn_schema_add_view(a, NULL, "titles", "SELECT posts.id, posts.title FROM posts");
    cairn_schema_add_view(a, NULL, "everything", "SELECT * FROM posts");
    /* a '*' that selects nothing: count(*), a product */
    cairn_schema_add_view(a, NULL, "counts", "SELECT posts.title, count(*) AS n, 2 * 3 AS six "
                                             "FROM posts GROUP BY posts.title");

    users(b);
    cairn_table *pb = posts(b, "users");
    pb->nfkeys = 0; /* the foreign key goes */
    col(b, pb, "title", "text", 0);
    col(b, pb, "content", "text", 0)->was = "body"; /* a column titles does not read */
    cairn_table_add_check(b, pb, "title_set", "title <> ''");
    cairn_index *ix = cairn_table_add_index(b, pb, "posts_title");
    cairn_index_add_part(b, ix)->column = "title";
    cairn_schema_add_view(b, NULL, "titles", "SELECT posts.id, posts.title FROM posts");
    cairn_schema_add_view(b, NULL, "everything", "SELECT * FROM posts");
    cairn_schema_add_view(b, NULL, "counts", "SELECT posts.title, count(*) AS n, 2 * 3 AS six "
                                             "FROM posts GROUP BY posts.title");

    /* "everything" reads every column (SQLite keeps the '*'): it goes */
    cairn_plan_free(PLAN(a, b, NULL,
                         "DROP_VIEW everything\nDROP_FOREIGN_KEY posts.users\n"
                         "RENAME_COLUMN posts.body>content\nADD_CHECK posts.title_set\n"
                         "CREATE_INDEX posts.posts_title\nCREATE_VIEW everything\n"));

    /* a column it reads gets another type: it goes and comes back */
    pb->columns[2]->type = "varchar(200)";
    pb->columns[3]->was = NULL;
    pb->columns[3]->name = "body";
    pb->nchecks = pb->nindexes = 0;
    b->nviews = 1;
    cairn_plan_free(PLAN(a, b, NULL,
                         "DROP_VIEW counts\nDROP_VIEW everything\nDROP_VIEW titles\n"
                         "DROP_FOREIGN_KEY posts.users\nALTER_COLUMN posts.title!\n"
                         "CREATE_VIEW titles\n"));
    cairn_schema_free(a);
    cairn_schema_free(b);
}

/* A virtual table is never altered: the same module and arguments (layout
 * aside) are kept, anything else is a drop and a create, destructive unless
 * it is an FTS index of an external content table. */
static cairn_table *vtable(cairn_schema *s, const char *name, const char *module, const char *args)
{
    cairn_table *t = cairn_schema_add_table(s, NULL, name);
    cairn_table_set_option(s, t, "using", module);
    if (args)
        cairn_table_set_option(s, t, "args", args);
    return t;
}

static void test_virtual_tables(void)
{
    static const struct {
        const char *from_module, *from_args, *to_module, *to_args;
        int recreated, destructive;
    } cases[] = {
        {"fts5", "a, b", "FTS5", "a,  b", 0, 0},
        {"dbstat", NULL, "dbstat", "", 0, 0},
        {"dbstat", NULL, "dbstat", "main", 1, 1},
        {"fts5", "a, b", "fts5", "a, b, c", 1, 1},
        {"fts5", "a, content='notes'", "fts5", "a, b, content='notes'", 1, 0},
        {"fts5", "a, content = \"notes\"", "fts5", "a, b, content = \"notes\"", 1, 0},
        {"fts5", "a, content=''", "fts5", "a, b, content=''", 1, 1},
        {"fts5", "a, content_rowid='id'", "fts5", "a, b, content_rowid='id'", 1, 1},
        {"fts4", "a, content=notes", "fts4", "b, content=notes", 1, 0},
        {"rtree", "id, x0, x1", "rtree", "id, x0, x1, y0, y1", 1, 1},
        {"rtree", "id, x0, x1", "rtree_i32", "id, x0, x1", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
        vtable(a, "v", cases[i].from_module, cases[i].from_args);
        vtable(b, "v", cases[i].to_module, cases[i].to_args);
        /* "!" marks a destructive change */
        const char *want = !cases[i].recreated     ? ""
                           : cases[i].destructive ? "DROP_TABLE v!\nCREATE_TABLE v\n"
                                                  : "DROP_TABLE v\nCREATE_TABLE v\n";
        cairn_plan_free(PLAN(a, b, NULL, want));
        cairn_schema_free(a);
        cairn_schema_free(b);
    }
    /* a plain table that becomes virtual is dropped with its data */
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    users(a);
    vtable(b, "users", "fts5", "name");
    cairn_plan_free(PLAN(a, b, NULL, "DROP_TABLE users!\nCREATE_TABLE users\n"));
    cairn_schema_free(a);
    cairn_schema_free(b);
}

/* A view's column list is part of it: a changed list recreates the view. */
static void test_view_columns(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    users(a);
    users(b);
    cairn_view *va = cairn_schema_add_view(a, NULL, "names", "SELECT id, name FROM users");
    cairn_view *vb = cairn_schema_add_view(b, NULL, "names", "SELECT id, name FROM users");
    cairn_view_add_column(a, va, "user_id");
    cairn_view_add_column(a, va, "user_name");
    cairn_view_add_column(b, vb, "user_id");
    cairn_view_add_column(b, vb, "user_name");
    cairn_plan_free(PLAN(a, b, NULL, ""));
    cairn_view_add_column(b, vb, "extra");
    cairn_plan_free(PLAN(a, b, NULL, "DROP_VIEW names\nCREATE_VIEW names\n"));
    vb->columns[1] = "name";
    vb->ncolumns = 2;
    cairn_plan_free(PLAN(a, b, NULL, "DROP_VIEW names\nCREATE_VIEW names\n"));
    vb->ncolumns = 0;
    cairn_plan_free(PLAN(a, b, NULL, "DROP_VIEW names\nCREATE_VIEW names\n"));
    cairn_schema_free(a);
    cairn_schema_free(b);
}

static void test_constraints_and_indexes(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    cairn_table *ta = users(a), *tb = users(b);
    cairn_table_add_check(a, ta, NULL, "id > 0");
    cairn_table_add_check(a, ta, NULL, "name <> ''");
    cairn_table_add_check(a, ta, "named", "id < 100");
    cairn_index *ix = cairn_table_add_index(a, ta, "users_name");
    cairn_index_add_part(a, ix)->column = "name";
    cairn_key_add_column(a, cairn_table_add_unique(a, ta, "users_name_key"), "name");
    cairn_table_add_trigger(a, ta, "trg", "CREATE TRIGGER trg AFTER INSERT ON users BEGIN SELECT 1; END");

    cairn_table_add_check(b, tb, NULL, "name <> ''"); /* kept, by content */
    cairn_table_add_check(b, tb, NULL, "id >= 0");    /* other content */
    cairn_table_add_check(b, tb, "named", "id < 1000");
    ix = cairn_table_add_index(b, tb, "users_name");
    cairn_index_part *pt = cairn_index_add_part(b, ix);
    pt->column = "name";
    pt->desc = 1;
    cairn_key_add_column(b, cairn_table_add_unique(b, tb, "users_name_key"), "name");
    cairn_table_add_trigger(b, tb, "trg", "CREATE TRIGGER trg AFTER INSERT ON users BEGIN SELECT 2; END");

    cairn_plan_free(PLAN(a, b, NULL,
                         "DROP_TRIGGER users.trg\nDROP_INDEX users.users_name\n"
                         "DROP_CHECK users.id > 0\nDROP_CHECK users.named\n"
                         "ADD_CHECK users.id >= 0\nADD_CHECK users.named\n"
                         "CREATE_INDEX users.users_name\nCREATE_TRIGGER users.trg\n"));

    /* primary key change */
    cairn_schema *c = cairn_schema_new();
    cairn_table *tc = users(c);
    cairn_key_add_column(c, tc->primary_key, "name");
    cairn_plan *p = PLAN(a, c, NULL,
                         "DROP_TRIGGER users.trg\nDROP_INDEX users.users_name\n"
                         "DROP_UNIQUE users.users_name_key\nDROP_CHECK users.id > 0\n"
                         "DROP_CHECK users.name <> ''\nDROP_CHECK users.named\n"
                         "SET_PRIMARY_KEY users.-\n");
    const cairn_change *ch = find_kind(p, CAIRN_CHANGE_SET_PRIMARY_KEY);
    CHECK(ch && ch->from.key == ta->primary_key && ch->to.key == tc->primary_key,
          "set primary key carries both keys");
    cairn_plan_free(p);
    cairn_schema_free(a);
    cairn_schema_free(b);
    cairn_schema_free(c);
}

/* DEFERRABLE and MATCH FULL are part of a constraint's definition (a drop
 * and an add); a comment, NOT VALID becoming valid and a NOT NULL's name
 * are ALTER_* changes that keep it; valid becoming NOT VALID is nothing. */
static void test_constraint_options(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    cairn_table *ta = users(a), *tb = users(b);
    cairn_table *pa = posts(a, "users"), *pb = posts(b, "users");
    cairn_key *ua = cairn_table_add_unique(a, ta, "u"), *ub = cairn_table_add_unique(b, tb, "u");
    cairn_key_add_column(a, ua, "name");
    cairn_key_add_column(b, ub, "name");
    cairn_check *ca = cairn_table_add_check(a, ta, "c", "id > 0");
    cairn_check *cb = cairn_table_add_check(b, tb, "c", "id > 0");
    cairn_check *va = cairn_table_add_check(a, ta, "v", "id < 9");
    cairn_check *vb = cairn_table_add_check(b, tb, "v", "id < 9");
    cairn_trigger *ga = cairn_table_add_trigger(a, ta, "g", "CREATE TRIGGER g");
    cairn_trigger *gb = cairn_table_add_trigger(b, tb, "g", "CREATE TRIGGER g");
    cairn_plan_free(PLAN(a, b, NULL, ""));

    ub->deferrable = 1;
    pb->fkeys[0]->match_full = 1;
    cairn_plan_free(PLAN(a, b, NULL,
                         "DROP_FOREIGN_KEY posts.users\nDROP_UNIQUE users.u\n"
                         "ADD_UNIQUE users.u\nADD_FOREIGN_KEY posts.users\n"));
    ua->deferrable = 1;
    ub->initially_deferred = 1;
    pa->fkeys[0]->match_full = 1;
    cairn_plan_free(PLAN(a, b, NULL, "DROP_UNIQUE users.u\nADD_UNIQUE users.u\n"));
    ua->initially_deferred = 0;
    ub->initially_deferred = 0;

    ca->not_valid = 1;      /* validated */
    vb->not_valid = 1;      /* already valid: nothing to do */
    pa->fkeys[0]->not_valid = 1;
    tb->primary_key->comment = "pk";
    ub->comment = "u";
    gb->comment = "g";
    cb->comment = "c";
    tb->columns[1]->not_null_name = "name_nn";
    cairn_plan *p = PLAN(a, b, NULL,
                         "ALTER_COLUMN users.name\nALTER_FOREIGN_KEY posts.users\n"
                         "ALTER_KEY users.-\nALTER_KEY users.u\nALTER_CHECK users.c\n"
                         "ALTER_TRIGGER users.g\n");
    for (size_t i = 0; p && i < p->nchanges; i++) {
        const cairn_change *ch = p->changes[i];
        uint32_t want = ch->kind == CAIRN_CHANGE_ALTER_COLUMN      ? CAIRN_ALTER_NOT_NULL_NAME
                        : ch->kind == CAIRN_CHANGE_ALTER_CHECK       ? CAIRN_ALTER_COMMENT |
                                                                         CAIRN_ALTER_VALIDATE
                        : ch->kind == CAIRN_CHANGE_ALTER_FOREIGN_KEY ? CAIRN_ALTER_VALIDATE
                                                                     : CAIRN_ALTER_COMMENT;
        CHECK(ch->alter == want, "change %zu: alter %u, want %u", i, ch->alter, want);
    }
    const cairn_change *ch = find_kind(p, CAIRN_CHANGE_ALTER_TRIGGER);
    CHECK(ch && ch->from.trigger == ga && ch->to.trigger == gb, "alter trigger carries both");
    cairn_plan_free(p);
    (void)va;

    /* a comment alone on an enum, apart from the values added */
    cairn_enum *ea = cairn_schema_add_enum(a, NULL, "e"), *eb = cairn_schema_add_enum(b, NULL, "e");
    cairn_enum_add_value(a, ea, "x");
    cairn_enum_add_value(b, eb, "x");
    cairn_enum_add_value(b, eb, "y");
    eb->comment = "e";
    cairn_schema *a2 = cairn_schema_new(), *b2 = cairn_schema_new();
    cairn_schema_copy_enum(a2, ea);
    cairn_schema_copy_enum(b2, eb);
    p = PLAN(a2, b2, NULL, "ALTER_ENUM e\nALTER_ENUM e\n");
    CHECK(p && p->nchanges == 2 && p->changes[0]->alter == 0 &&
              p->changes[1]->alter == CAIRN_ALTER_COMMENT,
          "enum: values, then the comment");
    cairn_plan_free(p);
    cairn_schema_free(a);
    cairn_schema_free(b);
    cairn_schema_free(a2);
    cairn_schema_free(b2);
}

static void test_foreign_keys_on_existing_tables(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    cairn_table *ta = cairn_schema_add_table(a, NULL, "posts");
    col(a, ta, "id", "integer", 1);
    col(a, ta, "user_id", "integer", 1);
    /* a new parent and a new key to it: the key comes after the table */
    posts(b, "users");
    users(b);
    cairn_plan_free(PLAN(a, b, NULL,
                         "CREATE_TABLE users\nSET_PRIMARY_KEY posts.-\n"
                         "ADD_FOREIGN_KEY posts.users\n"));
    /* the parent goes away: its key is dropped before it */
    cairn_plan_free(PLAN(b, a, NULL,
                         "DROP_FOREIGN_KEY posts.users\nDROP_TABLE users!\n"
                         "SET_PRIMARY_KEY posts.-\n"));
    cairn_schema_free(a);
    cairn_schema_free(b);
}

static void test_foreign_key_over_retyped_columns(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new(), *c = cairn_schema_new();
    users(a);
    posts(a, "users");
    /* the parent's key column widens: the key around it is dropped and added */
    cairn_table *ub = users(b);
    ub->columns[0]->type = cairn_schema_strdup(b, "bigint");
    cairn_table *pb = posts(b, "users");
    pb->columns[1]->type = cairn_schema_strdup(b, "bigint");
    cairn_plan_free(PLAN(a, b, NULL,
                         "DROP_FOREIGN_KEY posts.users\n"
                         "ALTER_COLUMN posts.user_id\nALTER_COLUMN users.id\n"
                         "ADD_FOREIGN_KEY posts.users\n"));
    /* a type change elsewhere leaves the key alone */
    users(c)->columns[1]->type = cairn_schema_strdup(c, "varchar(100)");
    posts(c, "users");
    cairn_plan_free(PLAN(a, c, NULL, "ALTER_COLUMN users.name!\n"));
    cairn_schema_free(a);
    cairn_schema_free(b);
    cairn_schema_free(c);
}

static void test_enums_sequences_namespaces(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    cairn_enum *e = cairn_schema_add_enum(a, NULL, "mood");
    cairn_enum_add_value(a, e, "sad");
    cairn_enum_add_value(a, e, "ok");
    e = cairn_schema_add_enum(a, NULL, "color");
    cairn_enum_add_value(a, e, "red");
    cairn_enum_add_value(a, e, "green");
    cairn_schema_add_enum(a, NULL, "gone");
    cairn_schema_add_sequence(a, NULL, "seq1");
    cairn_schema_add_sequence(a, NULL, "seq2");
    cairn_schema_add_namespace(a, "old");

    e = cairn_schema_add_enum(b, NULL, "mood");
    cairn_enum_add_value(b, e, "sad");
    cairn_enum_add_value(b, e, "meh"); /* inserted between: still an ALTER_ENUM */
    cairn_enum_add_value(b, e, "ok");
    cairn_enum_add_value(b, e, "happy");
    e = cairn_schema_add_enum(b, NULL, "color");
    cairn_enum_add_value(b, e, "green");
    cairn_enum_add_value(b, e, "red");
    cairn_schema_add_sequence(b, NULL, "seq1")->increment = 2;
    cairn_schema_add_sequence(b, NULL, "seq3");
    cairn_schema_add_namespace(b, "app");

    cairn_plan *p = PLAN(a, b, NULL,
                         "CREATE_NAMESPACE app\nDROP_ENUM color!\nCREATE_ENUM color\n"
                         "ALTER_ENUM mood\nCREATE_SEQUENCE seq3\nALTER_SEQUENCE seq1\n"
                         "DROP_SEQUENCE seq2!\nDROP_ENUM gone!\nDROP_NAMESPACE old\n");
    const cairn_change *ch = find_kind(p, CAIRN_CHANGE_DROP_ENUM);
    CHECK(ch && ch->warning && strstr(ch->warning, "\"color\""), "recreate warning: %s",
          ch && ch->warning ? ch->warning : "(none)");
    cairn_plan_free(p);
    cairn_schema_free(a);
    cairn_schema_free(b);
}

/* A non-trivial pair of schemas, with every collection built forwards or
 * backwards. */
static void build_pair(int backwards, cairn_schema **from, cairn_schema **to)
{
    static const char *const names[] = {"a", "b", "c", "d"};
    for (int side = 0; side < 2; side++) {
        cairn_schema *s = cairn_schema_new();
        for (int k = 0; k < 4; k++) {
            int n = backwards ? 3 - k : k;
            if (side == 1 && n == 3)
                continue; /* d goes away */
            cairn_table *t = cairn_schema_add_table(s, NULL, names[n]);
            col(s, t, "id", "integer", 1);
            col(s, t, "x", side ? "bigint" : "integer", 0);
            if (n > 0) {
                cairn_fkey *fk = cairn_table_add_fkey(s, t, NULL);
                fk->ref_table = names[n - 1];
                cairn_fkey_add_columns(s, fk, "x", "id");
            }
            for (int c = 0; c < 3; c++) {
                static const char *const exprs[] = {"id > 0", "x > 0", "id <> x"};
                int e = backwards ? 2 - c : c;
                if (side == 0 || e != 1)
                    cairn_table_add_check(s, t, NULL, exprs[e]);
            }
            cairn_schema_add_view(s, NULL, names[n], side ? "SELECT 2" : "SELECT 1");
        }
        *(side ? to : from) = s;
    }
}

static void test_order_does_not_matter(void)
{
    cairn_schema *a1, *b1, *a2, *b2;
    build_pair(0, &a1, &b1);
    build_pair(1, &a2, &b2);
    cairn_plan *p1 = NULL, *p2 = NULL;
    CHECK(cairn_diff(cx, a1, b1, NULL, &p1) == 0 && cairn_diff(cx, a2, b2, NULL, &p2) == 0,
          "diff");
    cairn_buf x, y;
    cairn_buf_init(&x);
    cairn_buf_init(&y);
    for (size_t i = 0; p1 && i < p1->nchanges; i++)
        plan_text_change(p1->changes[i], &x);
    for (size_t i = 0; p2 && i < p2->nchanges; i++)
        plan_text_change(p2->changes[i], &y);
    CHECK(p1 && p1->nchanges > 10, "a plan with some substance (%zu changes)",
          p1 ? p1->nchanges : 0);
    CHECK(strcmp(cairn_buf_cstr(&x), cairn_buf_cstr(&y)) == 0,
          "same plan whatever the build order:\n%s---\n%s", cairn_buf_cstr(&x),
          cairn_buf_cstr(&y));
    cairn_buf_release(&x);
    cairn_buf_release(&y);
    cairn_plan_free(p1);
    cairn_plan_free(p2);
    cairn_schema_free(a1);
    cairn_schema_free(b1);
    cairn_schema_free(a2);
    cairn_schema_free(b2);
}

static void test_sql_needs_a_dialect(void)
{
    cairn_schema *s = cairn_schema_new();
    users(s);
    cairn_plan *p = NULL;
    char *sql = NULL;
    CHECK(cairn_diff(cx, NULL, s, NULL, &p) == 0, "diff");
    cairn_ctx *bare;
    cairn_ctx_new(&bare);
    CHECK(cairn_plan_sql(bare, p, &sql) == CAIRN_ECONFIG && !sql, "no dialect: ECONFIG");
    cairn_ctx_free(bare);
    cairn_plan_free(p);
    cairn_schema_free(s);
}

static cairn_object *obj(cairn_schema *s, const char *kind, const char *name, const char *sig,
                         const char *def)
{
    return cairn_schema_add_object(s, kind, NULL, name, sig, NULL, def);
}

/* Objects carried as SQL: created before the tables unless they depend on
 * one (then between the tables and the views) or on a view (after the
 * views), each after what it depends on; dropped the other way round; a
 * changed definition is a replace; what depends on a dropped table or view
 * goes and comes back around it. */
static void test_objects(void)
{
    cairn_schema *a = cairn_schema_new(), *b = cairn_schema_new();
    users(a);
    cairn_schema_add_view(a, NULL, "names", "SELECT name FROM users");
    obj(a, "function", "old_fn", NULL, "CREATE FUNCTION old_fn() ...");
    obj(a, "function", "f", "integer", "CREATE FUNCTION f(integer) ... v1");
    cairn_object *pa = cairn_schema_add_object(a, "policy", NULL, "own", NULL, "users",
                                               "CREATE POLICY own ON users");
    cairn_object_add_depend(a, pa, "function", NULL, "f", "integer");
    cairn_object *ra = obj(a, "function", "report", NULL, "CREATE FUNCTION report() v1");
    cairn_object_add_depend(a, ra, "view", NULL, "names", NULL);

    cairn_table *tb = users(b);
    col(b, tb, "age", "integer", 0);
    cairn_schema_add_view(b, NULL, "names", "SELECT name, age FROM users");
    /* the domain is used by the function: it comes first */
    cairn_object *fb = obj(b, "function", "f", "integer", "CREATE FUNCTION f(integer) ... v2");
    cairn_object_add_depend(b, fb, "domain", NULL, "positive", NULL);
    obj(b, "domain", "positive", NULL, "CREATE DOMAIN positive AS integer");
    cairn_object *pb = cairn_schema_add_object(b, "policy", NULL, "own", NULL, "users",
                                               "CREATE POLICY own ON users");
    cairn_object_add_depend(b, pb, "function", NULL, "f", "integer");
    cairn_object *rb = obj(b, "function", "report", NULL, "CREATE FUNCTION report() v1");
    cairn_object_add_depend(b, rb, "view", NULL, "names", NULL);

    /* the view changes: report, over it, goes first and comes back last;
     * the policy is kept (f is replaced in place); old_fn goes at the end */
    cairn_plan_free(PLAN(a, b, NULL,
                         "DROP_OBJECT function report\n"
                         "DROP_VIEW names\n"
                         "CREATE_OBJECT domain positive\n"
                         "REPLACE_OBJECT function f(integer)\n"
                         "ADD_COLUMN users.age\n"
                         "CREATE_VIEW names\n"
                         "CREATE_OBJECT function report\n"
                         "DROP_OBJECT function old_fn\n"));
    /* from nothing: by stage and dependency */
    cairn_plan_free(PLAN(NULL, b, NULL,
                         "CREATE_OBJECT domain positive\n"
                         "CREATE_OBJECT function f(integer)\n"
                         "CREATE_TABLE users\n"
                         "CREATE_OBJECT policy own on users\n"
                         "CREATE_VIEW names\n"
                         "CREATE_OBJECT function report\n"));
    /* to nothing: the other way round */
    cairn_schema *none = cairn_schema_new();
    cairn_plan_free(PLAN(b, none, NULL,
                         "DROP_OBJECT function report\n"
                         "DROP_VIEW names\n"
                         "DROP_OBJECT policy own on users\n"
                         "DROP_TABLE users!\n"
                         "DROP_OBJECT function f(integer)\n"
                         "DROP_OBJECT domain positive\n"));
    /* the same schema is no change; a comment alone is a replace; white
     * space does not count */
    cairn_plan_free(PLAN(b, b, NULL, ""));
    cairn_schema *c = cairn_schema_new(), *d = cairn_schema_new();
    obj(c, "domain", "positive", NULL, "CREATE DOMAIN positive AS integer");
    obj(d, "domain", "positive", NULL, "CREATE DOMAIN  positive\n  AS integer");
    cairn_plan_free(PLAN(c, d, NULL, ""));
    d->objects[0]->comment = "positive numbers";
    cairn_plan_free(PLAN(c, d, NULL, "REPLACE_OBJECT domain positive\n"));
    cairn_schema_free(c);
    cairn_schema_free(d);
    cairn_schema_free(none);
    cairn_schema_free(a);
    cairn_schema_free(b);
}

/* A function dropped while one of its name is created (a new signature)
 * is renewed: the view, check, index, trigger and default that call it go
 * before its drop and come back after its create; a view that does not
 * call it, and a check that names it without calling it, stay. */
static void test_renewed_function(void)
{
    cairn_schema *s[2] = {cairn_schema_new(), cairn_schema_new()};
    for (int k = 0; k < 2; k++) {
        cairn_table *t = users(s[k]);
        cairn_column *c = col(s[k], t, "code", "text", 0);
        c->default_expr = "gen(1)";
        cairn_table_add_check(s[k], t, "name_ok", "ok(name)");
        cairn_table_add_check(s[k], t, "gen_set", "name <> 'gen'");
        cairn_index *ix = cairn_table_add_index(s[k], t, "users_gen");
        cairn_index_add_part(s[k], ix)->expr = "gen(id)";
        cairn_table_add_trigger(s[k], t, "users_t",
                                "CREATE TRIGGER users_t BEFORE INSERT ON users FOR EACH ROW "
                                "WHEN (gen (NEW.id) IS NOT NULL) EXECUTE FUNCTION touch()");
        cairn_schema_add_view(s[k], NULL, "coded", "SELECT id, gen(id) AS g FROM users");
        cairn_schema_add_view(s[k], NULL, "plain", "SELECT id FROM users");
        obj(s[k], "function", "ok", "text", "CREATE FUNCTION ok(text) ...");
        obj(s[k], "function", "touch", NULL, "CREATE FUNCTION touch() ...");
    }
    obj(s[0], "function", "gen", "a integer", "CREATE FUNCTION gen(a integer) ...");
    obj(s[1], "function", "gen", "a bigint", "CREATE FUNCTION gen(a bigint) ...");
    cairn_plan_free(PLAN(s[0], s[1], NULL,
                         "DROP_VIEW coded\n"
                         "DROP_TRIGGER users.users_t\n"
                         "DROP_INDEX users.users_gen\n"
                         "ALTER_COLUMN users.code\n"
                         "DROP_OBJECT function gen(a integer)\n"
                         "CREATE_OBJECT function gen(a bigint)\n"
                         "ALTER_COLUMN users.code\n"
                         "CREATE_INDEX users.users_gen\n"
                         "CREATE_TRIGGER users.users_t\n"
                         "CREATE_VIEW coded\n"));
    cairn_schema_free(s[0]);
    cairn_schema_free(s[1]);
}

/* A generated column that calls a renewed function goes before it and is
 * added again after it, with its index and the view that reads it; a
 * STORED one the new schema makes plain loses its expression there
 * instead and keeps its index (its view, reading a column whose generation
 * changes, is recreated as any such view). */
static void test_renewed_generated(void)
{
    cairn_schema *s[2] = {cairn_schema_new(), cairn_schema_new()};
    for (int k = 0; k < 2; k++) {
        cairn_table *t = users(s[k]);
        cairn_column *c = col(s[k], t, "twice", "integer", 0);
        c->generated = "gen(id)";
        c->generated_stored = 1;
        c = col(s[k], t, "once", "integer", 0);
        if (k == 0) {
            c->generated = "gen(id) / 2";
            c->generated_stored = 1;
        }
        cairn_index *ix = cairn_table_add_index(s[k], t, "users_twice");
        cairn_index_add_part(s[k], ix)->column = "twice";
        ix = cairn_table_add_index(s[k], t, "users_once");
        cairn_index_add_part(s[k], ix)->column = "once";
        cairn_schema_add_view(s[k], NULL, "twos", "SELECT id, twice FROM users");
        cairn_schema_add_view(s[k], NULL, "ones", "SELECT id, once FROM users");
    }
    obj(s[0], "function", "gen", "a integer", "CREATE FUNCTION gen(a integer) ...");
    obj(s[1], "function", "gen", "a bigint", "CREATE FUNCTION gen(a bigint) ...");
    cairn_plan_free(PLAN(s[0], s[1], NULL,
                         "DROP_VIEW ones\n"
                         "DROP_VIEW twos\n"
                         "DROP_INDEX users.users_twice\n"
                         "DROP_COLUMN users.twice\n"
                         "ALTER_COLUMN users.once\n"
                         "DROP_OBJECT function gen(a integer)\n"
                         "CREATE_OBJECT function gen(a bigint)\n"
                         "ADD_COLUMN users.twice\n"
                         "CREATE_INDEX users.users_twice\n"
                         "CREATE_VIEW ones\n"
                         "CREATE_VIEW twos\n"));
    cairn_schema_free(s[0]);
    cairn_schema_free(s[1]);
}

/* A renewed f(a integer) takes along what calls it, not what calls its
 * overload f(a text) (a text column, a cast), nor other.f of another
 * namespace; an argument the text does not type may be either. */
static void test_renewed_by_signature(void)
{
    cairn_schema *s[2] = {cairn_schema_new(), cairn_schema_new()};
    for (int k = 0; k < 2; k++) {
        cairn_table *t = users(s[k]);
        cairn_table_add_check(s[k], t, "c_int", "f(id) > 0");
        cairn_table_add_check(s[k], t, "c_text", "f(name) <> ''");
        cairn_table_add_check(s[k], t, "c_cast", "f('a'::text) <> ''");
        cairn_table_add_check(s[k], t, "c_other", "other.f(id) > 0");
        cairn_table_add_check(s[k], t, "c_open", "f(id + 1) > 0");
        obj(s[k], "function", "f", "a text", "CREATE FUNCTION f(a text) ...");
        cairn_schema_add_object(s[k], "function", "other", "f", "a integer", NULL,
                                "CREATE FUNCTION other.f(a integer) ...");
    }
    obj(s[0], "function", "f", "a integer", "CREATE FUNCTION f(a integer) ...");
    obj(s[1], "function", "f", "a bigint", "CREATE FUNCTION f(a bigint) ...");
    cairn_plan_free(PLAN(s[0], s[1], NULL,
                         "DROP_CHECK users.c_int\n"
                         "DROP_CHECK users.c_open\n"
                         "DROP_OBJECT function f(a integer)\n"
                         "CREATE_OBJECT function f(a bigint)\n"
                         "ADD_CHECK users.c_int\n"
                         "ADD_CHECK users.c_open\n"));
    cairn_schema_free(s[0]);
    cairn_schema_free(s[1]);
}

/* A function that reads a table (it depends on it) is created after the
 * tables: the check, default, index and trigger that call it are added
 * after it, and dropped before it, as pg_dump orders them. */
static void test_function_reading_a_table(void)
{
    cairn_schema *s = cairn_schema_new(), *e = cairn_schema_new();
    cairn_schema_add_table(s, NULL, "limits");
    cairn_table *t = users(s);
    cairn_table_find_column(t, "name")->default_expr = "fits(0)";
    cairn_table_add_check(s, t, "c_fits", "fits(id)");
    cairn_table_add_check(s, t, "c_plain", "id > 0");
    cairn_index_add_part(s, cairn_table_add_index(s, t, "users_fits"))->expr = "fits(id)";
    cairn_table_add_trigger(s, t, "users_t",
                            "CREATE TRIGGER users_t BEFORE INSERT ON users FOR EACH ROW "
                            "WHEN (fits(new.id)) EXECUTE FUNCTION touch()");
    cairn_object *o = obj(s, "function", "fits", "v integer", "CREATE FUNCTION fits(v integer) ...");
    cairn_object_add_depend(s, o, "table", NULL, "limits", NULL);
    cairn_plan *p = PLAN(NULL, s, NULL,
                         "CREATE_TABLE limits\n"
                         "CREATE_TABLE users\n"
                         "CREATE_OBJECT function fits(v integer)\n"
                         "ALTER_COLUMN users.name\n"
                         "CREATE_TRIGGER users.users_t\n"
                         "ADD_CHECK users.c_fits\n"
                         "CREATE_INDEX users.users_fits\n");
    const cairn_change *ct = p && p->nchanges > 1 ? p->changes[1] : NULL;
    CHECK(ct && ct->to.table->nchecks == 1 && ct->to.table->nindexes == 0 &&
              ct->to.table->ntriggers == 0 &&
              !cairn_table_find_column(ct->to.table, "name")->default_expr,
          "the CREATE TABLE of users keeps only what waits for nothing");
    cairn_plan_free(p);
    cairn_plan_free(PLAN(s, e, NULL,
                         "ALTER_COLUMN users.name\n"
                         "DROP_TRIGGER users.users_t\n"
                         "DROP_CHECK users.c_fits\n"
                         "DROP_INDEX users.users_fits\n"
                         "DROP_OBJECT function fits(v integer)\n"
                         "DROP_TABLE limits!\n"
                         "DROP_TABLE users!\n"));
    cairn_schema_free(s);
    cairn_schema_free(e);
}

int main(void)
{
    if (cairn_ctx_new(&cx))
        return 1;
    test_create_and_drop_tables();
    test_parents_named_by_options();
    test_identical_in_any_order();
    test_columns();
    test_renames();
    test_views();
    test_views_kept();
    test_renewed_function();
    test_renewed_generated();
    test_renewed_by_signature();
    test_function_reading_a_table();
    test_virtual_tables();
    test_view_columns();
    test_constraints_and_indexes();
    test_constraint_options();
    test_foreign_keys_on_existing_tables();
    test_foreign_key_over_retyped_columns();
    test_enums_sequences_namespaces();
    test_order_does_not_matter();
    test_sql_needs_a_dialect();
    test_objects();
    cairn_plan_free(NULL);
    cairn_ctx_free(cx);
    return check_done();
}
