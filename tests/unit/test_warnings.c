/* warnings_collect (src/scoring/warnings.c): which leaves are a certificate-expiry warning and
 * the exact text; unknown or expired days are never a warning. */
#include <string.h>

#include "unit_check.h"
#include "warnings.h"

/* The warnings' texts joined with " | " for facts given as JSON text. */
static const char *texts(const char *facts_json, int warn_days, bool fails, char *out, size_t outlen)
{
    json_object *facts = json_tokener_parse(facts_json);
    json_object *w = warnings_collect(facts, warn_days, fails);
    out[0] = '\0';
    for (size_t i = 0; i < json_object_array_length(w); i++) {
        json_object *one = json_object_array_get_idx(w, i), *v;
        json_object_object_get_ex(one, "text", &v);
        size_t used = strlen(out);
        snprintf(out + used, outlen - used, "%s%s", i ? " | " : "", json_object_get_string(v));
        json_object_object_get_ex(one, "fails", &v);
        if (json_object_get_boolean(v) != fails)
            snprintf(out, outlen, "fails is not %d", fails);
    }
    json_object_put(w);
    json_object_put(facts);
    return out;
}

#define LEAF(type, days) \
    "{\"key_type\":\"" type "\",\"not_after\":\"2026-12-19T10:00:00Z\",\"sha256\":null,\"days_to_expiry\":" days "}"
#define CERT(leaves) "{\"certificate\":{\"status\":\"ok\",\"certificates\":[" leaves "]}}"

int main(void)
{
    char buf[1024];
    const char *got;
    got = texts(CERT(LEAF("RSA", "13") "," LEAF("EC", "40")), 60, false, buf, sizeof buf);
    check(strcmp(got, "RSA leaf expires in 13 days (2026-12-19), within --expiry-warn 60 | "
                      "ECDSA leaf expires in 40 days (2026-12-19), within --expiry-warn 60") == 0,
          "every leaf within the window, RSA and ECDSA", "got '%s'", got);
    got = texts(CERT(LEAF("RSA", "13") "," LEAF("EC", "40")), 30, true, buf, sizeof buf);
    check(strcmp(got, "RSA leaf expires in 13 days (2026-12-19), within --expiry-warn 30") == 0,
          "only the leaves within the window; fails as asked", "got '%s'", got);
    got = texts(CERT(LEAF("RSA", "1") "," LEAF("Ed25519", "0")), 30, false, buf, sizeof buf);
    check(strcmp(got, "RSA leaf expires in 1 day (2026-12-19), within --expiry-warn 30 | "
                      "Ed25519 leaf expires in less than a day (2026-12-19), within --expiry-warn 30") == 0,
          "1 day, less than a day, another key type", "got '%s'", got);
    got = texts(CERT(LEAF("RSA", "-1") "," LEAF("EC", "null") "," LEAF("EC", "\"5\"") "," LEAF("RSA", "30")), 30, false,
                buf, sizeof buf);
    check(strcmp(got, "") == 0, "expired, unknown, mistyped days and the window's edge: no warning", "got '%s'", got);
    got = texts("{\"certificate\":{\"status\":\"ok\",\"days_to_expiry\":3,"
                "\"chain\":[{\"not_after\":\"2026-12-09T00:00:00Z\"}]}}", 30, false, buf, sizeof buf);
    check(strcmp(got, "the leaf expires in 3 days (2026-12-09), within --expiry-warn 30") == 0,
          "a raw-hello chain without the leaves list: the chain's first", "got '%s'", got);
    got = texts("{\"certificate\":{\"status\":\"error\",\"certificates\":[" LEAF("RSA", "3") "]}}", 30, false, buf,
                sizeof buf);
    check(strcmp(got, "") == 0, "a certificate probe in error: none", "got '%s'", got);
    got = texts("{}", 30, false, buf, sizeof buf);
    check(strcmp(got, "") == 0, "no certificate facts: none", "got '%s'", got);
    got = texts(CERT(LEAF("RSA", "3")), 0, false, buf, sizeof buf);
    check(strcmp(got, "") == 0, "--expiry-warn 0: never", "got '%s'", got);
    return failures ? 1 : 0;
}
