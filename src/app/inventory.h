/* YAML inventory: defaults, groups with their own defaults, and targets. See targets.example.yaml. */
#ifndef TLSPROBE_INVENTORY_H
#define TLSPROBE_INVENTORY_H

#include <stdio.h>

#include "target.h"

/* More errors than this in one load are counted, not kept: a wrong file of 100,000 lines
 * must not print 100,000 lines. */
#define INVENTORY_MAX_ERRORS 1000
/* Items of one list (tags, pins) at most. */
#define INVENTORY_MAX_LIST 64

/* Every error of one or more loads, each "FILE:LINE:COLUMN: field 'x': what is wrong". */
typedef struct inventory_errors {
    char **lines;
    size_t count, cap;
    size_t dropped;   /* errors past INVENTORY_MAX_ERRORS */
} inventory_errors_t;

/* Reads the whole file, appends its targets to list and every error it finds to errs (the
 * list is then not to be used), and adds its number of groups to *ngroups when not NULL.
 * Returns the number of errors found in this file: 0 when it is valid. No DNS, no traffic. */
size_t inventory_load_all(const char *path, target_list_t *list, inventory_errors_t *errs, size_t *ngroups);
/* The same loader, keeping the first error only: 0, or -1 with it in err. */
int inventory_load(const char *path, target_list_t *list, char *err, size_t errlen);

/* 0 when the PEM file at path loads as trust anchors with a certificate in it (--ca-file,
 * ca:), else -1 with why in err. */
int inventory_check_ca(const char *path, char *err, size_t errlen);

/* One line per error, each after prefix (may be ""), then "... and N more errors" if any. */
void inventory_errors_print(FILE *f, const char *prefix, const inventory_errors_t *errs);
void inventory_errors_free(inventory_errors_t *errs);

#endif
