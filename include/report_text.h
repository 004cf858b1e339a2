/* Pieces of the text report, each in its own file. */
#ifndef TLSPROBE_REPORT_TEXT_H
#define TLSPROBE_REPORT_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

/* The targets × requirements matrix of the whole document. */
void report_text_matrix(FILE *f, json_object *doc, bool color);
/* The starttls, http and mtls facts of one endpoint (nothing when they do not apply). */
void report_text_transport(FILE *f, json_object *facts);

#endif
