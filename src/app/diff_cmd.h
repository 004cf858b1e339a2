/* The diff subcommand: what changed between two saved reports, and whether it is a regression. */
#ifndef TLSPROBE_DIFF_CMD_H
#define TLSPROBE_DIFF_CMD_H

#include <stdio.h>

#include "report_read.h"

#define DIFF_SCHEMA "tlsprobe-diff"
#define DIFF_SCHEMA_VERSION "1.0"

/* argv[0] is "diff". Returns the exit status: 0 no regression, 1 a regression, 2 bad input. */
int diff_main(int argc, char **argv);

/* The diff document (man/tlsprobe-json.5, DIFF) of old and new: "changes" one object per change,
 * "regression" true when one of them is a regression. Certificates expiring within expiry_days
 * days in new are listed. The paths name the files in "old" and "new". NULL when out of memory. */
json_object *diff_reports(const report_file_t *old, const char *old_path, const report_file_t *new_,
                          const char *new_path, int expiry_days);

/* The diff document as text: one line per change, the endpoint's target first. 0 or -1. */
int diff_write_text(FILE *f, json_object *diff);

#endif
