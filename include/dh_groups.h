/* Names a server's finite-field DH prime when it is a published group (RFC 7919 ffdhe,
 * RFC 3526 / RFC 2409 MODP, RFC 5114), using the primes OpenSSL ships: the project keeps
 * no prime tables of its own. */
#ifndef TLSPROBE_DH_GROUPS_H
#define TLSPROBE_DH_GROUPS_H

#include <stddef.h>
#include <stdint.h>

/* The group's name ("ffdhe2048", "RFC 3526 MODP 2048") for prime p (big-endian, leading
 * zeros allowed), or NULL when p is not a known group. Thread-safe. */
const char *dh_group_name(const uint8_t *p, size_t plen);

#endif
