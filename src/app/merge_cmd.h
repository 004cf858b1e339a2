/* The merge subcommand: shard or partial reports joined into one report. */
#ifndef TLSPROBE_MERGE_CMD_H
#define TLSPROBE_MERGE_CMD_H

#include <stddef.h>

#include <json-c/json.h>

#include "report_read.h"

/* argv[0] is "merge". Returns the exit status: 0 written, 2 bad input or not written. */
int merge_main(int argc, char **argv);

/* The report that joins inputs[0..n) (paths[i] names each in messages): endpoints deduplicated
 * by id (the later input's kept, a warning on stderr), in index order; the earliest
 * started_at, the latest finished_at; "incomplete" when an input is; the summary recomputed.
 * NULL with why in err. */
json_object *merge_reports(const report_file_t *inputs, const char *const *paths, size_t n, char *err, size_t errlen);

#endif
