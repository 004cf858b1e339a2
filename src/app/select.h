/* Selection of inventory targets by tag (--tag, --exclude-tag), after loading, before resolving. */
#ifndef TLSPROBE_SELECT_H
#define TLSPROBE_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"

typedef struct tag_selection {
    const char *const *tags;      /* a target needs one of these; none given: every target */
    size_t ntags;
    const char *const *exclude;   /* and none of these */
    size_t nexclude;
} tag_selection_t;

bool target_has_tag(const target_t *t, const char *tag);
/* arg is a tag_selection_t (the shape target_list_filter calls). */
bool target_selected(const target_t *t, const void *selection);
/* Frees and removes the targets keep() refuses, keeping the others' order and index (their
 * place in the list as given). Returns the number kept. */
size_t target_list_filter(target_list_t *list, bool (*keep)(const target_t *t, const void *arg), const void *arg);

#endif
