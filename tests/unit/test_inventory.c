/* YAML inventories: fields, defaults, relative paths, FILE:LINE:COLUMN errors, aliases across
 * the targets read one at a time (yaml_stream.h), and packed targets (target_pack.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory.h"
#include "target_pack.h"
#include "x509_facts.h"

/* ca: files must hold a certificate: a self-signed one (P-256, valid to 2126). */
static const char ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBgDCCASWgAwIBAgIUaQtpsstV6Hoak76lEeywuSmnXUEwCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJdGVzdC1yb290MCAXDTI2MTIwNjE2MTI1NVoYDzIxMjYxMTEy\n"
    "MTYxMjU1WjAUMRIwEAYDVQQDDAl0ZXN0LXJvb3QwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAATWacfQWeTPqCAak4pDd1wFo/pmRuayFyuoDE6oen9r8gbqOoO0oKwx\n"
    "pLP67tRQacXCJKeUeWrDZkRpDGViBXj9o1MwUTAdBgNVHQ4EFgQUmmnPRRnRwT0x\n"
    "Rnn6jgp7vegcGtowHwYDVR0jBBgwFoAUmmnPRRnRwT0xRnn6jgp7vegcGtowDwYD\n"
    "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA1PArA4JdqiVialuW3lqH\n"
    "O6BOGNLulb4Tmug+Uh3kPG8CIQDkL7VPGjWB9WegNjzQBTXRVp5oJPRzu6cscvrk\n"
    "fA2QvQ==\n"
    "-----END CERTIFICATE-----\n";

static int failures;
static char dir[] = "/tmp/tlsprobe-inv-XXXXXX";

static void check(int cond, const char *name, const char *detail)
{
    printf("%s - %s%s%s\n", cond ? "ok" : "not ok", name, cond ? "" : ": ", cond ? "" : detail);
    failures += !cond;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

static void expect_error(const char *name, const char *yaml, const char *want_suffix)
{
    const char *path = write_file("bad.yaml", yaml);
    target_list_t list = { 0 };
    char err[512] = "", want[512], detail[1100];
    snprintf(want, sizeof want, "%s:%s", path, want_suffix);
    int rc = inventory_load(path, &list, err, sizeof err);
    snprintf(detail, sizeof detail, "rc %d, got '%s', want '%s'", rc, err, want);
    check(rc == -1 && strcmp(err, want) == 0, name, detail);
    target_list_free(&list);
}

static int tags_are(const target_t *t, const char *want)
{
    char got[200] = "";
    for (size_t i = 0; i < t->ntags; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "", t->tags[i]);
    return strcmp(got, want) == 0;
}

/* Groups: their defaults over the top level's, the target's fields over both, the name a tag,
 * and the file's order the targets' order (index). */
static void test_groups(void)
{
    write_file("g-root.pem", ca_pem);
    const char *path = write_file("groups.yaml",
        "defaults:\n"
        "  port: 8443\n"
        "  ca: root.pem\n"
        "  tags: [prod]\n"
        "groups:\n"
        "  - name: payments\n"
        "    defaults: {port: 9443, ca: g-root.pem, tags: [pci], exposure: internal}\n"
        "    targets:\n"
        "      - \"p.example\"\n"
        "      - host: q.example\n"
        "        port: 1000\n"
        "        tags: [x, payments]\n"
        "        exposure: external\n"
        "  - name: edge\n"
        "    targets: [\"e.example\"]\n"
        "targets:\n"
        "  - \"z.example\"\n");
    target_list_t list = { 0 };
    inventory_errors_t errs = { 0 };
    size_t ngroups = 0;
    size_t n = inventory_load_all(path, &list, &errs, &ngroups);
    check(n == 0 && list.count == 4 && ngroups == 2, "groups: four targets, two groups", n ? errs.lines[0] : "count");
    if (n == 0 && list.count == 4) {
        target_t *t = list.items;
        char want_ca[300];
        snprintf(want_ca, sizeof want_ca, "%s/g-root.pem", dir);
        check(strcmp(t[0].host, "p.example") == 0 && t[0].port == 9443 && tags_are(&t[0], "pci,payments") &&
                  t[0].internal && strcmp(t[0].ca_file, want_ca) == 0,
              "group defaults override the top level's; the name is a tag", t[0].spec);
        check(t[1].port == 1000 && tags_are(&t[1], "x,payments") && !t[1].internal,
              "target fields override the group's defaults (name tag not repeated)", t[1].spec);
        snprintf(want_ca, sizeof want_ca, "%s/root.pem", dir);
        check(t[2].port == 8443 && tags_are(&t[2], "prod,edge") && strcmp(t[2].ca_file, want_ca) == 0,
              "a group without defaults takes the top level's", t[2].spec);
        check(t[3].port == 8443 && tags_are(&t[3], "prod"), "top-level targets: no group tag", t[3].spec);
        check(t[0].index == 0 && t[1].index == 1 && t[2].index == 2 && t[3].index == 3,
              "index: the file's order", "wrong index");
    }
    inventory_errors_free(&errs);
    target_list_free(&list);
}

/* Every error of a file at once, in the file's order. */
static void test_every_error(void)
{
    const char *path = write_file("many.yaml",
        "defaults:\n"
        "  port: 0\n"
        "groups:\n"
        "  - name: g\n"
        "    colour: red\n"
        "    targets: [\"a:0\"]\n"
        "  - name: g\n"
        "    targets: []\n"
        "  - defaults: {}\n"
        "targets:\n"
        "  - host: a\n"
        "    port: x\n"
        "    ip: y\n"
        "  - host: b\n"
        "extra: 1\n");
    static const char *const want[] = {
        "2:9: field 'port': '0' is not a port number from 1 to 65535",
        "5:5: field 'colour': unknown field in a group (known: name, defaults, targets)",
        "6:15: target 'a:0': port '0' is not a number from 1 to 65535",
        "7:11: field 'name': a second group named 'g'",
        "9:5: field 'name': missing (every group needs a name)",
        "9:5: field 'targets': missing (a group lists its targets)",
        "12:11: field 'port': 'x' is not a port number from 1 to 65535",
        "13:9: field 'ip': 'y' is not an IPv4 or IPv6 address",
        "15:1: field 'extra': unknown top-level field (known: defaults, groups, targets)",
    };
    enum { NWANT = sizeof want / sizeof *want };
    target_list_t list = { 0 };
    inventory_errors_t errs = { 0 };
    size_t n = inventory_load_all(path, &list, &errs, NULL);
    int same = n == NWANT && errs.count == NWANT;
    char detail[1200] = "";
    for (size_t i = 0; i < errs.count; i++) {
        char w[300];
        snprintf(w, sizeof w, "%s:%s", path, i < NWANT ? want[i] : "");
        if (strcmp(errs.lines[i], w) != 0 && same) {
            same = 0;
            snprintf(detail, sizeof detail, "line %zu: got '%s', want '%s'", i + 1, errs.lines[i], w);
        }
    }
    if (!*detail)
        snprintf(detail, sizeof detail, "%zu errors, want %d", n, NWANT);
    check(same, "every error of the file, in its order", detail);
    inventory_errors_free(&errs);
    target_list_free(&list);
}

/* Targets are read one at a time, outside the document: an alias still reaches an anchor in
 * another target, a group's defaults, or a whole list, and marks stay the anchor's. */
static void test_aliases(void)
{
    const char *path = write_file("alias.yaml",
        "targets:\n"
        "  - host: a.example\n"
        "    port: 1\n"
        "    tags: &t [web, prod]\n"
        "  - &m {host: b.example, port: 2, exposure: internal}\n"
        "  - {host: c.example, port: 3, tags: *t}\n"
        "  - *m\n"
        "groups:\n"
        "  - name: g\n"
        "    targets: &l\n"
        "      - d.example:4\n"
        "    defaults: {tags: *t}\n"
        "  - name: h\n"
        "    targets: *l\n"
        "    defaults: {port: 9}\n");
    target_list_t list = { 0 };
    inventory_errors_t errs = { 0 };
    size_t n = inventory_load_all(path, &list, &errs, NULL);
    check(n == 0 && list.count == 6, "aliases: six targets", n ? errs.lines[0] : "count");
    if (n == 0 && list.count == 6) {
        target_t *t = list.items;
        check(tags_are(&t[2], "web,prod") && t[2].port == 3, "aliases: tags of another target", t[2].spec);
        check(strcmp(t[3].spec, "b.example:2") == 0 && t[3].internal && strstr(t[3].origin, ":5"),
              "aliases: a whole target, at its anchor's line", t[3].origin);
        check(tags_are(&t[4], "web,prod,g") && t[4].port == 4, "aliases: a group's defaults", t[4].spec);
        check(strcmp(t[5].spec, "d.example:4") == 0 && tags_are(&t[5], "h") && t[5].index == 5,
              "aliases: a whole list in another group", t[5].spec);
    }
    inventory_errors_free(&errs);
    target_list_free(&list);
}

/* A packed target unpacks as it was: every field, strings as new allocations. */
static void test_pack(void)
{
    const char *path = write_file("pack.yaml",
        "targets:\n"
        "  - a.example:443\n"
        "  - host: 192.0.2.1\n"
        "    port: 8443\n"
        "    sni: s.example\n"
        "    ip: 127.0.0.1\n"
        "    tags: [x, y]\n"
        "    ca: root.pem\n"
        "    pin-sha256: [\"sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"]\n"
        "    starttls: smtp\n"
        "    http_port: 8080\n"
        "    exposure: internal\n"
        "    mtls: required\n");
    target_list_t list = { 0 };
    char err[512] = "";
    int rc = inventory_load(path, &list, err, sizeof err);
    check(rc == 0 && list.count == 2, "pack: the inventory loads", err);
    target_pack_t pack;
    target_t out[2];
    size_t at = 0;
    if (rc != 0 || list.count != 2 || target_pack_from_list(&pack, &list) != 0) {
        target_list_free(&list);
        return;
    }
    check(pack.count == 2 && target_pack_read(&pack, &at, out, 2) == 0 && at == pack.len, "pack: read back whole", "");
    for (size_t i = 0; i < 2; i++) {
        const target_t *a = &list.items[i], *b = &out[i];
        char ia[300], ib[300];
        target_identity(a, ia, sizeof ia);
        target_identity(b, ib, sizeof ib);
        bool same = strcmp(ia, ib) == 0 && strcmp(a->spec, b->spec) == 0 && strcmp(a->origin, b->origin) == 0 &&
                    a->index == b->index && target_same_settings(a, b) && a->spec != b->spec;
        check(same, i ? "pack: a target with every field" : "pack: a host:port target", b->origin);
        target_free(&out[i]);
    }
    target_pack_free(&pack);
    target_list_free(&list);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    write_file("root.pem", ca_pem);
    const char *path = write_file("inv.yaml",
        "# comment\n"
        "defaults:\n"
        "  port: 8443\n"
        "  ca: root.pem\n"
        "  tags: [prod]\n"
        "targets:\n"
        "  - \"a.example\"\n"
        "  - \"b.example:9443\"\n"
        "  - host: c.example\n"
        "    port: 10443\n"
        "    sni: other.example\n"
        "    tags: [web, pci]\n"
        "  - host: 192.0.2.7\n"
        "    ip: 127.0.0.1\n"
        "    tags: []\n"
        "  - host: \"::1\"\n");
    target_list_t list = { 0 };
    char err[512] = "", want_ca[300], detail[512];
    snprintf(want_ca, sizeof want_ca, "%s/root.pem", dir);
    int rc = inventory_load(path, &list, err, sizeof err);
    check(rc == 0 && list.count == 5, "inventory loads five targets", err);
    if (rc == 0 && list.count == 5) {
        target_t *t = list.items;
        snprintf(detail, sizeof detail, "%s %u %s", t[0].spec, t[0].port, t[0].origin);
        check(strcmp(t[0].host, "a.example") == 0 && t[0].port == 8443 && strcmp(t[0].sni, "a.example") == 0,
              "string entry takes the default port", detail);
        check(t[1].port == 9443, "string entry with a port keeps it", detail);
        check(strcmp(t[2].sni, "other.example") == 0 && t[2].port == 10443 && strcmp(t[2].spec, "c.example:10443") == 0,
              "mapping: sni, port, spec", t[2].spec);
        check(t[2].ntags == 2 && strcmp(t[2].tags[0], "web") == 0 && strcmp(t[2].tags[1], "pci") == 0,
              "mapping: tags replace the default", "wrong tags");
        check(t[0].ntags == 1 && strcmp(t[0].tags[0], "prod") == 0, "default tags", "wrong tags");
        check(t[3].ntags == 0 && strcmp(t[3].ip, "127.0.0.1") == 0 && t[3].sni == NULL,
              "ip: given, empty tags, no SNI for an address", "wrong");
        check(t[0].ca_file && strcmp(t[0].ca_file, want_ca) == 0, "ca: relative to the inventory", t[0].ca_file ? t[0].ca_file : "(null)");
        check(strcmp(t[4].host, "::1") == 0 && strcmp(t[4].spec, "[::1]:8443") == 0, "IPv6 host, spec in brackets", t[4].spec);
        char want_origin[300];
        snprintf(want_origin, sizeof want_origin, "%s:9", path);
        check(strcmp(t[2].origin, want_origin) == 0, "origin is FILE:LINE of the entry", t[2].origin);
    }
    target_list_free(&list);

    expect_error("port not a number", "targets:\n  - host: a\n    port: notaport\n",
                 "3:11: field 'port': 'notaport' is not a port number from 1 to 65535");
    expect_error("port out of range", "targets:\n  - host: a\n    port: 70000\n",
                 "3:11: field 'port': '70000' is not a port number from 1 to 65535");
    expect_error("unknown field", "targets:\n  - host: a\n    hots: x\n",
                 "3:5: field 'hots': unknown field (known: host, port, sni, ip, tags, ca, pin-sha256, starttls, http_port, client_cert, client_key, exposure, mtls, ech_config_list)");
    expect_error("field given twice", "targets:\n  - host: a\n    host: b\n", "3:5: field 'host': given twice");
    expect_error("missing host", "targets:\n  - port: 5\n", "2:5: field 'host': missing (every target needs a host)");
    expect_error("host with a port", "targets:\n  - host: a:5\n",
                 "2:11: field 'host': 'a:5' is not a host name or address (put the port in 'port')");
    expect_error("bad ip", "targets:\n  - host: a\n    ip: a.b\n", "3:9: field 'ip': 'a.b' is not an IPv4 or IPv6 address");
    expect_error("tags not a list", "targets:\n  - host: a\n    tags: x\n", "3:11: field 'tags': expected a list of strings");
    expect_error("bad starttls", "targets:\n  - host: a\n    starttls: https\n",
                 "3:15: field 'starttls': 'https' is not a STARTTLS protocol (smtp, submission, imap, pop3, ftp, ldap, xmpp, postgres, mysql)");
    expect_error("client_key without client_cert", "targets:\n  - host: a\n    client_key: k.pem\n",
                 "3:17: field 'client_key': needs client_cert");
    expect_error("bad pin", "targets:\n  - host: a\n    pin-sha256: abc\n",
                 "3:17: field 'pin-sha256': 'abc' is not a base64 SHA-256 pin (sha256/ and 44 characters)");
    expect_error("missing targets", "defaults:\n  port: 1\n", "1:1: field 'targets': missing");
    expect_error("targets not a list", "targets: a\n", "1:10: field 'targets': expected a list of targets");
    expect_error("unknown top-level field", "target:\n  - a\n", "1:1: field 'target': unknown top-level field (known: defaults, groups, targets)");
    expect_error("bad string target", "targets:\n  - \"a:0\"\n",
                 "2:5: target 'a:0': port '0' is not a number from 1 to 65535");
    expect_error("empty file", "", "1:1: field 'targets': missing (the file is empty)");
    expect_error("NUL in a host", "targets:\n  - host: \"127.0.0.1\\0.evil\"\n",
                 "2:11: field 'host': '127.0.0.1\\0.evil' holds a NUL byte (\\0): a string would end there, so it is refused");
    expect_error("escape in a key", "targets:\n  - \"a\\eb\": 1\n",
                 "2:5: 'a\\x1bb' holds a control character (0x1B): refused");
    expect_error("65 levels", "targets: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n",
                 "1:73: nested deeper than 64 levels: refused");
    expect_error("a second document", "targets: [a]\n---\ntargets: [b]\n",
                 "2:1: a second YAML document (---): one document per inventory");
    write_file("empty.pem", "");
    char no_cert[400];
    snprintf(no_cert, sizeof no_cert, "3:9: field 'ca': cannot load trust anchors from %s/empty.pem: no certificate or "
             "crl found", dir);
    expect_error("a ca without a certificate", "targets:\n  - host: a\n    ca: empty.pem\n", no_cert);
    expect_error("unreadable ca", "targets:\n  - host: a\n    ca: /nonexistent/x.pem\n",
                 "3:9: field 'ca': cannot read '/nonexistent/x.pem': No such file or directory");
    expect_error("syntax error", "targets:\n  - host: a\n    tags: [a, b\n",
                 "4:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence");

    list = (target_list_t){ 0 };
    path = write_file("pins.yaml", "targets:\n  - host: a\n    pin-sha256: \"sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n"
                                  "  - host: b\n    pin-sha256: [\"sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\", "
                                  "\"B+/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=\"]\n");
    rc = inventory_load(path, &list, err, sizeof err);
    check(rc == 0 && list.count == 2 && list.items[0].npins == 1 && list.items[1].npins == 2 &&
              strcmp(list.items[1].pins[1], "B+/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=") == 0,
          "pin-sha256: one string or a list, with or without sha256/", err);
    target_list_free(&list);

    test_groups();
    test_aliases();
    /* Targets are built with aliases expanded: what an alias expands to is bounded too. */
    char deep[400];
    snprintf(deep, sizeof deep, "targets:\n  - {host: a, tags: &d %.40s1%.40s}\n  - {host: b, tags: %.30s*d%.30s}\n",
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
    expect_error("an alias expanding past 64 levels of nesting", deep,
                 "3:51: nested deeper than 64 levels once aliases are expanded: refused");
    test_pack();
    test_every_error();

    list = (target_list_t){ 0 };
    rc = inventory_load("/nonexistent/inv.yaml", &list, err, sizeof err);
    check(rc == -1 && strcmp(err, "/nonexistent/inv.yaml: cannot open inventory: No such file or directory") == 0,
          "missing file", err);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    x509_store_cache_clear();
    return failures ? 1 : 0;
}
