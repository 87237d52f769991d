/*
 * Database URLs: the one place that knows their shape.
 *
 * cairn reads a URL for three things: which driver serves it (its scheme,
 * case-insensitive as RFC 3986 says), how to print it (without the
 * password), and which secrets no message may show (the password, in every
 * spelling a client library might echo back). Drivers parse the rest of
 * their own URLs; they get the URL with its scheme in lower case.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* Length of the scheme at the start of `url` (the part before ':'), or 0
 * when `url` has none and is a file path. A one-letter scheme is a drive
 * letter, not a scheme. */
static size_t scheme_len(const char *url)
{
    const char *p = url;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '.' || *p == '-')
        p++;
    return *p == ':' && p - url > 1 ? (size_t)(p - url) : 0;
}

char *cairn_url_scheme(const char *url)
{
    size_t n = scheme_len(url ? url : "");
    if (!n)
        return strdup("file");
    char *s = strndup(url, n);
    for (char *q = s; q && *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    return s;
}

char *cairn_url_canonical(const char *url)
{
    char *copy = strdup(url ? url : "");
    size_t n = scheme_len(copy ? copy : "");
    for (size_t i = 0; copy && i < n; i++)
        if (copy[i] >= 'A' && copy[i] <= 'Z')
            copy[i] = (char)(copy[i] - 'A' + 'a');
    return copy;
}

/* The userinfo of "scheme://user:password@host/...": its password is
 * everything from the first ':' after "//" to the LAST '@' of the URL, so
 * a raw '/', '@' or '?' inside the password (unencoded, as people do type
 * them) is still all of it. [*pw, *pw_end) is empty when there is none. */
static void url_password(const char *url, const char **pw, const char **pw_end)
{
    *pw = *pw_end = NULL;
    const char *auth = strstr(url, "://");
    if (!auth)
        return;
    auth += 3;
    const char *at = strrchr(auth, '@');
    if (!at)
        return;
    const char *colon = memchr(auth, ':', (size_t)(at - auth));
    /* "user:@host" has an empty password: nothing to hide */
    if (colon && colon + 1 < at) {
        *pw = colon + 1;
        *pw_end = at;
    }
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The value of a "password=" in a keyword/value connection string or a
 * query parameter, starting at `v`: quoted ('...' with \' and \\ escapes,
 * as libpq reads it) or up to a blank or '&'. Returns its end. */
static const char *kv_value_end(const char *v)
{
    if (*v == '\'') {
        for (v++; *v && *v != '\''; v++)
            if (*v == '\\' && v[1])
                v++;
        return *v ? v + 1 : v;
    }
    while (*v && !is_space(*v) && *v != '&')
        v++;
    return v;
}

/* Is `q` the start of a "password" keyword (then blanks, '=') that is not
 * the tail of a longer word? Returns the value's start, or NULL. */
static const char *kv_password_at(const char *text, const char *q)
{
    if (strncasecmp(q, "password", 8) != 0)
        return NULL;
    if (q > text) {
        char c = q[-1];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_')
            return NULL;
    }
    const char *p = q + 8;
    while (is_space(*p))
        p++;
    if (*p != '=')
        return NULL;
    p++;
    while (is_space(*p))
        p++;
    return p;
}

char *cairn_url_redact(const char *url)
{
    if (!url)
        return strdup("");
    cairn_buf b;
    cairn_buf_init(&b);
    const char *pw, *pw_end;
    url_password(url, &pw, &pw_end);
    const char *p = url;
    while (*p) {
        if (pw && p == pw) {
            cairn_buf_puts(&b, "***");
            p = pw_end;
            continue;
        }
        const char *v = kv_password_at(url, p);
        if (v) {
            cairn_buf_append(&b, p, (size_t)(v - p));
            cairn_buf_puts(&b, "***");
            p = kv_value_end(v);
            continue;
        }
        cairn_buf_append(&b, p, 1);
        p++;
    }
    return cairn_buf_steal(&b);
}

/* ---- secrets: what no message may show ------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int add_secret(cairn_secrets *s, const char *p, size_t n)
{
    /* One or two characters are too short to find without mangling
     * every message; what is shorter than that cannot identify a password. */
    if (n < 3)
        return 0;
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i]) == n && memcmp(s->v[i], p, n) == 0)
            return 0;
    char **nv = realloc(s->v, (s->n + 1) * sizeof *nv);
    if (!nv)
        return CAIRN_ENOMEM;
    s->v = nv;
    if (!(s->v[s->n] = strndup(p, n)))
        return CAIRN_ENOMEM;
    s->n++;
    return 0;
}

/* A password, as written, percent-decoded, and each piece between the
 * characters a URL parser may cut it at (a client that splits the URL at a
 * raw '/' or '@' quotes only the piece it choked on). */
static int add_password(cairn_secrets *s, const char *p, size_t n)
{
    int rc = add_secret(s, p, n);
    char *dec = malloc(n + 1);
    if (!dec)
        return CAIRN_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (p[i] == '%' && i + 2 < n && (hi = hexval(p[i + 1])) >= 0 &&
            (lo = hexval(p[i + 2])) >= 0) {
            dec[m++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            dec[m++] = p[i];
        }
    }
    if (!rc)
        rc = add_secret(s, dec, m);
    free(dec);
    for (size_t i = 0, start = 0; !rc && i <= n; i++)
        if (i == n || strchr("/@?#:&", p[i])) {
            rc = add_secret(s, p + start, i - start);
            start = i + 1;
        }
    return rc;
}

/* A quoted keyword value: as written, and as the client reads it (\' and
 * \\ unescaped), which is what its messages would quote. */
static int add_quoted_password(cairn_secrets *s, const char *p, size_t n)
{
    char *plain = malloc(n + 1);
    if (!plain)
        return CAIRN_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        plain[m++] = p[i] == '\\' && i + 1 < n ? p[++i] : p[i];
    int rc = add_password(s, p, n);
    if (!rc && m != n)
        rc = add_password(s, plain, m);
    free(plain);
    return rc;
}

int cairn_secrets_add_url(cairn_secrets *s, const char *url)
{
    if (!url)
        return 0;
    const char *pw, *pw_end;
    url_password(url, &pw, &pw_end);
    int rc = pw ? add_password(s, pw, (size_t)(pw_end - pw)) : 0;
    for (const char *q = url; !rc && *q; q++) {
        const char *v = kv_password_at(url, q);
        if (!v)
            continue;
        const char *end = kv_value_end(v);
        if (*v == '\'' && end - v >= 2)
            rc = add_quoted_password(s, v + 1, (size_t)(end - v - 2));
        else
            rc = add_password(s, v, (size_t)(end - v));
        q = end - 1;
    }
    return rc;
}

void cairn_secrets_release(cairn_secrets *s)
{
    cairn_strv_free(s->v, s->n);
    s->v = NULL;
    s->n = 0;
}

char *cairn_secrets_scrub(const cairn_secrets *s, const char *text)
{
    if (!text)
        return NULL;
    cairn_buf b;
    cairn_buf_init(&b);
    for (const char *p = text; *p;) {
        size_t best = 0;
        for (size_t i = 0; s && i < s->n; i++) {
            size_t n = strlen(s->v[i]);
            if (n > best && strncmp(p, s->v[i], n) == 0)
                best = n;
        }
        if (best) {
            cairn_buf_puts(&b, "***");
            p += best;
        } else {
            cairn_buf_append(&b, p, 1);
            p++;
        }
    }
    return cairn_buf_steal(&b);
}

char *cairn_url_redacted(const char *text)
{
    return cairn_url_redact(text);
}
