/* SIGINT and SIGTERM during a sweep: the first asks the sweep to stop (the scheduler starts no
 * new endpoint, what finished is written, the report is marked incomplete); the second ends the
 * process at once, after removing atomic_write_file's temporary file. */
#ifndef TLSPROBE_SIGNALS_H
#define TLSPROBE_SIGNALS_H

#include <stdbool.h>

/* Installs the handlers (sigaction). Exit status after a second signal: 128 + its number. */
void signals_install(void);
/* true once a first SIGINT or SIGTERM arrived. */
bool signals_interrupted(void);

#endif
