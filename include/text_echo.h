/* Values echoed back in error messages: a user's (or a hostile file's) bytes must neither
 * flood the terminal nor drive it, so they are cut and their control characters escaped. */
#ifndef TLSPROBE_TEXT_ECHO_H
#define TLSPROBE_TEXT_ECHO_H

#include <stddef.h>

/* Bytes of the value shown before "…". */
#define TEXT_ECHO_MAX 60
/* Room for the longest echo: every byte escaped (\xHH or \uHHHH), the ellipsis, the NUL. */
#define TEXT_ECHO_SIZE (TEXT_ECHO_MAX * 6 + 8)

/* Writes the n bytes of s (which may hold NUL) into buf (TEXT_ECHO_SIZE bytes) as they read in
 * a message: C0 and C1 controls, DEL and the bidirectional overrides escaped (\0, \t, \n, \r,
 * \xHH, \uHHHH), cut after TEXT_ECHO_MAX bytes of s (never inside a UTF-8 sequence) with "…".
 * Returns buf. */
const char *text_echo_n(char *buf, const char *s, size_t n);
/* text_echo_n over the C string s. */
const char *text_echo(char *buf, const char *s);
/* The code of the first control character of s (n bytes) as text_echo_n escapes it (NUL
 * included), or -1 when there is none; TAB, LF and CR count only when strict is set. */
long text_first_control(const char *s, size_t n, int strict);

#endif
