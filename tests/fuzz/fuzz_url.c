/* libFuzzer target: URL redaction and secret scrubbing (core/url.c).
 *
 * The input is a password and the text around it. The first byte picks the
 * form the password is written in: "scheme://user:PW@rest", a keyword/value
 * connection string "host=h password=PW rest", or the same with the value
 * quoted ('...' with \' and \\ escapes, as libpq reads it). Properties:
 * - cairn_url_redact gives exactly the text with the password as "***"
 *   (where the rest holds no second "password" keyword of its own);
 * - a client library's message that quotes the password, as written or
 *   percent-decoded, comes out of cairn_secrets_scrub without it;
 * - scheme and canonical form never fail on any text. */
#include <strings.h>

#include "fuzz.h"

/* Does `s` hold "password" in any case? */
static int says_password(const char *s)
{
    for (; *s; s++)
        if (strncasecmp(s, "password", 8) == 0)
            return 1;
    return 0;
}

/* Bytes of `p` (n long) that are not in `drop`, and no NUL. */
static char *filtered(const uint8_t *p, size_t n, const char *drop)
{
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] && !strchr(drop, p[i]))
            s[m++] = (char)p[i];
    s[m] = '\0';
    return s;
}

static char *concat(const char *a, const char *b, const char *c, const char *d, const char *e)
{
    cairn_buf b0;
    cairn_buf_init(&b0);
    cairn_buf_puts(&b0, a);
    cairn_buf_puts(&b0, b);
    cairn_buf_puts(&b0, c);
    cairn_buf_puts(&b0, d);
    cairn_buf_puts(&b0, e);
    FUZZ_CHECK(!b0.oom, "out of memory");
    return cairn_buf_steal(&b0);
}

/* `pw` quoted the way libpq reads a quoted keyword value. */
static char *quoted(const char *pw)
{
    cairn_buf b;
    cairn_buf_init(&b);
    cairn_buf_puts(&b, "'");
    for (const char *p = pw; *p; p++) {
        if (*p == '\'' || *p == '\\')
            cairn_buf_puts(&b, "\\");
        cairn_buf_append(&b, p, 1);
    }
    cairn_buf_puts(&b, "'");
    FUZZ_CHECK(!b.oom, "out of memory");
    return cairn_buf_steal(&b);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static char *decoded(const char *pw)
{
    size_t n = strlen(pw), m = 0;
    char *d = malloc(n + 1);
    FUZZ_CHECK(d != NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (pw[i] == '%' && i + 2 < n && (hi = hexval(pw[i + 1])) >= 0 &&
            (lo = hexval(pw[i + 2])) >= 0) {
            if (!hi && !lo) {
                /* %00 would end the decoded text: no message shows it whole */
                free(d);
                return NULL;
            }
            d[m++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[m++] = pw[i];
        }
    }
    d[m] = '\0';
    return d;
}

/* A message quoting `secret` must not show it after scrubbing. Only
 * checked where "***" next to the template cannot spell it by chance. */
static void check_scrubbed(const cairn_secrets *s, const char *secret)
{
    static const char pre[] = "invalid percent-encoded token: \"", post[] = "\"";
    if (strlen(secret) < 3 || strchr(secret, '*') || strstr(pre, secret) || strstr(post, secret))
        return;
    char *msg = concat(pre, secret, post, "", "");
    char *out = cairn_secrets_scrub(s, msg);
    FUZZ_CHECK(out != NULL, "scrub failed");
    FUZZ_CHECK(strstr(out, secret) == NULL, "the password [%s] is shown: %s", secret, out);
    free(out);
    free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int form = data[0] % 3;
    data++, size--;
    /* password, then the rest, split at the first 0xff (or in the middle) */
    const uint8_t *cut = memchr(data, 0xff, size);
    size_t npw = cut ? (size_t)(cut - data) : size / 2;
    size_t nrest = size - npw - (cut ? 1 : 0);
    const uint8_t *rest_at = data + size - nrest;

    char *pw, *rest, *url, *want;
    if (form == 0) {
        /* the password runs to the last '@': none in the rest */
        pw = filtered(data, npw, "");
        rest = filtered(rest_at, nrest, "@");
        url = concat("postgres://user:", pw, "@", rest, "");
        want = concat("postgres://user:***@", rest, "", "", "");
    } else if (form == 1) {
        /* unquoted: up to a blank or '&', and not starting with a quote */
        pw = filtered(data, npw, " \t\r\n&'");
        rest = filtered(rest_at, nrest, "");
        url = concat("host=h password=", pw, " ", rest, "");
        want = concat("host=h password=***", " ", rest, "", "");
    } else {
        pw = filtered(data, npw, "");
        rest = filtered(rest_at, nrest, "");
        char *q = quoted(pw);
        url = concat("host=h password=", q, " ", rest, "");
        want = concat("host=h password=***", " ", rest, "", "");
        free(q);
    }
    FUZZ_CHECK(pw && rest && url && want, "out of memory");

    char *red = cairn_url_redact(url);
    FUZZ_CHECK(red != NULL, "redact failed");
    /* a second "password" keyword in the rest is redacted too, and so is
     * whatever looks like a URL's userinfo in a keyword/value string (too
     * much hidden is safe): the exact text is known only without either */
    if (!says_password(rest) && !says_password(pw) && *pw && (form == 0 || !strstr(url, "://")))
        FUZZ_CHECK(strcmp(red, want) == 0, "redacted [%s] as [%s], want [%s]", url, red, want);

    cairn_secrets s = {0};
    FUZZ_CHECK(cairn_secrets_add_url(&s, url) == 0, "secrets");
    check_scrubbed(&s, pw);
    char *dec = form == 0 ? decoded(pw) : NULL;
    if (dec)
        check_scrubbed(&s, dec);
    free(dec);
    cairn_secrets_release(&s);

    char *scheme = cairn_url_scheme(url), *canon = cairn_url_canonical(url);
    FUZZ_CHECK(scheme && canon, "scheme or canonical form failed");
    free(scheme);
    free(canon);
    free(red);
    free(want);
    free(url);
    free(rest);
    free(pw);
    return 0;
}
