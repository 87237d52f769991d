/* url.c: schemes, printing without the password, secrets scrubbed from any
 * text a client library may send back, and error.c's use of them. */
#include <stdlib.h>

#include "check.h"
#include "internal.h"

static void test_scheme(void)
{
    struct { const char *in, *scheme, *canonical; } cases[] = {
        {"SQLITE:///x.db", "sqlite", "sqlite:///x.db"},
        {"Postgres://U:P@Host/DB", "postgres", "postgres://U:P@Host/DB"},
        {"mariadb://h/d", "mariadb", "mariadb://h/d"},
        {"app.db", "file", "app.db"},
        {"/tmp/app.db", "file", "/tmp/app.db"},
        {"c:/x.db", "file", "c:/x.db"}, /* a drive letter, not a scheme */
        {"", "file", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *s = cairn_url_scheme(cases[i].in), *c = cairn_url_canonical(cases[i].in);
        CHECK_STR(s, cases[i].scheme);
        CHECK_STR(c, cases[i].canonical);
        free(s);
        free(c);
    }
}

static void test_redact(void)
{
    struct { const char *in, *out; } cases[] = {
        {"postgres://app:s3cret@db:5432/app", "postgres://app:***@db:5432/app"},
        {"mysql://root:p%40ss@127.0.0.1/x?ssl-mode=REQUIRED", "mysql://root:***@127.0.0.1/x?ssl-mode=REQUIRED"},
        {"postgres://app@db/app", "postgres://app@db/app"},
        {"host=db user=app password=s3cret dbname=x", "host=db user=app password=*** dbname=x"},
        {"postgres://db/app?user=a&password=s3cret&sslmode=require",
         "postgres://db/app?user=a&password=***&sslmode=require"},
        {"sqlite:/tmp/app.db", "sqlite:/tmp/app.db"},
        /* a raw '/' and '@' in the password: all of it goes, up to the last '@' */
        {"postgres://u:se/c@ret@host/db", "postgres://u:***@host/db"},
        {"postgres://sec:50%off!@host/db", "postgres://sec:***@host/db"},
        /* keyword/value: quoted, with blanks around '=', more than once */
        {"host=h password = 'a b\\' c' user=u password=two", "host=h password = *** user=u password=***"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *r = cairn_url_redact(cases[i].in);
        CHECK_STR(r, cases[i].out);
        free(r);
    }
}

/* What libpq and Connector/C quote back when they cannot parse a URL. */
static void test_scrub(void)
{
    struct { const char *url, *message, *secret; } cases[] = {
        {"postgres://sec:50%off!@host/db",
         "invalid percent-encoded token: \"50%off!\"", "50%off!"},
        {"postgres://u:p%40ssw0rd@host/db", "password authentication failed: p@ssw0rd", "p@ssw0rd"},
        /* a parser that cut the URL at the raw '/' quotes only the rest */
        {"postgres://u:abc/defgh@host/db", "database \"defgh@host/db\" does not exist", "defgh"},
        {"host=h password='quoted secret' user=u", "bad value 'quoted secret'", "quoted secret"},
        {"host=h password=first password=second", "second is wrong, so is first", "second"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cairn_secrets s = {0};
        CHECK(cairn_secrets_add_url(&s, cases[i].url) == 0, "secrets of %s", cases[i].url);
        char *out = cairn_secrets_scrub(&s, cases[i].message);
        CHECK(out && !strstr(out, cases[i].secret), "[%s] still shows %s", out ? out : "(null)",
              cases[i].secret);
        CHECK(out && strstr(out, "***"), "[%s] marks what it removed", out ? out : "(null)");
        free(out);
        cairn_secrets_release(&s);
    }
    /* nothing but the secret is touched: SQL that looks like a credential stays */
    cairn_secrets s = {0};
    cairn_secrets_add_url(&s, "postgres://u:hunter22@h/db");
    char *out = cairn_secrets_scrub(&s, "CHECK (note <> 'password=x' AND url <> '://u:p@h')");
    CHECK_STR(out, "CHECK (note <> 'password=x' AND url <> '://u:p@h')");
    free(out);
    cairn_secrets_release(&s);
}

/* error.c: every message and log line set on a context is scrubbed. */
static char logged[512];
static void logger(void *ud, cairn_log_level level, const char *line)
{
    (void)ud;
    (void)level;
    snprintf(logged, sizeof logged, "%s", line);
}

static void test_context_scrubs(void)
{
    cairn_ctx *cx;
    cairn_ctx_new(&cx);
    unsetenv("DATABASE_URL");
    cairn_ctx_set(cx, "url", "postgres://app:T0pS3cret@db/app");
    cairn_ctx_set(cx, "verbose", "1");
    cairn_ctx_set_logger(cx, logger, NULL);
    cairn_err(cx, CAIRN_EDB, "server said: password \"T0pS3cret\" is wrong");
    CHECK(!strstr(cairn_ctx_error(cx)->message, "T0pS3cret"), "error: %s",
          cairn_ctx_error(cx)->message);
    cairn_log(cx, CAIRN_LOG_WARN, "connecting with T0pS3cret");
    CHECK(!strstr(logged, "T0pS3cret") && strstr(logged, "***"), "log: %s", logged);
    cairn_log(cx, CAIRN_LOG_INFO, "INSERT INTO t VALUES ('password=x')");
    CHECK_STR(logged, "INSERT INTO t VALUES ('password=x')");
    cairn_ctx_free(cx);
}

int main(void)
{
    test_scheme();
    test_redact();
    test_scrub();
    test_context_scrubs();
    return check_done();
}
