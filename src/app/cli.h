/* Command line: options and targets. */
#ifndef TLSPROBE_CLI_H
#define TLSPROBE_CLI_H

#include "options.h"
#include "target.h"

enum { EXIT_PASSED = 0, EXIT_REQUIREMENT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

typedef enum { CLI_RUN, CLI_DONE, CLI_ERROR } cli_result_t;

/* Fills opts and targets from argv. CLI_DONE: --help/--version printed, exit 0.
 * CLI_ERROR: message printed to stderr, exit EXIT_USAGE. */
cli_result_t cli_parse(int argc, char **argv, options_t *opts, target_list_t *targets);
/* Leaves out targets that repeat an earlier one's identity, with a warning on stderr (after
 * prefix) naming both places; the number left out, (size_t)-1 when out of memory. */
size_t cli_dedupe_targets(target_list_t *targets, const char *prefix);
/* The defaults of every option (the only place they are set). */
void cli_set_defaults(options_t *opts);

#endif
