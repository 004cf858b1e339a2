/* libFuzzer target: the XMPP STARTTLS dialogue on hostile server bytes:
 * stream header, stream features (starttls, mechanisms), <proceed/> (RFC 6120).
 * The harness (socketpair, both runs) is fuzz/fuzz_starttls.h. */
#define FUZZ_DIALOGUE starttls_xmpp
#include "fuzz_starttls.h"
