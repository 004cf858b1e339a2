/* Pieces of the text report, each in its own file (the probes' own lines: render.h). */
#ifndef TLSPROBE_REPORT_TEXT_H
#define TLSPROBE_REPORT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

/* The targets × requirements matrix, written after every endpoint: rows are added one endpoint
 * at a time and kept in a spool (their target and result words only). */
typedef struct text_matrix text_matrix_t;
text_matrix_t *text_matrix_new(void);   /* NULL: no memory or no temporary file */
int text_matrix_add(text_matrix_t *m, json_object *endpoint);  /* 0 or -1 */
int text_matrix_write(text_matrix_t *m, FILE *f, bool color);  /* nothing without rows or columns */
void text_matrix_free(text_matrix_t *m);

#endif
