/* A YAML file read without holding its whole document: a "skeleton" document holds everything
 * but the items of the sequences a reader names (an inventory's target lists), and those items
 * are built one at a time, each as a small document of its own, when the reader asks for them.
 * Aliases work across the split (anchored nodes are kept, and an alias is built as a copy of
 * its anchor's node, marks included), so a reader sees the same nodes as in the whole document. */
#ifndef TLSPROBE_YAML_STREAM_H
#define TLSPROBE_YAML_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "yaml_read.h"

typedef struct yaml_stream yaml_stream_t;

/* Which sequences are split out of the skeleton, by their path: the mapping keys from the root,
 * each after a slash, with "*" for a sequence item (an inventory's: "/targets", and "/targets"
 * in each item of "/groups": a group's). */
typedef bool (*yaml_split_fn)(const char *path);
/* Receives one item of a split sequence: its own document (deleted after the call) and root. */
typedef void (*yaml_item_fn)(void *arg, yaml_document_t *doc, yaml_node_t *item);

/* yaml_read_file's checks and messages, then the skeleton into doc and, in *stream, what reads
 * the split items later (yaml_stream_free it, after the last yaml_stream_items). An alias that
 * expands to more than YAML_READ_MAX_DEPTH levels of nesting is refused. Returns the number of
 * problems; 0: doc and *stream are set (yaml_document_delete doc). */
size_t yaml_read_skeleton(const char *path, const char *what, yaml_split_fn split, yaml_document_t *doc,
                          yaml_stream_t **stream, yaml_problem_fn problem, void *arg);
/* Whether seq (a node of the skeleton) is a split sequence: its items are not in the skeleton. */
bool yaml_stream_is_split(const yaml_stream_t *s, const yaml_node_t *seq);
/* Calls fn for each item of the split sequence seq, in order. 0, or -1 (out of memory, nesting
 * too deep, seq not split) after saying why to yaml_read_skeleton's problem (path, arg stay
 * valid until then). */
int yaml_stream_items(yaml_stream_t *s, const yaml_node_t *seq, yaml_item_fn fn, void *arg);
void yaml_stream_free(yaml_stream_t *s);

#endif
