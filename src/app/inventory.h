/* YAML inventory: defaults plus a list of targets. See targets.example.yaml. */
#ifndef TLSPROBE_INVENTORY_H
#define TLSPROBE_INVENTORY_H

#include "target.h"

/* Appends the file's targets to list. Returns 0, or -1 with
 * "FILE:LINE:COLUMN: field 'x': what is wrong" in err. */
int inventory_load(const char *path, target_list_t *list, char *err, size_t errlen);

#endif
