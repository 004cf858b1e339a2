/* libFuzzer target: the PostgreSQL STARTTLS dialogue on hostile server bytes:
 * SSLRequest answer, startup replies (ErrorResponse fields, AuthenticationRequest).
 * The harness (socketpair, both runs) is fuzz/fuzz_starttls.h. */
#define FUZZ_DIALOGUE starttls_postgres
#include "fuzz_starttls.h"
