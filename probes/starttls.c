/* starttls: what a service offers before TLS, for the cleartext-fallback requirements.
 * One extra cleartext connection that never upgrades: greeting, capabilities (EHLO, IMAP
 * CAPABILITY, POP3 CAPA, FTP FEAT, XMPP features, LDAP RootDSE, MySQL greeting), and for
 * databases a login attempt without TLS. PostgreSQL needs a second connection when its
 * SSLRequest is answered 'S' (after 'S' only TLS may follow, and the plain StartupMessage
 * must come from a fresh connection). The other probes run over STARTTLS through
 * probe_connect; this one is the only place the cleartext side is examined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "probe.h"
#include "starttls.h"

static json_object *tristate(int v)
{
    return v < 0 ? NULL : json_object_new_boolean(v);
}

static json_object *nullable_string(const char *s)
{
    return s && *s ? json_object_new_string(s) : NULL;
}

/* The cleartext connection: counted like every other, but never upgraded. */
static int plain_connect(probe_ctx_t *ctx, char *err, size_t errlen)
{
    endpoint_t *ep = ctx->ep;
    atomic_fetch_add(&ep->connections, 1);
    return net_connect((const struct sockaddr *)&ep->addr, ep->addrlen, ep->opts->timeout_s, err, errlen);
}

static json_object *caps_json(const starttls_transcript_t *t)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < t->ncaps; i++)
        json_object_array_add(a, json_object_new_string(t->caps[i]));
    return a;
}

static probe_status_t starttls_run(probe_ctx_t *ctx)
{
    json_object *out = ctx->out;
    const target_t *target = ctx->ep->target;
    const service_t *svc = target ? target->service : NULL;
    /* A service without a cleartext dialogue is HTTPS: its cleartext side (redirects, HSTS) is
     * the http probe's. */
    if (!svc || !svc->dialogue) {
        json_object_object_add(out, "applicable", json_object_new_boolean(0));
        return PROBE_OK;
    }
    json_object_object_add(out, "applicable", json_object_new_boolean(1));
    json_object_object_add(out, "protocol", json_object_new_string(svc->protocol));
    json_object_object_add(out, "implicit_tls", json_object_new_boolean(!svc->starttls));
    if (!svc->starttls) {
        probe_status_here(ctx);
        return PROBE_OK;
    }

    starttls_transcript_t *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(ctx->err, sizeof ctx->err, "out of memory");
        return PROBE_ERROR;
    }
    const char *host = ctx->ep->sni ? ctx->ep->sni : target->host;
    double timeout = ctx->ep->opts->timeout_s;
    const starttls_dialogue_t *d = svc->dialogue;
    bool database = d->plaintext_login != NULL;
    probe_status_t st = PROBE_OK;
    char error[256] = "";
    int fd = plain_connect(ctx, error, sizeof error);
    if (fd < 0) {
        st = PROBE_UNREACHABLE;
        t->starttls_offered = t->plaintext_accepted = -1;
    } else if (starttls_discover(fd, d, host, timeout, t, error, sizeof error) < 0) {
        st = PROBE_ERROR;
    } else if (database) {
        if (d->login_needs_fresh_connection && t->starttls_offered == 1) {
            net_close(fd);
            fd = plain_connect(ctx, error, sizeof error);
        }
        if (fd >= 0 && starttls_plaintext_attempt(fd, d, timeout, t, error, sizeof error) < 0)
            st = PROBE_ERROR;
        if (fd < 0)
            st = PROBE_ERROR;
    }
    net_close(fd);

    json_object *mechs = json_object_new_array();
    int auth_before = d->auth_facts ? d->auth_facts(t, mechs) : -1;
    if (st != PROBE_OK)
        auth_before = -1;   /* a list cut short proves no absence */
    json_object_object_add(out, "starttls_offered", tristate(t->starttls_offered));
    if (d->states_starttls_required)
        json_object_object_add(out, "starttls_required", tristate(t->starttls_offered == 1 ?
                                                                      starttls_has_cap(t, "starttls required") : -1));
    json_object_object_add(out, "auth_before_starttls", tristate(auth_before));
    if (auth_before < 0 && json_object_array_length(mechs) == 0) {
        json_object_put(mechs);
        mechs = NULL;
    }
    json_object_object_add(out, "auth_mechanisms_cleartext", mechs);
    json_object_object_add(out, "banner", nullable_string(t->banner));
    json_object_object_add(out, "capabilities", caps_json(t));
    json_object_object_add(out, "plaintext_accepted", tristate(t->plaintext_accepted));
    json_object_object_add(out, "plaintext_reply", nullable_string(t->plaintext_reply));
    /* The cleartext dialogue's error is a fact even when there is none. */
    probe_error_here(ctx);
    probe_status_here(ctx);
    snprintf(ctx->err, sizeof ctx->err, "%s", error);
    starttls_transcript_free(t);
    free(t);
    return st;
}

render_text_fn starttls_render_text;   /* probes/starttls_render.c */

const probe_module_t probe_starttls = {
    .name = "starttls",
    .help = "what a STARTTLS service offers in cleartext: STARTTLS, authentication, plaintext logins",
    .needs = NULL,
    .run = starttls_run,
    .chain = 2,   /* as versions: both need nothing, and it goes first (registry order) */
    .render_text = starttls_render_text,
};
