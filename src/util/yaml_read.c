/* Shared pieces of the libyaml document readers. */
#include "yaml_read.h"

#include <stdio.h>

const char *yaml_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

int yaml_fail_at(char *err, size_t errlen, const char *path, const yaml_node_t *n, const char *field,
                 const char *fmt, va_list ap)
{
    char what[256];
    vsnprintf(what, sizeof what, fmt, ap);
    if (field)
        snprintf(err, errlen, "%s:%zu:%zu: field '%s': %s", path, n->start_mark.line + 1,
                 n->start_mark.column + 1, field, what);
    else
        snprintf(err, errlen, "%s:%zu:%zu: %s", path, n->start_mark.line + 1, n->start_mark.column + 1, what);
    return -1;
}
