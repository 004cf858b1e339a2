/* Pieces of the text report, each in its own file (the probes' own lines: render.h). */
#ifndef TLSPROBE_REPORT_TEXT_H
#define TLSPROBE_REPORT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

/* The targets × requirements matrix of the whole document. */
void report_text_matrix(FILE *f, json_object *doc, bool color);

#endif
