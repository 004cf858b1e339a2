/* libFuzzer target: the SMTP STARTTLS dialogue on hostile server bytes:
 * greeting, EHLO reply and its keywords, STARTTLS reply (RFC 3207).
 * The harness (socketpair, both runs) is fuzz/fuzz_starttls.h. */
#define FUZZ_DIALOGUE starttls_smtp
#include "fuzz_starttls.h"
