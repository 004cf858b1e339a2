/* libFuzzer target: the IMAP STARTTLS dialogue on hostile server bytes:
 * greeting, CAPABILITY (and the greeting's), STARTTLS tagged reply (RFC 3501, 9051).
 * The harness (socketpair, both runs) is fuzz/fuzz_starttls.h. */
#define FUZZ_DIALOGUE starttls_imap
#include "fuzz_starttls.h"
