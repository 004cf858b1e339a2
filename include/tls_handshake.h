/* A full OpenSSL client handshake over a connected non-blocking socket, every wait under a
 * deadline. Shaped like libtls: an options struct in, a result the caller inspects and frees.
 * The peer is never verified during the handshake (we always want the chain); callers verify
 * afterwards (x509_facts.h). Every ClientHello is padded (RFC 7685) out of the 256..511-byte
 * window some load balancers drop, unless told otherwise; the extensions servers that know
 * nothing newer than TLS 1.2 drop can be left out (known_hello.h decides when). */
#ifndef TLSPROBE_TLS_HANDSHAKE_H
#define TLSPROBE_TLS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

/* Everything the local OpenSSL has, legacy included, so old servers still hand over a chain. */
#define TLS_HS_DEFAULT_CIPHERS "ALL:COMPLEMENTOFALL:@SECLEVEL=0"
/* Every TLS 1.3 suite OpenSSL 3.0 implements (its own default leaves out the CCM ones). */
#define TLS_HS_DEFAULT_CIPHERSUITES                                                   \
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:" \
    "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"
/* Bytes a server may send before the handshake completes; OpenSSL bounds each message
 * too, this bounds the total (a certificate list is at most 100 KiB by default). */
#ifndef TLS_HS_MAX_HANDSHAKE_BYTES
#define TLS_HS_MAX_HANDSHAKE_BYTES (1024 * 1024)
#endif

typedef struct tls_hs_options {
    int min_version;               /* TLS1_VERSION ... TLS1_3_VERSION; 0: TLS1_VERSION */
    int max_version;               /* 0: the highest the library has */
    const char *sni;               /* server_name to send; NULL: none */
    const char *ciphers;           /* TLS <= 1.2 cipher list; NULL: TLS_HS_DEFAULT_CIPHERS */
    const char *ciphersuites;      /* TLS 1.3 suites; NULL: TLS_HS_DEFAULT_CIPHERSUITES */
    bool request_ocsp;             /* send status_request (OCSP stapling) */
    const char *sigalgs;           /* signature_algorithms, OpenSSL list syntax; NULL: library default */
    const char *alpn;              /* comma-separated, "h2,http/1.1"; NULL: no ALPN */
    const char *client_cert_file;  /* PEM chain (leaf first) to offer; NULL: none */
    const char *client_key_file;   /* its key; NULL: the key is in client_cert_file */
    X509 *client_cert;             /* or a certificate in memory (with client_key), used when */
    EVP_PKEY *client_key;          /* client_cert_file is NULL; the caller keeps ownership */
    const char *groups;            /* supported_groups, OpenSSL list syntax; NULL: library default */
    bool no_padding;               /* no RFC 7685 padding (an extension old servers may not know) */
    bool no_ticket;                /* no session_ticket extension */
    bool no_etm_ems;               /* no encrypt_then_mac, no extended_master_secret */
    double timeout_s;              /* longest wait for the peer at any one point (> 0); the whole
                                    * handshake gets NET_EXCHANGE_WAITS of them */
} tls_hs_options_t;

typedef struct tls_hs_result {
    bool ok;                       /* the handshake completed */
    char error[320];               /* why not: OpenSSL's reason, alert, timeout or socket error */
    bool dropped;                  /* not ok, and not one byte came back: the server closed,
                                    * reset or let the hello time out without a word */
    bool timed_out;                /* not ok because a deadline passed */
    int alert_received;            /* AlertDescription the peer sent, -1: none */
    int alert_sent;                /* AlertDescription we sent, -1: none */
    /* Filled whether or not the handshake completed: */
    bool client_cert_requested;    /* the server sent a CertificateRequest */
    bool client_cert_offered;      /* ... and a client certificate was configured to answer it */
    STACK_OF(X509_NAME) *client_ca_names; /* CA names the CertificateRequest listed (a copy);
                                           * NULL: none listed or not requested */

    /* Filled only when ok: */
    int version;                   /* TLS1_2_VERSION, ... */
    char protocol[16];             /* "TLSv1.3" */
    char cipher[96];               /* IANA/RFC name, "TLS_AES_256_GCM_SHA384" */
    char openssl_cipher[96];       /* OpenSSL's name, "ECDHE-RSA-AES128-GCM-SHA256" */
    char alpn[256];                /* selected protocol, "" if none (non-printables as '?') */
    STACK_OF(X509) *chain;         /* exactly as served, leaf first, up-ref'd; NULL: none */
    unsigned char *ocsp_response;  /* stapled OCSP response (DER), NULL: none */
    size_t ocsp_response_len;
    SSL *ssl;                      /* the live connection, for callers that go on talking */
} tls_hs_result_t;

/* Runs the handshake on fd (connected, O_NONBLOCK, still owned and closed by the caller).
 * Returns 0 when it completed, -1 otherwise (result->error says why). result is always
 * filled and must be released with tls_hs_result_free. */
int tls_hs_connect(int fd, const tls_hs_options_t *opts, tls_hs_result_t *result);

/* How many cipher suite codes OpenSSL's ClientHello carries with these options (TLS 1.3 suites
 * and the renegotiation SCSV included); -1 when the options are unusable. */
int tls_hs_offered_codes(const tls_hs_options_t *opts);

/* Sends close_notify on a completed handshake without waiting for the peer's (politeness:
 * servers log a bare close as an error). Never blocks. */
void tls_hs_close_notify(tls_hs_result_t *result);

/* After a completed handshake: reads application data, waiting up to timeout_s. Returns the
 * bytes read, 0 when the peer closed (close_notify or end of stream), TLS_HS_TIMEOUT when
 * nothing came, -1 on error with result->error set; an alert the peer sent after the
 * handshake (TLS 1.3 servers report a refused client certificate this way, e.g.
 * certificate_required(116)) is in result->alert_received. */
#define TLS_HS_TIMEOUT (-2)
ssize_t tls_hs_read(tls_hs_result_t *result, int fd, void *buf, size_t cap, double timeout_s);
/* Writes all of buf on a completed handshake before the deadline. 0, or -1 with result->error
 * (and result->alert_received when the peer's alert ended it). */
int tls_hs_write(tls_hs_result_t *result, int fd, const void *buf, size_t len, double timeout_s);

/* Frees what the result holds (not the fd). Safe on a zeroed or already freed result. */
void tls_hs_result_free(tls_hs_result_t *result);

#endif
