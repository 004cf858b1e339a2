/* Inside the inventory reader: the state of one file being read, and the readers of its
 * parts (inventory.c reads the document, defaults and groups; inventory_target.c targets). */
#ifndef TLSPROBE_INVENTORY_TARGET_H
#define TLSPROBE_INVENTORY_TARGET_H

#include <stdbool.h>
#include <yaml.h>

#include "yaml_stream.h"

#include "inventory.h"

/* What a target takes when it does not set the field itself: the top-level defaults, or a
 * group's, which start as a copy of the top-level ones. */
typedef struct inv_defaults {
    long port;            /* 0: none */
    char *ca;             /* resolved path, owned */
    yaml_node_t *tags;    /* a checked list of strings (a node of the skeleton), or NULL */
    bool internal;
} inv_defaults_t;

typedef struct inv {
    const char *path;
    yaml_document_t skeleton;       /* the file but its targets (yaml_stream.h) */
    yaml_document_t *doc;           /* the document being read: the skeleton, or a target's own */
    yaml_stream_t *stream;          /* reads the targets, one at a time */
    inventory_errors_t *errs;
    size_t nerrors;                 /* found in this file */
    const inv_defaults_t *defaults; /* in effect for the targets being read */
    const char *group;              /* their group's name, NULL at the top level */
} inv_t;

/* Records "PATH:LINE:COLUMN: field 'FIELD': WHAT" (no field part when field is NULL); -1. */
int inv_fail_at(inv_t *iv, const yaml_node_t *n, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The node's non-empty string in *out, else an error. */
int inv_want_scalar(inv_t *iv, yaml_node_t *n, const char *field, const char **out);
int inv_parse_port(inv_t *iv, yaml_node_t *n, const char *field, long *out);
int inv_parse_exposure(inv_t *iv, yaml_node_t *n, bool *internal);
/* A path relative to the inventory's folder, checked readable; NULL after an error. */
char *inv_resolve_path(inv_t *iv, yaml_node_t *n, const char *field, const char *value);
/* inv_resolve_path for a "ca" field, which must hold a certificate. */
char *inv_resolve_ca(inv_t *iv, yaml_node_t *n, const char *value);
/* A list of non-empty strings (or, with allow_scalar, one string) into a fresh array. */
int inv_string_list(inv_t *iv, yaml_node_t *n, const char *field, bool allow_scalar, char ***out, size_t *nout);

/* One entry of a targets: list (a string or a mapping) into t; every error is recorded.
 * 0, or -1 when it had an error. */
int inv_load_target(inv_t *iv, target_t *t, yaml_node_t *n);

#endif
