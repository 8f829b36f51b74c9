/* http3/hfield: HTTP field syntax shared by both sides of the terminator
 * (RFC 9110 section 5): names are tokens, values are field-content, and
 * Content-Length is a decimal number. http3/h3msg checks requests that
 * arrive over HTTP/3 with it; term/h1parse checks backend responses.
 *
 * Values are checked strictly by the grammar: besides CR, LF and NUL,
 * which RFC 9110 5.5 calls dangerous, every other control character but
 * HTAB is refused too (they are not field-vchar); obs-text (0x80-0xff)
 * is allowed, as the grammar allows it.
 */
#ifndef TERN_HTTP3_HFIELD_H
#define TERN_HTTP3_HFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HFIELD_TCHAR 0x01  /* token character (RFC 9110 5.6.2) */
#define HFIELD_VCHAR 0x02  /* field-vchar: VCHAR or obs-text (5.5) */
#define HFIELD_WS    0x04  /* SP, HTAB */
#define HFIELD_UPPER 0x08  /* A-Z */
#define HFIELD_DIGIT 0x10
#define HFIELD_HEX   0x20

extern const uint8_t hfield_class[256];

static inline bool hfield_is(uint8_t c, uint8_t cls)
{
	return hfield_class[c] & cls;
}

static inline uint8_t hfield_lower(uint8_t c)
{
	return hfield_is(c, HFIELD_UPPER) ? (uint8_t)(c | 0x20) : c;
}

/* A token: one or more tchar. */
bool hfield_token(const uint8_t *p, size_t n);

/* field-value after the OWS around it is removed (RFC 9112 5.1 does that
 * for HTTP/1.1): no leading or trailing SP/HTAB, only field-vchar, SP and
 * HTAB. Empty is valid. */
bool hfield_value(const uint8_t *p, size_t n);

/* p[0..n) equals lit (lowercase ASCII) ignoring ASCII case. */
bool hfield_eq_ci(const uint8_t *p, size_t n, const char *lit);

/* The next element of a comma-separated list (5.6.1) in [*p, end): the
 * OWS around it removed, empty elements skipped. false at the end. */
bool hfield_list_next(const uint8_t **p, const uint8_t *end, const uint8_t **el, size_t *len);

/* Content-Length (RFC 9110 8.6): 1*DIGIT, or a comma-separated list of
 * the same value repeated ("42, 42", which 8.6 lets a recipient take as
 * 42), with no sign, no inner space, no empty element, no value above
 * 2^64 - 1. 0 with *v, or -1. */
int hfield_content_length(const uint8_t *p, size_t n, uint64_t *v);

/* Fields that only mean something to one connection (RFC 9114 4.2, RFC
 * 9110 7.6.1): Connection, Keep-Alive, Proxy-Connection,
 * Transfer-Encoding, Upgrade. Name compared ignoring case. TE is not in
 * the list: HTTP/3 allows "TE: trailers". */
bool hfield_connection_specific(const uint8_t *name, size_t n);

/* Does a Connection field value list this field name (so that a proxy
 * drops the field, RFC 9110 7.6.1)? */
bool hfield_connection_lists(const uint8_t *conn, size_t conn_len, const uint8_t *name,
			     size_t n);

#endif
