/* quic/tls resumption and 0-RTT: a client and a server quic_tls exchange
 * CRYPTO bytes level by level in memory (as tests/unit/test_tls.c does),
 * the client saves its session after the NewSessionTicket and resumes it.
 *
 * Every configuration: a resumed handshake sends no certificate; a ticket
 * arrives on every path; an expired ticket, a ticket from another process
 * (other keys) and a corrupted session give a full handshake; a ticket
 * whose suite is not the server's first still resumes (notes D2); an HRR
 * does not break resumption.
 * CONFIG_QUIC_0RTT=y: the 0-RTT secrets appear on both sides and match,
 * both sides say accepted; a replayed ticket, a connection refusing
 * 0-RTT, a full strike register, changed transport parameters, an HRR
 * and a server with 0-RTT off all refuse 0-RTT and still resume; the
 * strike register forgets after its window; the ClientHello scan.
 * CONFIG_QUIC_0RTT=n: no early secret ever appears, status is NONE.
 * Time is injected through quic_tls_ctx_tick(); wolfSSL's own clocks
 * (ticket age) run in real time, which the tests take milliseconds of. */
#include <string.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>

#include "unit.h"
#include "crypto/crypto.h"
#include "data/test_cert.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "quic/tls.h"
#include "tls_side.h"
#include "quic/ticket.h"

#define NS  1000000000ull
#define LIFETIME ((uint64_t)CONFIG_QUIC_TICKET_LIFETIME_S * NS)
#define ZERO_RTT IS_ENABLED(CONFIG_QUIC_0RTT)

/* What one connection did. */
struct result {
	bool resumed_cl, resumed_sv;
	enum quic_tls_early early_cl, early_sv, early_cl_first;
	size_t early_len_cl, early_len_sv;  /* 0-RTT secrets taken */
	bool early_match;
	uint32_t sv_handshake_bytes;        /* the server's Handshake flight */
	uint8_t tickets;
	bool hrr_cl, hrr_sv;
	bool sv_early_derived;              /* wolfSSL gave the server an early secret */
	uint8_t sess[QUIC_TLS_SESSION_MAX];
	size_t sess_len;
};

static struct side cl, sv;
static struct quic_tls_ctx sv_ctx, cl_ctx;
static uint64_t now;
static size_t save_cap = QUIC_TLS_SESSION_MAX;  /* room connect() saves into */
static const char sv_tp[] = "server-transport-params";

static void ctx_server(bool early)
{
	assert_int_equal(quic_tls_ctx_init_server(&sv_ctx, test_server_cert_der,
						  sizeof(test_server_cert_der), test_server_key_der,
						  sizeof(test_server_key_der)), 0);
	quic_tls_ctx_tick(&sv_ctx, now);
	assert_int_equal(quic_tls_ctx_ticket_config(&sv_ctx, (const uint8_t *)"tp-v1", 5, early), 0);
}

static void ctx_up(void)
{
	now = 1000 * NS;
	ctx_server(true);
	assert_int_equal(quic_tls_ctx_init_client(&cl_ctx, test_ca_der, sizeof(test_ca_der)), 0);
}

static void ctx_down(void)
{
	quic_tls_ctx_deinit(&cl_ctx);
	quic_tls_ctx_deinit(&sv_ctx);
	/* every wolfSSL block back in the arena (sessions, tickets) */
	assert_int_equal(arena_bytes_in_use(), 0);
}




/* One connection, resuming sess when given; the server refuses 0-RTT for
 * it when refuse. Both sides are released before returning. */
static void connect(const uint8_t *sess, size_t len, bool refuse, struct result *r)
{
	memset(r, 0, sizeof(*r));
	quic_tls_ctx_tick(&sv_ctx, now);
	side_init(&cl, &cl_ctx, "client-tp");
	side_init(&sv, &sv_ctx, sv_tp);
	if (sess)
		assert_int_equal(quic_tls_set_session(&cl.t, sess, len), 0);
	if (refuse)
		quic_tls_refuse_early(&sv.t);
	assert_int_equal(quic_tls_advance(&cl.t), 0);  /* ClientHello */
	r->early_cl_first = quic_tls_early_status(&cl.t);
	for (int round = 0;; round++) {
		assert_true(round < 10);
		take_secrets(&cl);
		size_t moved = side_deliver(&cl, &sv, false);

		assert_int_equal(quic_tls_advance(&sv.t), 0);
		take_secrets(&sv);
		moved += side_deliver(&sv, &cl, false);
		assert_int_equal(quic_tls_advance(&cl.t), 0);
		take_secrets(&cl);
		if (!moved && cl.t.complete && sv.t.complete)
			break;
	}
	r->resumed_cl = quic_tls_resumed(&cl.t);
	r->resumed_sv = quic_tls_resumed(&sv.t);
	r->early_cl = quic_tls_early_status(&cl.t);
	r->early_sv = quic_tls_early_status(&sv.t);
	r->early_len_cl = cl.secret_len[QUIC_LEVEL_EARLY][QUIC_TLS_TX];
	r->early_len_sv = sv.secret_len[QUIC_LEVEL_EARLY][QUIC_TLS_RX];
	r->early_match = r->early_len_cl && r->early_len_cl == r->early_len_sv &&
			 !memcmp(cl.secret[QUIC_LEVEL_EARLY][QUIC_TLS_TX],
				 sv.secret[QUIC_LEVEL_EARLY][QUIC_TLS_RX], r->early_len_cl);
	/* the other directions never carry a 0-RTT secret */
	assert_int_equal(cl.secret_len[QUIC_LEVEL_EARLY][QUIC_TLS_RX], 0);
	assert_int_equal(sv.secret_len[QUIC_LEVEL_EARLY][QUIC_TLS_TX], 0);
	r->sv_handshake_bytes = sv.t.out[QUIC_LEVEL_HANDSHAKE].len;
	r->tickets = cl.t.tickets;
	r->hrr_cl = cl.t.hrr;
	r->hrr_sv = sv.t.hrr;
#if IS_ENABLED(CONFIG_QUIC_0RTT)
	r->sv_early_derived = sv.t.early_secret;
#endif
	r->sess_len = quic_tls_save_session(&cl.t, r->sess, save_cap);
	/* the ticket's plaintext is gone from the server's state */
	assert_false(sv.t.seen.valid);
	quic_tls_deinit(&cl.t);
	quic_tls_deinit(&sv.t);
}

/* A full handshake: a certificate (the Handshake flight is long), no
 * 0-RTT, and a ticket saved with the server's transport parameters. */
static void check_full(const struct result *r)
{
	const uint8_t *tp;
	size_t tplen;
	bool early;

	assert_false(r->resumed_cl);
	assert_false(r->resumed_sv);
	assert_true(r->sv_handshake_bytes > 300);
	/* (a client that offered 0-RTT holds its write secret) */
	assert_int_equal(r->early_len_sv, 0);
	assert_int_not_equal(r->early_sv, QUIC_TLS_EARLY_ACCEPTED);
	assert_int_not_equal(r->early_cl, QUIC_TLS_EARLY_ACCEPTED);
	assert_int_equal(r->tickets, 1);
	assert_true(r->sess_len > 0);
	assert_int_equal(quic_tls_session_info(r->sess, r->sess_len, &tp, &tplen, &early), 0);
	assert_int_equal(tplen, strlen(sv_tp));
	assert_memory_equal(tp, sv_tp, tplen);
}

/* Resumed: no certificate, and a new ticket. */
static void check_resumed(const struct result *r)
{
	assert_true(r->resumed_cl);
	assert_true(r->resumed_sv);
	assert_true(r->sv_handshake_bytes < 300);
	assert_int_equal(r->tickets, 1);
	assert_true(r->sess_len > 0);
}

static void check_early_accepted(const struct result *r)
{
	assert_int_equal(r->early_cl_first, QUIC_TLS_EARLY_PENDING);
	assert_int_equal(r->early_cl, QUIC_TLS_EARLY_ACCEPTED);
	assert_int_equal(r->early_sv, QUIC_TLS_EARLY_ACCEPTED);
	assert_true(r->early_match);
	assert_int_equal(r->early_len_cl, 32);  /* SHA-256 suites */
}

/* 0-RTT offered and refused: the client may have its write secret (and
 * sent 0-RTT), the server never gets the read secret. */
static void check_early_rejected(const struct result *r)
{
	assert_int_equal(r->early_len_sv, 0);
	if (ZERO_RTT) {
		assert_int_equal(r->early_cl, QUIC_TLS_EARLY_REJECTED);
		assert_int_equal(r->early_sv, QUIC_TLS_EARLY_REJECTED);
	} else {
		assert_int_equal(r->early_len_cl, 0);
		assert_int_equal(r->early_cl, QUIC_TLS_EARLY_NONE);
		assert_int_equal(r->early_sv, QUIC_TLS_EARLY_NONE);
	}
}

static struct result r1, r2, r3;

/* ---------------------------------------------------------------- resumption */

/* Full handshake, ticket, resumed handshake: with CONFIG_QUIC_0RTT both
 * sides get the same 0-RTT secret before anything else; without it no
 * early secret appears and the ticket does not allow 0-RTT. */
static void test_resume(void **state)
{
	bool early;

	ctx_up();
	connect(NULL, 0, false, &r1);
	check_full(&r1);
	assert_int_equal(r1.early_cl, QUIC_TLS_EARLY_NONE);
	assert_int_equal(r1.early_sv, QUIC_TLS_EARLY_NONE);
	assert_int_equal(quic_tls_session_info(r1.sess, r1.sess_len, NULL, NULL, &early), 0);
	assert_int_equal(early, ZERO_RTT);

	connect(r1.sess, r1.sess_len, false, &r2);
	check_resumed(&r2);
	if (ZERO_RTT) {
		check_early_accepted(&r2);
	} else {
		assert_int_equal(r2.early_len_cl + r2.early_len_sv, 0);
		assert_int_equal(r2.early_cl_first, QUIC_TLS_EARLY_NONE);
		assert_int_equal(r2.early_cl, QUIC_TLS_EARLY_NONE);
		assert_int_equal(r2.early_sv, QUIC_TLS_EARLY_NONE);
	}
	/* the new ticket resumes (with 0-RTT) too */
	connect(r2.sess, r2.sess_len, false, &r3);
	check_resumed(&r3);
	if (ZERO_RTT)
		check_early_accepted(&r3);
	assert_int_equal(sv_ctx.st.tickets_issued, 3);
	assert_int_equal(sv_ctx.st.resumed, 2);
	assert_int_equal(sv_ctx.st.early_accepted, ZERO_RTT ? 2 : 0);
	assert_int_equal(sv_ctx.st.tickets_bad + sv_ctx.st.tickets_failed, 0);
	ctx_down();
}

/* The same ticket twice: the second time 0-RTT is refused (the strike
 * register saw it) but the session resumes; once the register's window
 * has passed, a new ClientHello on that ticket gets 0-RTT again. */
static void test_replay(void **state)
{
	ctx_up();
	connect(NULL, 0, false, &r1);
	connect(r1.sess, r1.sess_len, false, &r2);
	check_resumed(&r2);
	if (ZERO_RTT)
		check_early_accepted(&r2);
	now += 2 * NS;
	connect(r1.sess, r1.sess_len, false, &r3);
	check_resumed(&r3);
	check_early_rejected(&r3);
	assert_int_equal(sv_ctx.st.early_replay, ZERO_RTT);
	/* a replay does not count as a bad ticket */
	assert_int_equal(sv_ctx.st.tickets_bad, 0);

	now += (MAX_TICKET_AGE_DIFF + 5) * NS;
	connect(r1.sess, r1.sess_len, false, &r3);
	check_resumed(&r3);
	if (ZERO_RTT)
		check_early_accepted(&r3);
	ctx_down();
}

/* The server application refuses 0-RTT on one connection (load): the
 * client sees it rejected, the session resumes, and the new ticket still
 * allows 0-RTT. */
static void test_refuse_policy(void **state)
{
	bool early;

	ctx_up();
	connect(NULL, 0, false, &r1);
	connect(r1.sess, r1.sess_len, true, &r2);
	check_resumed(&r2);
	check_early_rejected(&r2);
	if (ZERO_RTT) {
		assert_int_equal(r2.early_cl_first, QUIC_TLS_EARLY_PENDING);
		assert_int_equal(r2.early_len_cl, 32);  /* the client did try */
		assert_int_equal(sv_ctx.st.early_refused, 1);
	}
	assert_int_equal(quic_tls_session_info(r2.sess, r2.sess_len, NULL, NULL, &early), 0);
	assert_int_equal(early, ZERO_RTT);
	connect(r2.sess, r2.sess_len, false, &r3);
	check_resumed(&r3);
	if (ZERO_RTT)
		check_early_accepted(&r3);
	ctx_down();
}

/* A server with 0-RTT off (quic_tls_ctx_ticket_config(..., false), the
 * default) issues tickets that do not allow it: the client does not even
 * offer it; resumption works. */
static void test_server_early_off(void **state)
{
	bool early = true;

	ctx_up();
	assert_int_equal(quic_tls_ctx_ticket_config(&sv_ctx, (const uint8_t *)"tp-v1", 5, false), 0);
	connect(NULL, 0, false, &r1);
	assert_int_equal(quic_tls_session_info(r1.sess, r1.sess_len, NULL, NULL, &early), 0);
	assert_false(early);
	connect(r1.sess, r1.sess_len, false, &r2);
	check_resumed(&r2);
	assert_int_equal(r2.early_len_cl + r2.early_len_sv, 0);
	assert_int_equal(r2.early_cl_first, QUIC_TLS_EARLY_NONE);
	assert_int_equal(r2.early_cl, QUIC_TLS_EARLY_NONE);
	ctx_down();
}

/* 0-RTT turned off at run time: a client that offered it on an older
 * ticket is refused, resumes, and its new ticket (which has no
 * early_data) does not allow 0-RTT, although the client's own
 * max_early_data was on during the handshake (notes D5). */
static void test_server_early_turned_off(void **state)
{
	bool early = true;

	ctx_up();
	connect(NULL, 0, false, &r1);
	assert_int_equal(quic_tls_ctx_ticket_config(&sv_ctx, (const uint8_t *)"tp-v1", 5, false), 0);
	connect(r1.sess, r1.sess_len, false, &r2);
	check_resumed(&r2);
	check_early_rejected(&r2);
	assert_int_equal(quic_tls_session_info(r2.sess, r2.sess_len, NULL, NULL, &early), 0);
	assert_false(early);
	connect(r2.sess, r2.sess_len, false, &r3);
	check_resumed(&r3);
	assert_int_equal(r3.early_cl, QUIC_TLS_EARLY_NONE);
	assert_int_equal(r3.early_len_cl + r3.early_len_sv, 0);
	ctx_down();
}

/* The transport parameters changed after the ticket was issued: 0-RTT
 * is refused (the client may have used remembered limits, RFC 9000
 * 7.4.1), the session still resumes. */
static void test_config_changed(void **state)
{
	ctx_up();
	connect(NULL, 0, false, &r1);
	assert_int_equal(quic_tls_ctx_ticket_config(&sv_ctx, (const uint8_t *)"tp-v2", 5, true), 0);
	connect(r1.sess, r1.sess_len, false, &r2);
	check_resumed(&r2);
	check_early_rejected(&r2);
	/* the new ticket carries the new hash */
	connect(r2.sess, r2.sess_len, false, &r3);
	check_resumed(&r3);
	if (ZERO_RTT)
		check_early_accepted(&r3);
	ctx_down();
}

/* ---------------------------------------------------------------- expiry and keys */

/* Lifetime and key rotation agree: a ticket resumes while at most
 * lifetime old, also after one key rotation; older, or after two
 * rotations, it gives a full handshake. */
static void test_ticket_expiry(void **state)
{
	uint64_t t0;

	ctx_up();
	t0 = now;
	connect(NULL, 0, false, &r1);          /* issued at t0, epoch 0 */

	now = t0 + LIFETIME * 6 / 10;          /* epoch 0, 0.6 lifetime old */
	connect(r1.sess, r1.sess_len, false, &r2);  /* issued at 0.6, epoch 0 */
	check_resumed(&r2);

	now = t0 + LIFETIME * 13 / 10;         /* epoch 1: r2 under the previous key */
	connect(r2.sess, r2.sess_len, false, &r3);
	check_resumed(&r3);
	connect(r1.sess, r1.sess_len, false, &r3);  /* r1: 1.3 lifetime old */
	check_full(&r3);
	assert_int_equal(sv_ctx.st.tickets_bad, 1);

	now = t0 + LIFETIME * 17 / 10;         /* r2: 1.1 lifetime old */
	connect(r2.sess, r2.sess_len, false, &r3);
	check_full(&r3);

	connect(NULL, 0, false, &r1);          /* issued at 1.7, epoch 1 */
	now = t0 + LIFETIME * 21 / 10 + NS;    /* epoch 2: 0.4 lifetime old */
	connect(r1.sess, r1.sess_len, false, &r3);
	check_resumed(&r3);
	now = t0 + LIFETIME * 40 / 10;         /* epoch 4: both keys replaced */
	connect(r3.sess, r3.sess_len, false, &r2);  /* r3: issued at 2.1 */
	check_full(&r2);
	assert_int_equal(sv_ctx.st.tickets_bad, 3);
	ctx_down();
}

/* A ticket from another server process (other keys): full handshake. */
static void test_other_process(void **state)
{
	ctx_up();
	connect(NULL, 0, false, &r1);
	quic_tls_ctx_deinit(&sv_ctx);
	ctx_server(true);
	connect(r1.sess, r1.sess_len, false, &r2);
	check_full(&r2);
	check_early_rejected(&r2);
	assert_int_equal(sv_ctx.st.tickets_bad, 1);
	ctx_down();
}

/* A session that does not parse or does not fit is refused by
 * quic_tls_set_session (the handshake is then a full one); no session is
 * saved before a ticket arrives or into a buffer too small. */
static void test_session_blob(void **state)
{
	ctx_up();
	connect(NULL, 0, false, &r1);

	side_init(&cl, &cl_ctx, "client-tp");
	assert_int_equal(quic_tls_save_session(&cl.t, r2.sess, sizeof(r2.sess)), 0);
	r1.sess[0] ^= 1;  /* magic */
	assert_int_equal(quic_tls_set_session(&cl.t, r1.sess, r1.sess_len), -1);
	r1.sess[0] ^= 1;
	assert_int_equal(quic_tls_set_session(&cl.t, r1.sess, r1.sess_len - 1), -1);
	assert_int_equal(quic_tls_session_info(r1.sess, 4, NULL, NULL, NULL), -1);
	quic_tls_deinit(&cl.t);
	side_init(&sv, &sv_ctx, sv_tp);
	assert_int_equal(quic_tls_set_session(&sv.t, r1.sess, r1.sess_len), -1);
	quic_tls_deinit(&sv.t);

	/* a flipped bit in the ticket (wolfSSL's serialised session ends
	 * with it; 40 bytes from the end is in its sealed part): the server
	 * refuses it, full handshake */
	memcpy(r2.sess, r1.sess, r1.sess_len);
	r2.sess_len = r1.sess_len;
	r2.sess[r2.sess_len - 40] ^= 0x10;
	connect(r2.sess, r2.sess_len, false, &r3);
	check_full(&r3);
	check_early_rejected(&r3);
	assert_int_equal(sv_ctx.st.tickets_bad, 1);

	/* too small to save into */
	save_cap = 64;
	connect(r1.sess, r1.sess_len, false, &r2);
	save_cap = QUIC_TLS_SESSION_MAX;
	assert_true(r2.resumed_cl);
	assert_int_equal(r2.tickets, 1);
	assert_int_equal(r2.sess_len, 0);
	/* a session as big as it gets here fits QUIC_TLS_SESSION_MAX with
	 * room to spare */
	assert_true(r1.sess_len < QUIC_TLS_SESSION_MAX / 2);
	ctx_down();
}

/* ---------------------------------------------------------------- wolfSSL defects */

/* D2: the ticket's suite is not the server's first. wolfSSL opens the
 * ticket once per suite on a buffer it wiped after the first use; the
 * session still resumes (and takes 0-RTT). */
static void test_suite_order(void **state)
{
	static const struct { enum crypto_aead alg; const char *name; } names[] = {
		{ CRYPTO_AES_128_GCM, "TLS13-AES128-GCM-SHA256" },
		{ CRYPTO_AES_256_GCM, "TLS13-AES256-GCM-SHA384" },
		{ CRYPTO_CHACHA20_POLY1305, "TLS13-CHACHA20-POLY1305-SHA256" },
		{ CRYPTO_AES_128_CCM, "TLS13-AES128-CCM-SHA256" },
	};
	enum crypto_aead order[4];
	const char *first = NULL, *second = NULL;
	char both[128];
	size_t n = crypto_suite_preference(order, 4);

	if (n < 2)
		skip();
	for (size_t i = 0; i < 4; i++) {
		if (names[i].alg == order[0])
			first = names[i].name;
		if (names[i].alg == order[1])
			second = names[i].name;
	}
	assert_non_null(first);
	assert_non_null(second);
	ctx_up();
	/* the ticket is for the server's second suite... */
	assert_int_equal(wolfSSL_CTX_set_cipher_list(cl_ctx.wolf, second), WOLFSSL_SUCCESS);
	connect(NULL, 0, false, &r1);
	/* ...and the client offers both on resumption */
	strcpy(both, first);
	strcat(both, ":");
	strcat(both, second);
	assert_int_equal(wolfSSL_CTX_set_cipher_list(cl_ctx.wolf, both), WOLFSSL_SUCCESS);
	connect(r1.sess, r1.sess_len, false, &r2);
	check_resumed(&r2);
	if (ZERO_RTT) {
		assert_int_equal(r2.early_cl, QUIC_TLS_EARLY_ACCEPTED);
		assert_int_equal(r2.early_sv, QUIC_TLS_EARLY_ACCEPTED);
		assert_true(r2.early_match);
	}
	assert_int_equal(sv_ctx.st.tickets_bad, 0);
	ctx_down();
}

/* D4: a ClientHello whose key share the server cannot use gets a
 * HelloRetryRequest. wolfSSL would derive (and announce) 0-RTT anyway;
 * tern hands out no 0-RTT secret on the server and both sides report
 * 0-RTT rejected. The handshake still resumes. (Here the server's groups
 * are narrowed behind tern's back, so its ClientHello scan cannot see the
 * HRR coming and the HRR guard after wolfSSL's step is what works.) */
static void test_hrr(void **state)
{
	int sv_groups[] = { WOLFSSL_ECC_X25519 };
	int cl_groups[] = { WOLFSSL_ECC_SECP256R1, WOLFSSL_ECC_X25519 };

	ctx_up();
	connect(NULL, 0, false, &r1);
	assert_int_equal(wolfSSL_CTX_set_groups(sv_ctx.wolf, sv_groups, 1), WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_set_groups(cl_ctx.wolf, cl_groups, 2), WOLFSSL_SUCCESS);
	connect(r1.sess, r1.sess_len, false, &r2);
	assert_true(r2.hrr_sv);
	assert_true(r2.hrr_cl);
	assert_true(r2.resumed_cl);
	assert_true(r2.resumed_sv);
	check_early_rejected(&r2);
	/* wolfSSL did derive it (D4): tern kept it to itself */
	assert_int_equal(r2.sv_early_derived, ZERO_RTT);
	assert_int_equal(r2.tickets, 1);
	ctx_down();
}

#if IS_ENABLED(CONFIG_QUIC_0RTT)

/* ---------------------------------------------------------------- strike register */

/* A register full of live entries refuses 0-RTT (fail closed) but not
 * the resumption; once they age out 0-RTT is accepted again. */
static void test_strike_full(void **state)
{
	uint8_t iv[QUIC_TICKET_IV_LEN] = { 0 };

	ctx_up();
	connect(NULL, 0, false, &r1);
	for (uint32_t i = 0; i < CONFIG_QUIC_0RTT_REPLAY_ENTRIES; i++) {
		memcpy(iv, &i, sizeof(i));
		assert_int_equal(quic_strike_check(&sv_ctx.strike, iv, now), QUIC_STRIKE_NEW);
	}
	connect(r1.sess, r1.sess_len, false, &r2);
	check_resumed(&r2);
	check_early_rejected(&r2);
	assert_int_equal(sv_ctx.st.early_full, 1);

	now += (MAX_TICKET_AGE_DIFF + 5) * NS;
	connect(r2.sess, r2.sess_len, false, &r3);
	check_resumed(&r3);
	check_early_accepted(&r3);
	ctx_down();
}

/* The register on its own: new, replay, full, entries leave after the
 * window (not before), a freed slot takes a new entry. */
static void test_strike_register(void **state)
{
	static struct quic_strike s;
	uint8_t iv[QUIC_TICKET_IV_LEN] = { 1 };
	uint64_t t = 50 * NS;

	quic_strike_init(&s, 14);
	assert_int_equal(quic_strike_check(&s, iv, t), QUIC_STRIKE_NEW);
	assert_int_equal(quic_strike_check(&s, iv, t + 13 * NS), QUIC_STRIKE_REPLAY);
	assert_int_equal(quic_strike_check(&s, iv, t + 14 * NS), QUIC_STRIKE_REPLAY);
	assert_int_equal(quic_strike_check(&s, iv, t + 15 * NS), QUIC_STRIKE_NEW);
	for (uint32_t i = 1; i < CONFIG_QUIC_0RTT_REPLAY_ENTRIES; i++) {
		memcpy(iv + 4, &i, sizeof(i));
		assert_int_equal(quic_strike_check(&s, iv, t + 16 * NS), QUIC_STRIKE_NEW);
	}
	iv[0] = 2;
	assert_int_equal(quic_strike_check(&s, iv, t + 16 * NS), QUIC_STRIKE_FULL);
	/* the first entry (t + 15) leaves at t + 30 */
	assert_int_equal(quic_strike_check(&s, iv, t + 29 * NS), QUIC_STRIKE_FULL);
	assert_int_equal(quic_strike_check(&s, iv, t + 30 * NS), QUIC_STRIKE_NEW);
	assert_int_equal(s.count, CONFIG_QUIC_0RTT_REPLAY_ENTRIES);
	assert_int_equal(quic_strike_check(&s, iv, t + 31 * NS), QUIC_STRIKE_REPLAY);
	assert_int_equal(quic_strike_check(&s, iv, t + 100 * NS), QUIC_STRIKE_NEW);
	assert_int_equal(s.count, 1);
}

/* ---------------------------------------------------------------- ClientHello scan */

struct ch_opts {
	const uint16_t *shares;   /* groups with a key share (0-terminated) */
	const uint16_t *groups;   /* supported_groups (0-terminated) */
	bool empty_share, early, psk;
	uint16_t id_len;
};

/* A ClientHello as far as the scan reads it (random and suites are
 * filler; extensions in wolfSSL's order, pre_shared_key last). */
static size_t build_ch(uint8_t *out, size_t cap, const struct ch_opts *o)
{
	struct buf_writer w;
	uint8_t *len_at, *exts_at, *ext_at;

	buf_writer_init(&w, out, cap);
	buf_put_u8(&w, 1);
	len_at = w.p;
	buf_put_uint(&w, 0, 3);
	buf_put_uint(&w, 0x0303, 2);
	for (int i = 0; i < 32; i++)
		buf_put_u8(&w, (uint8_t)i);
	buf_put_u8(&w, 0);                               /* session id */
	buf_put_uint(&w, 4, 2);
	buf_put_uint(&w, 0x1301, 2);
	buf_put_uint(&w, 0x1303, 2);
	buf_put_u8(&w, 1);
	buf_put_u8(&w, 0);                               /* compression */
	exts_at = w.p;
	buf_put_uint(&w, 0, 2);
	buf_put_uint(&w, 0x002b, 2);                     /* supported_versions */
	buf_put_uint(&w, 3, 2);
	buf_put_u8(&w, 2);
	buf_put_uint(&w, 0x0304, 2);
	if (o->groups) {
		size_t n = 0;

		while (o->groups[n])
			n++;
		buf_put_uint(&w, 10, 2);
		buf_put_uint(&w, 2 + 2 * n, 2);
		buf_put_uint(&w, 2 * n, 2);
		for (size_t i = 0; i < n; i++)
			buf_put_uint(&w, o->groups[i], 2);
	}
	if (o->shares) {
		buf_put_uint(&w, 51, 2);
		ext_at = w.p;
		buf_put_uint(&w, 0, 4);  /* extension and list lengths, below */
		for (size_t i = 0; o->shares[i]; i++) {
			size_t kx = o->empty_share ? 0 : 32;

			buf_put_uint(&w, o->shares[i], 2);
			buf_put_uint(&w, kx, 2);
			for (size_t j = 0; j < kx; j++)
				buf_put_u8(&w, 0x42);
		}
		ext_at[0] = (uint8_t)((w.p - ext_at - 2) >> 8);
		ext_at[1] = (uint8_t)(w.p - ext_at - 2);
		ext_at[2] = (uint8_t)((w.p - ext_at - 4) >> 8);
		ext_at[3] = (uint8_t)(w.p - ext_at - 4);
	}
	if (o->early) {
		buf_put_uint(&w, 42, 2);
		buf_put_uint(&w, 0, 2);
	}
	if (o->psk) {
		buf_put_uint(&w, 41, 2);
		buf_put_uint(&w, 2 + 2 + o->id_len + 4 + 2 + 33, 2);
		buf_put_uint(&w, 2 + o->id_len + 4, 2);
		buf_put_uint(&w, o->id_len, 2);
		for (size_t j = 0; j < o->id_len; j++)
			buf_put_u8(&w, (uint8_t)(j * 7));
		buf_put_uint(&w, 0x01020304, 4);
		buf_put_uint(&w, 33, 2);
		buf_put_u8(&w, 32);
		for (int j = 0; j < 32; j++)
			buf_put_u8(&w, 0xbb);
	}
	assert_false(w.err);
	exts_at[0] = (uint8_t)((w.p - exts_at - 2) >> 8);
	exts_at[1] = (uint8_t)(w.p - exts_at - 2);
	len_at[0] = (uint8_t)((w.p - len_at - 3) >> 16);
	len_at[1] = (uint8_t)((w.p - len_at - 3) >> 8);
	len_at[2] = (uint8_t)(w.p - len_at - 3);
	return buf_written(&w);
}

/* Scan msg whole, in two pieces at every split and byte by byte: the
 * same result each time. */
static void scan_all_ways(const uint8_t *msg, size_t len, struct quic_ch_scan *out)
{
	static struct quic_ch_scan a, b;

	quic_ch_scan_init(out);
	quic_ch_scan_feed(out, msg, len);
	for (size_t cut = 0; cut <= len; cut++) {
		quic_ch_scan_init(&a);
		quic_ch_scan_feed(&a, msg, cut);
		quic_ch_scan_feed(&a, msg + cut, len - cut);
		assert_memory_equal(&a, out, sizeof(a));
	}
	quic_ch_scan_init(&b);
	for (size_t i = 0; i < len; i++)
		quic_ch_scan_feed(&b, msg + i, 1);
	assert_memory_equal(&b, out, sizeof(b));
}

static void test_ch_scan(void **state)
{
	static const uint16_t x25519[] = { 0x001d, 0 }, p256[] = { 0x0017, 0 },
			      p384[] = { 0x0018, 0 }, both[] = { 0x001d, 0x0017, 0x0018, 0 };
	static uint8_t msg[1024];
	static struct quic_ch_scan s;
	struct ch_opts o = { .shares = x25519, .groups = both, .early = true, .psk = true,
			     .id_len = 162 };
	size_t n = build_ch(msg, sizeof(msg), &o);

	scan_all_ways(msg, n, &s);
	assert_true(s.done && s.ok && s.early_data && s.psk);
	assert_true(quic_ch_scan_no_hrr(&s));
	assert_int_equal(s.id_len, 162);
	assert_int_equal(s.id_have, 162);
	assert_int_equal(s.id[161], (uint8_t)(161 * 7));
	/* bytes after the ClientHello are not its business */
	quic_ch_scan_init(&s);
	memset(msg + n, 0xee, 16);
	quic_ch_scan_feed(&s, msg, n + 16);
	assert_true(s.done && s.ok);
	/* a prefix: not done yet */
	quic_ch_scan_init(&s);
	quic_ch_scan_feed(&s, msg, n - 1);
	assert_false(s.done);

	/* a share only for a group wolfSSL lacks: an HRR would follow */
	o.shares = p384;
	n = build_ch(msg, sizeof(msg), &o);
	scan_all_ways(msg, n, &s);
	assert_true(s.done && s.ok);
	assert_false(quic_ch_scan_no_hrr(&s));
	/* a usable share whose group is not in supported_groups */
	o.shares = x25519;
	o.groups = p256;
	n = build_ch(msg, sizeof(msg), &o);
	scan_all_ways(msg, n, &s);
	assert_false(quic_ch_scan_no_hrr(&s));
	/* an empty share */
	o.groups = both;
	o.empty_share = true;
	n = build_ch(msg, sizeof(msg), &o);
	scan_all_ways(msg, n, &s);
	assert_false(quic_ch_scan_no_hrr(&s));
	o.empty_share = false;
	/* no early_data, an identity longer than any ticket of ours */
	o.early = false;
	o.id_len = QUIC_TICKET_MAX_LEN + 1;
	n = build_ch(msg, sizeof(msg), &o);
	scan_all_ways(msg, n, &s);
	assert_true(s.done && s.ok && s.psk && !s.early_data);
	assert_int_equal(s.id_have, 0);

	/* malformed: an extension running past the message; a handshake
	 * message that is not a ClientHello; one too long to scan */
	o = (struct ch_opts){ .shares = p256, .groups = both, .early = true };
	n = build_ch(msg, sizeof(msg), &o);
	msg[n - 1]++;  /* early_data's length, the last extension */
	scan_all_ways(msg, n, &s);
	assert_true(s.done);
	assert_false(s.ok);
	msg[0] = 2;
	scan_all_ways(msg, 4, &s);
	assert_true(s.done && !s.ok);
	msg[0] = 1;
	msg[1] = 0x01;
	scan_all_ways(msg, 4, &s);
	assert_true(s.done && !s.ok);
}

/* The ClientHello tern's own client sends when resuming with 0-RTT reads
 * as one the server accepts 0-RTT on: early_data, our ticket as the first
 * identity, an X25519 or P-256 share. */
static void test_ch_scan_real(void **state)
{
	static struct quic_ch_scan s;
	struct quic_tls_out *o;

	ctx_up();
	connect(NULL, 0, false, &r1);
	side_init(&cl, &cl_ctx, "client-tp");
	assert_int_equal(quic_tls_set_session(&cl.t, r1.sess, r1.sess_len), 0);
	assert_int_equal(quic_tls_advance(&cl.t), 0);
	o = &cl.t.out[QUIC_LEVEL_INITIAL];
	scan_all_ways(o->buf, o->len, &s);
	assert_true(s.done && s.ok && s.early_data && s.psk && quic_ch_scan_no_hrr(&s));
	assert_int_equal(s.id_have, s.id_len);
	/* wolfSSL's InternalTicket is 80 bytes with WOLFSSL_EARLY_DATA */
	assert_int_equal(s.id_len, QUIC_TICKET_FIXED_LEN + 80 + QUIC_TICKET_META_LEN);
	quic_tls_deinit(&cl.t);
	ctx_down();
}

#endif /* CONFIG_QUIC_0RTT */

int main(void)
{
	const struct CMUnitTest tests[] = {
		UNIT_TEST(test_resume),
		UNIT_TEST(test_replay),
		UNIT_TEST(test_refuse_policy),
		UNIT_TEST(test_server_early_off),
		UNIT_TEST(test_server_early_turned_off),
		UNIT_TEST(test_config_changed),
		UNIT_TEST(test_ticket_expiry),
		UNIT_TEST(test_other_process),
		UNIT_TEST(test_session_blob),
		UNIT_TEST(test_suite_order),
		UNIT_TEST(test_hrr),
#if IS_ENABLED(CONFIG_QUIC_0RTT)
		UNIT_TEST(test_strike_full),
		UNIT_TEST(test_strike_register),
		UNIT_TEST(test_ch_scan),
		UNIT_TEST(test_ch_scan_real),
#endif
	};

	return cmocka_run_group_tests_name("tls_resume", tests, NULL, NULL);
}
