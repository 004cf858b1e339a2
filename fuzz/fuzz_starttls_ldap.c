/* libFuzzer target: the LDAP STARTTLS dialogue on hostile server bytes:
 * BER RootDSE search entries and result, StartTLS extended response (RFC 4511).
 * The harness (socketpair, both runs) is fuzz/fuzz_starttls.h. */
#define FUZZ_DIALOGUE starttls_ldap
#include "fuzz_starttls.h"
