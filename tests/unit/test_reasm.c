/* quic/reasm: CRYPTO data arriving in random pieces (reordered, repeated,
 * overlapping, sometimes dropped for too many gaps and sent again) comes
 * out whole and in order; limits give the right result. */
#include <string.h>

#include "unit.h"
#include "quic/reasm.h"

#define MSG 6000
#define CAP 4096

static uint8_t msg[MSG], buf[CAP], out[MSG];
static uint32_t rng = 777;

static uint32_t next(void)
{
	return unit_xorshift32(&rng);
}

static void test_in_order_and_limits(void **state)
{
	struct quic_reasm q;
	const uint8_t *p;

	for (int i = 0; i < MSG; i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	quic_reasm_init(&q, buf, CAP);
	assert_int_equal(quic_reasm_peek(&q, &p), 0);
	assert_int_equal(quic_reasm_add(&q, 10, msg + 10, 5), QUIC_REASM_OK);
	assert_int_equal(quic_reasm_peek(&q, &p), 0);         /* gap at 0 */
	assert_int_equal(quic_reasm_add(&q, 0, msg, 10), QUIC_REASM_OK);
	assert_int_equal(quic_reasm_peek(&q, &p), 15);        /* merged */
	assert_memory_equal(p, msg, 15);
	quic_reasm_consume(&q, 12);
	assert_int_equal(q.base, 12);
	assert_int_equal(quic_reasm_peek(&q, &p), 3);
	assert_memory_equal(p, msg + 12, 3);
	/* consumed data again: accepted, changes nothing */
	assert_int_equal(quic_reasm_add(&q, 0, msg, 12), QUIC_REASM_OK);
	assert_int_equal(quic_reasm_peek(&q, &p), 3);
	/* the buffer reaches exactly base + cap */
	assert_int_equal(quic_reasm_add(&q, 12 + CAP - 1, msg, 1), QUIC_REASM_OK);
	assert_int_equal(quic_reasm_add(&q, 12 + CAP, msg, 1), QUIC_REASM_EXCEEDED);
	assert_int_equal(quic_reasm_add(&q, UINT64_MAX - 1, msg, 4), QUIC_REASM_EXCEEDED);
	/* too many gaps: the frame is dropped, nothing breaks */
	quic_reasm_init(&q, buf, CAP);
	for (int i = 0; i < QUIC_REASM_RANGES; i++)
		assert_int_equal(quic_reasm_add(&q, 100 + 10 * i, msg, 1), QUIC_REASM_OK);
	assert_int_equal(quic_reasm_add(&q, 1000, msg, 1), QUIC_REASM_DROPPED);
	assert_int_equal(quic_reasm_add(&q, 101, msg + 101, 10), QUIC_REASM_OK); /* merges */
	assert_int_equal(q.n, QUIC_REASM_RANGES - 1);
}

static void test_random_pieces(void **state)
{
	for (int round = 0; round < 300; round++) {
		struct quic_reasm q;
		size_t got = 0;
		int guard = 0;

		quic_reasm_init(&q, buf, CAP);
		memset(out, 0, sizeof(out));
		while (got < MSG) {
			/* a piece near the unconsumed window, sometimes old data */
			uint64_t off = got + next() % (CAP + 200);
			size_t len = 1 + next() % 700;
			const uint8_t *p;
			size_t n;

			if (next() % 8 == 0)
				off = next() % (got + 1);
			if (off >= MSG)
				continue;
			if (off + len > MSG)
				len = MSG - off;
			bool beyond = off + len > q.base + CAP;
			enum quic_reasm_result r = quic_reasm_add(&q, off, msg + off, len);

			assert_int_equal(r == QUIC_REASM_EXCEEDED, beyond);
			n = quic_reasm_peek(&q, &p);
			if (n && next() % 2) {
				size_t take = 1 + next() % n;

				memcpy(out + got, p, take);
				quic_reasm_consume(&q, take);
				got += take;
			}
			assert_true(++guard < 100000);
		}
		assert_memory_equal(out, msg, MSG);
		assert_int_equal(q.base, MSG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_and_limits),
		cmocka_unit_test(test_random_pieces),
	};

	return cmocka_run_group_tests_name("reasm", tests, NULL, NULL);
}
