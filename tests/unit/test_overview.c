/* summary.overview (src/report/report_overview.c) from endpoint objects given as JSON text: grade
 * letters (an unknown or missing one is "none"), the soonest leaf's expiry bucket (unknown days
 * never a good bucket), FAIL/ERROR verdicts per requirement and their order; and the HTML charts
 * (report_html_overview.c): drawn only for 2 or more endpoints, at most 15 failure rows, every
 * text escaped. */
#include <stdlib.h>
#include <string.h>

#include "report_doc.h"
#include "report_overview.h"
#include "unit_check.h"

#define CERT_DAYS(d) "\"facts\":{\"certificate\":{\"status\":\"ok\",\"days_to_expiry\":" d "}}"
#define LEAVES(a, b)                                                                                            \
    "\"facts\":{\"certificate\":{\"status\":\"ok\",\"days_to_expiry\":400,\"certificates\":[{\"days_to_expiry\":" a \
    "},{\"days_to_expiry\":" b "}]}}"
#define V(id, result) "{\"id\":\"" id "\",\"title\":\"T" id "\",\"result\":\"" result "\"}"

static const char *const endpoints[] = {
    "{\"grade\":{\"grade\":\"A+\"}," CERT_DAYS("120") ",\"verdicts\":[" V("12.1.1", "PASS") "," V("9.2.1", "FAIL") "]}",
    "{\"grade\":\"B\"," LEAVES("40", "3") ",\"verdicts\":[" V("12.1.1", "FAIL") "," V("9.2.1", "ERROR") "]}",
    "{\"grade\":{\"grade\":null,\"reason\":\"no handshake\"}," CERT_DAYS("-1") ",\"verdicts\":[" V("12.2.1", "FAIL") "]}",
    "{\"grade\":{\"grade\":\"Z\"},\"facts\":{\"certificate\":{\"status\":\"error\",\"days_to_expiry\":50}},"
    "\"verdicts\":[" V("12.1.1", "FAIL") "," V("12.2.1", "MANUAL") "]}",
    "{\"status\":\"unreachable\",\"verdicts\":[" V("12.1.1", "ERROR") "]}",
    "{\"grade\":{\"grade\":\"A+\"}," CERT_DAYS("\"5\"") "}",
    "{\"grade\":{\"grade\":\"T\"}," CERT_DAYS("0") "}",
    "{\"grade\":{\"grade\":\"F\"}," CERT_DAYS("29") "}",
    "{\"grade\":{\"grade\":\"M\"}," CERT_DAYS("30") "}",
    "{\"grade\":{\"grade\":\"A-\"}," CERT_DAYS("90") ",\"verdicts\":[{\"result\":\"FAIL\"},7]}",
};

static json_object *overview_of(const char *const *eps, size_t n)
{
    report_overview_t o = { 0 };
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_tokener_parse(eps[i]);
        if (!e)
            printf("# bad literal %zu\n", i);
        report_overview_add(&o, e);
        json_object_put(e);
    }
    json_object *ov = report_overview_json(&o);
    report_overview_free(&o);
    return ov;
}

static const char *member(json_object *ov, const char *key)
{
    json_object *v = NULL;
    json_object_object_get_ex(ov, key, &v);
    return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/* The HTML html_overview writes for summary (JSON text); free()d by the caller. */
static char *html_of(const char *summary_json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    json_object *sum = json_tokener_parse(summary_json);
    html_overview(f, sum);
    fclose(f);
    json_object_put(sum);
    return buf;
}

static size_t occurrences(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void check_accumulator(void)
{
    json_object *ov = overview_of(endpoints, sizeof endpoints / sizeof *endpoints);
    const char *got = member(ov, "grades");
    check(strcmp(got, "{\"A+\":2,\"A\":0,\"A-\":1,\"B\":1,\"C\":0,\"D\":0,\"E\":0,\"F\":1,\"T\":1,\"M\":1,\"none\":3}") == 0,
          "grades: object or string letter; null, unknown or missing letter is none", "got %s", got);
    got = member(ov, "expiry");
    check(strcmp(got, "{\"expired\":1,\"0-6\":2,\"7-29\":1,\"30-89\":1,\"90+\":2,\"unknown\":3}") == 0,
          "expiry: soonest leaf; 0 and 3 in 0-6, 29 in 7-29, 30 in 30-89, 90 in 90+; error status, a string, "
          "no facts are unknown", "got %s", got);
    got = member(ov, "failures");
    check(strcmp(got, "[{\"id\":\"12.1.1\",\"title\":\"T12.1.1\",\"fail\":2,\"error\":1},"
                      "{\"id\":\"9.2.1\",\"title\":\"T9.2.1\",\"fail\":1,\"error\":1},"
                      "{\"id\":\"12.2.1\",\"title\":\"T12.2.1\",\"fail\":1,\"error\":0}]") == 0,
          "failures: FAIL and ERROR per id, most first, then most FAILs; PASS, MANUAL and id-less verdicts ignored",
          "got %s", got);
    json_object_put(ov);

    static const char *const ties[] = { "{\"verdicts\":[" V("12.1.1", "FAIL") "," V("9.2.1", "FAIL") "," V("9.10.1", "FAIL") "]}" };
    ov = overview_of(ties, 1);
    got = member(ov, "failures");
    check(strstr(got, "\"9.2.1\"") < strstr(got, "\"9.10.1\"") && strstr(got, "\"9.10.1\"") < strstr(got, "\"12.1.1\""),
          "failures: equal counts in version order (9.2.1, 9.10.1, 12.1.1)", "got %s", got);
    json_object_put(ov);

    ov = overview_of(NULL, 0);
    got = json_object_to_json_string_ext(ov, JSON_C_TO_STRING_PLAIN);
    check(strstr(got, "\"none\":0}") && strstr(got, "\"unknown\":0}") && strstr(got, "\"failures\":[]"),
          "no endpoints: every count 0, no failures", "got %s", got);
    json_object_put(ov);
}

static void check_html(void)
{
    char *html = html_of("{\"endpoints\":1,\"overview\":{\"grades\":{\"A\":1},\"expiry\":{},\"failures\":[]}}");
    check(html && !*html, "html: one endpoint: no overview (the page keeps its look)", "got %.200s", html);
    free(html);
    html = html_of("{\"endpoints\":5}");
    check(html && !*html, "html: a summary without an overview (an older report): nothing drawn", "got %.200s", html);
    free(html);

    /* 20 requirements failing, the first with a hostile id and title; grades with a bogus count. */
    char summary[8192];
    size_t used = (size_t)snprintf(summary, sizeof summary,
        "{\"endpoints\":9,\"overview\":{\"grades\":{\"A+\":3,\"B\":1,\"F\":\"x\",\"none\":-4},"
        "\"expiry\":{\"expired\":1,\"90+\":7},\"failures\":[{\"id\":\"<script>x</script>\",\"title\":\"a\\\"&<b>\","
        "\"fail\":9,\"error\":1}");
    for (int i = 1; i < 20; i++)
        used += (size_t)snprintf(summary + used, sizeof summary - used, ",{\"id\":\"9.%d.1\",\"fail\":%d,\"error\":0}", i,
                                 20 - i);
    snprintf(summary + used, sizeof summary - used, "]}}");
    html = html_of(summary);
    check(occurrences(html, "<svg ") == 3 && occurrences(html, "</svg>") == 3, "html: three SVG charts",
          "%zu <svg", occurrences(html, "<svg "));
    check(occurrences(html, "<title id=") == 3 && occurrences(html, "<desc id=") == 3 &&
              occurrences(html, "aria-labelledby=") == 3,
          "html: each chart has an accessible title and description", "%zu titles", occurrences(html, "<title id="));
    check(occurrences(html, "<rect class=\"bar\" data-key=") == 4,
          "html: a bar per non-zero count (A+, B, expired, 90+); a string or negative count draws none",
          "%zu bars", occurrences(html, "<rect class=\"bar\" data-key="));
    check(occurrences(html, "<rect class=\"bar fail\"") == 15 && occurrences(html, "<rect class=\"bar error\"") == 1 &&
              strstr(html, "and 5 more requirements"),
          "html: failures: the first 15 requirements, then how many more", "%zu fail bars",
          occurrences(html, "<rect class=\"bar fail\""));
    check(!strstr(html, "<script") && !strstr(html, "<b>") && strstr(html, "&lt;script&gt;x&lt;/script&gt;") &&
              strstr(html, "a&quot;&amp;&lt;b&gt;"),
          "html: ids and titles escaped", "%.300s", strstr(html, "script"));
    check(!strstr(html, "href") && !strstr(html, "url(") && !strstr(html, "http") && !strstr(html, "<image") && !strstr(html, "@font"),
          "html: no link, URL (not even a namespace), image or font", "%.100s", html);
    check(strstr(html, "data-key=\"A+\" data-count=\"3\" x=\"") && strstr(html, "height=\"160\" fill=\"#1a7f37\""),
          "html: the largest count's bar is the full plot height, in its grade's colour", "%.300s",
          strstr(html, "data-key=\"A+\""));
    free(html);
}

int main(void)
{
    check_accumulator();
    check_html();
    return failures ? 1 : 0;
}
