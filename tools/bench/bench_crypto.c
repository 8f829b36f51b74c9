/* tools/bench/bench_crypto.c: packet protection throughput through
 * crypto/crypto.h on the backend this build links (make bench-crypto).
 *
 * One "packet" of size B: a 16-byte header (the AAD, packet number in its
 * last 4 bytes), B payload bytes sealed in place with a 16-byte tag after
 * them (nonce = iv XOR packet number), then header protection: one 16-byte
 * sample (the first 16 bytes of ciphertext) through crypto_hp_mask and the
 * mask applied to the header. The same buffer is sealed again for the next
 * packet, so the final buffer depends on every packet: its checksum (check=)
 * is the same on every backend and architecture for the same case and count.
 *
 *   bench_crypto                      every enabled suite x 64, 1200, 1452 bytes,
 *                                     8 MiB of payload per case, the fastest
 *                                     of 3 runs (the host may be busy)
 *   bench_crypto --count N --suite S --size B
 *                                     exactly N packets of one case (N may be 0)
 *   --only aead | --only hp           the seal alone (no mask), or the mask
 *                                     alone (the sample still comes from the
 *                                     payload, and the mask is folded into it
 *                                     so each packet depends on the last)
 *   --crypto portable                 force wolfCrypt's C code (crypto_set_portable)
 *
 * --suite and --size filter, --count fixes the packet count (and makes
 * one run, --repeat R the fastest of R; the checksum is the one run's). For counting
 * instructions (tools/bench-crypto.sh): insns(N) - insns(0) is the cost of
 * N packets, everything else (startup, key setup, checksum) cancels.
 * Output: a comment line naming the path each suite's keys run on
 * ("# path SUITE aead=arm64 hp=arm64"), then one line per case:
 *   suite size packets ns/packet MB/s check=XXXXXXXX
 * The clock is the host's CLOCK_MONOTONIC (MB = 10^6 bytes of payload).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/crypto.h"

#define HDR_LEN   16
#define MAX_SIZE  1452
#define BENCH_BYTES (8u << 20)

static const enum crypto_aead suites[] = {
	CRYPTO_AES_128_GCM, CRYPTO_AES_256_GCM, CRYPTO_CHACHA20_POLY1305, CRYPTO_AES_128_CCM,
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

static const size_t sizes[] = { 64, 1200, 1452 };
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static _Alignas(16) uint8_t pkt[HDR_LEN + MAX_SIZE + CRYPTO_AEAD_TAG_LEN];

/* what each packet costs: both (the default), or one half */
static bool do_aead = true, do_hp = true;

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 37);
}

/* FNV-1a, once per run (outside the packet loop) */
static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* count packets of size bytes sealed in place in pkt, each with its
 * header-protection mask applied. 0 on success. */
static int seal_packets(struct crypto_aead_ctx *aead, struct crypto_hp_ctx *hp,
			const uint8_t iv[CRYPTO_AEAD_NONCE_LEN], size_t size,
			unsigned long count)
{
	uint8_t nonce[CRYPTO_AEAD_NONCE_LEN];
	uint8_t mask[1][CRYPTO_HP_MASK_LEN];
	uint8_t *hdr = pkt, *payload = pkt + HDR_LEN;

	for (unsigned long pn = 0; pn < count; pn++) {
		hdr[0] = 0x43;	/* short header, 4-byte packet number */
		hdr[12] = (uint8_t)(pn >> 24);
		hdr[13] = (uint8_t)(pn >> 16);
		hdr[14] = (uint8_t)(pn >> 8);
		hdr[15] = (uint8_t)pn;
		memcpy(nonce, iv, sizeof(nonce));
		for (int i = 0; i < 4; i++)
			nonce[8 + i] ^= hdr[12 + i];
		if (do_aead && crypto_aead_seal(aead, nonce, hdr, HDR_LEN, payload, size,
						payload + size) != 0)
			return -1;
		if (!do_hp)
			continue;
		/* RFC 9001 5.4.2: the sample starts 4 bytes after the packet
		 * number, here the first ciphertext byte */
		if (crypto_hp_mask(hp, (const uint8_t (*)[CRYPTO_HP_SAMPLE_LEN])payload,
				   mask, 1) != 0)
			return -1;
		hdr[0] ^= mask[0][0] & 0x1f;
		for (int i = 0; i < 4; i++)
			hdr[12 + i] ^= mask[0][1 + i];
		if (!do_aead)
			payload[pn % 16] ^= mask[0][1];
	}
	return 0;
}

/* count packets of one case, the fastest of repeat runs (each from the
 * same starting buffer); prints its line. 0 on success. */
static int run_case(enum crypto_aead alg, const char *name, size_t size,
		    unsigned long count, int repeat)
{
	struct crypto_aead_ctx aead = { 0 };
	struct crypto_hp_ctx hp = { 0 };
	uint8_t key[CRYPTO_AEAD_MAX_KEY], hpkey[CRYPTO_AEAD_MAX_KEY];
	uint8_t iv[CRYPTO_AEAD_NONCE_LEN];
	size_t keylen = crypto_aead_keylen(alg);
	double best = 0;
	int ret = 0;

	fill(key, sizeof(key), 1);
	fill(hpkey, sizeof(hpkey), 2);
	fill(iv, sizeof(iv), 3);
	if (crypto_aead_init(&aead, alg, key, keylen) != 0 ||
	    crypto_hp_init(&hp, alg, hpkey, keylen) != 0) {
		fprintf(stderr, "bench_crypto: %s: key setup failed\n", name);
		ret = -1;
		goto out;
	}
	for (int r = 0; r < repeat; r++) {
		double t0, t;

		fill(pkt, sizeof(pkt), 4);
		t0 = now_ns();
		if (seal_packets(&aead, &hp, iv, size, count) != 0) {
			fprintf(stderr, "bench_crypto: %s %zu: seal or mask failed\n",
				name, size);
			ret = -1;
			goto out;
		}
		t = now_ns() - t0;
		if (r == 0 || t < best)
			best = t;
	}
	printf("%-18s %5zu %8lu %10.1f %9.1f check=%08x\n", name, size, count,
	       count ? best / (double)count : 0.0,
	       best > 0 ? (double)count * (double)size * 1e3 / best : 0.0,
	       fnv(2166136261u, pkt, HDR_LEN + size + CRYPTO_AEAD_TAG_LEN));
out:
	crypto_aead_deinit(&aead);
	crypto_hp_deinit(&hp);
	return ret;
}

/* "# path SUITE aead=IMPL hp=IMPL": where this suite's keys run */
static void print_path(enum crypto_aead alg)
{
	static const uint8_t key[CRYPTO_AEAD_MAX_KEY];
	struct crypto_aead_ctx a;
	struct crypto_hp_ctx h;

	crypto_aead_init(&a, alg, key, crypto_aead_keylen(alg));
	crypto_hp_init(&h, alg, key, crypto_aead_keylen(alg));
	printf("# path %s aead=%s hp=%s\n", crypto_aead_name(alg), crypto_aead_impl(&a),
	       crypto_hp_impl(&h));
	crypto_aead_deinit(&a);
	crypto_hp_deinit(&h);
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_crypto [--count N] [--repeat R] [--suite NAME] [--size BYTES]\n"
		"                    [--only aead|hp] [--crypto auto|portable]\n"
		"  NAME: AES-128-GCM AES-256-GCM ChaCha20-Poly1305 AES-128-CCM;"
		" BYTES: %d..%d\n", CRYPTO_HP_SAMPLE_LEN, MAX_SIZE);
	return 2;
}

int main(int argc, char **argv)
{
	const char *suite = NULL;
	long count = -1, size = 0, repeat = 0;
	int found = 0, fail = 0;

	for (int i = 1; i < argc; i++) {
		char *end;

		if (i + 1 >= argc)
			return usage();
		if (!strcmp(argv[i], "--count")) {
			count = strtol(argv[++i], &end, 10);
			if (*end || count < 0)
				return usage();
		} else if (!strcmp(argv[i], "--size")) {
			size = strtol(argv[++i], &end, 10);
			if (*end || size < CRYPTO_HP_SAMPLE_LEN || size > MAX_SIZE)
				return usage();
		} else if (!strcmp(argv[i], "--repeat")) {
			repeat = strtol(argv[++i], &end, 10);
			if (*end || repeat < 1 || repeat > 100)
				return usage();
		} else if (!strcmp(argv[i], "--suite")) {
			suite = argv[++i];
		} else if (!strcmp(argv[i], "--only")) {
			i++;
			if (!strcmp(argv[i], "aead"))
				do_hp = false;
			else if (!strcmp(argv[i], "hp"))
				do_aead = false;
			else
				return usage();
		} else if (!strcmp(argv[i], "--crypto")) {
			i++;
			if (!strcmp(argv[i], "portable"))
				crypto_set_portable(true);
			else if (strcmp(argv[i], "auto"))
				return usage();
		} else {
			return usage();
		}
	}

	if (!repeat)
		repeat = count >= 0 ? 1 : 3;
	printf("# %-16s %5s %8s %10s %9s\n", "suite", "size", "packets", "ns/packet", "MB/s");
	for (size_t s = 0; s < N_SUITES; s++) {
		if (suite && strcasecmp(suite, crypto_aead_name(suites[s])))
			continue;
		if (!crypto_aead_enabled(suites[s])) {
			if (suite) {
				fprintf(stderr, "bench_crypto: %s is not enabled in this build\n",
					crypto_aead_name(suites[s]));
				return 1;
			}
			continue;
		}
		for (size_t z = 0; z < (size ? 1 : N_SIZES); z++) {
			size_t b = size ? (size_t)size : sizes[z];
			unsigned long n = count >= 0 ? (unsigned long)count : BENCH_BYTES / b;

			if (z == 0)
				print_path(suites[s]);
			found++;
			if (run_case(suites[s], crypto_aead_name(suites[s]), b, n, (int)repeat) != 0)
				fail = 1;
		}
	}
	if (!found) {
		fprintf(stderr, "bench_crypto: no such suite: %s\n", suite ? suite : "(none enabled)");
		return 1;
	}
	return fail;
}
