/* Echoing values in error messages safely: cut, and what escape.h's rule calls unsafe shown in
 * its visible form (NUL, tab, LF and CR in their short C forms, which read better in a message). */
#include "text_echo.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

/* The unit at s (at most n bytes, NUL bytes allowed) through escape_unit, which reads a
 * NUL-terminated string: a copy of at most one sequence's 4 bytes is what it sees. */
static size_t unit(const char *s, size_t n, char form[ESCAPE_FORM_MAX], unsigned *cp, bool *utf8)
{
    char u[5] = { 0 };
    memcpy(u, s, n < 4 ? n : 4);
    if (u[0] == '\0') {
        *cp = 0;
        *utf8 = true;
        snprintf(form, ESCAPE_FORM_MAX, "\\0");
        return 1;
    }
    size_t len = escape_unit(u, form, cp, utf8);
    if (*utf8 && (*cp == '\t' || *cp == '\n' || *cp == '\r'))
        snprintf(form, ESCAPE_FORM_MAX, "\\%c", *cp == '\t' ? 't' : *cp == '\n' ? 'n' : 'r');
    return len;
}

long text_first_control(const char *s, size_t n, int strict)
{
    char form[ESCAPE_FORM_MAX];
    unsigned cp;
    bool utf8;
    for (size_t i = 0, len; i < n; i += len) {
        len = unit(s + i, n - i, form, &cp, &utf8);
        if (form[0] && utf8 && (strict || (cp != '\t' && cp != '\n' && cp != '\r')))
            return (long)cp;
    }
    return -1;
}

const char *text_echo_n(char *buf, const char *s, size_t n)
{
    char form[ESCAPE_FORM_MAX];
    unsigned cp;
    bool utf8;
    size_t out = 0, i = 0, len;
    for (; i < n && i < TEXT_ECHO_MAX; i += len) {
        len = unit(s + i, n - i, form, &cp, &utf8);
        if (i + len > TEXT_ECHO_MAX)
            break;
        const char *shown = form[0] ? form : s + i;
        size_t k = form[0] ? strlen(form) : len;
        memcpy(buf + out, shown, k);
        out += k;
    }
    if (i < n)
        out += (size_t)sprintf(buf + out, "\xE2\x80\xA6");
    buf[out] = '\0';
    return buf;
}

const char *text_echo(char *buf, const char *s)
{
    return text_echo_n(buf, s, strlen(s));
}
