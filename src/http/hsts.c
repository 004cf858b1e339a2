/* RFC 6797 6.1 grammar, with RFC 7230 token and quoted-string. Hostile input only ever costs
 * one pass over the string. */
#include "hsts.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Unknown directives are tracked only to catch duplicates; more than this many distinct
 * ones are not checked (no real header comes close). */
#define MAX_TRACKED 16
#define MAX_NAME 64

static bool is_tchar(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

static void ows(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

static void problem(hsts_policy_t *out, const char *fmt, ...)
{
    if (out->error[0])
        return;   /* the first one explains */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->error, sizeof out->error, fmt, ap);
    va_end(ap);
}

/* A character for a message: printable as is, else as \xNN. */
static const char *shown(unsigned char c, char buf[8])
{
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "\\x%02x", c);
    return buf;
}

/* Reads a quoted-string at *p (which is '"') into val (bounded, truncated). false when
 * unterminated or holding a control character. */
static bool quoted(const char **p, char *val, size_t vallen)
{
    size_t n = 0;
    const char *s = *p + 1;
    for (;;) {
        unsigned char c = (unsigned char)*s;
        if (c == '\0')
            return false;
        if (c == '"')
            break;
        if (c == '\\') {
            c = (unsigned char)s[1];
            if (c == '\0')
                return false;
            s++;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
        if (n + 1 < vallen)
            val[n++] = (char)c;
        s++;
    }
    val[n] = '\0';
    *p = s + 1;
    return true;
}

/* delta-seconds: 1*DIGIT, saturating. */
static bool delta_seconds(const char *v, uint64_t *out)
{
    if (!*v)
        return false;
    uint64_t n = 0;
    for (; *v; v++) {
        if (!isdigit((unsigned char)*v))
            return false;
        unsigned d = (unsigned)(*v - '0');
        n = n > (UINT64_MAX - d) / 10 ? UINT64_MAX : n * 10 + d;
    }
    *out = n;
    return true;
}

bool hsts_parse(const char *value, hsts_policy_t *out)
{
    memset(out, 0, sizeof *out);
    char tracked[MAX_TRACKED][MAX_NAME];
    size_t ntracked = 0;
    bool seen_max_age = false;
    const char *p = value ? value : "";
    char ch[8];
    for (;;) {
        ows(&p);
        if (*p == '\0')
            break;
        if (*p == ';') {   /* empty directives are allowed */
            p++;
            continue;
        }
        const char *name = p;
        while (is_tchar((unsigned char)*p))
            p++;
        size_t name_len = (size_t)(p - name);
        if (name_len == 0) {
            problem(out, "unexpected %s at offset %zu", shown((unsigned char)*p, ch), (size_t)(p - value));
            break;
        }
        char val[128] = "";
        bool has_value = false;
        ows(&p);
        if (*p == '=') {
            p++;
            ows(&p);
            has_value = true;
            if (*p == '"') {
                if (!quoted(&p, val, sizeof val)) {
                    problem(out, "unterminated or invalid quoted value of '%.*s'", (int)(name_len < 40 ? name_len : 40), name);
                    break;
                }
            } else {
                const char *v = p;
                while (is_tchar((unsigned char)*p))
                    p++;
                if (p == v) {
                    problem(out, "directive '%.*s' has an empty value", (int)(name_len < 40 ? name_len : 40), name);
                    break;
                }
                size_t vl = (size_t)(p - v);
                snprintf(val, sizeof val, "%.*s", (int)(vl < sizeof val - 1 ? vl : sizeof val - 1), v);
            }
            ows(&p);
        }
        if (*p != ';' && *p != '\0') {
            problem(out, "unexpected %s at offset %zu", shown((unsigned char)*p, ch), (size_t)(p - value));
            break;
        }

        char lname[MAX_NAME];
        size_t ln = name_len < MAX_NAME - 1 ? name_len : MAX_NAME - 1;
        for (size_t i = 0; i < ln; i++)
            lname[i] = (char)tolower((unsigned char)name[i]);
        lname[ln] = '\0';
        bool duplicate = false;
        for (size_t i = 0; i < ntracked; i++)
            duplicate |= strcmp(tracked[i], lname) == 0;
        if (duplicate)
            problem(out, "directive '%s' appears more than once", lname);
        else if (ntracked < MAX_TRACKED)
            memcpy(tracked[ntracked++], lname, ln + 1);

        if (strcmp(lname, "max-age") == 0) {
            seen_max_age = true;
            uint64_t secs;
            if (!has_value)
                problem(out, "max-age has no value");
            else if (!delta_seconds(val, &secs))
                problem(out, "max-age value '%.40s' is not a number of seconds", val);
            else if (!duplicate) {
                out->has_max_age = true;
                out->max_age = secs;
            }
        } else if (strcmp(lname, "includesubdomains") == 0 || strcmp(lname, "preload") == 0) {
            if (has_value)
                problem(out, "%s takes no value", lname);
            if (lname[0] == 'i')
                out->include_subdomains = true;
            else
                out->preload = true;
        }
        /* Other directives are extensions a UA ignores (RFC 6797 6.1). */
    }
    if (!seen_max_age)
        problem(out, "max-age is missing");
    out->valid = out->error[0] == '\0';
    return out->valid;
}
