/* What the YAML readers (inventories, policies) share: reading a file within bounds, scalar
 * access and error messages that name FILE:LINE:COLUMN and the field. */
#ifndef TLSPROBE_YAML_READ_H
#define TLSPROBE_YAML_READ_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

/* Bounds on one YAML file, checked before its document is built: deeper nesting makes
 * libyaml's scanner quadratic (100,000 '[' took 35 s), and the node count, aliases expanded,
 * bounds the readers' work (an alias repeats a subtree at the cost of a name). */
#define YAML_READ_MAX_DEPTH 64
#define YAML_READ_MAX_BYTES (32L << 20)
#define YAML_READ_MAX_NODES 4000000L
#define YAML_READ_MAX_ANCHORS 1000
/* Aliases (*name): each is looked up among the anchors; an inventory uses one or two a target. */
#define YAML_READ_MAX_ALIASES 100000L

/* Receives one "PATH:LINE:COLUMN: what" (or "PATH: what") line. */
typedef void (*yaml_problem_fn)(void *arg, const char *line);

/* Reads the YAML file at path (what names it in messages: "inventory", "policy") into doc after
 * a pass over libyaml's events that refuses what the document API would let through: a scalar
 * holding NUL (C strings would end there: "127.0.0.1\0.evil" would read as 127.0.0.1) or another
 * control character but TAB, LF and CR, a second document, and the bounds above. Each problem
 * goes to problem(arg, line); the pass goes on after a bad scalar and stops at anything else.
 * Returns the number of problems; 0: doc holds the document (yaml_document_delete it). */
size_t yaml_read_file(const char *path, const char *what, yaml_document_t *doc, yaml_problem_fn problem,
                      void *arg);

/* yaml_read_file's checks without the document: the file's text (free it) when the event pass
 * found no problem, its length in *len; else NULL, each problem said and counted in *problems. */
char *yaml_read_checked(const char *path, const char *what, size_t *len, yaml_problem_fn problem, void *arg,
                        size_t *problems);

/* The node's text when it is a scalar, else NULL (also for a scalar holding NUL, which
 * yaml_read_file refuses: no reader ever sees a cut string). */
const char *yaml_scalar(const yaml_node_t *n);

/* Writes "PATH:LINE:COLUMN: field 'FIELD': WHAT" (without "field" part when field is NULL)
 * into err and returns -1. */
int yaml_fail_at(char *err, size_t errlen, const char *path, const yaml_node_t *n, const char *field,
                 const char *fmt, va_list ap);

#endif
