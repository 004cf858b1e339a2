/* The body of the STARTTLS fuzz targets (fuzz_starttls_<protocol>.c define FUZZ_DIALOGUE and
 * include this): the input is everything the server sends, written ahead into one end of a
 * socketpair whose write side is then shut, so the real dialogue (src/starttls/) runs over its
 * real bounded reader and ends at the input's end ("connection closed") at the latest; never
 * waits. Each input runs on fresh connections as the whole upgrade (starttls_negotiate), as
 * discovery (starttls_discover: LDAP's RootDSE) and, for databases, as the reply to the
 * cleartext login attempt (starttls_plaintext_attempt); then the capability readers. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "starttls.h"

/* Below the socket buffer: the whole input is written before the dialogue starts. */
#define FUZZ_STARTTLS_MAX (96 * 1024)

/* Returns our end; *peer is the server's, kept open (not read) until the dialogue is over, so
 * that our requests are sent (a closed peer would fail the first one). */
static int server_said(const uint8_t *data, size_t size, int *peer)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    int sndbuf = 2 * FUZZ_STARTTLS_MAX;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    size_t off = 0;
    while (off < size) {
        ssize_t n = send(sv[1], data + off, size - off, MSG_DONTWAIT);
        if (n <= 0)
            break;   /* the rest is dropped: the dialogue sees a shorter server */
        off += (size_t)n;
    }
    /* Our requests land in sv[1]'s receive buffer, never read: each dialogue sends a few. */
    shutdown(sv[1], SHUT_WR);
    *peer = sv[1];
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    return sv[0];
}

/* The transcript's text is printable ASCII (starttls.h), and so is every error: a server's
 * bytes reach reports. */
static void require_printable(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e)
            abort();
}

static void check_transcript(const starttls_transcript_t *t, const char *err)
{
    size_t bytes = 0;
    for (size_t i = 0; i < t->ncaps; i++) {
        bytes += strlen(t->caps[i]) + 1;
        require_printable(t->caps[i]);
    }
    require_printable(t->banner);
    require_printable(t->reply);
    require_printable(t->plaintext_reply);
    require_printable(err);
    if (bytes > STARTTLS_MAX_CAPS_BYTES || strnlen(err, 256) == 256 ||
        strnlen(t->banner, sizeof t->banner) == sizeof t->banner || strnlen(t->reply, sizeof t->reply) == sizeof t->reply)
        abort();
    if (getenv("FUZZ_PRINT"))   /* to check the seeds */
        printf("err \"%s\" banner \"%s\" caps %zu offered %d reply \"%s\" plaintext %d \"%s\"\n", err,
               t->banner, t->ncaps, t->starttls_offered, t->reply, t->plaintext_accepted, t->plaintext_reply);
    const starttls_dialogue_t *d = &FUZZ_DIALOGUE;
    if (d->auth_facts) {
        json_object *mechs = json_object_new_array();
        d->auth_facts(t, mechs);
        json_object_put(mechs);
    }
    starttls_has_cap(t, "STARTTLS");
    starttls_has_cap(t, "AUTH=");
}

/* One dialogue on a fresh connection whose server says data: 0 upgrade, 1 discovery only,
 * 2 the cleartext login attempt (databases; its reply is read from the start of data). */
static void run(const starttls_dialogue_t *d, int mode, const uint8_t *data, size_t size)
{
    starttls_transcript_t t = { 0 };
    char err[256];
    int peer, fd = server_said(data, size, &peer);
    if (mode == 0)
        starttls_negotiate(fd, d, "example.com", 5.0, &t, err, sizeof err);
    else if (mode == 1)
        starttls_discover(fd, d, "example.com", 5.0, &t, err, sizeof err);
    else
        starttls_plaintext_attempt(fd, d, 5.0, &t, err, sizeof err);
    check_transcript(&t, err);
    close(fd);
    close(peer);
    starttls_transcript_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_STARTTLS_MAX)
        return 0;
    const starttls_dialogue_t *d = &FUZZ_DIALOGUE;
    for (int mode = 0; mode < (d->plaintext_login ? 3 : 2); mode++)
        run(d, mode, data, size);
    return 0;
}
