/* libFuzzer target: the MySQL STARTTLS dialogue on hostile server bytes:
 * HandshakeV10 greeting (version, capability flags), the login's OK/ERR packet.
 * The harness (socketpair, both runs) is fuzz/fuzz_starttls.h. */
#define FUZZ_DIALOGUE starttls_mysql
#include "fuzz_starttls.h"
