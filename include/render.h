/* What a probe renders its facts with in the text and HTML reports (the way sslyze gives each
 * scan command its own console renderer). The writers (src/report/report_text.c, src/report/report_html.c)
 * implement these pens and call every probe's renderers (probe_module_t in probe.h) for each
 * endpoint whose facts they show, in registry order, with the probe's facts, NULL when it has
 * none. A renderer only reads facts (json_read.h) and calls these; it never sees a FILE or a
 * writer's internals, and shows facts without judging them (verdicts are scoring's). */
#ifndef TLSPROBE_RENDER_H
#define TLSPROBE_RENDER_H

#include <json-c/json.h>

typedef struct render_text render_text_t;
typedef struct render_html render_html_t;

/* A probe's renderers. endpoint is the endpoint's object in the report (target, sni, ...);
 * facts is its member facts.<probe name>, or NULL. Declare them with these types, in the run
 * file and the render file alike, so the compiler checks both against the struct:
 *     render_text_fn versions_render_text;                                                */
typedef void render_text_fn(render_text_t *out, json_object *facts, json_object *endpoint);
typedef void render_html_fn(render_html_t *out, json_object *facts, json_object *endpoint);

/* s, or "-" for a fact that is absent. */
static inline const char *render_or_dash(const char *s)
{
    return s ? s : "-";
}

/* ---- text: lines under the endpoint's heading ----
 * A fact line is "  Label        facts": render_text_label writes the label column, the facts
 * follow it, each after a space; a continued line starts with render_text_indent instead.
 * Everything a renderer writes goes through escape_text (escape.h): control characters, bidi
 * overrides and invalid UTF-8 in facts are shown as \xHH or \uHHHH, never sent to the
 * terminal. A line break is written only where a format starts or ends with one; a
 * renderer's colours are render_text_tone's. */

/* Where in the endpoint's block a renderer writes: first what the handshakes showed, then the
 * service around TLS (the STARTTLS dialogue, HTTP, client certificates), whatever the order
 * the probes run in. Every renderer starts in RENDER_TEXT_TLS. */
typedef enum { RENDER_TEXT_TLS, RENDER_TEXT_SERVICE } render_text_part_t;
void render_text_part(render_text_t *out, render_text_part_t part);

void render_text_printf(render_text_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "  Label       ": a new fact line, the label padded to its column (12 characters). */
void render_text_label(render_text_t *out, const char *label);
/* The blank label column of a continued line. */
void render_text_indent(render_text_t *out);
/* The strings of an array, each after a space. */
void render_text_names(render_text_t *out, json_object *arr);

/* What a word says: coloured (when the run shows colour) green, yellow or red. */
typedef enum { RENDER_PLAIN, RENDER_GOOD, RENDER_WARN, RENDER_BAD } render_tone_t;
void render_text_tone(render_text_t *out, render_tone_t tone, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "yes", "no", or "?" when the member is absent, null or not a boolean. */
const char *render_yes_no(json_object *o, const char *key);

/* ---- HTML: sections of the endpoint's part of the page ----
 * Everything from facts goes through render_html_text, _attr or _value (escape_markup);
 * render_html_printf is for the renderer's own markup and numbers only. */

/* Starts the section (an <h3> heading) the renderer's content goes into; call it first.
 * The section shows the probe's error when its facts say status is not "ok". Sections with
 * the same title started one after another are one: one heading, every contributor's error,
 * then their content in turn. A section appears only when a contributor had facts, so a
 * renderer called without facts may still add rows to a section another probe shows. */
void render_html_section(render_html_t *out, const char *title, json_object *facts);

void render_html_printf(render_html_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text for an element's content, and for an attribute value. */
void render_html_text(render_html_t *out, const char *s);
void render_html_attr(render_html_t *out, const char *s);
/* Any value as one line of text (arrays joined with ", ", objects as "key: value; ..."),
 * "-" when absent or null. */
void render_html_value(render_html_t *out, json_object *v);

/* A key-value table (<table class="kv CLASS">), or the one a section's earlier contributor
 * opened: it ends with render_html_kv_end or with the section. */
void render_html_kv_begin(render_html_t *out, const char *class_name);
void render_html_kv_end(render_html_t *out);
/* A row of the table: label (markup, the renderer's own) and value, "-" when absent. */
void render_html_kv_value(render_html_t *out, const char *label, json_object *value);
void render_html_kv_text(render_html_t *out, const char *label, const char *text);
/* A row whose cell the renderer writes between these two calls. */
void render_html_kv_row(render_html_t *out, const char *label);
void render_html_kv_row_end(render_html_t *out);

#endif
