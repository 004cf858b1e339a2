/* Echoing values in error messages safely: cut and with control characters escaped. */
#include "text_echo.h"

#include <stdio.h>
#include <string.h>

/* The code point at s[0] (UTF-8, at most n bytes) and its length; an invalid byte is itself
 * with length 1 (-1 as the code: shown as \xHH). */
static long decode(const unsigned char *s, size_t n, size_t *len)
{
    *len = 1;
    if (s[0] < 0x80)
        return s[0];
    size_t need = s[0] >= 0xF0 && s[0] < 0xF5 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 && s[0] < 0xE0 ? 2 : 0;
    if (need == 0 || need > n)
        return -1;
    long cp = s[0] & (0x7F >> need);
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    *len = need;
    return cp;
}

/* C0, DEL, C1, and the bidirectional embeddings, overrides and isolates (U+202A..E, U+2066..9),
 * which reorder what a terminal shows after them. */
static int is_control(long cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

long text_first_control(const char *s, size_t n, int strict)
{
    for (size_t i = 0, len; i < n; i += len) {
        long cp = decode((const unsigned char *)s + i, n - i, &len);
        if (cp >= 0 && is_control(cp) && (strict || (cp != '\t' && cp != '\n' && cp != '\r')))
            return cp;
    }
    return -1;
}

const char *text_echo_n(char *buf, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t out = 0, i = 0, len;
    for (; i < n && i < TEXT_ECHO_MAX; i += len) {
        long cp = decode(u + i, n - i, &len);
        if (i + len > TEXT_ECHO_MAX)
            break;
        char *o = buf + out;
        if (cp < 0)
            out += (size_t)sprintf(o, "\\x%02X", u[i]);
        else if (cp == 0)
            out += (size_t)sprintf(o, "\\0");
        else if (cp == '\t' || cp == '\n' || cp == '\r')
            out += (size_t)sprintf(o, "\\%c", cp == '\t' ? 't' : cp == '\n' ? 'n' : 'r');
        else if (is_control(cp))
            out += (size_t)sprintf(o, cp < 0x80 ? "\\x%02lX" : "\\u%04lX", cp);
        else {
            memcpy(o, s + i, len);
            out += len;
        }
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
