/* The HTML report's overview: summary.overview drawn as three inline SVG charts (grade
 * distribution, certificates by days to expiry, failures per requirement) at the top of a sweep's
 * page. Plain SVG elements only: no script, no font, no URL, so the page's Content-Security-Policy
 * (default-src 'none') holds. Fixed sizes and integer, crisp-edged bars in colours used nowhere
 * else on the page, so tests/integration/html_overview.sh can find each chart's bars in a
 * screenshot. Every text from the document is escaped. */
#include "report_overview.h"

#include <inttypes.h>
#include <string.h>

#include "json_read.h"
#include "report_doc.h"

/* Vertical charts: 540 x 280; the plot's baseline, left edge and height. */
enum { V_W = 540, V_H = 280, V_LEFT = 48, V_RIGHT = 12, V_TOP = 64, V_PLOT = 160 };
/* Failures: rows of ROW px from F_TOP, bars from F_LEFT, at most F_BAR px long. */
enum { F_W = 1102, F_TOP = 48, F_ROW = 22, F_BAR_H = 16, F_LEFT = 120, F_BAR = 520, F_MAX_ROWS = 15 };

static const char *const grade_colours[OVERVIEW_NGRADES] = { "#1a7f37", "#2da44e", "#4ac26b", "#9bc53d",
                                                             "#e3b505", "#f08c00", "#e8590c", "#d1242f",
                                                             "#8250df", "#6e40c9", "#8c959f" };
static const char *const expiry_colours[OVERVIEW_NEXPIRY] = { "#b62324", "#ef6f2e", "#f0a030",
                                                              "#54aeff", "#2f81f7", "#a0a7b0" };
static const char *const expiry_labels[OVERVIEW_NEXPIRY] = { "expired", "0\xE2\x80\x93" "6 d", "7\xE2\x80\x93" "29 d",
                                                             "30\xE2\x80\x93" "89 d", "\xE2\x89\xA5" "90 d", "unknown" };
static const char fail_colour[] = "#c93c37", error_colour[] = "#d29922";

static void esc(FILE *f, const char *s)
{
    escape_markup(f, s);
}

/* A count from the overview: a non-negative integer, else 0 (the file may say anything). */
static int64_t count_of(json_object *o, const char *key)
{
    json_object *v = jr_at(o, key);
    int64_t n = v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
    return n > 0 ? n : 0;
}

/* Length in px of a bar for n out of max over full px; at least 2 px when n > 0 (seen, not lost). */
static int bar_px(int64_t n, int64_t max, int full)
{
    if (n <= 0 || max <= 0)
        return 0;
    int px = (int)((double)n / (double)max * full + 0.5);
    return px < 2 ? 2 : px > full ? full : px;
}

/* <svg> with its accessible name and description (desc_text is ours: counts and keys). */
static void svg_open(FILE *f, const char *id, int w, int h, const char *title, const char *desc_text)
{
    fprintf(f, "<svg class=\"chart\" id=\"%s\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"%s-t %s-d\">\n<title id=\"%s-t\">",
            id, w, h, w, h, id, id, id);
    esc(f, title);
    fprintf(f, "</title>\n<desc id=\"%s-d\">", id);
    esc(f, desc_text);
    fputs("</desc>\n<rect class=\"frame\" x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
          "<text class=\"heading\" x=\"16\" y=\"28\">", f);
    esc(f, title);
    fputs("</text>\n", f);
}

typedef struct vchart {
    const char *id, *title, *axis;
    size_t n;
    const char *const *keys, *const *labels, *const *colours;
    json_object *counts;
} vchart_t;

/* Vertical bars, one slot per key (zero counts keep their slot and label, without a bar). */
static void vertical_chart(FILE *f, const vchart_t *c)
{
    int64_t max = 0;
    char desc[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < c->n; i++) {
        int64_t v = count_of(c->counts, c->keys[i]);
        max = v > max ? v : max;
        if (used < sizeof desc)
            used += (size_t)snprintf(desc + used, sizeof desc - used, "%s%s: %" PRId64, i ? ", " : "", c->labels[i], v);
    }
    svg_open(f, c->id, V_W, V_H, c->title, desc);
    int base = V_TOP + V_PLOT, slot = (V_W - V_LEFT - V_RIGHT) / (int)c->n, bw = slot - 10 > 56 ? 56 : slot - 10;
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", V_LEFT, V_TOP, V_LEFT, base);
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", V_LEFT, base, V_W - V_RIGHT, base);
    fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%" PRId64 "</text>\n", V_LEFT - 6, V_TOP + 4, max);
    fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", V_LEFT - 6, base + 4);
    fprintf(f, "<text class=\"axis-label\" transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">"
               "endpoints</text>\n", V_TOP + V_PLOT / 2);
    for (size_t i = 0; i < c->n; i++) {
        int64_t v = count_of(c->counts, c->keys[i]);
        int x = V_LEFT + (int)i * slot + (slot - bw) / 2, h = bar_px(v, max, V_PLOT), mid = x + bw / 2;
        if (h) {
            fprintf(f, "<rect class=\"bar\" data-key=\"");
            escape_markup(f, c->keys[i]);
            fprintf(f, "\" data-count=\"%" PRId64 "\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", v, x,
                    base - h, bw, h, c->colours[i]);
        }
        fprintf(f, "<text class=\"count\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%" PRId64 "</text>\n", mid,
                base - h - 5, v);
        fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", mid, base + 18);
        esc(f, c->labels[i]);
        fputs("</text>\n", f);
    }
    fprintf(f, "<text class=\"axis-label\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">", V_LEFT + (V_W - V_LEFT - V_RIGHT) / 2,
            V_H - 16);
    esc(f, c->axis);
    fputs("</text>\n</svg>\n", f);
}

/* The title shown after a failure bar: at most 80 bytes, cut on a UTF-8 character boundary. */
static void short_title(FILE *f, const char *title)
{
    char buf[96];
    size_t n = strlen(title);
    if (n <= 80) {
        esc(f, title);
        return;
    }
    n = 77;
    while (n > 0 && ((unsigned char)title[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, title, n);
    memcpy(buf + n, "...", 4);
    esc(f, buf);
}

static void failure_row(FILE *f, json_object *e, int row, int64_t max)
{
    int64_t fail = count_of(e, "fail"), error = count_of(e, "error");
    int y = F_TOP + row * F_ROW, wf = bar_px(fail, max, F_BAR), we = bar_px(error, max, F_BAR);
    const char *id = jr_str(e, "id") ? jr_str(e, "id") : "?";
    fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", F_LEFT - 8, y + 13);
    esc(f, id);
    fputs("</text>\n", f);
    const struct { int64_t n; int w, x; const char *kind, *colour; } seg[2] = {
        { fail, wf, F_LEFT, "fail", fail_colour }, { error, we, F_LEFT + wf, "error", error_colour } };
    for (int s = 0; s < 2; s++) {
        if (!seg[s].w)
            continue;
        fprintf(f, "<rect class=\"bar %s\" data-id=\"", seg[s].kind);
        escape_markup(f, id);
        fprintf(f, "\" data-count=\"%" PRId64 "\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", seg[s].n,
                seg[s].x, y + 1, seg[s].w, F_BAR_H, seg[s].colour);
    }
    fprintf(f, "<text class=\"count\" x=\"%d\" y=\"%d\">%" PRId64 " FAIL", F_LEFT + wf + we + 8, y + 13, fail);
    if (error)
        fprintf(f, ", %" PRId64 " ERROR", error);
    if (jr_str(e, "title")) {
        fputs("<tspan class=\"muted\"> \xE2\x80\x94 ", f);
        short_title(f, jr_str(e, "title"));
        fputs("</tspan>", f);
    }
    fputs("</text>\n", f);
}

/* Horizontal bars: the F_MAX_ROWS requirements with most FAIL + ERROR verdicts (the list is
 * sorted so), FAIL then ERROR stacked, counts as text. */
static void failures_chart(FILE *f, json_object *failures)
{
    size_t n = jr_len(failures), rows = n < F_MAX_ROWS ? n : F_MAX_ROWS;
    int64_t max = 0;
    char desc[1024];
    size_t used = (size_t)snprintf(desc, sizeof desc, "%zu requirements with FAIL or ERROR verdicts%s", n,
                                   n > rows ? ", the 15 with most shown" : "");
    for (size_t i = 0; i < rows; i++) {
        json_object *e = jr_idx(failures, i);
        int64_t fail = count_of(e, "fail"), error = count_of(e, "error");
        max = fail + error > max ? fail + error : max;
        if (used < sizeof desc)
            used += (size_t)snprintf(desc + used, sizeof desc - used, "%s %.40s: %" PRId64 " FAIL, %" PRId64 " ERROR",
                                     i ? ";" : ":", jr_str(e, "id") ? jr_str(e, "id") : "?", fail, error);
    }
    int h = F_TOP + (int)(rows ? rows : 1) * F_ROW + (n > rows ? F_ROW : 0) + 12;
    svg_open(f, "ov-failures", F_W, h, "Failures per requirement", desc);
    fprintf(f, "<rect class=\"key\" x=\"%d\" y=\"16\" width=\"12\" height=\"12\" fill=\"%s\"/>"
               "<text class=\"label\" x=\"%d\" y=\"27\">FAIL</text>\n", F_W - 190, fail_colour, F_W - 172);
    fprintf(f, "<rect class=\"key\" x=\"%d\" y=\"16\" width=\"12\" height=\"12\" fill=\"%s\"/>"
               "<text class=\"label\" x=\"%d\" y=\"27\">ERROR</text>\n", F_W - 110, error_colour, F_W - 92);
    if (!rows)
        fprintf(f, "<text class=\"label\" x=\"16\" y=\"%d\">No requirement has a FAIL or ERROR verdict.</text>\n",
                F_TOP + 13);
    else
        fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", F_LEFT, F_TOP - 2, F_LEFT,
                F_TOP + (int)rows * F_ROW + 2);
    for (size_t i = 0; i < rows; i++)
        failure_row(f, jr_idx(failures, i), (int)i, max);
    if (n > rows)
        fprintf(f, "<text class=\"label\" x=\"%d\" y=\"%d\">and %zu more requirements (the matrix below lists "
                   "every one)</text>\n", F_LEFT, F_TOP + (int)rows * F_ROW + 15, n - rows);
    fputs("</svg>\n", f);
}

void html_overview(FILE *f, json_object *summary)
{
    json_object *ov = jr_at(summary, "overview");
    if (count_of(summary, "endpoints") < 2 || !ov || !json_object_is_type(ov, json_type_object))
        return;
    fputs("<h2 id=\"overview-title\">Overview</h2>\n<div class=\"overview\" id=\"overview\">\n", f);
    vertical_chart(f, &(vchart_t){ "ov-grades", "Grade distribution", "grade (none: not graded)", OVERVIEW_NGRADES,
                                   overview_grades, overview_grades, grade_colours, jr_at(ov, "grades") });
    vertical_chart(f, &(vchart_t){ "ov-expiry", "Certificates by days to expiry", "days until the soonest leaf expires",
                                   OVERVIEW_NEXPIRY, overview_expiry, expiry_labels, expiry_colours, jr_at(ov, "expiry") });
    failures_chart(f, jr_at(ov, "failures"));
    fputs("</div>\n", f);
}
