/* For fuzz targets that parse targets (target strings, inventories, policies): the service
 * table (src/starttls/service.c) names each service's dialogue, which such parsing never runs,
 * so empty dialogues stand in and the STARTTLS code and its sockets stay out of the target. */
#ifndef FUZZ_SERVICE_STUBS_H
#define FUZZ_SERVICE_STUBS_H

#include "starttls.h"

const starttls_dialogue_t starttls_smtp, starttls_imap, starttls_pop3, starttls_ftp, starttls_xmpp;
const starttls_dialogue_t starttls_ldap, starttls_postgres, starttls_mysql;

#endif
