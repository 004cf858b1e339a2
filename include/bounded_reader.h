/* A reader over a byte buffer that fails, and stays failed, instead of reading past its end:
 * every length taken from input is checked against the bytes actually left. Shared by the
 * network-format parsers (TLS records and handshakes, ECHConfigList, SVCB RDATA). */
#ifndef TLSPROBE_BOUNDED_READER_H
#define TLSPROBE_BOUNDED_READER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct br {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool bad;
} br_t;

static inline br_t br_init(const uint8_t *p, size_t len)
{
    br_t r = { p, p ? len : 0, 0, false };
    return r;
}

static inline size_t br_left(const br_t *r)
{
    return r->bad ? 0 : r->len - r->off;
}

/* n bytes, or NULL (and the reader failed) when fewer are left. */
static inline const uint8_t *br_take(br_t *r, size_t n)
{
    if (r->bad || n > r->len - r->off) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += n;
    return p;
}

static inline unsigned br_u8(br_t *r)
{
    const uint8_t *p = br_take(r, 1);
    return p ? p[0] : 0;
}

static inline unsigned br_u16(br_t *r)
{
    const uint8_t *p = br_take(r, 2);
    return p ? (unsigned)p[0] << 8 | p[1] : 0;
}

static inline size_t br_u24(br_t *r)
{
    const uint8_t *p = br_take(r, 3);
    return p ? (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2] : 0;
}

/* A sub-reader over the next n bytes (a length-prefixed body); fails the parent if short. */
static inline br_t br_sub(br_t *r, size_t n)
{
    const uint8_t *p = br_take(r, n);
    br_t s = { p, p ? n : 0, 0, p == NULL };
    return s;
}

/* Writes why a parse failed into why (bounded; why may be NULL) and returns false. */
static inline bool br_fail(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline bool br_fail(char *why, size_t cap, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return false;
}

#endif
