/* quic/ackrange: received packet numbers against a bitmap model, range
 * invariants after every step, forgetting old ranges when full. */
#include <string.h>

#include "unit.h"
#include "quic/ackrange.h"

static uint32_t rng = 4242;

static uint32_t next(void)
{
	return unit_xorshift32(&rng);
}

static void check_invariants(const struct quic_ackrange *a)
{
	for (int i = 0; i < a->n; i++) {
		assert_true(a->r[i][0] <= a->r[i][1]);
		assert_true(a->r[i][0] >= a->floor);
		if (i)  /* descending, with a gap of at least one */
			assert_true(a->r[i][1] + 1 < a->r[i - 1][0]);
	}
}

static void test_basic(void **state)
{
	struct quic_ackrange a;
	uint64_t l;

	quic_ackrange_init(&a);
	assert_false(quic_ackrange_largest(&a, &l));
	assert_true(quic_ackrange_add(&a, 0));
	assert_true(quic_ackrange_add(&a, 1));
	assert_true(quic_ackrange_add(&a, 3));
	assert_false(quic_ackrange_add(&a, 1));   /* duplicate */
	assert_int_equal(a.n, 2);
	assert_true(quic_ackrange_add(&a, 2));    /* fills the gap */
	assert_int_equal(a.n, 1);
	assert_int_equal(a.r[0][0], 0);
	assert_int_equal(a.r[0][1], 3);
	assert_true(quic_ackrange_largest(&a, &l));
	assert_int_equal(l, 3);
	assert_true(quic_ackrange_add(&a, 10));
	quic_ackrange_forget_below(&a, 5);
	assert_int_equal(a.n, 1);
	assert_true(quic_ackrange_seen(&a, 4));   /* forgotten counts as seen */
	assert_false(quic_ackrange_add(&a, 2));
	assert_true(quic_ackrange_add(&a, 7));
}

#define SPAN 4096

static void test_against_model(void **state)
{
	static bool model[SPAN];
	int forgot = 0;

	for (int round = 0; round < 50; round++) {
		struct quic_ackrange a;
		uint64_t base = round * 1000003ull;  /* large numbers too */

		quic_ackrange_init(&a);
		memset(model, 0, sizeof(model));
		for (int step = 0; step < 3000; step++) {
			/* mostly increasing, with reordering and duplicates */
			uint64_t off = (uint64_t)step + next() % 40;

			if (next() % 10 == 0)
				off = next() % (step + 1);
			if (off >= SPAN)
				continue;
			bool was_seen = quic_ackrange_seen(&a, base + off);
			bool added = quic_ackrange_add(&a, base + off);

			assert_int_equal(added, !was_seen);
			/* never report something seen that was not, unless it
			 * lies below the floor (forgotten on purpose) */
			if (was_seen && base + off >= a.floor)
				assert_true(model[off]);
			if (!was_seen)
				assert_false(model[off]);
			model[off] = true;
			check_invariants(&a);
			/* everything at or above the floor matches the model */
			if (step % 257 == 0)
				for (uint64_t k = 0; k < SPAN; k++)
					if (base + k >= a.floor)
						assert_int_equal(quic_ackrange_seen(&a, base + k),
								 model[k]);
		}
		forgot += a.floor > base;
	}
	assert_true(forgot > 0);  /* the full-table path ran */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_against_model),
	};

	return cmocka_run_group_tests_name("ackrange", tests, NULL, NULL);
}
