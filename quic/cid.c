/* quic/cid: the connection-ID table; see quic/cid.h. */
#include <string.h>

#include "lib/siphash.h"
#include "quic/cid.h"

#define MASK (QUIC_CID_SLOTS - 1)

BUILD_ASSERT((QUIC_CID_SLOTS & MASK) == 0, "CID table size must be a power of two");
BUILD_ASSERT(QUIC_CID_SLOTS >= 2 * QUIC_CID_CAPACITY, "CID table load must stay <= 1/2");

static uint32_t home(const struct quic_cid_table *t, const uint8_t *cid, size_t len)
{
	return (uint32_t)siphash24(t->key, cid, len) & MASK;
}

static bool same(const struct quic_cid_slot *s, const uint8_t *cid, size_t len)
{
	return s->used && s->len == len && !memcmp(s->b, cid, len);
}

static bool same_conn(pool_handle_t a, pool_handle_t b)
{
	return a.idx == b.idx && a.gen == b.gen;
}

void quic_cid_table_init(struct quic_cid_table *t, const uint8_t key[16])
{
	memset(t, 0, sizeof(*t));
	memcpy(t->key, key, sizeof(t->key));
}

/* The slot holding cid, or -1. */
static int32_t find(const struct quic_cid_table *t, const uint8_t *cid, size_t len)
{
	uint32_t i = home(t, cid, len);

	/* at most one empty slot in two: the walk ends quickly */
	for (uint32_t n = 0; n < QUIC_CID_SLOTS; n++, i = (i + 1) & MASK) {
		if (!t->slot[i].used)
			return -1;
		if (same(&t->slot[i], cid, len))
			return (int32_t)i;
	}
	return -1;
}

int quic_cid_add(struct quic_cid_table *t, const struct quic_cid *cid, pool_handle_t conn)
{
	uint32_t i, n;

	if (!cid->len || cid->len > QUIC_MAX_CID_LEN || t->count >= QUIC_CID_CAPACITY ||
	    pool_handle_is_none(conn) || find(t, cid->b, cid->len) >= 0)
		return -1;
	i = home(t, cid->b, cid->len);
	for (n = 1; t->slot[i].used; n++)
		i = (i + 1) & MASK;
	t->slot[i].used = 1;
	t->slot[i].len = cid->len;
	memcpy(t->slot[i].b, cid->b, cid->len);
	t->slot[i].conn = conn;
	t->count++;
	if (n > t->max_probe)
		t->max_probe = n;
	return 0;
}

/* Empty slot i and shift back the entries after it that probed past it
 * (linear probing's deletion without tombstones). */
static void erase(struct quic_cid_table *t, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		j = (j + 1) & MASK;
		if (!t->slot[j].used)
			break;
		uint32_t h = home(t, t->slot[j].b, t->slot[j].len);

		/* j's entry may move to i unless its home lies cyclically in
		 * (i, j]: then the probe from home never passes i */
		if (i <= j ? (h > i && h <= j) : (h > i || h <= j))
			continue;
		t->slot[i] = t->slot[j];
		i = j;
	}
	memset(&t->slot[i], 0, sizeof(t->slot[i]));
	t->count--;
}

int quic_cid_remove(struct quic_cid_table *t, const struct quic_cid *cid)
{
	int32_t i = cid->len <= QUIC_MAX_CID_LEN ? find(t, cid->b, cid->len) : -1;

	if (i < 0)
		return -1;
	erase(t, (uint32_t)i);
	return 0;
}

pool_handle_t quic_cid_lookup(const struct quic_cid_table *t, const uint8_t *cid, size_t len)
{
	int32_t i = len && len <= QUIC_MAX_CID_LEN ? find(t, cid, len) : -1;

	return i < 0 ? POOL_HANDLE_NONE : t->slot[i].conn;
}

size_t quic_cid_remove_conn(struct quic_cid_table *t, pool_handle_t conn)
{
	size_t n = 0;

	/* erase() may shift a later entry into i: look at i again then */
	for (uint32_t i = 0; i < QUIC_CID_SLOTS;) {
		if (t->slot[i].used && same_conn(t->slot[i].conn, conn)) {
			erase(t, i);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

size_t quic_cid_count_conn(const struct quic_cid_table *t, pool_handle_t conn)
{
	size_t n = 0;

	for (uint32_t i = 0; i < QUIC_CID_SLOTS; i++)
		n += t->slot[i].used && same_conn(t->slot[i].conn, conn);
	return n;
}
