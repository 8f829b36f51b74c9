/* quic/cid: the connection-ID table against a plain model (random adds
 * and removes up to capacity, every present and absent CID looked up
 * after each step), per-connection removal, limits; lib/siphash's known
 * answer. */
#include <string.h>

#include "unit.h"
#include "lib/siphash.h"
#include "quic/cid.h"

static struct quic_cid_table table;

static uint32_t rng = 12345;

static uint32_t next(void)
{
	return unit_xorshift32(&rng);
}

static pool_handle_t conn(uint32_t i)
{
	return (pool_handle_t){ i, 2 * i + 1 };
}

/* 8..20 random bytes: the model's CIDs never repeat in practice */
static struct quic_cid random_cid(void)
{
	struct quic_cid c = { .len = (uint8_t)(8 + next() % (QUIC_MAX_CID_LEN - 7)) };

	for (int i = 0; i < c.len; i++)
		c.b[i] = (uint8_t)next();
	return c;
}

/* SipHash-2-4 paper, appendix A: key 00..0f, message 00..0e */
static void test_siphash_vector(void **state)
{
	uint8_t key[16], msg[15];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(siphash24(key, msg, sizeof(msg)), 0xa129ca6149be45e5ull);
}

static void test_basic(void **state)
{
	static const uint8_t key[16] = { 7 };
	struct quic_cid a = { 8, "abcdefgh" }, b = { 4, "abcd" }, empty = { 0 };

	quic_cid_table_init(&table, key);
	assert_int_equal(quic_cid_add(&table, &a, conn(1)), 0);
	assert_int_equal(quic_cid_add(&table, &b, conn(2)), 0);
	assert_int_equal(quic_cid_add(&table, &a, conn(3)), -1);        /* taken */
	assert_int_equal(quic_cid_add(&table, &empty, conn(3)), -1);    /* cannot route */
	assert_int_equal(quic_cid_add(&table, &b, POOL_HANDLE_NONE), -1);
	assert_int_equal(quic_cid_lookup(&table, a.b, a.len).idx, 1);
	assert_int_equal(quic_cid_lookup(&table, b.b, b.len).idx, 2);
	assert_true(pool_handle_is_none(quic_cid_lookup(&table, a.b, 7)));  /* a prefix */
	assert_true(pool_handle_is_none(quic_cid_lookup(&table, a.b, 0)));
	assert_int_equal(quic_cid_remove(&table, &a), 0);
	assert_int_equal(quic_cid_remove(&table, &a), -1);
	assert_true(pool_handle_is_none(quic_cid_lookup(&table, a.b, a.len)));
	assert_int_equal(table.count, 1);
}

#define MODEL_MAX QUIC_CID_CAPACITY

static struct quic_cid model[MODEL_MAX];
static pool_handle_t model_conn[MODEL_MAX];

static void test_against_model(void **state)
{
	static const uint8_t key[16] = { 1, 2, 3 };
	size_t n = 0;

	quic_cid_table_init(&table, key);
	for (int step = 0; step < 20000; step++) {
		bool add = n == 0 || (n < MODEL_MAX && next() % 3 != 0);

		if (add) {
			struct quic_cid c = random_cid();

			model[n] = c;
			model_conn[n] = conn(next() % CONFIG_POOL_CONNECTIONS + 1);
			assert_int_equal(quic_cid_add(&table, &c, model_conn[n]), 0);
			n++;
		} else {
			size_t k = next() % n;

			assert_int_equal(quic_cid_remove(&table, &model[k]), 0);
			model[k] = model[n - 1];
			model_conn[k] = model_conn[n - 1];
			n--;
		}
		assert_int_equal(table.count, n);
		/* every few steps, every entry (shifted or not) is still found */
		if (step % 97 == 0 || n == MODEL_MAX) {
			for (size_t k = 0; k < n; k++) {
				pool_handle_t h = quic_cid_lookup(&table, model[k].b, model[k].len);

				assert_int_equal(h.idx, model_conn[k].idx);
				assert_int_equal(h.gen, model_conn[k].gen);
			}
			struct quic_cid absent = random_cid();

			absent.len = 5;  /* no model CID is this short */

			assert_true(pool_handle_is_none(quic_cid_lookup(&table, absent.b,
									absent.len)));
		}
		if (n == MODEL_MAX) {
			struct quic_cid more = random_cid();

			assert_int_equal(quic_cid_add(&table, &more, conn(1)), -1);  /* full */
		}
	}
	/* probing stays short at load 1/2 */
	assert_true(table.max_probe < 64);
}

static void test_remove_conn(void **state)
{
	static const uint8_t key[16] = { 9 };
	struct quic_cid c[30];

	quic_cid_table_init(&table, key);
	for (int i = 0; i < 30; i++) {
		c[i] = random_cid();
		assert_int_equal(quic_cid_add(&table, &c[i], conn(i % 3 + 1)), 0);
	}
	assert_int_equal(quic_cid_count_conn(&table, conn(2)), 10);
	assert_int_equal(quic_cid_remove_conn(&table, conn(2)), 10);
	assert_int_equal(quic_cid_count_conn(&table, conn(2)), 0);
	assert_int_equal(quic_cid_remove_conn(&table, conn(2)), 0);
	/* a stale handle (same index, next generation) owns nothing */
	assert_int_equal(quic_cid_count_conn(&table, (pool_handle_t){ 1, 5 }), 0);
	for (int i = 0; i < 30; i++) {
		pool_handle_t h = quic_cid_lookup(&table, c[i].b, c[i].len);

		if (i % 3 == 1)
			assert_true(pool_handle_is_none(h));
		else
			assert_int_equal(h.idx, (uint32_t)(i % 3 + 1));
	}
	assert_int_equal(table.count, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vector),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_remove_conn),
	};

	return cmocka_run_group_tests_name("cid", tests, NULL, NULL);
}
