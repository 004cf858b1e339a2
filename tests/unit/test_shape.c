/* hello_shape and hello_split_suites: the shapes hellos are cut to, that no hello a shape
 * makes falls in the 256..511-byte window once the endpoint taught it to avoid it, when a hello
 * counts as one the endpoint answered, what merging a task's copy keeps, and how a closed-on
 * set is split. No network. */
#include <stdio.h>
#include <string.h>

#include "hello_shape.h"
#include "iana.h"
#include "wire.h"

static int failures;

static void check(int cond, const char *name)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", name);
    failures += !cond;
}

/* The handshake message length of p as built (key shares generated: real keys). */
static size_t built_len(const hello_profile_t *p)
{
    uint8_t buf[WIRE_HELLO_MAX + 64];
    size_t len;
    char err[160];
    if (wire_build_client_hello(&p->opts, buf, sizeof buf, &len, err, sizeof err) != 0)
        return 0;
    return len - WIRE_RECORD_HEADER;
}

static bool has_code(const hello_profile_t *p, uint16_t code)
{
    for (size_t i = 0; i < p->opts.nsuites; i++)
        if (p->opts.suites[i] == code)
            return true;
    return false;
}

static hello_profile_t prof;
static uint16_t suites[HELLO_MAX_CODES], suites3[HELLO_MAX_CODES];

static void test_fit_limits(void)
{
    hello_shape_t s;
    hello_shape_init(&s);
    size_t n = iana_suites_for_version(WIRE_TLS12, suites, HELLO_MAX_CODES);
    hello_profile_init(&prof, "localhost", WIRE_TLS12);
    check(hello_shape_fit(&s, &prof, suites, n, 0) == n && prof.opts.nsuites == n + 1,
          "nothing learned: every suite, and the SCSV");
    s.max_codes = 128;
    hello_profile_init(&prof, "localhost", WIRE_TLS12);
    check(hello_shape_fit(&s, &prof, suites, n, 0) == 127 && prof.opts.nsuites == 128 &&
              has_code(&prof, IANA_SCSV_EMPTY_RENEGOTIATION_INFO),
          "128 codes: 127 suites and the SCSV (servers count it)");
    check(prof.opts.suites[0] == suites[0] && prof.opts.suites[126] == suites[126], "the first suites, in order");
    size_t n13 = iana_suites_for_version(WIRE_TLS13, suites, HELLO_MAX_CODES);
    s.max_codes = 8;
    hello_profile_init(&prof, "localhost", WIRE_TLS13);
    check(hello_shape_fit(&s, &prof, suites, n13, 0) == 8 && prof.opts.nsuites == 8, "TLS 1.3: no SCSV to count");
}

static void test_fit_levels(void)
{
    hello_shape_t s;
    hello_shape_init(&s);
    size_t n = iana_suites_for_version(WIRE_TLS13, suites, HELLO_MAX_CODES);
    s.level = HELLO_EXT_COMPACT;
    hello_profile_init(&prof, "localhost", WIRE_TLS13);
    hello_shape_fit(&s, &prof, suites, n, 0);
    check(prof.opts.ngroups == 6 && prof.opts.nsigalgs == 14 && prof.opts.nkey_shares == 1 &&
              !prof.opts.psk_key_exchange_modes && prof.opts.padding,
          "compact: 6 groups, 14 signature schemes, one key share, no psk modes, padding kept");
    hello_profile_init(&prof, "localhost", WIRE_TLS13);
    size_t groups = prof.opts.ngroups, sigalgs = prof.opts.nsigalgs;
    hello_shape_fit(&s, &prof, suites, n, HELLO_KEEP_GROUPS | HELLO_KEEP_SIGALGS);
    check(prof.opts.ngroups == groups && prof.opts.nsigalgs == sigalgs, "compact keeps the lists a probe enumerates");

    s.level = HELLO_EXT_KNOWN;
    hello_profile_init(&prof, "localhost", WIRE_TLS13);
    hello_shape_fit(&s, &prof, suites, n, 0);
    check(!prof.opts.padding && prof.opts.nversions == 1 && prof.opts.nkey_shares == 1,
          "known extensions, TLS 1.3: no padding, supported_versions and a key share stay");
    size_t all = iana_suites_for_version(WIRE_TLS12, suites, HELLO_MAX_CODES);
    hello_profile_init_all_versions(&prof, "localhost");
    hello_shape_fit(&s, &prof, suites, all, 0);
    check(!prof.opts.padding && prof.opts.nversions == 0 && prof.opts.nkey_shares == 0 &&
              !prof.opts.key_share_empty && prof.opts.client_version == WIRE_TLS12 && prof.opts.ngroups == 6,
          "known extensions: the everything-hello becomes a TLS 1.2 hello");
}

/* Every hello a shape makes, for every suite count, is outside 256..511 bytes. */
static void test_window(void)
{
    static const uint16_t versions[] = { WIRE_SSL3, WIRE_TLS10, WIRE_TLS12, WIRE_TLS13 };
    static const hello_ext_level_t levels[] = { HELLO_EXT_FULL, HELLO_EXT_COMPACT, HELLO_EXT_KNOWN };
    size_t inside = 0, hellos = 0;
    for (size_t v = 0; v < 4; v++)
        for (size_t l = 0; l < 3; l++) {
            size_t n = iana_suites_for_version(versions[v], suites, HELLO_MAX_CODES);
            hello_shape_t s;
            hello_shape_init(&s);
            s.level = levels[l];
            s.avoid_window = true;
            for (size_t k = 1; k <= n; k++) {
                hello_profile_init(&prof, "a-fairly-long-server-name.example.org", versions[v]);
                hello_shape_fit(&s, &prof, suites, k, 0);
                size_t len = built_len(&prof);
                hellos++;
                inside += len >= 256 && len <= 511;
            }
        }
    char name[120];
    snprintf(name, sizeof name, "once taught, no hello in 256..511 bytes (%zu hellos, every shape and count)", hellos);
    check(inside == 0, name);

    /* Untaught, the SSLv3 hello (no extensions, no padding) is in the window: it is what
     * teaches the endpoint's shape when a server drops it. */
    hello_shape_t s;
    hello_shape_init(&s);
    size_t n = iana_suites_for_version(WIRE_SSL3, suites, HELLO_MAX_CODES);
    hello_profile_init(&prof, NULL, WIRE_SSL3);
    hello_shape_fit(&s, &prof, suites, n, 0);
    size_t len = built_len(&prof);
    check(len >= 256 && len <= 511 && prof.opts.nsuites == n + 1, "untaught: the SSLv3 hello is sent whole");
    s.avoid_window = true;
    hello_profile_init(&prof, NULL, WIRE_SSL3);
    size_t k = hello_shape_fit(&s, &prof, suites, n, 0);
    len = built_len(&prof);
    check(len < 256 && k > 64 && k < n, "taught: the SSLv3 hello is cut below 256 bytes");
}

static void test_known(void)
{
    hello_shape_t s;
    hello_shape_init(&s);
    size_t n = iana_suites_for_version(WIRE_TLS12, suites, HELLO_MAX_CODES);
    hello_profile_init(&prof, "localhost", WIRE_TLS12);
    hello_shape_fit(&s, &prof, suites, n, 0);
    check(!hello_shape_known(&s, &prof), "nothing answered: no shape known");
    hello_shape_note(&s, &prof, TLS_RAW_CLOSED);
    check(!hello_shape_known(&s, &prof) && !s.answered_any, "a close teaches nothing");
    hello_shape_note(&s, &prof, TLS_RAW_ALERT);
    check(hello_shape_known(&s, &prof) && s.answered_any && s.alerts, "an alert: that shape is known, refusals alert");

    hello_profile_init(&prof, "localhost", WIRE_TLS12);
    hello_shape_fit(&s, &prof, suites, 40, 0);
    check(prof.opts.padding && built_len(&prof) == 512, "40 suites: padded to 512 bytes");
    check(!hello_shape_known(&s, &prof), "padding was never answered: not known");

    hello_profile_init(&prof, "localhost", WIRE_TLS12);
    hello_shape_fit(&s, &prof, suites, 200, 0);
    check(hello_shape_known(&s, &prof), "fewer suites, same extensions, shorter: known");

    hello_profile_init(&prof, "localhost", WIRE_TLS13);
    size_t n13 = iana_suites_for_version(WIRE_TLS13, suites, HELLO_MAX_CODES);
    hello_shape_fit(&s, &prof, suites, n13, 0);
    check(!hello_shape_known(&s, &prof), "TLS 1.3 extensions never answered: not known");

    /* A window hello is known only when a window hello was answered. */
    hello_shape_t w;
    hello_shape_init(&w);
    hello_profile_init(&prof, NULL, WIRE_SSL3);
    n = iana_suites_for_version(WIRE_SSL3, suites, HELLO_MAX_CODES);
    hello_shape_fit(&w, &prof, suites, 20, 0);
    hello_shape_note(&w, &prof, TLS_RAW_ALERT);
    hello_profile_init(&prof, NULL, WIRE_SSL3);
    hello_shape_fit(&w, &prof, suites, n, 0);
    check(!hello_shape_known(&w, &prof), "answered below 256 bytes: a 256..511 one is not known");
}

/* Two copies of a shape, each noting another answered hello, merged in either order: every
 * hello either taught is known, the larger of two of one kind replaces the smaller, and the
 * flags are ORed. */
static void test_merge(void)
{
    hello_shape_t start, a, b, ab, ba;
    hello_shape_init(&start);
    size_t n12 = iana_suites_for_version(WIRE_TLS12, suites, HELLO_MAX_CODES);
    hello_profile_init(&prof, "localhost", WIRE_TLS12);
    hello_shape_fit(&start, &prof, suites, 20, 0);
    hello_shape_note(&start, &prof, TLS_RAW_ACCEPTED);
    a = b = start;
    hello_profile_init(&prof, "localhost", WIRE_TLS12);
    hello_shape_fit(&a, &prof, suites, n12, 0);
    hello_shape_note(&a, &prof, TLS_RAW_ALERT);
    hello_profile_init(&prof, NULL, WIRE_SSL3);
    size_t n3 = iana_suites_for_version(WIRE_SSL3, suites3, HELLO_MAX_CODES);
    hello_shape_fit(&b, &prof, suites3, n3, 0);
    check(built_len(&prof) >= 256 && built_len(&prof) <= 511, "merge: the SSLv3 hello is in the window");
    hello_shape_note(&b, &prof, TLS_RAW_ALERT);
    check(!start.alerts && a.alerts && b.alerts, "merge: the copies learned an alert each");
    ab = ba = start;
    hello_shape_merge(&ab, &a);
    hello_shape_merge(&ab, &b);
    hello_shape_merge(&ba, &b);
    hello_shape_merge(&ba, &a);
    hello_profile_init(&prof, "localhost", WIRE_TLS12);
    hello_shape_fit(&start, &prof, suites, n12, 0);
    check(!hello_shape_known(&start, &prof) && hello_shape_known(&ab, &prof) && hello_shape_known(&ba, &prof),
          "merge: the full TLS 1.2 hello one copy saw answered is known after merging, in either order");
    hello_profile_init(&prof, NULL, WIRE_SSL3);
    hello_shape_fit(&start, &prof, suites3, n3, 0);
    check(!hello_shape_known(&start, &prof) && hello_shape_known(&ab, &prof) && hello_shape_known(&ba, &prof),
          "merge: the SSLv3 hello the other copy saw answered is known too");
    check(a.nseen == 2 && b.nseen == 2 && ab.nseen == 3 && ba.nseen == 3,
          "merge: the start's hello and what each copy added, none twice");
    check(ab.alerts && ab.answered_any && ab.level == start.level && ab.max_codes == start.max_codes,
          "merge: flags ORed, the fit unchanged");
}

static void test_split(void)
{
    /* ECDHE, RSA, DHE, TLS 1.3, ECDHE, DHE in offer order. */
    const uint16_t in[] = { 0xC02F, 0x009C, 0x009E, 0x1301, 0xC013, 0x0033 };
    uint16_t out[8];
    size_t ends[4];
    size_t np = hello_split_suites(in, 6, false, out, ends);
    const uint16_t want[] = { 0xC02F, 0xC013, 0x009E, 0x0033, 0x009C, 0x1301 };
    check(np == 4 && ends[0] == 2 && ends[1] == 4 && ends[2] == 5 && ends[3] == 6 &&
              memcmp(out, want, sizeof want) == 0,
          "split by key exchange: ECDHE, DHE, RSA, the rest, each in offer order");
    np = hello_split_suites(in, 6, true, out, ends);
    const uint16_t want2[] = { 0xC02F, 0xC013, 0x009C, 0x009E, 0x1301, 0x0033 };
    check(np == 2 && ends[0] == 2 && ends[1] == 6 && memcmp(out, want2, sizeof want2) == 0,
          "two families: ECDHE and the rest");
    const uint16_t one[] = { 0x1301, 0x1302, 0x1303, 0x1304, 0x1305 };
    np = hello_split_suites(one, 5, false, out, ends);
    check(np == 2 && ends[0] == 2 && ends[1] == 5 && memcmp(out, one, sizeof one) == 0, "one family: halves");
    np = hello_split_suites(one, 1, false, out, ends);
    check(np == 1 && ends[0] == 1 && out[0] == 0x1301, "a single suite: one part");
}

int main(void)
{
    test_fit_limits();
    test_fit_levels();
    test_window();
    test_known();
    test_merge();
    test_split();
    return failures ? 1 : 0;
}
