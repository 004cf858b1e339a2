/* Escaping for the XML (JUnit) and HTML writers. Facts carry text from servers
 * (certificate names, alerts), so nothing reaches markup unescaped or as invalid UTF-8. */
#include "report_doc.h"

#include <stdint.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (1-4) and its code point, or 0 if malformed. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
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
    /* Overlong forms, surrogates and code points past U+10FFFF are not UTF-8. */
    static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (c < min[n] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return 0;
    *cp = c;
    return n;
}

void markup_escape(FILE *f, const char *str, bool attribute)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        uint32_t c;
        size_t n = utf8_decode(s, &c);
        if (n == 0) {
            fputs("\xEF\xBF\xBD", f);   /* U+FFFD */
            s++;
            continue;
        }
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        case '\t': case '\n': case '\r':
            if (attribute)
                fprintf(f, "&#%u;", (unsigned)c);
            else
                fputc((int)c, f);
            break;
        default:
            /* C0/C1 controls, DEL and the non-characters XML forbids are dropped. */
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF)
                break;
            fwrite(s, 1, n, f);
        }
        s += n;
    }
}
