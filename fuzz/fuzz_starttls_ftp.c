/* libFuzzer target: the FTP STARTTLS dialogue on hostile server bytes:
 * greeting (120 then 220), FEAT lines, AUTH TLS reply (RFC 959, 2389, 4217).
 * The harness (socketpair, both runs) is fuzz/fuzz_starttls.h. */
#define FUZZ_DIALOGUE starttls_ftp
#include "fuzz_starttls.h"
