/* Strict-Transport-Security values: what parses, what each part means, the exact error for
 * each malformed one (RFC 6797 6.1). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hsts.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

/* max_age -1: none expected; -2: saturated at UINT64_MAX. */
static void expect(const char *value, bool valid, long long max_age, bool sub, bool preload, const char *error)
{
    hsts_policy_t p;
    char name[200], detail[400];
    snprintf(name, sizeof name, "hsts '%s'", value);
    bool rc = hsts_parse(value, &p);
    snprintf(detail, sizeof detail, "valid %d max_age %s%llu sub %d preload %d error '%s'", p.valid,
             p.has_max_age ? "" : "(none) ", (unsigned long long)p.max_age, p.include_subdomains, p.preload, p.error);
    bool age_ok = max_age == -1   ? !p.has_max_age
                  : max_age == -2 ? p.has_max_age && p.max_age == UINT64_MAX
                                  : p.has_max_age && p.max_age == (uint64_t)max_age;
    check(rc == valid && p.valid == valid && age_ok && p.include_subdomains == sub && p.preload == preload &&
              strcmp(p.error, error) == 0,
          name, detail);
}

int main(void)
{
    expect("max-age=63072000; includeSubDomains; preload", true, 63072000, true, true, "");
    expect("max-age=31536000", true, 31536000, false, false, "");
    expect("MAX-AGE=300;INCLUDESUBDOMAINS", true, 300, true, false, "");
    expect("max-age=\"31536000\"; includeSubDomains", true, 31536000, true, false, "");
    expect("  max-age = 10 ;; ;includeSubDomains ; ", true, 10, true, false, "");
    expect("max-age=0", true, 0, false, false, "");
    expect("max-age=1; foo=bar; baz=\"q\\\"x\"", true, 1, false, false, "");
    expect("max-age=99999999999999999999999", true, -2, false, false, "");
    expect("max-age=abc", false, -1, false, false, "max-age value 'abc' is not a number of seconds");
    expect("max-age=abc; includeSubDomains; preload", false, -1, true, true,
           "max-age value 'abc' is not a number of seconds");
    expect("max-age=-5", false, -1, false, false, "max-age value '-5' is not a number of seconds");
    expect("max-age=\"12x\"", false, -1, false, false, "max-age value '12x' is not a number of seconds");
    expect("includeSubDomains", false, -1, true, false, "max-age is missing");
    expect("", false, -1, false, false, "max-age is missing");
    expect("max-age=1; max-age=2", false, 1, false, false, "directive 'max-age' appears more than once");
    expect("max-age=1; includeSubDomains; includesubdomains", false, 1, true, false,
           "directive 'includesubdomains' appears more than once");
    expect("max-age=1; foo; FOO", false, 1, false, false, "directive 'foo' appears more than once");
    expect("max-age", false, -1, false, false, "max-age has no value");
    expect("max-age=", false, -1, false, false, "directive 'max-age' has an empty value");
    expect("max-age=1, includeSubDomains", false, -1, false, false, "unexpected ',' at offset 9");
    expect("max-age=1 2", false, -1, false, false, "unexpected '2' at offset 10");
    expect("max-age=\"1", false, -1, false, false, "unterminated or invalid quoted value of 'max-age'");
    expect("max-age=1; includeSubDomains=yes", false, 1, true, false, "includesubdomains takes no value");
    expect("max-age=1; preload=1", false, 1, false, true, "preload takes no value");
    expect("max-age=1;\x01", false, 1, false, false, "unexpected \\x01 at offset 10");
    return failures ? 1 : 0;
}
