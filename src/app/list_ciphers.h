/* `tlsprobe --list-ciphers`: the compiled-in suite registry with each suite's label. */
#ifndef TLSPROBE_LIST_CIPHERS_H
#define TLSPROBE_LIST_CIPHERS_H

#include <stdio.h>

void list_ciphers(FILE *out);

#endif
