/* CSV writer (RFC 4180: CRLF line ends, fields quoted when they hold a comma or quote, quotes
 * doubled): one row per endpoint × requirement; an endpoint without verdicts (unresolved,
 * unreachable) gets one row with an empty requirement; each warning (--expiry-warn) a row of
 * its own, its id as the requirement, WARN as the result, its text as the evidence. Every cell
 * is escape_csv's: the text form (no control character, so no line break, inside a cell), and
 * a leading single quote on cells a spreadsheet would run as a formula (= + - @ first). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "report_doc.h"

static const char *const columns[] = {
    "target", "host", "port", "address", "service", "tags", "endpoint_status",
    "requirement", "standard", "level", "result", "evidence",
    /* Members that only some reports have; empty when absent. */
    "title", "cwe", "waiver", "grade",
};
#define NCOLUMNS (sizeof columns / sizeof *columns)

static void write_cell(FILE *f, const char *s, size_t column)
{
    if (column)
        fputc(',', f);
    escape_csv(f, s);
}

static void write_row(FILE *f, char *const *cells)
{
    for (size_t i = 0; i < NCOLUMNS; i++)
        write_cell(f, cells[i], i);
    fputs("\r\n", f);
}

/* Tags joined with ';', the separator least likely inside a tag. */
static char *tags_text(json_object *tags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    for (size_t i = 0; i < jr_len(tags); i++)
        fprintf(m, "%s%s", i ? ";" : "", json_object_get_string(jr_idx(tags, i)));
    fclose(m);
    return buf;
}

/* One row per warning, the endpoint's cells kept: the header stays as it was. */
static void write_warnings(FILE *f, char **cells, json_object *warnings)
{
    for (size_t i = 0; i < jr_len(warnings); i++) {
        for (size_t c = 7; c <= 14; c++) {
            free(cells[c]);
            cells[c] = NULL;
        }
        cells[7] = doc_value_text(jr_at(jr_idx(warnings, i), "id"));
        cells[10] = strdup("WARN");
        cells[11] = doc_value_text(jr_at(jr_idx(warnings, i), "text"));
        write_row(f, cells);
    }
}

static void write_endpoint(FILE *f, json_object *e)
{
    char *cells[NCOLUMNS] = { 0 };
    cells[0] = doc_value_text(jr_at(e, "target"));
    cells[1] = doc_value_text(jr_at(e, "host"));
    cells[2] = doc_value_text(jr_at(e, "port"));
    cells[3] = doc_value_text(jr_at(e, "address"));
    cells[4] = doc_value_text(jr_at(e, "service"));
    cells[5] = tags_text(jr_at(e, "tags"));
    cells[6] = doc_value_text(jr_at(e, "status"));
    char grade[600];
    cells[15] = doc_grade_text(e, grade, sizeof grade) ? strdup(doc_grade_text(e, grade, sizeof grade)) : NULL;
    json_object *verdicts = jr_at(e, "verdicts");
    size_t n = jr_len(verdicts);
    if (n == 0) {
        cells[10] = doc_value_text(jr_at(e, "result"));
        cells[11] = doc_value_text(jr_at(e, "error"));
        write_row(f, cells);
    }
    for (size_t i = 0; i < n; i++) {
        json_object *v = jr_idx(verdicts, i);
        static const struct { size_t column; const char *key; } from_verdict[] = {
            { 7, "id" }, { 8, "standard" }, { 9, "level" }, { 10, "result" }, { 11, "evidence" },
            { 12, "title" }, { 13, "cwe" }, { 14, "waiver" },
        };
        for (size_t k = 0; k < sizeof from_verdict / sizeof *from_verdict; k++) {
            free(cells[from_verdict[k].column]);
            cells[from_verdict[k].column] = doc_value_text(jr_at(v, from_verdict[k].key));
        }
        write_row(f, cells);
    }
    write_warnings(f, cells, jr_at(e, "warnings"));
    for (size_t i = 0; i < NCOLUMNS; i++)
        free(cells[i]);
}

static int csv_begin(FILE *f, json_object *head, const options_t *opts)
{
    (void)head;
    (void)opts;
    write_row(f, (char *const *)columns);
    return ferror(f) ? -1 : 0;
}

static int csv_endpoint(FILE *f, json_object *endpoint, const options_t *opts)
{
    (void)opts;
    write_endpoint(f, endpoint);
    return ferror(f) ? -1 : 0;
}

/* A stopped sweep ends with one row that says so (requirement "sweep", result ERROR). */
static int csv_end(FILE *f, json_object *head, const options_t *opts)
{
    (void)opts;
    char why[160];
    char *cells[NCOLUMNS] = { 0 };
    if ((cells[11] = (char *)doc_incomplete_text(head, why, sizeof why))) {
        cells[7] = "sweep";
        cells[10] = "ERROR";
        write_row(f, cells);
    }
    return ferror(f) ? -1 : 0;
}

const report_writer_t report_writer_csv = {
    .name = "csv",
    .help = "one row per target and requirement (RFC 4180)",
    .begin = csv_begin,
    .endpoint = csv_endpoint,
    .end = csv_end,
};
