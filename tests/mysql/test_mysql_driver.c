/* The MySQL/MariaDB driver against a real MariaDB server started by
 * tests/mysql/run.sh (CAIRN_MYSQL_URL, CAIRN_MYSQL_SOCKET). The driver is
 * loaded from CAIRN_DIALECT_DIR the way the CLI loads it; the server is
 * checked with the client library directly, as a user would with `mariadb`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "check.h"
#include "query_slot.h"
#include "internal.h"

static const char *g_url, *g_socket, *g_dialect_dir;

/* ---- helpers -------------------------------------------------------------- */

static int g_queries = -1; /* from the driver's "in N queries" debug line */

static void logger(void *ud, cairn_log_level level, const char *line)
{
    (void)ud;
    (void)level;
    const char *p = strstr(line, " in ");
    if (strstr(line, "mysql: introspected") && p)
        g_queries = atoi(p + 4);
}

/* URL of database `db` on the test server (with the test user). */
static char *db_url(const char *db)
{
    const char *slash = strrchr(g_url, '/');
    size_t n = (size_t)(slash - g_url) + 1;
    char *u = malloc(n + strlen(db) + 1);
    memcpy(u, g_url, n);
    strcpy(u + n, db);
    return u;
}

static cairn_ctx *new_ctx(const char *url)
{
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx))
        abort();
    cairn_ctx_set(cx, "dialect", "mysql");
    cairn_ctx_set(cx, "dialect_path", g_dialect_dir);
    cairn_ctx_set(cx, "verbose", "1");
    if (url)
        cairn_ctx_set(cx, "url", url);
    cairn_ctx_set_logger(cx, logger, NULL);
    return cx;
}

static cairn_session *sess(cairn_ctx *cx)
{
    cairn_session *s = NULL;
    int rc = cairn_session_get(cx, &s);
    if (rc) {
        printf("cannot load the mysql driver: %s\n", cairn_ctx_error(cx)->message);
        exit(1);
    }
    return s;
}

static cairn_dconn *conn(cairn_ctx *cx)
{
    cairn_dconn *c = NULL;
    int rc = cairn_session_connect_driver(cx, sess(cx), &c);
    if (rc) {
        printf("cannot connect: %s\n", cairn_ctx_error(cx)->message);
        exit(1);
    }
    return c;
}

static const char *errmsg(cairn_ctx *cx)
{
    const char *m = cairn_ctx_error(cx)->message;
    return m ? m : "";
}

/* Root on the socket, for checks and set-up outside the driver. */
static MYSQL *raw(const char *db)
{
    MYSQL *my = mysql_init(NULL);
    if (!mysql_real_connect(my, NULL, "root", NULL, db, 0, g_socket, CLIENT_MULTI_STATEMENTS)) {
        printf("raw connect: %s\n", mysql_error(my));
        exit(1);
    }
    return my;
}

static int raw_exec(MYSQL *my, const char *sql)
{
    if (mysql_query(my, sql)) {
        printf("raw exec failed: %s: %s\n", sql, mysql_error(my));
        return -1;
    }
    int more;
    do {
        MYSQL_RES *r = mysql_store_result(my);
        if (r)
            mysql_free_result(r);
        more = mysql_next_result(my);
        if (more > 0) {
            printf("raw exec failed: %s\n", mysql_error(my));
            return -1;
        }
    } while (more == 0);
    return 0;
}

/* First column of the first row, as a malloc'd string ("(null)" for NULL). */
static char *raw_scalar(MYSQL *my, const char *sql)
{
    if (mysql_query(my, sql))
        return strdup(mysql_error(my));
    MYSQL_RES *r = mysql_store_result(my);
    MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
    char *v = strdup(row ? (row[0] ? row[0] : "(null)") : "(no row)");
    if (r)
        mysql_free_result(r);
    return v;
}

static void fresh_db(const char *db)
{
    MYSQL *my = raw(NULL);
    char sql[512];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS `%s`; CREATE DATABASE `%s`", db, db);
    raw_exec(my, sql);
    mysql_close(my);
}

static cairn_schema *introspect(cairn_ctx *cx, cairn_dconn *c)
{
    cairn_schema *s = NULL;
    int rc = cairn_session_introspect(cx, sess(cx), c, &s);
    CHECK(rc == 0, "introspect: %s", errmsg(cx));
    return s;
}

static cairn_table *table(cairn_schema *s, const char *name)
{
    return s ? cairn_schema_find_table(s, NULL, name) : NULL;
}

static cairn_column *column(cairn_table *t, const char *name)
{
    return t ? cairn_table_find_column(t, name) : NULL;
}

static cairn_index *index_named(cairn_table *t, const char *name)
{
    for (size_t i = 0; t && i < t->nindexes; i++)
        if (t->indexes[i]->name && !strcmp(t->indexes[i]->name, name))
            return t->indexes[i];
    return NULL;
}

static cairn_fkey *fkey_named(cairn_table *t, const char *name)
{
    for (size_t i = 0; t && i < t->nfkeys; i++)
        if (t->fkeys[i]->name && !strcmp(t->fkeys[i]->name, name))
            return t->fkeys[i];
    return NULL;
}

static const char *opt(cairn_table *t, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; t && i < t->noptions; i++)
        if (!strncmp(t->options[i], key, kl) && t->options[i][kl] == '=')
            return t->options[i] + kl + 1;
    return NULL;
}

/* Diff the live database to `json`, apply the statements, and return the
 * number of statements run (-1 on failure). The desired schema goes
 * through the driver's normalisation like the CLI's. */
static int push_json(cairn_ctx *cx, cairn_dconn *c, const char *json, cairn_schema **desired_out)
{
    cairn_session *s = sess(cx);
    cairn_schema *want = NULL, *have = NULL;
    cairn_plan *plan = NULL;
    cairn_stmts st;
    cairn_stmts_init(&st);
    int n = -1;
    if (cairn_schema_from_json(cx, json, "step.json", &want)) {
        printf("schema: %s\n", errmsg(cx));
        goto out;
    }
    if (cairn_session_normalize(cx, s, want) || cairn_session_introspect(cx, s, c, &have) ||
        cairn_diff(cx, have, want, NULL, &plan) || cairn_session_emit(cx, s, plan, &st)) {
        printf("push: %s\n", errmsg(cx));
        goto out;
    }
    for (size_t i = 0; i < st.n; i++) {
        if (s->drv.d->exec(c, st.sql[i])) {
            printf("statement failed: %s\n  %s\n", st.sql[i], errmsg(cx));
            goto out;
        }
    }
    n = (int)st.n;
out:
    cairn_stmts_release(&st);
    cairn_plan_free(plan);
    cairn_schema_free(have);
    if (desired_out)
        *desired_out = want;
    else
        cairn_schema_free(want);
    return n;
}

/* Does the live database introspect equal to `want`? */
static int converged(cairn_ctx *cx, cairn_dconn *c, const cairn_schema *want)
{
    cairn_schema *have = introspect(cx, c);
    int same = 0;
    if (have && cairn_schema_same(cx, have, want, &same))
        printf("same: %s\n", errmsg(cx));
    if (have && !same) {
        cairn_plan *p = NULL;
        char *sql = NULL;
        if (!cairn_diff(cx, have, want, NULL, &p) && !cairn_plan_sql(cx, p, &sql))
            printf("  not converged, still to do:\n%s\n", sql);
        cairn_free(sql);
        cairn_plan_free(p);
    }
    cairn_schema_free(have);
    return same;
}

/* ---- connection and errors ---------------------------------------------------- */

/* A host of ABI 1.0 (no buf_status / stmts_status) is refused when it
 * opens the driver, which writes SQL with unchecked appends. */
static void test_old_host(void)
{
    cairn_ctx *cx = new_ctx(NULL);
    const cairn_dialect *d = sess(cx)->drv.d;
    cairn_host old = *cairn_host_table();
    old.abi_minor = 0;
    old.struct_size = CAIRN_HOST_1_0_SIZE;
    cairn_dsession *ds = NULL;
    int rc = d->open(&old, (cairn_hostctx *)(void *)cx, &ds);
    CHECK(rc == CAIRN_EABI, "rc %d", rc);
    CHECK(ds == NULL, "a session was opened");
    CHECK_STR(errmsg(cx), "mysql: host ABI 1.0 is too old (need 1.1)");
    cairn_ctx_free(cx);
}

static void test_connect_errors(void)
{
    cairn_ctx *cx = new_ctx(g_url);
    cairn_session *s = sess(cx);
    const cairn_dialect *d = s->drv.d;
    cairn_dconn *c = NULL;

    /* a wrong password: the server's error number and SQLSTATE, never the password */
    char *bad = strdup(g_url);
    char *pw = strstr(bad, "cairn-test");
    memcpy(pw, "s3cr3t-pw!", 10);
    int rc = d->connect(s->ds, bad, &c);
    CHECK(rc == CAIRN_EDB, "rc %d", rc);
    CHECK(strstr(errmsg(cx), "mysql: ERROR 1045 (28000)") != NULL, "%s", errmsg(cx));
    CHECK(strstr(errmsg(cx), "s3cr3t") == NULL, "password leaked: %s", errmsg(cx));
    CHECK_STR(cairn_ctx_error(cx)->sqlstate, "28000");
    free(bad);

    /* a statement error carries the server's number and SQLSTATE */
    c = conn(cx);
    rc = d->exec(c, "SELECT * FROM no_such_table");
    CHECK(rc == CAIRN_EDB, "rc %d", rc);
    CHECK(strstr(errmsg(cx), "mysql: ERROR 1146 (42S02): Table") != NULL, "%s", errmsg(cx));
    CHECK_STR(cairn_ctx_error(cx)->sqlstate, "42S02");
    /* the connection stays usable after an error */
    CHECK(d->exec(c, "SELECT 1") == 0, "%s", errmsg(cx));
    /* a script of several statements runs whole, and stops at the failing one */
    CHECK(d->exec(c, "CREATE TABLE ms1 (a int); CREATE TABLE ms2 (a int)") == 0, "%s", errmsg(cx));
    rc = d->exec(c, "CREATE TABLE ms3 (a int); CREATE TABLE ms1 (a int); CREATE TABLE ms4 (a int)");
    CHECK(rc == CAIRN_EDB && strstr(errmsg(cx), "1050"), "%s", errmsg(cx));
    CHECK(d->exec(c, "DROP TABLE ms1, ms2, ms3") == 0, "%s", errmsg(cx));

    cairn_buf b;
    cairn_buf_init(&b);
    CHECK(d->describe(c, &b) == 0, "describe");
    CHECK(strstr(cairn_buf_cstr(&b), "mysql://cairn@127.0.0.1:") == cairn_buf_cstr(&b), "%s",
          cairn_buf_cstr(&b));
    CHECK(strstr(cairn_buf_cstr(&b), "cairn-test") == NULL, "%s", cairn_buf_cstr(&b));
    cairn_buf_release(&b);
    d->disconnect(c);

    /* unknown parameters and bad URLs are configuration errors */
    char url[1024];
    snprintf(url, sizeof url, "%s?sslmode=required&frobnicate=1", g_url);
    rc = d->connect(s->ds, url, &c);
    CHECK(rc == CAIRN_ECONFIG && strstr(errmsg(cx), "'frobnicate'"), "%d %s", rc, errmsg(cx));
    rc = d->connect(s->ds, "mysql://u@h:99999/db", &c);
    CHECK(rc == CAIRN_ECONFIG && strstr(errmsg(cx), "port"), "%d %s", rc, errmsg(cx));
    rc = d->connect(s->ds, "mysql://u%zz@h/db", &c);
    CHECK(rc == CAIRN_ECONFIG && strstr(errmsg(cx), "percent"), "%d %s", rc, errmsg(cx));
    rc = d->connect(s->ds, "postgres://u@h/db", &c);
    CHECK(rc == CAIRN_ECONFIG, "%d %s", rc, errmsg(cx));
    snprintf(url, sizeof url, "%s?ssl-mode=sideways", g_url);
    rc = d->connect(s->ds, url, &c);
    CHECK(rc == CAIRN_ECONFIG && strstr(errmsg(cx), "sideways"), "%d %s", rc, errmsg(cx));

    /* percent-decoding of user and password; the socket parameter */
    MYSQL *my = raw(NULL);
    raw_exec(my, "CREATE USER 'we ird'@'%' IDENTIFIED BY 'p@ss:w/rd%?#'; "
                 "CREATE USER 'we ird'@'localhost' IDENTIFIED BY 'p@ss:w/rd%?#'; "
                 "GRANT ALL ON *.* TO 'we ird'@'%'; GRANT ALL ON *.* TO 'we ird'@'localhost'");
    mysql_close(my);
    const char *hostport = strchr(g_url, '@') + 1;
    snprintf(url, sizeof url, "mariadb://we%%20ird:p%%40ss%%3Aw%%2Frd%%25%%3F%%23@%s", hostport);
    rc = d->connect(s->ds, url, &c);
    CHECK(rc == 0, "percent-encoded credentials: %s", errmsg(cx));
    if (!rc)
        d->disconnect(c);
    snprintf(url, sizeof url, "mysql://we%%20ird:p%%40ss%%3Aw%%2Frd%%25%%3F%%23@localhost/"
                              "cairn_test?socket=%s", g_socket);
    rc = d->connect(s->ds, url, &c);
    CHECK(rc == 0, "socket: %s", errmsg(cx));
    if (!rc) {
        cairn_buf_init(&b);
        d->describe(c, &b);
        CHECK(strstr(cairn_buf_cstr(&b), "socket=") && !strstr(cairn_buf_cstr(&b), "p@ss"), "%s",
              cairn_buf_cstr(&b));
        cairn_buf_release(&b);
        d->disconnect(c);
    }
    /* ssl-mode=disabled is accepted (the test server has no TLS) */
    snprintf(url, sizeof url, "%s?ssl-mode=disabled&connect-timeout=5", g_url);
    rc = d->connect(s->ds, url, &c);
    CHECK(rc == 0, "ssl-mode=disabled: %s", errmsg(cx));
    if (!rc)
        d->disconnect(c);
    /* required TLS against a server without TLS fails, as a database error */
    snprintf(url, sizeof url, "%s?ssl-mode=required", g_url);
    rc = d->connect(s->ds, url, &c);
    CHECK(rc == CAIRN_EDB, "ssl-mode=required without TLS: rc %d", rc);
    if (!rc)
        d->disconnect(c);
    cairn_ctx_free(cx);
}

/* ---- introspection ---------------------------------------------------------------- */

static const char *rich_sql =
    "CREATE TABLE parent (\n"
    "  id bigint unsigned NOT NULL AUTO_INCREMENT,\n"
    "  code char(3) NOT NULL,\n"
    "  region smallint NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (id),\n"
    "  UNIQUE KEY parent_code (code, region)\n"
    ") ENGINE=InnoDB COMMENT='the parent';\n"
    "CREATE TABLE child (\n"
    "  a int NOT NULL,\n"
    "  b varchar(20) NOT NULL,\n"
    "  parent_id bigint unsigned,\n"
    "  pcode char(3), pregion smallint,\n"
    "  price decimal(10,2) NOT NULL DEFAULT 1.5,\n"
    "  ratio double DEFAULT NULL,\n"
    "  flag tinyint(1) NOT NULL DEFAULT 1,\n"
    "  status enum('new','it''s done') NOT NULL DEFAULT 'new',\n"
    "  tags set('x','y') DEFAULT 'x,y',\n"
    "  doc json,\n"
    "  body text COLLATE utf8mb4_bin COMMENT 'free text',\n"
    "  label varchar(30) DEFAULT 'NULL',\n"
    "  nothing varchar(30) DEFAULT NULL,\n"
    "  expr_default varchar(36) DEFAULT (uuid()),\n"
    "  created datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n"
    "  updated timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n"
    "  total decimal(12,2) AS (price * 2) STORED,\n"
    "  half double AS (price / 2) VIRTUAL,\n"
    "  PRIMARY KEY (a, b),\n"
    "  KEY child_b_prefix (b(5), created DESC),\n"
    "  FULLTEXT KEY child_body (body),\n"
    "  CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id)\n"
    "    ON DELETE SET NULL ON UPDATE CASCADE,\n"
    "  CONSTRAINT child_pcode FOREIGN KEY (pcode, pregion) REFERENCES parent (code, region),\n"
    "  CONSTRAINT price_positive CHECK (price > 0),\n"
    "  CONSTRAINT odd_names CHECK (`order` > 0 AND `1x` <> 'a`b' AND `we ird` IS NULL),\n"
    "  `order` int DEFAULT 1, `1x` varchar(3), `we ird` int\n"
    ");\n"
    "CREATE TABLE legacy (id int PRIMARY KEY, name varchar(10)) ENGINE=MyISAM "
    "DEFAULT CHARSET=latin1;\n"
    "CREATE TABLE binned (id int PRIMARY KEY) COLLATE=utf8mb4_bin;\n"
    "CREATE TABLE skipped_one (id int PRIMARY KEY);\n"
    "CREATE VIEW cheap AS SELECT a, b FROM child WHERE price < 10;\n";

static void test_introspect_rich(void)
{
    fresh_db("rich");
    char *url = db_url("rich");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    const cairn_dialect *d = sess(cx)->drv.d;
    CHECK(d->exec(c, rich_sql) == 0, "rich schema: %s", errmsg(cx));
    cairn_ctx_set(cx, "tables", "parent,child,legacy,binned,cheap");
    cairn_schema *s = introspect(cx, c);
    if (!s)
        return;
    CHECK(s->ntables == 4, "tables: %zu", s->ntables);
    CHECK(table(s, "skipped_one") == NULL, "filter");

    cairn_table *p = table(s, "parent");
    CHECK(p && p->primary_key && p->primary_key->ncolumns == 1, "parent primary key");
    if (p && p->primary_key)
        CHECK_STR(p->primary_key->columns[0], "id");
    CHECK_STR(p ? p->comment : NULL, "the parent");
    CHECK(p && p->noptions == 0, "parent has the defaults: %zu options", p ? p->noptions : 0);
    cairn_column *col = column(p, "id");
    CHECK_STR(col ? col->type : NULL, "bigint unsigned");
    CHECK(col && col->identity == CAIRN_IDENTITY_AUTO && col->not_null && !col->default_expr,
          "auto_increment");
    cairn_index *ix = index_named(p, "parent_code");
    CHECK(ix && ix->unique && ix->nparts == 2, "unique key read as a unique index");
    if (ix && ix->nparts == 2) {
        CHECK_STR(ix->parts[0]->column, "code");
        CHECK_STR(ix->parts[1]->column, "region");
    }
    CHECK_STR(column(p, "region") ? column(p, "region")->default_expr : NULL, "0");

    cairn_table *t = table(s, "child");
    CHECK(t && t->primary_key && t->primary_key->ncolumns == 2, "composite primary key");
    if (t && t->primary_key && t->primary_key->ncolumns == 2) {
        CHECK_STR(t->primary_key->columns[0], "a");
        CHECK_STR(t->primary_key->columns[1], "b");
    }
    CHECK(t && t->ncolumns == 22, "columns: %zu", t ? t->ncolumns : 0);
    if (t && t->ncolumns == 22) {
        CHECK_STR(t->columns[0]->name, "a");
        CHECK_STR(t->columns[18]->name, "half");
        CHECK_STR(t->columns[19]->name, "order");
    }
    struct { const char *name, *type, *def; int not_null; } cols[] = {
        {"a", "int", NULL, 1},
        {"b", "varchar(20)", NULL, 1},
        {"parent_id", "bigint unsigned", NULL, 0},
        {"price", "decimal(10,2)", "1.50", 1},
        {"ratio", "double", NULL, 0},
        {"flag", "tinyint(1)", "1", 1},
        {"status", "enum('new','it''s done')", "'new'", 1},
        {"tags", "set('x','y')", "'x,y'", 0},
        {"doc", "json", NULL, 0},
        {"body", "text", NULL, 0},
        {"label", "varchar(30)", "'NULL'", 0},
        {"nothing", "varchar(30)", NULL, 0},
        {"expr_default", "varchar(36)", "uuid()", 0},
        {"created", "datetime(3)", "CURRENT_TIMESTAMP(3)", 1},
        {"updated", "timestamp", "CURRENT_TIMESTAMP", 0},
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        col = column(t, cols[i].name);
        CHECK(col != NULL, "column %s", cols[i].name);
        if (!col)
            continue;
        CHECK_STR(col->type, cols[i].type);
        if (cols[i].def)
            CHECK_STR(col->default_expr, cols[i].def);
        else
            CHECK(col->default_expr == NULL, "%s: default %s", cols[i].name, col->default_expr);
        CHECK(!col->not_null == !cols[i].not_null, "%s: not null", cols[i].name);
    }
    col = column(t, "body");
    CHECK_STR(col ? col->collation : NULL, "utf8mb4_bin");
    CHECK_STR(col ? col->comment : NULL, "free text");
    CHECK(column(t, "doc") && !column(t, "doc")->collation, "json has no collation of its own");
    CHECK_STR(column(t, "updated") ? column(t, "updated")->extra : NULL,
              "on update CURRENT_TIMESTAMP");
    col = column(t, "total");
    CHECK(col && col->generated && col->generated_stored, "stored generated");
    CHECK_STR(col ? col->generated : NULL, "price * 2");
    col = column(t, "half");
    CHECK(col && col->generated && !col->generated_stored, "virtual generated");

    ix = index_named(t, "child_b_prefix");
    CHECK(ix && !ix->unique && ix->nparts == 2, "prefix index");
    if (ix && ix->nparts == 2) {
        CHECK(ix->parts[0]->length == 5, "prefix length %d", ix->parts[0]->length);
        CHECK(ix->parts[1]->desc, "desc part");
    }
    ix = index_named(t, "child_body");
    CHECK_STR(ix ? ix->method : NULL, "fulltext");
    /* the indexes the server added for the foreign keys are not in the schema */
    CHECK(index_named(t, "child_parent") == NULL && index_named(t, "child_pcode") == NULL,
          "implicit foreign key indexes");
    CHECK(t && t->nindexes == 2, "indexes: %zu", t ? t->nindexes : 0);

    cairn_fkey *fk = fkey_named(t, "child_parent");
    CHECK(fk && fk->on_delete == CAIRN_FK_SET_NULL && fk->on_update == CAIRN_FK_CASCADE,
          "fk actions");
    CHECK(fk && !fk->ref_schema, "same-database reference has no schema");
    CHECK_STR(fk ? fk->ref_table : NULL, "parent");
    fk = fkey_named(t, "child_pcode");
    CHECK(fk && fk->ncolumns == 2 && fk->nref_columns == 2, "composite fk");
    if (fk && fk->ncolumns == 2) {
        CHECK_STR(fk->columns[1], "pregion");
        CHECK_STR(fk->ref_columns[1], "region");
        /* nothing said: the server reports RESTRICT */
        CHECK(fk->on_delete == CAIRN_FK_RESTRICT, "unstated action %d", fk->on_delete);
    }
    CHECK(t && t->nchecks == 2, "checks: %zu (json_valid is not one)", t ? t->nchecks : 0);
    if (t && t->nchecks == 2) {
        /* backticks only where an identifier needs them */
        CHECK_STR(t->checks[0]->name, "odd_names");
        CHECK_STR(t->checks[0]->expr, "`order` > 0 and `1x` <> 'a`b' and `we ird` is null");
        CHECK_STR(t->checks[1]->name, "price_positive");
        CHECK_STR(t->checks[1]->expr, "price > 0");
    }

    cairn_table *l = table(s, "legacy");
    CHECK_STR(opt(l, "engine"), "MyISAM");
    CHECK_STR(opt(l, "charset"), "latin1");
    CHECK(opt(l, "collation") == NULL, "latin1's default collation is not an option");
    CHECK(column(l, "name") && !column(l, "name")->collation, "column in the table's collation");
    cairn_table *bn = table(s, "binned");
    CHECK_STR(opt(bn, "collation"), "utf8mb4_bin");
    CHECK(opt(bn, "charset") == NULL, "same charset as the database");

    CHECK(s->nviews == 1, "views %zu", s->nviews);
    if (s->nviews == 1) {
        CHECK_STR(s->views[0]->name, "cheap");
        CHECK(strstr(s->views[0]->definition, "`rich`.") == NULL, "unqualified: %s",
              s->views[0]->definition);
        CHECK(strstr(s->views[0]->definition, "from `child`") != NULL, "%s",
              s->views[0]->definition);
    }

    /* what was read, written back in an empty database, reads the same */
    fresh_db("rich_copy");
    char *url2 = db_url("rich_copy");
    cairn_ctx *cx2 = new_ctx(url2);
    cairn_dconn *c2 = conn(cx2);
    cairn_plan *plan = NULL;
    cairn_stmts st;
    cairn_stmts_init(&st);
    int rc = cairn_diff(cx2, NULL, s, NULL, &plan);
    if (!rc)
        rc = cairn_session_emit(cx2, sess(cx2), plan, &st);
    CHECK(rc == 0, "emit: %s", errmsg(cx2));
    for (size_t i = 0; i < st.n && !rc; i++) {
        rc = sess(cx2)->drv.d->exec(c2, st.sql[i]);
        CHECK(rc == 0, "%s: %s", st.sql[i], errmsg(cx2));
    }
    CHECK(converged(cx2, c2, s), "round trip of the rich schema");
    cairn_stmts_release(&st);
    cairn_plan_free(plan);
    sess(cx2)->drv.d->disconnect(c2);
    cairn_ctx_free(cx2);
    free(url2);

    cairn_schema_free(s);
    d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* ---- normalisation ------------------------------------------------------------------ */

static void test_normalize(void)
{
    cairn_ctx *cx = new_ctx(NULL);
    cairn_session *s = sess(cx);
    const cairn_dialect *d = s->drv.d;
    static const char *const types[][2] = {
        {"int", "int"},           {"INT(11)", "int"},
        {"integer", "int"},       {"INTEGER UNSIGNED", "int unsigned"},
        {"int(10) unsigned", "int unsigned"},
        {"bool", "tinyint(1)"},   {"BOOLEAN", "tinyint(1)"},
        {"tinyint(4)", "tinyint"}, {"tinyint(1)", "tinyint(1)"},
        {"bigint(20) signed", "bigint"},
        {"numeric", "decimal(10,0)"}, {"DECIMAL(8)", "decimal(8,0)"},
        {"dec(8, 2)", "decimal(8,2)"}, {"double precision", "double"},
        {"real", "double"},       {"character varying(40)", "varchar(40)"},
        {"VARCHAR( 255 )", "varchar(255)"}, {"char", "char(1)"},
        {"datetime(0)", "datetime"}, {"TIMESTAMP(6)", "timestamp(6)"},
        {"ENUM('A', 'b c','it''s')", "enum('A','b c','it''s')"},
        {"json", "json"},         {"year(4)", "year"}, {"bit", "bit(1)"},
        {"int zerofill", "int zerofill"},
    };
    cairn_buf b;
    cairn_buf_init(&b);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        cairn_buf_reset(&b);
        CHECK(d->normalize_type(s->ds, types[i][0], &b) == 0, "type %s", types[i][0]);
        CHECK_STR(cairn_buf_cstr(&b), types[i][1]);
    }
    static const char *const defs[][3] = {
        {"int", "0", "0"},         {"int", "'5'", "5"},
        {"int", "(7)", "7"},       {"int", "NULL", ""},
        {"varchar(10)", "null", ""}, {"varchar(10)", "'NULL'", "'NULL'"},
        {"varchar(10)", "5", "'5'"}, {"varchar(10)", "'it''s'", "'it''s'"},
        {"varchar(10)", "'it\\'s'", "'it''s'"}, {"varchar(10)", "\"dq\"", "'dq'"},
        {"varchar(10)", "'a\\\\b'", "'a\\\\b'"},
        {"decimal(10,2)", "1.5", "1.50"}, {"decimal(10,2)", "'3'", "3.00"},
        {"tinyint(1)", "true", "1"}, {"tinyint(1)", "FALSE", "0"},
        {"datetime", "now()", "CURRENT_TIMESTAMP"},
        {"datetime", "current_timestamp()", "CURRENT_TIMESTAMP"},
        {"datetime(3)", "CURRENT_TIMESTAMP(3)", "CURRENT_TIMESTAMP(3)"},
        {"datetime(3)", "now(3)", "CURRENT_TIMESTAMP(3)"},
        {"datetime", "'2020-01-01 00:00:00'", "'2020-01-01 00:00:00'"},
        {"varchar(36)", "(uuid())", "uuid()"},
        {"double", "-1.25e3", "-1.25e3"},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        cairn_buf_reset(&b);
        CHECK(d->normalize_default(s->ds, defs[i][0], defs[i][1], &b) == 0, "default %s",
              defs[i][1]);
        CHECK(strcmp(cairn_buf_cstr(&b), defs[i][2]) == 0, "default %s on %s: got [%s], want [%s]",
              defs[i][1], defs[i][0], cairn_buf_cstr(&b), defs[i][2]);
    }
    cairn_buf_release(&b);
    cairn_ctx_free(cx);
}

/* Types and defaults as a user writes them, applied to the server and read
 * back, compare equal (and a second push finds nothing). */
static void test_normalize_live(void)
{
    fresh_db("norm");
    char *url = db_url("norm");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    const char *json =
        "{\"tables\": [{\"name\": \"n\", \"columns\": ["
        "{\"name\": \"id\", \"type\": \"INTEGER\", \"not_null\": true, \"identity\": \"auto\"},"
        "{\"name\": \"b\", \"type\": \"bool\", \"not_null\": true, \"default\": \"true\"},"
        "{\"name\": \"d\", \"type\": \"numeric(8,2)\", \"default\": \"0\"},"
        "{\"name\": \"t\", \"type\": \"datetime\", \"default\": \"now()\"},"
        "{\"name\": \"t3\", \"type\": \"timestamp(3)\", \"not_null\": true,"
        " \"default\": \"CURRENT_TIMESTAMP(3)\", \"extra\": \"on update CURRENT_TIMESTAMP(3)\"},"
        "{\"name\": \"e\", \"type\": \"ENUM('a', 'b c')\", \"default\": \"'a'\"},"
        "{\"name\": \"j\", \"type\": \"json\"},"
        "{\"name\": \"u\", \"type\": \"bigint(20) unsigned\", \"default\": \"'7'\"},"
        "{\"name\": \"s\", \"type\": \"varchar(20)\", \"default\": \"'a\\\\\\\\b''c'\"},"
        "{\"name\": \"nul\", \"type\": \"varchar(20)\", \"default\": \"NULL\"},"
        "{\"name\": \"x\", \"type\": \"varchar(36)\", \"default\": \"(uuid())\"},"
        "{\"name\": \"dbl\", \"type\": \"double precision\", \"default\": \"1.5\"}"
        "], \"primary_key\": {\"columns\": [\"id\"]},"
        /* a unique constraint and a unique index stay what they were declared */
        "\"uniques\": [{\"name\": \"n_u\", \"columns\": [\"u\", \"e\"]}],"
        "\"indexes\": [{\"name\": \"n_x\", \"columns\": [\"x\"], \"unique\": true}]}]}";
    cairn_schema *want = NULL;
    int n = push_json(cx, c, json, &want);
    CHECK(n == 1, "create: %d statements", n);
    if (want)
        CHECK(converged(cx, c, want), "user-written types and defaults converge");
    cairn_schema *got = introspect(cx, c);
    cairn_table *t = table(got, "n");
    CHECK(t && t->nuniques == 1 && t->nindexes == 1, "one unique constraint, one unique index");
    if (t && t->nuniques == 1 && t->uniques[0]->ncolumns == 2) {
        CHECK_STR(t->uniques[0]->name, "n_u");
        CHECK_STR(t->uniques[0]->columns[1], "e");
    }
    cairn_schema_free(got);
    cairn_schema_free(want);
    CHECK(push_json(cx, c, json, NULL) == 0, "second push is empty");
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* Table options and comments change in place and converge. */
static void test_options(void)
{
    fresh_db("opts");
    char *url = db_url("opts");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("opts");
    const char *v1 = "{\"tables\":[{\"name\":\"o\",\"comment\":\"first\","
                     "\"options\":{\"engine\":\"MyISAM\",\"collation\":\"utf8mb4_bin\"},"
                     "\"columns\":[{\"name\":\"id\",\"type\":\"int\",\"not_null\":true}],"
                     "\"primary_key\":{\"columns\":[\"id\"]}}]}";
    const char *v2 = "{\"tables\":[{\"name\":\"o\",\"comment\":\"second\","
                     "\"options\":{\"engine\":\"Aria\"},"
                     "\"columns\":[{\"name\":\"id\",\"type\":\"int\",\"not_null\":true}],"
                     "\"primary_key\":{\"columns\":[\"id\"]}}]}";
    const char *v3 = "{\"tables\":[{\"name\":\"o\","
                     "\"columns\":[{\"name\":\"id\",\"type\":\"int\",\"not_null\":true}],"
                     "\"primary_key\":{\"columns\":[\"id\"]}}]}";
    const char *steps[] = {v1, v2, v3};
    const char *engines[] = {"MyISAM", "Aria", "InnoDB"};
    const char *colls[] = {"utf8mb4_bin", "utf8mb4_general_ci", "utf8mb4_general_ci"};
    for (int i = 0; i < 3; i++) {
        cairn_schema *want = NULL;
        CHECK(push_json(cx, c, steps[i], &want) > 0, "options step %d: %s", i + 1, errmsg(cx));
        if (want)
            CHECK(converged(cx, c, want), "options step %d converges", i + 1);
        cairn_schema_free(want);
        char *e = raw_scalar(my, "SELECT CONCAT(ENGINE, ' ', TABLE_COLLATION, ' [', "
                                 "TABLE_COMMENT, ']') FROM information_schema.TABLES "
                                 "WHERE TABLE_SCHEMA = 'opts'");
        char want_s[128];
        snprintf(want_s, sizeof want_s, "%s %s [%s]", engines[i], colls[i],
                 i == 0 ? "first" : i == 1 ? "second" : "");
        CHECK(!strcmp(e, want_s), "step %d: %s, want %s", i + 1, e, want_s);
        free(e);
    }
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* Primary keys added, changed and dropped; defaults set, changed and
 * dropped alone (ALTER COLUMN ... SET/DROP DEFAULT). */
static void test_keys_defaults(void)
{
    fresh_db("keys");
    char *url = db_url("keys");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("keys");
    static const char *const pk[] = {"", ",\"primary_key\":{\"columns\":[\"a\"]}",
                                     ",\"primary_key\":{\"columns\":[\"a\",\"b\"]}", ""};
    static const char *const def[] = {"\"'x'\"", "\"'y'\"", NULL, "\"(uuid())\""};
    for (int i = 0; i < 4; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"tables\":[{\"name\":\"k\",\"columns\":["
                 "{\"name\":\"a\",\"type\":\"int\",\"not_null\":true},"
                 "{\"name\":\"b\",\"type\":\"int\",\"not_null\":true},"
                 "{\"name\":\"s\",\"type\":\"varchar(40)\"%s%s}]%s}]}",
                 def[i] ? ",\"default\":" : "", def[i] ? def[i] : "", pk[i]);
        cairn_schema *want = NULL;
        int n = push_json(cx, c, json, &want);
        CHECK(n > 0, "keys step %d: %d: %s", i + 1, n, errmsg(cx));
        if (i == 0)
            raw_exec(my, "INSERT INTO k (a, b) VALUES (1, 1), (2, 1)");
        if (want)
            CHECK(converged(cx, c, want), "keys step %d converges", i + 1);
        CHECK(push_json(cx, c, json, NULL) == 0, "keys step %d again does nothing", i + 1);
        cairn_schema_free(want);
    }
    char *v = raw_scalar(my, "SELECT COUNT(*) FROM k");
    CHECK(!strcmp(v, "2"), "rows kept through key changes: %s", v);
    free(v);
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* A column turned VIRTUAL, STORED, regular and generated again: each in
 * its place, its index kept, the values of a generated column that turns
 * regular kept. */
static void test_generated_switch(void)
{
    fresh_db("gen");
    char *url = db_url("gen");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("gen");
    static const char *const kind[] = {
        ",\"generated\":{\"expr\":\"`b` * 2\",\"stored\":false}",
        ",\"generated\":{\"expr\":\"`b` * 2\",\"stored\":true}", "",
        ",\"generated\":{\"expr\":\"`b` * 3\",\"stored\":false}"};
    static const char *const want_c[] = {"10", "10", "10", "15"};
    for (int i = 0; i < 4; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"tables\":[{\"name\":\"g\",\"columns\":["
                 "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true},"
                 "{\"name\":\"b\",\"type\":\"int\"},"
                 "{\"name\":\"c\",\"type\":\"int\"%s},"
                 "{\"name\":\"d\",\"type\":\"int\"}],"
                 "\"primary_key\":{\"columns\":[\"id\"]},"
                 "\"indexes\":[{\"name\":\"g_cd\",\"columns\":[\"c\",\"d\"]}]}]}",
                 kind[i]);
        cairn_schema *want = NULL;
        CHECK(push_json(cx, c, json, &want) > 0, "generated step %d: %s", i + 1, errmsg(cx));
        if (i == 0)
            raw_exec(my, "INSERT INTO g (id, b, d) VALUES (1, 5, 7)");
        if (want)
            CHECK(converged(cx, c, want), "generated step %d converges", i + 1);
        CHECK(push_json(cx, c, json, NULL) == 0, "generated step %d again does nothing", i + 1);
        cairn_schema_free(want);
        char *v = raw_scalar(my, "SELECT CONCAT(c, ' ', d) FROM g WHERE id = 1");
        char w[32];
        snprintf(w, sizeof w, "%s 7", want_c[i]);
        CHECK(!strcmp(v, w), "step %d: row reads %s, want %s", i + 1, v, w);
        free(v);
        v = raw_scalar(my, "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM "
                           "information_schema.COLUMNS WHERE TABLE_SCHEMA = 'gen'");
        CHECK(!strcmp(v, "id,b,c,d"), "step %d: columns %s", i + 1, v);
        free(v);
    }
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* A foreign key given without a name (`posts_ibfk_1`): its index is named
 * after its first column, as the server names it, it goes with the key,
 * and a database where that index was named after the key moves over. */
static void test_unnamed_fk(void)
{
    fresh_db("ufk");
    char *url = db_url("ufk");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("ufk");
    static const char *const fk =
        ",\"foreign_keys\":[{\"name\":\"posts_ibfk_1\",\"columns\":[\"user_id\"],"
        "\"references\":{\"table\":\"users\",\"columns\":[\"id\"]},"
        "\"on_delete\":\"restrict\",\"on_update\":\"restrict\"}]";
    const char *keys = "SELECT COALESCE(GROUP_CONCAT(DISTINCT INDEX_NAME ORDER BY INDEX_NAME), '') "
                       "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'ufk' AND "
                       "TABLE_NAME = 'posts'";
    /* as a schema.sql would have it: the key without a name */
    raw_exec(my, "CREATE TABLE users (id int NOT NULL PRIMARY KEY)");
    raw_exec(my, "CREATE TABLE posts (id int NOT NULL PRIMARY KEY, user_id int, "
                 "FOREIGN KEY (user_id) REFERENCES users (id))");
    /* a key named after the key's convention, its index after the key: an
     * earlier push of cairn's; then no key; then the key again */
    static const char *const steps[] = {fk, "", fk};
    static const char *const want_keys[] = {"PRIMARY,user_id", "PRIMARY", "PRIMARY,user_id"};
    for (int i = 0; i < 3; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"tables\":[{\"name\":\"users\",\"columns\":[{\"name\":\"id\","
                 "\"type\":\"int\",\"not_null\":true}],\"primary_key\":{\"columns\":[\"id\"]}},"
                 "{\"name\":\"posts\",\"columns\":[{\"name\":\"id\",\"type\":\"int\","
                 "\"not_null\":true},{\"name\":\"user_id\",\"type\":\"int\"}],"
                 "\"primary_key\":{\"columns\":[\"id\"]}%s}]}",
                 steps[i]);
        cairn_schema *want = NULL;
        CHECK(push_json(cx, c, json, &want) >= 0, "unnamed fk step %d: %s", i + 1, errmsg(cx));
        if (want)
            CHECK(converged(cx, c, want), "unnamed fk step %d converges", i + 1);
        CHECK(push_json(cx, c, json, NULL) == 0, "unnamed fk step %d again does nothing", i + 1);
        cairn_schema_free(want);
        char *v = raw_scalar(my, keys);
        CHECK(!strcmp(v, want_keys[i]), "step %d: posts has keys %s, want %s", i + 1, v,
              want_keys[i]);
        free(v);
    }
    /* the key's index named after the key (cairn before this release) */
    raw_exec(my, "ALTER TABLE posts DROP FOREIGN KEY posts_ibfk_1, DROP INDEX user_id");
    raw_exec(my, "ALTER TABLE posts ADD CONSTRAINT posts_ibfk_1 FOREIGN KEY (user_id) "
                 "REFERENCES users (id)");
    cairn_schema *s = introspect(cx, c);
    CHECK(index_named(table(s, "posts"), "posts_ibfk_1") != NULL,
          "an index named after the key is read");
    cairn_schema_free(s);
    char json[1024];
    snprintf(json, sizeof json,
             "{\"tables\":[{\"name\":\"users\",\"columns\":[{\"name\":\"id\","
             "\"type\":\"int\",\"not_null\":true}],\"primary_key\":{\"columns\":[\"id\"]}},"
             "{\"name\":\"posts\",\"columns\":[{\"name\":\"id\",\"type\":\"int\","
             "\"not_null\":true},{\"name\":\"user_id\",\"type\":\"int\"}],"
             "\"primary_key\":{\"columns\":[\"id\"]}%s}]}",
             fk);
    cairn_schema *want = NULL;
    /* one statement: DROP INDEX posts_ibfk_1, ADD KEY user_id */
    CHECK(push_json(cx, c, json, &want) == 1, "the key's index moves over: %s", errmsg(cx));
    if (want)
        CHECK(converged(cx, c, want), "moved over converges");
    cairn_schema_free(want);
    char *v = raw_scalar(my, keys);
    CHECK(!strcmp(v, "PRIMARY,user_id"), "moved over: posts has keys %s", v);
    free(v);
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* An AUTO_INCREMENT primary key added to a table with rows (the rows are
 * numbered), taken off, put back on an existing column, and dropped with
 * its column: each in the order the server accepts. */
static void test_auto_increment_pk(void)
{
    fresh_db("aipk");
    char *url = db_url("aipk");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("aipk");
    raw_exec(my, "CREATE TABLE users (name varchar(20))");
    raw_exec(my, "INSERT INTO users VALUES ('ann'), ('bob')");
    static const char *const id[] = {
        "{\"name\":\"id\",\"type\":\"bigint\",\"not_null\":true,\"identity\":\"auto\"},",
        "{\"name\":\"id\",\"type\":\"bigint\",\"not_null\":true},",
        "{\"name\":\"id\",\"type\":\"bigint\",\"not_null\":true,\"identity\":\"auto\"},",
        ""};
    static const char *const pk[] = {",\"primary_key\":{\"columns\":[\"id\"]}", "",
                                     ",\"primary_key\":{\"columns\":[\"id\"]}", ""};
    static const char *const rows[] = {"1 ann,2 bob", "1 ann,2 bob", "1 ann,2 bob", "ann,bob"};
    for (int i = 0; i < 4; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"tables\":[{\"name\":\"users\",\"columns\":[%s"
                 "{\"name\":\"name\",\"type\":\"varchar(20)\"}]%s}]}",
                 id[i], pk[i]);
        cairn_schema *want = NULL;
        CHECK(push_json(cx, c, json, &want) > 0, "auto_increment key step %d: %s", i + 1,
              errmsg(cx));
        if (want)
            CHECK(converged(cx, c, want), "auto_increment key step %d converges", i + 1);
        CHECK(push_json(cx, c, json, NULL) == 0, "auto_increment key step %d again does nothing",
              i + 1);
        cairn_schema_free(want);
        char *v = raw_scalar(my, i < 3 ? "SELECT GROUP_CONCAT(id, ' ', name ORDER BY id) FROM users"
                                       : "SELECT GROUP_CONCAT(name ORDER BY name) FROM users");
        CHECK(!strcmp(v, rows[i]), "step %d: rows %s, want %s", i + 1, v, rows[i]);
        free(v);
    }
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* ROW_FORMAT and KEY_BLOCK_SIZE are read back, changed and taken off. */
static void test_row_format(void)
{
    fresh_db("rowf");
    char *url = db_url("rowf");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("rowf");
    static const char *const opts[] = {",\"options\":{\"key_block_size\":\"8\"}",
                                       ",\"options\":{\"row_format\":\"COMPRESSED\"}",
                                       ",\"options\":{\"row_format\":\"DYNAMIC\"}", ""};
    static const char *const want_opts[] = {"key_block_size=8", "row_format=COMPRESSED",
                                            "row_format=DYNAMIC", ""};
    for (int i = 0; i < 4; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{\"tables\":[{\"name\":\"r\",\"columns\":[{\"name\":\"id\","
                 "\"type\":\"int\"}]%s}]}",
                 opts[i]);
        cairn_schema *want = NULL;
        CHECK(push_json(cx, c, json, &want) > 0, "row format step %d: %s", i + 1, errmsg(cx));
        if (want)
            CHECK(converged(cx, c, want), "row format step %d converges", i + 1);
        CHECK(push_json(cx, c, json, NULL) == 0, "row format step %d again does nothing", i + 1);
        cairn_schema_free(want);
        char *v = raw_scalar(my, "SELECT CREATE_OPTIONS FROM information_schema.TABLES "
                                 "WHERE TABLE_SCHEMA = 'rowf'");
        CHECK(!strcmp(v, want_opts[i]), "step %d: options '%s', want '%s'", i + 1, v,
              want_opts[i]);
        free(v);
    }
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* A check named after its column is that column's CHECK (MariaDB's
 * column-level check): added, changed and dropped through the column. */
static void test_column_check(void)
{
    fresh_db("colck");
    char *url = db_url("colck");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("colck");
    static const char *const ck[] = {
        ",\"checks\":[{\"name\":\"status\",\"expr\":\"status in ('a','b')\"}]",
        ",\"checks\":[{\"name\":\"status\",\"expr\":\"status in ('a','b','c')\"}]", ""};
    static const char *const want_ck[] = {"Column `status` in ('a','b')",
                                          "Column `status` in ('a','b','c')", "(none)"};
    for (int i = 0; i < 3; i++) {
        char json[512];
        snprintf(json, sizeof json,
                 "{\"tables\":[{\"name\":\"o\",\"columns\":[{\"name\":\"id\","
                 "\"type\":\"int\"},{\"name\":\"status\",\"type\":\"varchar(20)\"}]%s}]}",
                 ck[i]);
        cairn_schema *want = NULL;
        CHECK(push_json(cx, c, json, &want) > 0, "column check step %d: %s", i + 1, errmsg(cx));
        if (i == 0)
            raw_exec(my, "INSERT INTO o VALUES (1, 'a')");
        if (want)
            CHECK(converged(cx, c, want), "column check step %d converges", i + 1);
        CHECK(push_json(cx, c, json, NULL) == 0, "column check step %d again does nothing",
              i + 1);
        cairn_schema_free(want);
        char *v = raw_scalar(my, "SELECT COALESCE(MAX(CONCAT(LEVEL, ' ', CHECK_CLAUSE)), "
                                 "'(none)') FROM information_schema.CHECK_CONSTRAINTS "
                                 "WHERE CONSTRAINT_SCHEMA = 'colck'");
        CHECK(!strcmp(v, want_ck[i]), "step %d: check %s, want %s", i + 1, v, want_ck[i]);
        free(v);
    }
    char *v = raw_scalar(my, "SELECT COUNT(*) FROM o");
    CHECK(!strcmp(v, "1"), "the row stays: %s", v);
    free(v);
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* A table's only column replaced by another: the drop waits for the add
 * (a table cannot lose its last column, error 1090). */
static void test_replace_last_column(void)
{
    fresh_db("lastcol");
    char *url = db_url("lastcol");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("lastcol");
    raw_exec(my, "CREATE TABLE t (a int)");
    const char *json = "{\"tables\":[{\"name\":\"t\",\"columns\":["
                       "{\"name\":\"b\",\"type\":\"int\"},{\"name\":\"c\",\"type\":\"text\"}]}]}";
    cairn_schema *want = NULL;
    CHECK(push_json(cx, c, json, &want) == 3, "replace the last column: %s", errmsg(cx));
    if (want)
        CHECK(converged(cx, c, want), "replace the last column converges");
    cairn_schema_free(want);
    char *v = raw_scalar(my, "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM "
                             "information_schema.COLUMNS WHERE TABLE_SCHEMA = 'lastcol'");
    CHECK(!strcmp(v, "b,c"), "columns %s", v);
    free(v);
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* A SPATIAL key reads back without the length the server reports for it,
 * and a second push finds nothing to do. */
static void test_spatial_key(void)
{
    fresh_db("spatial");
    char *url = db_url("spatial");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("spatial");
    raw_exec(my, "CREATE TABLE places (id int NOT NULL)");
    const char *json =
        "{\"tables\":[{\"name\":\"places\",\"columns\":[{\"name\":\"id\",\"type\":\"int\","
        "\"not_null\":true},{\"name\":\"location\",\"type\":\"point\",\"not_null\":true}],"
        "\"indexes\":[{\"name\":\"places_location\",\"method\":\"spatial\","
        "\"columns\":[\"location\"]}]}]}";
    cairn_schema *want = NULL;
    CHECK(push_json(cx, c, json, &want) == 2, "spatial key: %s", errmsg(cx));
    if (want)
        CHECK(converged(cx, c, want), "spatial key converges");
    CHECK(push_json(cx, c, json, NULL) == 0, "spatial key again does nothing");
    cairn_schema_free(want);
    char *v = raw_scalar(my, "SELECT INDEX_TYPE FROM information_schema.STATISTICS WHERE "
                             "TABLE_SCHEMA = 'spatial' AND INDEX_NAME = 'places_location'");
    CHECK(!strcmp(v, "SPATIAL"), "index type %s", v);
    free(v);
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* Triggers are read back: created with their table, changed (drop and
 * create), dropped, and a second push finds nothing to do. */
static void test_triggers(void)
{
    fresh_db("trg");
    char *url = db_url("trg");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("trg");
    static const char *const trg[] = {
        ",\"triggers\":[{\"name\":\"users_ins\",\"sql\":\"CREATE TRIGGER `users_ins` "
        "after insert ON `users` FOR EACH ROW insert into logs (msg) values ('insert')\"}]",
        ",\"triggers\":[{\"name\":\"users_ins\",\"sql\":\"CREATE TRIGGER `users_ins` "
        "after insert ON `users` FOR EACH ROW insert into logs (msg) values (NEW.name)\"}]",
        ""};
    static const char *const logged[] = {"insert", "ann", NULL};
    for (int i = 0; i < 3; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"tables\":[{\"name\":\"logs\",\"columns\":["
                 "{\"name\":\"msg\",\"type\":\"varchar(20)\"}]},"
                 "{\"name\":\"users\",\"columns\":["
                 "{\"name\":\"name\",\"type\":\"varchar(20)\"}]%s}]}",
                 trg[i]);
        cairn_schema *want = NULL;
        CHECK(push_json(cx, c, json, &want) > 0, "triggers step %d: %s", i + 1, errmsg(cx));
        if (want)
            CHECK(converged(cx, c, want), "triggers step %d converges", i + 1);
        CHECK(push_json(cx, c, json, NULL) == 0, "triggers step %d again does nothing", i + 1);
        cairn_schema_free(want);
        cairn_schema *s = introspect(cx, c);
        cairn_table *t = table(s, "users");
        CHECK(t && t->ntriggers == (i < 2 ? 1u : 0u), "step %d: users has %zu triggers", i + 1,
              t ? t->ntriggers : 0);
        cairn_schema_free(s);
        raw_exec(my, "DELETE FROM logs");
        raw_exec(my, "INSERT INTO users VALUES ('ann')");
        char *v = raw_scalar(my, "SELECT COALESCE(MAX(msg), '(none)') FROM logs");
        CHECK(!strcmp(v, logged[i] ? logged[i] : "(none)"), "step %d: the trigger logged %s",
              i + 1, v);
        free(v);
    }
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* ---- constant number of queries ---------------------------------------------------- */

static void make_tables(const cairn_dialect *d, cairn_dconn *c, int from, int to)
{
    cairn_buf b;
    cairn_buf_init(&b);
    for (int i = from; i < to; i++) {
        cairn_buf_printf(&b,
                         "CREATE TABLE t%04d (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                         "name varchar(40) NOT NULL DEFAULT '', ref int, "
                         "KEY t%04d_name (name), CONSTRAINT t%04d_ref CHECK (ref > 0));"
                         "CREATE TRIGGER t%04d_ins before insert ON t%04d FOR EACH ROW "
                         "SET NEW.ref = 1;",
                         i, i, i, i, i);
        if ((i + 1) % 100 == 0 || i + 1 == to) {
            if (d->exec(c, cairn_buf_cstr(&b)))
                printf("make_tables failed\n");
            cairn_buf_reset(&b);
        }
    }
    cairn_buf_release(&b);
}

static void test_query_count(void)
{
    fresh_db("many");
    char *url = db_url("many");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    const cairn_dialect *d = sess(cx)->drv.d;
    make_tables(d, c, 0, 100);
    g_queries = -1;
    cairn_schema *s = introspect(cx, c);
    int q100 = g_queries;
    CHECK(s && s->ntables == 100, "100 tables");
    cairn_schema_free(s);
    make_tables(d, c, 100, 1000);
    g_queries = -1;
    s = introspect(cx, c);
    int q1000 = g_queries;
    CHECK(s && s->ntables == 1000, "1000 tables");
    if (s && s->ntables == 1000) {
        cairn_table *t = table(s, "t0999");
        CHECK(t && t->primary_key && t->ncolumns == 3 && t->nindexes == 1 && t->nchecks == 1 &&
                  t->ntriggers == 1,
              "last table complete");
    }
    cairn_schema_free(s);
    CHECK(q100 > 0 && q100 == q1000, "queries: %d for 100 tables, %d for 1000", q100, q1000);
    printf("introspection: %d queries for 100 tables, %d for 1000\n", q100, q1000);
    d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* ---- a schema evolving step by step, with rows that survive ----------------------- */

static const char *const evolve_steps[] = {
    /* 1 */ "{\"tables\":[{\"name\":\"users\",\"columns\":["
            "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true,\"identity\":\"auto\"},"
            "{\"name\":\"email\",\"type\":\"varchar(100)\",\"not_null\":true}],"
            "\"primary_key\":{\"columns\":[\"id\"]}}]}",
    /* 2 add a nullable column */
    "{\"tables\":[{\"name\":\"users\",\"columns\":["
    "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true,\"identity\":\"auto\"},"
    "{\"name\":\"email\",\"type\":\"varchar(100)\",\"not_null\":true},"
    "{\"name\":\"bio\",\"type\":\"text\"}],"
    "\"primary_key\":{\"columns\":[\"id\"]}}]}",
    /* 3 a column in the middle, with a default */
    "{\"tables\":[{\"name\":\"users\",\"columns\":["
    "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true,\"identity\":\"auto\"},"
    "{\"name\":\"name\",\"type\":\"varchar(50)\",\"not_null\":true,\"default\":\"'anon'\"},"
    "{\"name\":\"email\",\"type\":\"varchar(100)\",\"not_null\":true},"
    "{\"name\":\"bio\",\"type\":\"text\"}],"
    "\"primary_key\":{\"columns\":[\"id\"]}}]}",
    /* 4 widen a type */
    "{\"tables\":[{\"name\":\"users\",\"columns\":["
    "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true,\"identity\":\"auto\"},"
    "{\"name\":\"name\",\"type\":\"varchar(50)\",\"not_null\":true,\"default\":\"'anon'\"},"
    "{\"name\":\"email\",\"type\":\"varchar(200)\",\"not_null\":true},"
    "{\"name\":\"bio\",\"type\":\"text\"}],"
    "\"primary_key\":{\"columns\":[\"id\"]}}]}",
    /* 5 a unique index */
    "{\"tables\":[{\"name\":\"users\",\"columns\":["
    "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true,\"identity\":\"auto\"},"
    "{\"name\":\"name\",\"type\":\"varchar(50)\",\"not_null\":true,\"default\":\"'anon'\"},"
    "{\"name\":\"email\",\"type\":\"varchar(200)\",\"not_null\":true},"
    "{\"name\":\"bio\",\"type\":\"text\"}],"
    "\"primary_key\":{\"columns\":[\"id\"]},"
    "\"indexes\":[{\"name\":\"users_email\",\"columns\":[\"email\"],\"unique\":true}]}]}",
    /* 6 a second table with a foreign key */
    "{\"tables\":[{\"name\":\"users\",\"columns\":["
    "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true,\"identity\":\"auto\"},"
    "{\"name\":\"name\",\"type\":\"varchar(50)\",\"not_null\":true,\"default\":\"'anon'\"},"
    "{\"name\":\"email\",\"type\":\"varchar(200)\",\"not_null\":true},"
    "{\"name\":\"bio\",\"type\":\"text\"}],"
    "\"primary_key\":{\"columns\":[\"id\"]},"
    "\"indexes\":[{\"name\":\"users_email\",\"columns\":[\"email\"],\"unique\":true}]},"
    "{\"name\":\"posts\",\"columns\":["
    "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true,\"identity\":\"auto\"},"
    "{\"name\":\"user_id\",\"type\":\"int\",\"not_null\":true},"
    "{\"name\":\"title\",\"type\":\"varchar(100)\",\"not_null\":true}],"
    "\"primary_key\":{\"columns\":[\"id\"]},"
    "\"foreign_keys\":[{\"name\":\"posts_user\",\"columns\":[\"user_id\"],"
    "\"references\":{\"table\":\"users\",\"columns\":[\"id\"]},\"on_delete\":\"cascade\"}]}]}",
};

/* Steps 7 and later, each a full schema: a feature appears at its step. */
static char *step_json(int step)
{
    const char *users_cols_a =
        "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true,\"identity\":\"auto\"},"
        "{\"name\":\"name\",\"type\":\"varchar(50)\",\"not_null\":true,\"default\":\"'anon'\"},"
        "{\"name\":\"email\",\"type\":\"varchar(200)\",\"not_null\":true},";
    /* 7: rename bio -> about */
    const char *bio = step == 7 ? "{\"name\":\"about\",\"type\":\"text\",\"was\":\"bio\"}"
                                : "{\"name\":\"about\",\"type\":\"text\"}";
    /* 8: a NOT NULL column with a default on a table with rows */
    const char *score = step >= 8 ? ",{\"name\":\"score\",\"type\":\"decimal(8,2)\","
                                    "\"not_null\":true,\"default\":\"0\"}" : "";
    /* 9: an expression default; 18: dropped again */
    const char *created = step >= 9 && step < 18
                              ? ",{\"name\":\"created\",\"type\":\"datetime\",\"not_null\":true,"
                                "\"default\":\"CURRENT_TIMESTAMP\"}" : "";
    /* 10: a check */
    const char *checks =
        step >= 10 ? ",\"checks\":[{\"name\":\"score_ok\",\"expr\":\"score >= 0\"}]" : "";
    /* 11: a prefix index; 18: dropped */
    const char *user_ix =
        step >= 11 && step < 18
            ? "\"indexes\":[{\"name\":\"users_email\",\"columns\":[\"email\"],\"unique\":true},"
              "{\"name\":\"users_name\",\"columns\":[{\"column\":\"name\",\"length\":10}]}]"
            : "\"indexes\":[{\"name\":\"users_email\",\"columns\":[\"email\"],\"unique\":true}]";
    /* 12: a table comment */
    const char *comment = step >= 12 ? ",\"comment\":\"people\"" : "";
    /* 13: another foreign key action */
    const char *action = step >= 13 ? "restrict" : "cascade";
    /* 14: rename posts -> articles */
    const char *posts_name = step >= 14 ? "articles" : "posts";
    const char *posts_was = step == 14 ? ",\"was\":\"posts\"" : "";
    /* 15: a view over both */
    const char *view =
        step >= 15 ? ",\"views\":[{\"name\":\"user_titles\",\"definition\":"
                     "\"select `u`.`email` AS `email`,`a`.`title` AS `title` from "
                     "(`users` `u` join `articles` `a` on(`a`.`user_id` = `u`.`id`))\"}]"
                   : "";
    /* 16: a json column */
    const char *tags = step >= 16 ? ",{\"name\":\"tags\",\"type\":\"json\"}" : "";
    /* 17: a NOT NULL column becomes nullable */
    const char *title_nn = step >= 17 ? "false" : "true";
    char *out = malloc(8192);
    snprintf(out, 8192,
             "{\"tables\":[{\"name\":\"users\"%s,\"columns\":[%s%s%s%s],"
             "\"primary_key\":{\"columns\":[\"id\"]},%s%s},"
             "{\"name\":\"%s\"%s,\"columns\":["
             "{\"name\":\"id\",\"type\":\"int\",\"not_null\":true,\"identity\":\"auto\"},"
             "{\"name\":\"user_id\",\"type\":\"int\",\"not_null\":true},"
             "{\"name\":\"title\",\"type\":\"varchar(100)\",\"not_null\":%s}%s],"
             "\"primary_key\":{\"columns\":[\"id\"]},"
             "\"foreign_keys\":[{\"name\":\"posts_user\",\"columns\":[\"user_id\"],"
             "\"references\":{\"table\":\"users\",\"columns\":[\"id\"]},"
             "\"on_delete\":\"%s\"}]}]%s}",
             comment, users_cols_a, bio, score, created, user_ix, checks, posts_name,
             posts_was, title_nn, tags, action, view);
    return out;
}

static void check_rows(MYSQL *my, int step, const char *posts)
{
    char sql[256];
    char *v = raw_scalar(my, "SELECT COUNT(*) FROM users");
    CHECK(!strcmp(v, "3"), "step %d: users rows %s", step, v);
    free(v);
    v = raw_scalar(my, "SELECT email FROM users WHERE id = 2");
    CHECK(!strcmp(v, "b@example.com"), "step %d: email %s", step, v);
    free(v);
    if (step >= 3) {
        v = raw_scalar(my, "SELECT name FROM users WHERE id = 3");
        CHECK(!strcmp(v, "anon"), "step %d: default filled %s", step, v);
        free(v);
    }
    if (step >= 7) {
        v = raw_scalar(my, "SELECT about FROM users WHERE id = 1");
        CHECK(!strcmp(v, "first"), "step %d: renamed column kept its data: %s", step, v);
        free(v);
    }
    if (posts) {
        snprintf(sql, sizeof sql, "SELECT GROUP_CONCAT(title ORDER BY id) FROM `%s`", posts);
        v = raw_scalar(my, sql);
        CHECK(!strcmp(v, "hello,world"), "step %d: posts %s", step, v);
        free(v);
    }
}

static void test_evolve(void)
{
    fresh_db("evolve");
    char *url = db_url("evolve");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("evolve");
    const int nsteps = 18;
    for (int step = 1; step <= nsteps; step++) {
        char *json = step <= 6 ? strdup(evolve_steps[step - 1]) : step_json(step);
        cairn_schema *want = NULL;
        int n = push_json(cx, c, json, &want);
        CHECK(n > 0, "step %d applied %d statements", step, n);
        if (step == 1)
            raw_exec(my, "INSERT INTO users (email) VALUES ('a@example.com'), "
                         "('b@example.com'), ('c@example.com')");
        if (step == 2)
            raw_exec(my, "UPDATE users SET bio = 'first' WHERE id = 1");
        if (step == 6)
            raw_exec(my, "INSERT INTO posts (user_id, title) VALUES (1, 'hello'), (2, 'world')");
        check_rows(my, step, step >= 14 ? "articles" : step >= 6 ? "posts" : NULL);
        if (want)
            CHECK(converged(cx, c, want), "step %d converges", step);
        int again = push_json(cx, c, json, NULL);
        CHECK(again == 0, "step %d: the same schema again does nothing (%d)", step, again);
        cairn_schema_free(want);
        free(json);
    }
    /* the foreign key's action really changed (step 14: restrict) */
    char *v = raw_scalar(my, "SELECT DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS "
                             "WHERE CONSTRAINT_SCHEMA = 'evolve'");
    CHECK(!strcmp(v, "RESTRICT"), "delete rule %s", v);
    free(v);
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* ---- emission offline ------------------------------------------------------------- */

static void test_emit_order(void)
{
    cairn_ctx *cx = new_ctx(NULL);
    /* two tables referencing each other: one foreign key must wait */
    const char *json =
        "{\"tables\":["
        "{\"name\":\"a\",\"columns\":[{\"name\":\"id\",\"type\":\"int\",\"not_null\":true},"
        "{\"name\":\"b_id\",\"type\":\"int\"}],\"primary_key\":{\"columns\":[\"id\"]},"
        "\"foreign_keys\":[{\"name\":\"a_b\",\"columns\":[\"b_id\"],"
        "\"references\":{\"table\":\"b\",\"columns\":[\"id\"]}}]},"
        "{\"name\":\"b\",\"columns\":[{\"name\":\"id\",\"type\":\"int\",\"not_null\":true},"
        "{\"name\":\"a_id\",\"type\":\"int\"}],\"primary_key\":{\"columns\":[\"id\"]},"
        "\"foreign_keys\":[{\"name\":\"b_a\",\"columns\":[\"a_id\"],"
        "\"references\":{\"table\":\"a\",\"columns\":[\"id\"]}}]}]}";
    cairn_schema *want = NULL;
    cairn_plan *p = NULL;
    char *sql = NULL;
    int rc = cairn_schema_from_json(cx, json, "cycle.json", &want);
    if (!rc)
        rc = cairn_session_normalize(cx, sess(cx), want);
    if (!rc)
        rc = cairn_diff(cx, NULL, want, NULL, &p);
    if (!rc)
        rc = cairn_plan_sql(cx, p, &sql);
    CHECK(rc == 0, "emit: %s", errmsg(cx));
    if (sql) {
        const char *alter = strstr(sql, "ALTER TABLE `a` ADD CONSTRAINT `a_b` FOREIGN KEY");
        const char *create_b = strstr(sql, "CREATE TABLE `b`");
        CHECK(alter && create_b && alter > create_b, "deferred foreign key:\n%s", sql);
        CHECK(strstr(sql, "CONSTRAINT `b_a` FOREIGN KEY (`a_id`) REFERENCES `a` (`id`) ON DELETE "
                          "NO ACTION ON UPDATE NO ACTION") != NULL,
              "inline foreign key:\n%s", sql);
    }
    /* and they apply in that order on a real server */
    fresh_db("cycle");
    char *url = db_url("cycle");
    cairn_ctx *cx2 = new_ctx(url);
    cairn_dconn *c = conn(cx2);
    CHECK(push_json(cx2, c, json, NULL) == 3, "cycle applied: %s", errmsg(cx2));
    CHECK(converged(cx2, c, want), "cycle converges");
    /* dropping both works whatever the order */
    CHECK(push_json(cx2, c, "{\"tables\":[]}", NULL) >= 2, "both dropped: %s", errmsg(cx2));
    cairn_schema *left = introspect(cx2, c);
    CHECK(left && left->ntables == 0, "nothing left");
    cairn_schema_free(left);
    sess(cx2)->drv.d->disconnect(c);
    cairn_ctx_free(cx2);
    free(url);
    cairn_free(sql);
    cairn_plan_free(p);
    cairn_schema_free(want);
    cairn_ctx_free(cx);
}

/* ---- hostile identifiers ------------------------------------------------------------- */

static void test_hostile(void)
{
    fresh_db("hostile");
    char *url = db_url("hostile");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    MYSQL *my = raw("hostile");
    raw_exec(my, "CREATE TABLE sentinel (id int PRIMARY KEY)");
    cairn_ctx_set(cx, "tables", "t*,y*");
    /* JSON strings: a backtick, quotes, a semicolon and a comment in names */
    const char *json =
        "{\"tables\":[{\"name\":\"t`x; DROP TABLE sentinel; --\","
        "\"comment\":\"it's a `test`; DROP TABLE sentinel; --\",\"columns\":["
        "{\"name\":\"i`d\",\"type\":\"int\",\"not_null\":true},"
        "{\"name\":\"c'o\\\"l\",\"type\":\"varchar(60)\",\"default\":\"'x'';DROP TABLE sentinel;--'\","
        "\"comment\":\"c\\\\'m\"},"
        "{\"name\":\"p)`(\",\"type\":\"int\"}],"
        "\"primary_key\":{\"columns\":[\"i`d\"]},"
        "\"indexes\":[{\"name\":\"ix`; DROP\",\"columns\":[\"c'o\\\"l\"]}],"
        "\"foreign_keys\":[{\"name\":\"f`k\",\"columns\":[\"p)`(\"],"
        "\"references\":{\"table\":\"t`x; DROP TABLE sentinel; --\",\"columns\":[\"i`d\"]}}]}]}";
    cairn_schema *want = NULL;
    int n = push_json(cx, c, json, &want);
    CHECK(n == 1, "hostile table created (%d)", n);
    char *v = raw_scalar(my, "SELECT COUNT(*) FROM information_schema.TABLES WHERE "
                             "TABLE_SCHEMA = 'hostile' AND TABLE_NAME = 'sentinel'");
    CHECK(!strcmp(v, "1"), "sentinel survives");
    free(v);
    if (want)
        CHECK(converged(cx, c, want), "hostile identifiers round-trip");
    cairn_schema *s = introspect(cx, c);
    cairn_table *t = table(s, "t`x; DROP TABLE sentinel; --");
    CHECK(t != NULL, "hostile table name read back");
    CHECK_STR(t ? t->comment : NULL, "it's a `test`; DROP TABLE sentinel; --");
    cairn_column *col = column(t, "c'o\"l");
    CHECK_STR(col ? col->default_expr : NULL, "'x'';DROP TABLE sentinel;--'");
    CHECK_STR(col ? col->comment : NULL, "c\\'m");
    cairn_schema_free(s);
    /* rename and drop with the same names */
    const char *json2 = "{\"tables\":[{\"name\":\"y`; DROP TABLE sentinel\","
                        "\"was\":\"t`x; DROP TABLE sentinel; --\",\"columns\":["
                        "{\"name\":\"i`d\",\"type\":\"int\",\"not_null\":true}],"
                        "\"primary_key\":{\"columns\":[\"i`d\"]}}]}";
    n = push_json(cx, c, json2, NULL);
    CHECK(n > 0, "hostile rename/drop (%d): %s", n, errmsg(cx));
    v = raw_scalar(my, "SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME) FROM "
                       "information_schema.TABLES WHERE TABLE_SCHEMA = 'hostile'");
    CHECK(!strcmp(v, "sentinel,y`; DROP TABLE sentinel"), "tables now: %s", v);
    free(v);
    cairn_schema_free(want);
    mysql_close(my);
    sess(cx)->drv.d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* ---- history store and lock ------------------------------------------------------------ */

static void test_history(void)
{
    fresh_db("hist");
    char *url = db_url("hist");
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    const cairn_dialect *d = sess(cx)->drv.d;
    cairn_history_opts h = {.table = "__cairn `hist'; --", .lock_timeout_ms = 0,
                            .lock_name = "__cairn `hist'; --"};
    cairn_history list;
    cairn_history_init(&list);
    CHECK(d->history_list(c, &h, &list) == 0 && list.n == 0, "missing table: empty history");
    CHECK(d->history_ensure(c, &h) == 0, "ensure: %s", errmsg(cx));
    CHECK(d->history_ensure(c, &h) == 0, "ensure twice: %s", errmsg(cx));
    cairn_applied row = {.name = "20260101000000_it's", .checksum = "abc'\\", .applied_at =
                         "2026-01-01T00:00:00Z", .duration_ms = 12,
                         .state = CAIRN_APPLIED_PARTIAL, .statements_done = 1,
                         .statements_total = 3};
    CHECK(d->history_record(c, &h, &row) == 0, "record partial: %s", errmsg(cx));
    row.statements_done = 2;
    CHECK(d->history_record(c, &h, &row) == 0, "record progress: %s", errmsg(cx));
    CHECK(d->history_list(c, &h, &list) == 0 && list.n == 1, "one row after an upsert: %zu",
          list.n);
    if (list.n == 1) {
        CHECK_STR(list.rows[0].name, "20260101000000_it's");
        CHECK_STR(list.rows[0].checksum, "abc'\\");
        CHECK(list.rows[0].state == CAIRN_APPLIED_PARTIAL && list.rows[0].statements_done == 2 &&
                  list.rows[0].statements_total == 3 && list.rows[0].duration_ms == 12,
              "partial row");
    }
    row.state = CAIRN_APPLIED_DONE;
    row.statements_done = 3;
    row.duration_ms = 99;
    CHECK(d->history_record(c, &h, &row) == 0, "record done");
    cairn_applied row2 = {.name = "20260102000000_b", .checksum = "def",
                          .applied_at = "2026-01-02T00:00:00Z"};
    CHECK(d->history_record(c, &h, &row2) == 0, "record second");
    cairn_history_release(&list);
    cairn_history_init(&list);
    CHECK(d->history_list(c, &h, &list) == 0 && list.n == 2, "two rows");
    const cairn_applied *a = cairn_history_find(&list, "20260101000000_it's");
    CHECK(a && a->state == CAIRN_APPLIED_DONE && a->statements_done == 3 && a->duration_ms == 99,
          "done row");
    CHECK(d->history_remove(c, &h, "20260101000000_it's") == 0, "remove");
    cairn_history_release(&list);
    cairn_history_init(&list);
    CHECK(d->history_list(c, &h, &list) == 0 && list.n == 1, "one row left");
    cairn_history_release(&list);

    /* the lock: a second connection is refused while the first holds it */
    cairn_ctx *cx2 = new_ctx(url);
    cairn_dconn *c2 = conn(cx2);
    CHECK(d->lock(c, &h) == 0, "lock: %s", errmsg(cx));
    int rc = d->lock(c2, &h);
    CHECK(rc == CAIRN_ELOCKED && strstr(errmsg(cx2), "another cairn migrate holds the lock"),
          "held: %d %s", rc, errmsg(cx2));
    h.lock_timeout_ms = 1000;
    time_t t0 = time(NULL);
    rc = d->lock(c2, &h);
    CHECK(rc == CAIRN_ELOCKED && time(NULL) - t0 >= 1, "waited then refused: %d", rc);
    /* another database's lock of the same name is another lock */
    fresh_db("hist2");
    char *url3 = db_url("hist2");
    cairn_ctx *cx3 = new_ctx(url3);
    cairn_dconn *c3 = conn(cx3);
    CHECK(d->lock(c3, &h) == 0, "lock in another database: %s", errmsg(cx3));
    CHECK(d->unlock(c3, &h) == 0, "unlock other");
    CHECK(d->unlock(c, &h) == 0, "unlock");
    CHECK(d->lock(c2, &h) == 0, "free again: %s", errmsg(cx2));
    CHECK(d->unlock(c2, &h) == 0, "unlock 2");
    /* a long lock name is shortened, not refused */
    cairn_history_opts hl = {.table = "t", .lock_timeout_ms = 0,
                             .lock_name = "a_very_long_history_table_name_that_goes_on_and_on_"
                                          "and_on_beyond_sixty_four_characters"};
    CHECK(d->lock(c, &hl) == 0 && d->unlock(c, &hl) == 0, "long lock name: %s", errmsg(cx));
    d->disconnect(c3);
    cairn_ctx_free(cx3);
    free(url3);
    d->disconnect(c2);
    cairn_ctx_free(cx2);
    d->disconnect(c);
    cairn_ctx_free(cx);
    free(url);
}

/* Eight processes race to apply the same three migrations under the lock:
 * each is applied exactly once. */
static int race_child(const char *url)
{
    cairn_ctx *cx = new_ctx(url);
    cairn_dconn *c = conn(cx);
    const cairn_dialect *d = sess(cx)->drv.d;
    cairn_history_opts h = {.table = "__cairn_migrations", .lock_timeout_ms = -1,
                            .lock_name = "__cairn_migrations"};
    static const char *const names[] = {"m1", "m2", "m3"};
    static const char *const sql[] = {
        "CREATE TABLE ledger (id int AUTO_INCREMENT PRIMARY KEY, who varchar(10))",
        "INSERT INTO ledger (who) VALUES ('m2')",
        "ALTER TABLE ledger ADD COLUMN note varchar(10)"};
    int rc = d->lock(c, &h);
    if (!rc)
        rc = d->history_ensure(c, &h);
    cairn_history list;
    cairn_history_init(&list);
    if (!rc)
        rc = d->history_list(c, &h, &list);
    for (int i = 0; i < 3 && !rc; i++) {
        if (cairn_history_find(&list, names[i]))
            continue;
        usleep(20000); /* widen the window a missing lock would leave open */
        rc = d->exec(c, sql[i]);
        cairn_applied row = {.name = names[i], .checksum = "x", .applied_at = "now",
                             .statements_done = 1, .statements_total = 1};
        if (!rc)
            rc = d->history_record(c, &h, &row);
    }
    cairn_history_release(&list);
    if (rc)
        fprintf(stderr, "child %d: %s\n", (int)getpid(), errmsg(cx));
    d->unlock(c, &h);
    d->disconnect(c);
    cairn_ctx_free(cx);
    return rc ? 1 : 0;
}

static void test_query_slot(void)
{
    fresh_db("rows");
    char *url = db_url("rows");
    cairn_ctx *qx = new_ctx(url);
    cairn_dconn *c = conn(qx);
    if (c) {
        check_query_slot(sess(qx)->drv.d, c);
        sess(qx)->drv.d->disconnect(c);
    }
    cairn_ctx_free(qx);
    free(url);
}

static void test_concurrent(void)
{
    fresh_db("race");
    char *url = db_url("race");
    pid_t kids[8];
    for (int i = 0; i < 8; i++) {
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(race_child(url));
    }
    int failed = 0;
    for (int i = 0; i < 8; i++) {
        int st = 0;
        waitpid(kids[i], &st, 0);
        failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    CHECK(failed == 0, "%d children failed", failed);
    MYSQL *my = raw("race");
    char *v = raw_scalar(my, "SELECT COUNT(*) FROM ledger");
    CHECK(!strcmp(v, "1"), "m2 ran once: %s rows", v);
    free(v);
    v = raw_scalar(my, "SELECT GROUP_CONCAT(name ORDER BY name) FROM __cairn_migrations");
    CHECK(!strcmp(v, "m1,m2,m3"), "history %s", v);
    free(v);
    mysql_close(my);
    free(url);
}

/* ---- scratch databases ------------------------------------------------------------------ */

static void test_scratch(void)
{
    cairn_ctx *cx = new_ctx(NULL);
    cairn_session *s = sess(cx);
    const cairn_dialect *d = s->drv.d;
    cairn_dconn *c = NULL;
    CHECK(d->scratch_connect(s->ds, NULL, &c) == CAIRN_ECONFIG, "no server: config error");
    CHECK(d->scratch_connect(s->ds, g_url, &c) == 0, "scratch: %s", errmsg(cx));
    if (!c)
        return;
    CHECK(d->exec(c, "CREATE TABLE s1 (id int PRIMARY KEY, v json); "
                     "CREATE VIEW sv AS SELECT id FROM s1") == 0, "%s", errmsg(cx));
    cairn_schema *sc = NULL;
    CHECK(cairn_session_introspect(cx, s, c, &sc) == 0, "%s", errmsg(cx));
    CHECK(sc && sc->ntables == 1 && sc->nviews == 1, "scratch schema");
    if (sc && sc->nviews == 1)
        CHECK(strstr(sc->views[0]->definition, "cairn_scratch") == NULL, "%s",
              sc->views[0]->definition);
    cairn_schema_free(sc);
    MYSQL *my = raw(NULL);
    char *v = raw_scalar(my, "SELECT COUNT(*) FROM information_schema.SCHEMATA "
                             "WHERE SCHEMA_NAME LIKE 'cairn\\_scratch\\_%'");
    CHECK(!strcmp(v, "1"), "scratch database exists: %s", v);
    free(v);
    d->scratch_release(c);
    v = raw_scalar(my, "SELECT COUNT(*) FROM information_schema.SCHEMATA "
                       "WHERE SCHEMA_NAME LIKE 'cairn\\_scratch\\_%'");
    CHECK(!strcmp(v, "0"), "scratch database dropped: %s", v);
    free(v);
    mysql_close(my);
    cairn_ctx_free(cx);
}

int main(void)
{
    g_url = getenv("CAIRN_MYSQL_URL");
    g_socket = getenv("CAIRN_MYSQL_SOCKET");
    g_dialect_dir = getenv("CAIRN_DIALECT_DIR");
    if (!g_url || !g_socket || !g_dialect_dir) {
        printf("CAIRN_MYSQL_URL, CAIRN_MYSQL_SOCKET and CAIRN_DIALECT_DIR are needed "
               "(run through tests/mysql/run.sh)\n");
        return 77;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_connect_errors();
    test_old_host();
    test_normalize();
    test_normalize_live();
    test_introspect_rich();
    test_emit_order();
    test_options();
    test_keys_defaults();
    test_triggers();
    test_generated_switch();
    test_unnamed_fk();
    test_auto_increment_pk();
    test_row_format();
    test_column_check();
    test_replace_last_column();
    test_spatial_key();
    test_hostile();
    test_history();
    test_query_slot();
    test_concurrent();
    test_scratch();
    test_evolve();
    test_query_count();
    return check_done();
}
