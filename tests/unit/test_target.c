/* Target specs: every accepted form, and the exact error for each malformed one. */
#include <stdio.h>
#include <string.h>

#include "target.h"
#include "text_echo.h"

static int failures;

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

static void good(const char *spec, const char *host, unsigned port, const char *sni)
{
    target_t t;
    char err[256] = "", name[128], detail[512];
    snprintf(name, sizeof name, "parse '%s'", spec);
    if (target_parse(spec, &t, err, sizeof err) != 0) {
        check(0, name, err);
        return;
    }
    snprintf(detail, sizeof detail, "got host '%s' port %u sni '%s' origin '%s'", t.host, t.port,
             t.sni ? t.sni : "(null)", t.origin);
    check(strcmp(t.host, host) == 0 && t.port == port &&
              (sni ? t.sni && strcmp(t.sni, sni) == 0 : t.sni == NULL) && strcmp(t.spec, spec) == 0 &&
              strcmp(t.origin, "command line") == 0 && t.ntags == 0 && !t.ip && !t.ca_file,
          name, detail);
    target_free(&t);
}

static void bad(const char *spec, const char *want_err)
{
    target_t t;
    char err[256] = "", name[TEXT_ECHO_SIZE + 16], detail[1024], echo[TEXT_ECHO_SIZE];
    snprintf(name, sizeof name, "reject '%s'", text_echo(echo, spec));
    int rc = target_parse(spec, &t, err, sizeof err);
    snprintf(detail, sizeof detail, "rc %d, message '%s', want '%s'", rc, err, want_err);
    check(rc == -1 && strcmp(err, want_err) == 0, name, detail);
    if (rc == 0)
        target_free(&t);
}

static void identity(const char *spec, const char *ip, const char *want)
{
    target_t t;
    char err[256] = "", got[512], name[128], detail[1100];
    snprintf(name, sizeof name, "identity of '%s'", spec);
    if (target_parse(spec, &t, err, sizeof err) != 0 || (ip && target_set_ip(&t, ip, err, sizeof err) != 0)) {
        check(0, name, err);
        return;
    }
    int n = target_identity(&t, got, sizeof got);
    snprintf(detail, sizeof detail, "got '%s' (%d), want '%s'", got, n, want);
    check(strcmp(got, want) == 0 && n == (int)strlen(want), name, detail);
    target_free(&t);
}

static void note_pair(void *arg, const target_t *first, const target_t *again, bool left_out)
{
    char *seen = arg;
    snprintf(seen + strlen(seen), 200 - strlen(seen), "%zu%c%zu ", first->index, left_out ? '<' : '~', again->index);
}

int main(void)
{
    identity("example.com", NULL, "example.com:443/sni=example.com/ip=-/service=https");
    identity("[::1]:8443", NULL, "[::1]:8443/sni=-/ip=-/service=-");
    identity("smtp://mail.example", "192.0.2.9", "mail.example:25/sni=mail.example/ip=192.0.2.9/service=smtp");

    good("example.com", "example.com", 443, "example.com");
    good("example.com:8443", "example.com", 8443, "example.com");
    good("internal_host.corp", "internal_host.corp", 443, "internal_host.corp");
    good("192.0.2.1:443", "192.0.2.1", 443, NULL);
    good("192.0.2.1", "192.0.2.1", 443, NULL);
    good("[::1]:8443", "::1", 8443, NULL);
    good("[2001:db8::1]", "2001:db8::1", 443, NULL);
    good("2001:db8::1", "2001:db8::1", 443, NULL);
    good("https://example.com/", "example.com", 443, "example.com");
    good("https://example.com:444/path?q=1", "example.com", 444, "example.com");
    good("HTTPS://[::1]:5/", "::1", 5, NULL);
    good("a:65535", "a", 65535, "a");

    bad("example.com:99999", "target 'example.com:99999': port '99999' is not a number from 1 to 65535");
    bad("example.com:0", "target 'example.com:0': port '0' is not a number from 1 to 65535");
    bad("example.com:", "target 'example.com:': port '' is not a number from 1 to 65535");
    bad("example.com:44x", "target 'example.com:44x': port '44x' is not a number from 1 to 65535");
    bad("gopher://example.com", "target 'gopher://example.com': unsupported scheme 'gopher' (known: https, smtp, "
        "submission, smtps, imap, imaps, pop3, pop3s, ftp, ftps, ldap, ldaps, xmpp, xmpps, postgres, mysql)");
    good("smtp://mail.example", "mail.example", 25, "mail.example");
    good("submission://mail.example", "mail.example", 587, "mail.example");
    good("postgres://db.example:6432", "db.example", 6432, "db.example");
    good("IMAPS://[::1]", "::1", 993, NULL);
    bad("", "target '': '' is not a valid host name");
    bad("a..b", "target 'a..b': 'a..b' is not a valid host name");
    bad(".a", "target '.a': '.a' is not a valid host name");
    bad("exa mple", "target 'exa mple': 'exa mple' is not a valid host name");
    bad("[::1", "target '[::1': missing ']' after IPv6 address");
    bad("[::1]x", "target '[::1]x': expected ':PORT' after ']'");
    bad("[example.com]:1", "target '[example.com]:1': 'example.com' is not an IPv6 address");
    bad("a:b:c", "target 'a:b:c': 'a:b:c' is not a valid host name");
    bad("::1:443", "target '::1:443': ambiguous: write [::1]:443 for port 443, or [::1:443] for the address");
    good("[::1:443]", "::1:443", 443, NULL);
    good("fe80::1", "fe80::1", 443, NULL);
    bad("a\x1b[2J:1", "target 'a\\x1b[2J:1': holds a control character");
    bad("https://a.example/\n", "target 'https://a.example/\\n': holds a control character");
    bad("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx:0",
        "target 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\u2026': port '0' is not a number from 1 to 65535");

    target_t t;
    char err[256];
    target_parse("192.0.2.1:443", &t, err, sizeof err);
    check(target_set_sni(&t, "name.example") == 0 && strcmp(t.sni, "name.example") == 0,
          "--sni sets the SNI of an IP target", t.sni ? t.sni : "(null)");
    check(target_set_ip(&t, "not-an-ip", err, sizeof err) == -1 &&
              strcmp(err, "'not-an-ip' is not an IPv4 or IPv6 address") == 0,
          "--ip rejects a name", err);
    check(target_set_ip(&t, "::1", err, sizeof err) == 0 && strcmp(t.ip, "::1") == 0, "--ip takes an IPv6 address", err);
    target_free(&t);

    check(target_check_sni("name.example", err, sizeof err) == 0, "an SNI host name is taken", err);
    check(target_check_sni("", err, sizeof err) == -1 &&
              strcmp(err, "an empty server name (leave it out to send none)") == 0, "an empty SNI is refused", err);
    check(target_check_sni("::1", err, sizeof err) == -1 &&
              strcmp(err, "'::1' is not a host name (RFC 6066: no IP address)") == 0, "an address as SNI is refused", err);

    char echo[TEXT_ECHO_SIZE];
    check(strcmp(text_echo_n(echo, "a\0b\x1b\xc2\x9b\xe2\x80\xae\xff\t", 11), "a\\0b\\x1b\\u009b\\u202e\\xff\\t") == 0,
          "text_echo escapes NUL, C0, C1, bidi overrides, invalid bytes", echo);
    check(strcmp(text_echo(echo, "\xc3\xa9t\xc3\xa9"), "\xc3\xa9t\xc3\xa9") == 0, "text_echo keeps UTF-8", echo);
    char longv[100];
    memset(longv, 'y', sizeof longv);
    memcpy(longv + 59, "\xc3\xa9", 2);
    check(strlen(text_echo_n(echo, longv, sizeof longv)) == 59 + 3 && strncmp(echo + 59, "\xe2\x80\xa6", 3) == 0,
          "text_echo cuts at 60 bytes, not inside a UTF-8 sequence", echo);

    /* Repeats of an identity are left out, the first kept with its index; the callback sees each pair. */
    const char *specs[] = { "a.example", "b.example:8443", "a.example:443", "https://a.example/", "[::1]:1",
                            "b.example:8443" };
    target_list_t dl = { 0 };
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        target_parse(specs[i], target_list_add(&dl), err, sizeof err);
    char seen[200] = "";
    size_t left = target_list_dedupe(&dl, note_pair, seen);
    check(left == 3 && dl.count == 3 && dl.items[0].index == 0 && dl.items[1].index == 1 && dl.items[2].index == 4 &&
              strcmp(seen, "0<2 0<3 1<5 ") == 0,
          "target_list_dedupe keeps the first of each identity", seen);
    target_list_free(&dl);
    /* The same identity with another http_port is a check of its own: kept, and said. */
    const char *ports[] = { "a.example", "a.example", "a.example", "a.example" };
    const uint16_t http_ports[] = { 0, 8080, 8080, 0 };
    for (size_t i = 0; i < 4; i++) {
        target_t *t = target_list_add(&dl);
        target_parse(ports[i], t, err, sizeof err);
        t->http_port = http_ports[i];
    }
    seen[0] = '\0';
    left = target_list_dedupe(&dl, note_pair, seen);
    check(left == 2 && dl.count == 2 && dl.items[0].index == 0 && dl.items[1].index == 1 &&
              strcmp(seen, "0~1 1<2 0<3 ") == 0,
          "target_list_dedupe keeps a target of the same identity and other settings", seen);
    target_list_free(&dl);

    target_list_t list = { 0 };
    int ok = 1;
    for (int i = 0; i < 100; i++) {
        target_t *x = target_list_add(&list);
        char spec[32];
        snprintf(spec, sizeof spec, "h%d:%d", i, i + 1);
        ok &= x && target_parse(spec, x, err, sizeof err) == 0;
    }
    ok &= list.count == 100 && list.items[99].port == 100 && strcmp(list.items[42].host, "h42") == 0;
    check(ok, "a list grows past its first allocation and keeps order", "wrong count or content");
    target_list_free(&list);

    {
        target_t s1;
        char e1[256];
        target_parse("smtp://mx.example", &s1, e1, sizeof e1);
        check(s1.service && strcmp(s1.service->scheme, "smtp") == 0 && s1.service->starttls, "smtp:// names STARTTLS smtp", e1);
        target_free(&s1);
        target_parse("mx.example:993", &s1, e1, sizeof e1);
        check(s1.service && strcmp(s1.service->scheme, "imaps") == 0 && !s1.service->starttls,
              "port 993 is implicit-TLS IMAP", "no service");
        target_free(&s1);
        target_parse("mx.example:8443", &s1, e1, sizeof e1);
        check(s1.service == NULL, "an unknown port names no service", "a service");
        target_free(&s1);
    }
    check(is_ip_literal("10.0.0.1") && is_ip_literal("fe80::1") && !is_ip_literal("10.0.0.256") &&
              !is_ip_literal("localhost") && !is_ip_literal(NULL),
          "is_ip_literal", "wrong answer");
    return failures ? 1 : 0;
}
