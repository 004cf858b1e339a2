/* The raw TLS wire codec: ClientHello builders (SSLv2-compatible, SSLv3, TLS 1.0-1.3) and
 * parsers for what a server sends back in its first flight (records, alerts, ServerHello and
 * HelloRetryRequest, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone, the
 * SSLv2 SERVER-HELLO and ERROR). Hand-built hellos let the prober offer what the local OpenSSL
 * cannot negotiate.
 *
 * Everything here is a pure function over byte buffers (no sockets), so it can be unit-tested
 * and fuzzed. Every length read from input is checked against the bytes actually present;
 * hostile input yields an error, never a read past the buffer. Parsed results point into the
 * caller's buffer (or into the flight's own reassembly buffer), so they live as long as it. */
#ifndef TLSPROBE_WIRE_H
#define TLSPROBE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wire versions. */
#define WIRE_SSL2 0x0002
#define WIRE_SSL3 0x0300
#define WIRE_TLS10 0x0301
#define WIRE_TLS11 0x0302
#define WIRE_TLS12 0x0303
#define WIRE_TLS13 0x0304

/* Record content types. */
enum {
    WIRE_CT_CHANGE_CIPHER_SPEC = 20,
    WIRE_CT_ALERT = 21,
    WIRE_CT_HANDSHAKE = 22,
    WIRE_CT_APPLICATION_DATA = 23,
    WIRE_CT_HEARTBEAT = 24,
};

/* Handshake message types. */
enum {
    WIRE_HS_HELLO_REQUEST = 0,
    WIRE_HS_CLIENT_HELLO = 1,
    WIRE_HS_SERVER_HELLO = 2,
    WIRE_HS_NEW_SESSION_TICKET = 4,
    WIRE_HS_ENCRYPTED_EXTENSIONS = 8,
    WIRE_HS_CERTIFICATE = 11,
    WIRE_HS_SERVER_KEY_EXCHANGE = 12,
    WIRE_HS_CERTIFICATE_REQUEST = 13,
    WIRE_HS_SERVER_HELLO_DONE = 14,
    WIRE_HS_CERTIFICATE_STATUS = 22,
};

/* Extension types the codec writes or decodes. */
enum {
    WIRE_EXT_SERVER_NAME = 0,
    WIRE_EXT_STATUS_REQUEST = 5,
    WIRE_EXT_SUPPORTED_GROUPS = 10,
    WIRE_EXT_EC_POINT_FORMATS = 11,
    WIRE_EXT_SIGNATURE_ALGORITHMS = 13,
    WIRE_EXT_ALPN = 16,
    WIRE_EXT_PADDING = 21,
    WIRE_EXT_ENCRYPT_THEN_MAC = 22,
    WIRE_EXT_EXTENDED_MASTER_SECRET = 23,
    WIRE_EXT_SESSION_TICKET = 35,
    WIRE_EXT_SUPPORTED_VERSIONS = 43,
    WIRE_EXT_COOKIE = 44,
    WIRE_EXT_PSK_KEY_EXCHANGE_MODES = 45,
    WIRE_EXT_KEY_SHARE = 51,
    WIRE_EXT_RENEGOTIATION_INFO = 0xFF01,
};

/* Alert levels. */
enum { WIRE_ALERT_WARNING = 1, WIRE_ALERT_FATAL = 2 };

/* A record's plaintext may be 2^14 bytes; protected records up to 2^14 + 2048 (RFC 5246 6.2.3).
 * A server's first-flight record is never longer. */
#define WIRE_MAX_RECORD_PAYLOAD (16384 + 2048)
#define WIRE_RECORD_HEADER 5
#define WIRE_RANDOM_LEN 32
#define WIRE_MAX_SESSION_ID 32

/* ------------------------------------------------------------------------------------------
 * Names */

/* "SSLv2", "SSLv3", "TLSv1.0" ... "TLSv1.3"; NULL for any other value. */
const char *wire_version_name(uint16_t version);
/* 0x0300 for "SSLv3" etc.; 0 when unknown. */
uint16_t wire_version_by_name(const char *name);
/* IANA alert description name ("protocol_version", "handshake_failure"); NULL when unknown. */
const char *wire_alert_name(uint8_t description);
/* SSLv2 ERROR codes (1 "no_cipher", 2 "no_certificate", 4 "bad_certificate",
 * 6 "unsupported_certificate_type"); NULL when unknown. */
const char *wire_sslv2_error_name(uint16_t code);

/* ------------------------------------------------------------------------------------------
 * ClientHello builders */

/* An extension: as parsed from a ServerHello, or as given raw to the ClientHello builder. */
typedef struct wire_extension {
    uint16_t type;
    const uint8_t *data;
    size_t len;
} wire_extension_t;

/* A key share to send. When key is NULL the builder generates a fresh key pair for the group
 * (x25519, x448, secp256r1, secp384r1, secp521r1, ffdhe2048..8192) and sends its public half;
 * the private half is discarded, since the prober never completes a handshake. */
typedef struct wire_key_share {
    uint16_t group;
    const uint8_t *key;
    size_t key_len;
} wire_key_share_t;

typedef struct wire_hello_opts {
    uint16_t record_version;   /* record layer version; 0: min(client_version, TLS 1.0) */
    uint16_t client_version;   /* client_version / legacy_version of the hello body */
    const uint8_t *random;     /* 32 bytes; NULL: fresh random */
    const uint8_t *session_id; /* session_id_len bytes (<= 32); NULL with a length: random */
    size_t session_id_len;
    const uint16_t *suites;    /* in offer order; signalling values (SCSVs) included as given */
    size_t nsuites;

    bool no_extensions;        /* write no extensions block at all (SSLv3-era clients) */
    const char *sni;           /* server_name (host_name); NULL: omitted; IP literals allowed */
    const uint16_t *versions;  /* supported_versions, in preference order; 0 entries: omitted */
    size_t nversions;
    const uint16_t *groups;    /* supported_groups; 0 entries: omitted */
    size_t ngroups;
    const wire_key_share_t *key_shares; /* key_share (TLS 1.3); 0 entries: omitted ... */
    size_t nkey_shares;
    bool key_share_empty;      /* ... unless this is set: an empty list, which makes a TLS 1.3
                                * server name its group in a HelloRetryRequest */
    const uint16_t *sigalgs;   /* signature_algorithms; 0 entries: omitted */
    size_t nsigalgs;
    const char *const *alpn;   /* ALPN protocol names; 0 entries: omitted */
    size_t nalpn;
    bool ec_point_formats;     /* uncompressed only */
    bool status_request;       /* OCSP stapling request */
    bool renegotiation_info;   /* empty renegotiation_info extension (RFC 5746) */
    bool extended_master_secret;
    bool encrypt_then_mac;
    bool session_ticket;       /* empty session ticket extension */
    bool psk_key_exchange_modes; /* psk_dhe_ke, which some TLS 1.3 stacks want to see */
    /* RFC 7685 padding: a hello whose handshake message is 256..511 bytes long is padded to
     * 512, since some middleboxes and servers hang on exactly those lengths. */
    bool padding;
    /* Extensions written as given after all the others (before the padding), for what the
     * builder does not know, such as Encrypted Client Hello's; none: nothing added. */
    const wire_extension_t *extra_extensions;
    size_t nextra_extensions;
} wire_hello_opts_t;

/* Upper bound on a hello's handshake message (room for every registry suite, group, signature
 * scheme and several of the largest key shares): one record's plaintext. */
#define WIRE_HELLO_MAX 16384

/* Writes the ClientHello as one TLS handshake record (at most WIRE_HELLO_MAX + 5 bytes) to
 * out. Returns 0 and sets *out_len, or -1 with err set (buffer too small, a field too long,
 * key generation failed). */
int wire_build_client_hello(const wire_hello_opts_t *opts, uint8_t *out, size_t cap,
                            size_t *out_len, char *err, size_t errlen);

typedef struct wire_sslv2_hello_opts {
    uint16_t version;          /* WIRE_SSL2, or a TLS version for an SSLv2-compatible TLS hello */
    const uint32_t *kinds;     /* 3-byte SSLv2 cipher kinds */
    size_t nkinds;
    const uint16_t *tls_suites; /* TLS suites, each written as the 3-byte kind 0x00XXXX */
    size_t ntls_suites;
    const uint8_t *challenge;  /* 16..32 bytes; NULL: 16 random bytes */
    size_t challenge_len;
} wire_sslv2_hello_opts_t;

/* Writes an SSLv2 CLIENT-HELLO record (2-byte header). Returns 0 or -1 with err set. */
int wire_build_sslv2_hello(const wire_sslv2_hello_opts_t *opts, uint8_t *out, size_t cap,
                           size_t *out_len, char *err, size_t errlen);

/* ------------------------------------------------------------------------------------------
 * Parsers. Each returns one of these; err (when given) says why for WIRE_MALFORMED. */

typedef enum {
    WIRE_OK = 0,
    WIRE_NEED_MORE = 1,   /* input ends before the structure does: read more */
    WIRE_MALFORMED = -1,
} wire_status_t;

typedef struct wire_record {
    uint8_t type;
    uint16_t version;
    const uint8_t *payload;
    size_t len;
} wire_record_t;

/* One TLS record at buf. On WIRE_OK *consumed is header + payload length. */
wire_status_t wire_parse_record(const uint8_t *buf, size_t len, wire_record_t *rec,
                                size_t *consumed, char *err, size_t errlen);

typedef struct wire_alert {
    uint8_t level;
    uint8_t description;
} wire_alert_t;

/* An alert record payload: exactly one level/description pair. */
wire_status_t wire_parse_alert(const uint8_t *buf, size_t len, wire_alert_t *alert,
                               char *err, size_t errlen);

/* One handshake message at buf (type, 24-bit length, body). */
wire_status_t wire_parse_handshake(const uint8_t *buf, size_t len, uint8_t *type,
                                   const uint8_t **body, size_t *body_len, size_t *consumed,
                                   char *err, size_t errlen);

#define WIRE_MAX_EXTENSIONS 48

typedef struct wire_server_hello {
    uint16_t legacy_version;   /* the version field of the message */
    uint16_t version;          /* negotiated: supported_versions when present, else legacy */
    uint8_t random[WIRE_RANDOM_LEN];
    uint8_t session_id[WIRE_MAX_SESSION_ID];
    uint8_t session_id_len;
    uint16_t cipher;
    uint8_t compression;
    bool is_hrr;               /* HelloRetryRequest: the RFC 8446 special random */
    /* TLS 1.3 downgrade sentinel in the random (RFC 8446 4.1.3): 0 none, WIRE_TLS12 for
     * "DOWNGRD\1" (a TLS 1.3 server chose TLS 1.2), WIRE_TLS11 for "DOWNGRD\0" (1.1 or older). */
    uint16_t downgrade_sentinel;

    bool has_extensions_block;
    wire_extension_t extensions[WIRE_MAX_EXTENSIONS]; /* as sent, in order */
    size_t nextensions;
    bool has_supported_versions;
    bool has_key_share;
    uint16_t key_share_group;  /* selected (HRR) or used (ServerHello) group */
    const uint8_t *key_share;  /* ServerHello only: the server's public value */
    size_t key_share_len;
    bool has_cookie;           /* HRR */
    bool secure_renegotiation; /* renegotiation_info present */
    bool extended_master_secret;
    bool encrypt_then_mac;
    bool status_request;
    bool session_ticket;
    const uint8_t *alpn;       /* the selected protocol (not NUL-terminated) */
    size_t alpn_len;
} wire_server_hello_t;

/* A ServerHello (or HelloRetryRequest) body. Repeated extensions and malformed known
 * extensions are errors. */
wire_status_t wire_parse_server_hello(const uint8_t *body, size_t len, wire_server_hello_t *sh,
                                      char *err, size_t errlen);

/* The extension of that type in a parsed ServerHello, or NULL. */
const wire_extension_t *wire_server_hello_extension(const wire_server_hello_t *sh, uint16_t type);

#define WIRE_MAX_CERTS 16

typedef struct wire_cert {
    const uint8_t *der;
    size_t len;
} wire_cert_t;

typedef struct wire_certificate {
    wire_cert_t certs[WIRE_MAX_CERTS]; /* the first WIRE_MAX_CERTS, leaf first */
    size_t ncerts;                     /* stored */
    size_t total;                      /* in the message (may exceed WIRE_MAX_CERTS) */
} wire_certificate_t;

/* A Certificate body: TLS <= 1.2 format, or with tls13 the RFC 8446 one (request context and
 * per-certificate extensions, which are skipped). */
wire_status_t wire_parse_certificate(const uint8_t *body, size_t len, bool tls13,
                                     wire_certificate_t *cert, char *err, size_t errlen);

typedef enum {
    WIRE_SKE_UNKNOWN = 0,  /* raw bytes only (RSA export, PSK, SRP, ... or unknown suite) */
    WIRE_SKE_ECDHE,
    WIRE_SKE_DHE,
} wire_ske_kind_t;

typedef struct wire_ske {
    const uint8_t *raw;
    size_t raw_len;
    wire_ske_kind_t kind;
    /* ECDHE */
    uint8_t curve_type;        /* 3 named_curve, 1 explicit_prime, 2 explicit_char2 */
    uint16_t named_curve;      /* when curve_type is 3 */
    const uint8_t *ec_point;
    size_t ec_point_len;
    /* DHE */
    const uint8_t *dh_p;
    size_t dh_p_len;
    unsigned dh_p_bits;        /* of p, leading zero bits not counted */
    const uint8_t *dh_g;
    size_t dh_g_len;
    const uint8_t *dh_ys;
    size_t dh_ys_len;
    /* Signature over the parameters (absent for anonymous suites). */
    bool has_signature;
    bool has_sig_scheme;       /* TLS 1.2: the SignatureAndHashAlgorithm pair */
    uint16_t sig_scheme;
    const uint8_t *signature;
    size_t signature_len;
} wire_ske_t;

/* A ServerKeyExchange body for a suite with key exchange kx (the registry's kx: "ECDHE" or
 * "DHE" are decoded, anything else is kept raw) in the given version. */
wire_status_t wire_parse_server_key_exchange(const uint8_t *body, size_t len, const char *kx,
                                             uint16_t version, wire_ske_t *ske,
                                             char *err, size_t errlen);

/* SSLv2 */
enum { WIRE_SSL2_MT_ERROR = 0, WIRE_SSL2_MT_CLIENT_HELLO = 1, WIRE_SSL2_MT_SERVER_HELLO = 4 };

/* One SSLv2 record (2- or 3-byte header) at buf: the message bytes without padding. */
wire_status_t wire_parse_sslv2_record(const uint8_t *buf, size_t len, const uint8_t **msg,
                                      size_t *msg_len, size_t *consumed, char *err, size_t errlen);

#define WIRE_MAX_SSLV2_KINDS 64

typedef struct wire_sslv2_server_hello {
    bool session_id_hit;
    uint8_t cert_type;         /* 1: X.509 */
    uint16_t version;
    const uint8_t *cert;
    size_t cert_len;
    uint32_t kinds[WIRE_MAX_SSLV2_KINDS]; /* the first WIRE_MAX_SSLV2_KINDS, server's order */
    size_t nkinds;
    size_t total_kinds;
    const uint8_t *connection_id;
    size_t connection_id_len;
} wire_sslv2_server_hello_t;

/* An SSLv2 SERVER-HELLO message (starting with its type byte 4). */
wire_status_t wire_parse_sslv2_server_hello(const uint8_t *msg, size_t len,
                                            wire_sslv2_server_hello_t *sh, char *err, size_t errlen);

/* ------------------------------------------------------------------------------------------
 * A server's first flight, parsed from all bytes received so far. Call again with more bytes
 * (the same prefix plus what arrived) until the status is not WIRE_NEED_MORE. */

#define WIRE_MAX_ALERTS 4

typedef struct wire_flight {
    bool sslv2;                    /* the server answered in SSLv2 framing */
    /* TLS */
    bool have_server_hello;
    wire_server_hello_t server_hello;
    bool have_certificate;
    wire_certificate_t certificate;
    bool have_certificate_status;
    bool have_server_key_exchange;
    wire_ske_t ske;
    bool have_certificate_request;
    bool have_server_hello_done;
    bool have_change_cipher_spec;
    wire_alert_t alerts[WIRE_MAX_ALERTS]; /* the first few, in order */
    size_t nalerts;
    bool have_fatal_alert;
    size_t records;
    /* SSLv2 */
    bool have_sslv2_server_hello;
    wire_sslv2_server_hello_t sslv2_hello;
    bool have_sslv2_error;
    uint16_t sslv2_error;

    size_t consumed;               /* input bytes parsed into complete records */
    char error[160];               /* why, when the status is WIRE_MALFORMED */
    bool out_of_memory;            /* WIRE_MALFORMED only because an allocation failed */

    /* Handshake bytes reassembled across records; parsed messages point into it. */
    uint8_t *hs;
    size_t hs_len;
} wire_flight_t;

/* Parses buf[0..len) from scratch into *f (any previous contents are freed first, so *f must
 * be zeroed or previously parsed). WIRE_OK: the flight is complete (ServerHelloDone, a TLS 1.3
 * ServerHello or HelloRetryRequest, a fatal alert, an SSLv2 SERVER-HELLO or ERROR, or a
 * ChangeCipherSpec after the ServerHello); WIRE_NEED_MORE: incomplete so far; WIRE_MALFORMED:
 * f->error says why (everything parsed before the fault stays in *f). Handshake messages
 * longer than max_message are malformed. */
wire_status_t wire_parse_flight(const uint8_t *buf, size_t len, size_t max_message,
                                wire_flight_t *f);
void wire_flight_free(wire_flight_t *f);

#endif
