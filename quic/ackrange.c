/* quic/ackrange: see quic/ackrange.h. Packets mostly arrive in order, so
 * the common case extends r[0] by one; the arrays are small and moves are
 * cheap. */
#include <string.h>

#include "quic/ackrange.h"

void quic_ackrange_init(struct quic_ackrange *a)
{
	memset(a, 0, sizeof(*a));
}

bool quic_ackrange_seen(const struct quic_ackrange *a, uint64_t pn)
{
	if (pn < a->floor)
		return true;
	for (int i = 0; i < a->n; i++) {
		if (pn > a->r[i][1])
			return false;
		if (pn >= a->r[i][0])
			return true;
	}
	return false;
}

static void remove_at(struct quic_ackrange *a, int i)
{
	memmove(a->r[i], a->r[i + 1], (size_t)(a->n - i - 1) * sizeof(a->r[0]));
	a->n--;
}

bool quic_ackrange_add(struct quic_ackrange *a, uint64_t pn)
{
	int i;

	if (quic_ackrange_seen(a, pn))
		return false;
	/* first range whose top is below pn: pn goes before it */
	for (i = 0; i < a->n && a->r[i][1] > pn; i++)
		;
	bool joins_above = i > 0 && a->r[i - 1][0] == pn + 1;
	bool joins_below = i < a->n && a->r[i][1] + 1 == pn;

	if (joins_above && joins_below) {        /* fills the gap: merge */
		a->r[i - 1][0] = a->r[i][0];
		remove_at(a, i);
	} else if (joins_above) {
		a->r[i - 1][0] = pn;
	} else if (joins_below) {
		a->r[i][1] = pn;
	} else {
		if (a->n == QUIC_ACK_RANGES) {
			/* forget the oldest range; if pn would be it, pn is old */
			if (i == a->n) {
				a->floor = pn + 1;
				return true;
			}
			a->floor = a->r[a->n - 1][1] + 1;
			a->n--;
		}
		memmove(a->r[i + 1], a->r[i], (size_t)(a->n - i) * sizeof(a->r[0]));
		a->r[i][0] = a->r[i][1] = pn;
		a->n++;
	}
	return true;
}

bool quic_ackrange_largest(const struct quic_ackrange *a, uint64_t *pn)
{
	if (!a->n)
		return false;
	*pn = a->r[0][1];
	return true;
}

void quic_ackrange_forget_below(struct quic_ackrange *a, uint64_t pn)
{
	while (a->n && a->r[a->n - 1][1] <= pn)
		a->n--;
	if (a->n && a->r[a->n - 1][0] <= pn)
		a->r[a->n - 1][0] = pn + 1;
	if (pn + 1 > a->floor)
		a->floor = pn + 1;
}
