/* What the YAML readers (inventories, policies) share: scalar access and error messages that
 * name FILE:LINE:COLUMN and the field. */
#ifndef TLSPROBE_YAML_READ_H
#define TLSPROBE_YAML_READ_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

/* The node's text when it is a scalar, else NULL. */
const char *yaml_scalar(const yaml_node_t *n);

/* Writes "PATH:LINE:COLUMN: field 'FIELD': WHAT" (without "field" part when field is NULL)
 * into err and returns -1. */
int yaml_fail_at(char *err, size_t errlen, const char *path, const yaml_node_t *n, const char *field,
                 const char *fmt, va_list ap);

#endif
