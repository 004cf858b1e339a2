/* One rule for showing strings servers chose, one function per output format (escape.h):
 * nothing a server sends can move a terminal's cursor, retitle its window, hide text, reverse
 * what follows or break a line of a report. */
#include "escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (2-4) and its code point, or 0 if malformed
 * (overlong forms, surrogates and code points past U+10FFFF are not UTF-8). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (!n)
        return 0;
    uint32_t c = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)   /* also stops at the terminating NUL */
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (c < min[n] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return 0;
    *cp = c;
    return n;
}

/* Code points a terminal or a text view acts on instead of showing. */
static bool unsafe_code_point(uint32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
           (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

size_t escape_unit(const char *str, char form[ESCAPE_FORM_MAX], unsigned *cp, bool *utf8)
{
    const unsigned char *s = (const unsigned char *)str;
    uint32_t c = s[0];
    size_t n = c < 0x80 ? 1 : utf8_decode(s, &c);
    *utf8 = n > 0;
    if (!n) {
        n = 1;
        c = s[0];
    }
    *cp = c;
    form[0] = '\0';
    if (!*utf8 || c < 0x20 || c == 0x7F)
        snprintf(form, ESCAPE_FORM_MAX, "\\x%02x", (unsigned)c);
    else if (unsafe_code_point(c))
        snprintf(form, ESCAPE_FORM_MAX, "\\u%04x", (unsigned)c);
    return n;
}

/* Calls put(arg, bytes, len) for s in the text form: safe runs whole, each unsafe unit as
 * its form. */
typedef void put_fn(void *arg, const char *p, size_t n);

static void text_form(const char *s, put_fn *put, void *arg)
{
    const char *run = s;
    char form[ESCAPE_FORM_MAX];
    unsigned cp;
    bool utf8;
    while (s && *s) {
        size_t n = escape_unit(s, form, &cp, &utf8);
        if (form[0]) {
            if (s > run)
                put(arg, run, (size_t)(s - run));
            put(arg, form, strlen(form));
            run = s + n;
        }
        s += n;
    }
    if (s && s > run)
        put(arg, run, (size_t)(s - run));
}

static void put_file(void *arg, const char *p, size_t n)
{
    fwrite(p, 1, n, arg);
}

void escape_text(FILE *f, const char *s)
{
    text_form(s, put_file, f);
}

char *escape_text_dup(const char *s)
{
    if (!s)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    escape_text(m, s);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

bool escape_text_clean(const char *s)
{
    char form[ESCAPE_FORM_MAX];
    unsigned cp;
    bool utf8;
    while (s && *s) {
        s += escape_unit(s, form, &cp, &utf8);
        if (form[0])
            return false;
    }
    return true;
}

/* The text form's bytes with some characters replaced (CSV quotes, markup references...). */
typedef struct special {
    FILE *f;
    const char *(*replace)(char c);
} special_t;

static void put_special(void *arg, const char *p, size_t n)
{
    special_t *sp = arg;
    for (size_t i = 0; i < n; i++) {
        const char *r = sp->replace(p[i]);
        if (r)
            fputs(r, sp->f);
        else
            fputc(p[i], sp->f);
    }
}

static const char *csv_replace(char c)
{
    return c == '"' ? "\"\"" : NULL;
}

void escape_csv(FILE *f, const char *s)
{
    if (!s || !*s)
        return;
    /* The text form leaves no CR or LF, so only a comma or a quote needs quoting. */
    bool quote = strpbrk(s, ",\"") != NULL;
    if (quote)
        fputc('"', f);
    if (strchr("=+-@", s[0]))
        fputc('\'', f);
    text_form(s, put_special, &(special_t){ f, csv_replace });
    if (quote)
        fputc('"', f);
}

static const char *markup_replace(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

void escape_markup(FILE *f, const char *s)
{
    text_form(s, put_special, &(special_t){ f, markup_replace });
}

static const char *prom_replace(char c)
{
    return c == '\\' ? "\\\\" : c == '"' ? "\\\"" : NULL;
}

void escape_prom_label(FILE *f, const char *s)
{
    text_form(s, put_special, &(special_t){ f, prom_replace });
}

char *escape_json_text(const char *json, size_t len, size_t *outlen)
{
    char *buf = NULL;
    size_t blen = 0;
    FILE *m = open_memstream(&buf, &blen);
    if (!m)
        return NULL;
    for (size_t i = 0; i < len;) {
        const unsigned char *s = (const unsigned char *)json + i;
        uint32_t c = s[0];
        size_t n = c < 0x80 ? 1 : utf8_decode(s, &c);   /* stops at json's NUL */
        if (c < 0x80 && c != 0x7F) {
            fputc((int)c, m);
        } else if (n == 0) {
            fputs("\\ufffd", m);
            n = 1;
        } else if (unsafe_code_point(c)) {
            fprintf(m, "\\u%04x", (unsigned)c);
        } else {
            fwrite(s, 1, n, m);
        }
        i += n;
    }
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    *outlen = blen;
    return buf;
}
