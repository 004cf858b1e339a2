/* The per-protocol readers of authentication facts (starttls_auth.c), named by the dialogues
 * (starttls_dialogue_t.auth_facts). Internal to src/starttls. */
#ifndef TLSPROBE_STARTTLS_AUTH_H
#define TLSPROBE_STARTTLS_AUTH_H

#include "starttls.h"

int starttls_auth_smtp(const starttls_transcript_t *t, json_object *mechs);
int starttls_auth_imap(const starttls_transcript_t *t, json_object *mechs);
int starttls_auth_pop3(const starttls_transcript_t *t, json_object *mechs);
int starttls_auth_xmpp(const starttls_transcript_t *t, json_object *mechs);
int starttls_auth_ldap(const starttls_transcript_t *t, json_object *mechs);

#endif
