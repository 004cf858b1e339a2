/* The text report's targets × requirements matrix: one row per endpoint, one column per
 * requirement scored anywhere in the run, a short word per cell. Words from the document are
 * written in escape_text's form. */
#include "escape.h"
#include "json_read.h"
#include "report.h"
#include "report_text.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 32
#define TARGET_WIDTH 32

static const char *short_word(const char *result)
{
    if (!result)
        return "-";
    if (strcmp(result, "NOT_APPLICABLE") == 0)
        return "n/a";
    if (strcmp(result, "MANUAL") == 0)
        return "manual";
    if (strcmp(result, "WAIVED") == 0)
        return "waived";
    return result;
}

static const char *colour_of(const char *result)
{
    return !result ? NULL : strcmp(result, "PASS") == 0 ? "32" : strcmp(result, "FAIL") == 0 ? "31"
         : strcmp(result, "ERROR") == 0 ? "33" : strcmp(result, "WAIVED") == 0 ? "35" : "36";
}

/* Columns are requirement ids in first-seen order; a row keeps its target and the result of
 * each column it has (the first verdict with that id and a result), in the spool: the matrix
 * follows every endpoint, and keeping only its words keeps memory flat. */
struct text_matrix {
    char *ids[MAX_COLUMNS];
    size_t ncols;
    report_spool_t *rows;
};

text_matrix_t *text_matrix_new(void)
{
    text_matrix_t *m = calloc(1, sizeof *m);
    if (m && !(m->rows = report_spool_open())) {
        free(m);
        return NULL;
    }
    return m;
}

void text_matrix_free(text_matrix_t *m)
{
    if (!m)
        return;
    for (size_t c = 0; c < m->ncols; c++)
        free(m->ids[c]);
    report_spool_close(m->rows);
    free(m);
}

/* The column of id, added when new and there is room; MAX_COLUMNS when none. */
static size_t column_of(text_matrix_t *m, const char *s)
{
    size_t k = 0;
    while (k < m->ncols && strcmp(m->ids[k], s) != 0)
        k++;
    if (k == m->ncols && k < MAX_COLUMNS && (m->ids[k] = strdup(s)))
        m->ncols++;
    return k;
}

int text_matrix_add(text_matrix_t *m, json_object *endpoint)
{
    json_object *verdicts, *id, *res, *target;
    json_object *row = json_object_new_object(), *cells = json_object_new_array();
    if (json_object_object_get_ex(endpoint, "target", &target))
        json_object_object_add(row, "target", json_object_get(target));
    json_object_object_add(row, "cells", cells);
    if (json_object_object_get_ex(endpoint, "verdicts", &verdicts)) {
        for (size_t i = 0; i < jr_len(verdicts); i++) {
            if (!json_object_object_get_ex(jr_idx(verdicts, i), "id", &id))
                continue;
            size_t c = column_of(m, json_object_get_string(id));
            if (c < MAX_COLUMNS && !json_object_array_get_idx(cells, c) &&
                json_object_object_get_ex(jr_idx(verdicts, i), "result", &res))
                json_object_array_put_idx(cells, c, json_object_new_string(json_object_get_string(res)));
        }
    }
    int rc = report_spool_put(m->rows, report_spool_count(m->rows), row);
    json_object_put(row);
    return rc;
}

/* A word of the document as " %-7s" in its text form, coloured col (NULL: not). */
static int write_word(FILE *f, const char *w, const char *col)
{
    char *e = escape_text_dup(w);
    int rc = !e ? -1 : col ? fprintf(f, " \033[%sm%-7s\033[0m", col, e) : fprintf(f, " %-7s", e);
    free(e);
    return rc < 0 ? -1 : 0;
}

static int write_row(FILE *f, json_object *row, size_t ncols, bool color)
{
    json_object *target;
    char *t = escape_text_dup(json_object_object_get_ex(row, "target", &target) ? json_object_get_string(target) : "?");
    if (!t)
        return -1;
    json_object *cells = jr_at(row, "cells");
    size_t len = strlen(t);
    /* Long targets keep their end: the port tells endpoints apart (cut on a character). */
    if (len > TARGET_WIDTH - 1) {
        const char *end = t + len - (TARGET_WIDTH - 2);
        while ((*end & 0xC0) == 0x80)
            end++;
        fprintf(f, "~%s ", end);
    } else {
        fprintf(f, "%-*s", TARGET_WIDTH, t);
    }
    free(t);
    int rc = 0;
    for (size_t c = 0; c < ncols; c++) {
        json_object *cell = c < jr_len(cells) ? jr_idx(cells, c) : NULL;
        const char *r = cell ? json_object_get_string(cell) : NULL, *col = colour_of(r);
        rc |= write_word(f, short_word(r), color ? col : NULL);
    }
    fprintf(f, "\n");
    return rc;
}

int text_matrix_write(text_matrix_t *m, FILE *f, bool color)
{
    size_t n = report_spool_count(m->rows);
    if (n == 0 || m->ncols == 0)
        return 0;
    fprintf(f, "\n%-*s", TARGET_WIDTH, "Requirements");
    int rc = 0;
    for (size_t c = 0; c < m->ncols; c++)
        rc |= write_word(f, m->ids[c], NULL);
    fprintf(f, "\n");
    for (size_t e = 0; e < n && rc == 0; e++) {
        json_object *row = report_spool_get(m->rows, e);
        if (!row)
            return -1;
        rc = write_row(f, row, m->ncols, color);
        json_object_put(row);
    }
    return rc;
}
