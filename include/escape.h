/* How strings that servers (or saved reports) chose reach output: one function per format, all
 * on one rule (src/util/escape.c). A string may hold anything: terminal escapes, backspaces,
 * C1 controls, bidi overrides, invalid UTF-8. What is unsafe to show is written visibly:
 *   - C0 controls (0x00-0x1F: ESC, BS, CR, LF, BEL, tab...) and DEL: \xHH
 *   - a byte that is not part of well-formed UTF-8 (a raw 0x9b, an overlong form...): \xHH
 *   - C1 controls U+0080-U+009F, bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E,
 *     U+2066-U+2069) and the line and paragraph separators U+2028, U+2029: \uHHHH
 * Everything else (printable ASCII, other well-formed UTF-8, the backslash) is kept as it is, so
 * the form is for reading, not for reversing. JSON keeps the string (an escape JSON has). */
#ifndef TLSPROBE_ESCAPE_H
#define TLSPROBE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Room for the visible form of one unit ("\u202e") and its NUL. */
#define ESCAPE_FORM_MAX 12

/* The unit at s (not at its NUL): returns its length in bytes (1-4); form is "" when it is safe
 * to show as it is, else its visible form. *cp is the code point, or the byte when the unit
 * is not UTF-8 (then *utf8 is false). The one classifier every function below uses. */
size_t escape_unit(const char *s, char form[ESCAPE_FORM_MAX], unsigned *cp, bool *utf8);

/* Text reports, diff's text, messages on a terminal: the rule as it is. */
void escape_text(FILE *f, const char *s);
/* The same into a new string (malloc'd; NULL for NULL or no memory). */
char *escape_text_dup(const char *s);
/* True when s holds nothing escape_text would change. */
bool escape_text_clean(const char *s);

/* One CSV field (RFC 4180), the text form inside: quoted when it holds a comma or a quote
 * (quotes doubled); a field starting with = + - or @ gets a leading ' so that spreadsheets do
 * not run it as a formula. Nothing for NULL or "". */
void escape_csv(FILE *f, const char *s);

/* XML (JUnit) and HTML text or attribute value: the text form, then & < > " ' as references. */
void escape_markup(FILE *f, const char *s);

/* A Prometheus label value between its quotes: the text form, then \ and " escaped as the
 * exposition format says (no line break is left to escape). */
void escape_prom_label(FILE *f, const char *s);

/* JSON text as json-c wrote it (len bytes) made safe to show: json-c escapes only C0 controls,
 * so DEL, C1 controls, bidi controls and U+2028/U+2029 inside strings become \uHHHH (the
 * same string to a JSON reader) and a byte that is not UTF-8 becomes \ufffd (JSON is UTF-8).
 * Outside strings json-c writes ASCII only. json[len] must be its NUL. A new string (malloc'd, *outlen its length), or
 * NULL for no memory. */
char *escape_json_text(const char *json, size_t len, size_t *outlen);

#endif
