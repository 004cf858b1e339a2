/* libFuzzer target: the POP3 STARTTLS dialogue on hostile server bytes:
 * greeting, CAPA list, STLS reply (RFC 2449, 2595).
 * The harness (socketpair, both runs) is fuzz/fuzz_starttls.h. */
#define FUZZ_DIALOGUE starttls_pop3
#include "fuzz_starttls.h"
