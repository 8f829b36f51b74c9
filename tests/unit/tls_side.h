/* One end of an in-memory TLS handshake through quic/tls, shared by the
 * suites that drive a client and a server against each other
 * (test_tls.c, test_tls_resume.c): the CRYPTO buffers per level, the
 * secrets as they come out, and the delivery of one side's bytes to the
 * other. */
#ifndef TERN_TESTS_UNIT_TLS_SIDE_H
#define TERN_TESTS_UNIT_TLS_SIDE_H

#include <string.h>

#include "quic/tls.h"

#define BUF 8192

struct side {
	struct quic_tls t;
	uint8_t bufs[QUIC_LEVEL_COUNT][BUF];
	uint8_t secret[QUIC_LEVEL_COUNT][2][QUIC_TLS_SECRET_MAX];
	size_t secret_len[QUIC_LEVEL_COUNT][2];
};

static inline void side_init(struct side *s, struct quic_tls_ctx *c, const char *tp)
{
	uint8_t *bufs[QUIC_LEVEL_COUNT];
	uint32_t caps[QUIC_LEVEL_COUNT];

	memset(s, 0, sizeof(*s));
	for (int l = 0; l < QUIC_LEVEL_COUNT; l++) {
		bufs[l] = l == QUIC_LEVEL_EARLY ? NULL : s->bufs[l];
		caps[l] = BUF;
	}
	assert_int_equal(quic_tls_init(&s->t, c, bufs, caps, (const uint8_t *)tp, strlen(tp),
				       c->server ? NULL : "localhost"), 0);
}

static inline void take_secrets(struct side *s)
{
	enum quic_level l;
	enum quic_tls_dir d;
	uint8_t sec[QUIC_TLS_SECRET_MAX];
	size_t n;

	while (quic_tls_take_secret(&s->t, &l, &d, sec, &n)) {
		/* a 0-RTT secret is taken at most once per direction */
		if (l == QUIC_LEVEL_EARLY)
			assert_int_equal(s->secret_len[l][d], 0);
		memcpy(s->secret[l][d], sec, n);
		s->secret_len[l][d] = n;
	}
}

/* from's unsent bytes, level by level, into to; optionally corrupt one
 * byte of the Handshake level on the way. Returns bytes moved. */
static inline size_t side_deliver(struct side *from, struct side *to, bool corrupt)
{
	size_t moved = 0;

	for (int l = 0; l < QUIC_LEVEL_COUNT; l++) {
		struct quic_tls_out *o = &from->t.out[l];
		uint32_t n = o->len - o->sent;

		if (!n)
			continue;
		assert_int_not_equal(l, QUIC_LEVEL_EARLY);  /* no CRYPTO in 0-RTT */
		if (corrupt && l == QUIC_LEVEL_HANDSHAKE)
			o->buf[o->sent + n / 2] ^= 0x40;
		assert_int_equal(quic_tls_feed(&to->t, (enum quic_level)l, o->buf + o->sent, n), 0);
		o->sent = o->len;
		moved += n;
	}
	return moved;
}

#endif
