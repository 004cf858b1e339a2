/* The text report's targets × requirements matrix: one row per endpoint, one column per
 * requirement scored anywhere in the run, a short word per cell. */
#include "json_read.h"
#include "report_text.h"

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

static const char *verdict_of(json_object *endpoint, const char *id)
{
    json_object *verdicts, *v, *vid, *res;
    if (!json_object_object_get_ex(endpoint, "verdicts", &verdicts))
        return NULL;
    for (size_t i = 0; i < jr_len(verdicts); i++) {
        v = jr_idx(verdicts, i);
        if (json_object_object_get_ex(v, "id", &vid) && strcmp(json_object_get_string(vid), id) == 0 &&
            json_object_object_get_ex(v, "result", &res))
            return json_object_get_string(res);
    }
    return NULL;
}

void report_text_matrix(FILE *f, json_object *doc, bool color)
{
    json_object *list;
    if (!json_object_object_get_ex(doc, "endpoints", &list) || jr_len(list) == 0)
        return;
    const char *ids[MAX_COLUMNS];
    size_t ncols = 0;
    for (size_t e = 0; e < jr_len(list); e++) {
        json_object *verdicts, *id;
        if (!json_object_object_get_ex(jr_idx(list, e), "verdicts", &verdicts))
            continue;
        for (size_t i = 0; i < jr_len(verdicts); i++) {
            if (!json_object_object_get_ex(jr_idx(verdicts, i), "id", &id))
                continue;
            const char *s = json_object_get_string(id);
            size_t k = 0;
            while (k < ncols && strcmp(ids[k], s) != 0)
                k++;
            if (k == ncols && ncols < MAX_COLUMNS)
                ids[ncols++] = s;
        }
    }
    if (ncols == 0)
        return;
    fprintf(f, "\n%-*s", TARGET_WIDTH, "Requirements");
    for (size_t c = 0; c < ncols; c++)
        fprintf(f, " %-7s", ids[c]);
    fprintf(f, "\n");
    for (size_t e = 0; e < jr_len(list); e++) {
        json_object *ep = jr_idx(list, e), *target;
        const char *t = json_object_object_get_ex(ep, "target", &target) ? json_object_get_string(target) : "?";
        size_t len = strlen(t);
        /* Long targets keep their end: the port tells endpoints apart. */
        if (len > TARGET_WIDTH - 1)
            fprintf(f, "~%s", t + len - (TARGET_WIDTH - 2));
        else
            fprintf(f, "%-*s", TARGET_WIDTH, t);
        if (len > TARGET_WIDTH - 1)
            fputc(' ', f);
        for (size_t c = 0; c < ncols; c++) {
            const char *r = verdict_of(ep, ids[c]), *col = colour_of(r);
            if (color && col)
                fprintf(f, " \033[%sm%-7s\033[0m", col, short_word(r));
            else
                fprintf(f, " %-7s", short_word(r));
        }
        fprintf(f, "\n");
    }
}
