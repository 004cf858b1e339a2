/* DNS HTTPS records (type 65, RFC 9460) of an endpoint, as the fact the report shows: the
 * answer message of an ares_query (c-ares 1.18 has no HTTPS parser, so the message is read
 * here: header, question, answers and CNAME chain, then each RDATA through svcb_parse) turned
 * into one JSON object, owned by the endpoint as endpoint_t.dns_https:
 *   {"owner", "result": "found"|"no record"|"nxdomain"|"timeout"|"error", "error",
 *    "alias_of", "records": [{"priority", "target", "alpn", "port", "ipv4hint", "ipv6hint",
 *    "ech" (base64), "malformed"}]}
 * Internal to src/net: only resolve.c asks the questions. */
#ifndef TLSPROBE_HTTPS_RR_H
#define TLSPROBE_HTTPS_RR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#define HTTPS_RR_TYPE 65
/* Records kept per answer (answer order); any beyond are not reported. A real RRSet has a
 * handful; the cap bounds the report for a hostile one. */
#define HTTPS_RR_MAX_RECORDS 16
/* Answer RRs read per message, and CNAME hops followed within one answer. */
#define HTTPS_RR_MAX_ANSWERS 256
#define HTTPS_RR_MAX_CHAIN 8
/* Room for an owner name as ares_query takes it: a 253-character host behind "_65535._https.";
 * an AliasMode target that does not fit is not followed. */
#define HTTPS_RR_NAME_CAP 300

/* Whether to ask DNS for host's HTTPS record at all: not for "localhost" and names under it,
 * which RFC 6761 6.3 keeps out of DNS (the lab and most tests probe localhost). */
bool https_rr_wanted(const char *host);

/* The fact with no records: result (one of the five words) and error (NULL: none). */
json_object *https_rr_result(const char *owner, const char *result, const char *error);

/* The fact for owner from a finished ares_query: its status (ARES_*) and, on ARES_SUCCESS, the
 * answer message. A message that cannot be read is result "error" with the reason; a record
 * whose RDATA svcb_parse rejects is kept with "malformed": reason. When the RRSet holds an
 * AliasMode record with a real target (RFC 9460 2.4.2), that target (without the final dot)
 * is written to alias (cap bytes), else alias is "". Never NULL except out of memory. */
json_object *https_rr_from_answer(const char *owner, int status, const uint8_t *abuf, size_t alen, char *alias,
                                  size_t alias_cap);

#endif
