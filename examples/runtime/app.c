/* An application that applies its pending migrations at start-up through
 * libcairn (the runtime-migrate workflow), then goes on with its work.
 *
 *   cc app.c $(pkg-config --cflags --libs cairn) -o app
 *   DATABASE_URL=sqlite:app.db ./app migrations
 */
#include <stdio.h>

#include <cairn/cairn.h>

static void print_line(void *ud, cairn_log_level level, const char *line)
{
    (void)ud;
    fprintf(level == CAIRN_LOG_WARN ? stderr : stdout, "%s\n", line);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MIGRATIONS_DIR [DIALECT_DIR]\n", argv[0]);
        return 2;
    }
    cairn_ctx *cx;
    if (cairn_ctx_new(&cx) != 0)
        return 1;
    cairn_ctx_set_logger(cx, print_line, NULL);
    /* The url comes from DATABASE_URL; the dialect from its scheme. */
    int rc = cairn_ctx_set(cx, "out", argv[1]);
    if (rc == 0 && argc > 2)
        rc = cairn_ctx_set(cx, "dialect_path", argv[2]);
    if (rc == 0)
        rc = cairn_migrate(cx, NULL);
    if (rc != 0)
        fprintf(stderr, "app: migrations failed: %s\n", cairn_ctx_error(cx)->message);
    cairn_ctx_free(cx);
    if (rc != 0)
        return 1;
    printf("app: schema is current, starting\n");
    return 0;
}
