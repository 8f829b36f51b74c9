/* Crypto test groups run once per crypto path the build offers
 * (DESIGN.md 4.6): every known answer, oracle vector, round trip and
 * tamper test holds on each path, not only on the one the CPU picks.
 *
 *   auto      each key on the best path the CPU can run (on the arm64
 *             backend under qemu-aarch64 -cpu max or the Cortex-A72
 *             board: tern's Crypto Extensions / NEON code)
 *   portable  crypto_set_portable(true): wolfCrypt's C code for all
 *   no-aes    arm64 only: the probe masked to ASIMD, as on a CPU without
 *             AES instructions (Raspberry Pi 4 class): AES suites on
 *             wolfCrypt, ChaCha20 on NEON
 * Before each group, unit_crypto_expect() checks that keys really land
 * on the path the group is named after, so no group passes on the wrong
 * code. */
#ifndef TERN_TESTS_UNIT_CRYPTO_H
#define TERN_TESTS_UNIT_CRYPTO_H

#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "crypto/crypto.h"
#if IS_ENABLED(CONFIG_CRYPTO_ARM64)
#include "crypto/arm64/arm64.h"
#endif

struct unit_crypto_path {
	const char *name;
	bool portable;
	unsigned cpu_keep;  /* arm64_cpu_mask() */
};

static const struct unit_crypto_path unit_crypto_paths[] = {
	{ "auto", false, ~0u },
#if IS_ENABLED(CONFIG_CRYPTO_ARM64)
	{ "portable", true, ~0u },
	{ "no-aes", false, ARM64_CPU_ASIMD },
#endif
};
#define UNIT_CRYPTO_PATHS (sizeof(unit_crypto_paths) / sizeof(unit_crypto_paths[0]))

static inline void unit_crypto_use(const struct unit_crypto_path *p)
{
	crypto_set_portable(p->portable);
#if IS_ENABLED(CONFIG_CRYPTO_ARM64)
	arm64_cpu_mask(p->cpu_keep);
#endif
}

/* The backend a key for alg gets on path p: "arm64" where the (masked)
 * CPU has what the arm64 code for alg needs, else "wolfcrypt". */
static inline const char *unit_crypto_expect(const struct unit_crypto_path *p,
					     enum crypto_aead alg, bool hp)
{
#if IS_ENABLED(CONFIG_CRYPTO_ARM64)
	unsigned f = arm64_cpu_features(), need;

	if (alg == CRYPTO_CHACHA20_POLY1305)
		need = ARM64_CPU_ASIMD;
	else if (hp || alg == CRYPTO_AES_128_CCM)
		need = ARM64_CPU_AES;
	else
		need = ARM64_CPU_AES | ARM64_CPU_PMULL;
	if (!p->portable && (f & need) == need)
		return "arm64";
#else
	(void)p;
	(void)alg;
	(void)hp;
#endif
	return "wolfcrypt";
}

/* The backend HKDF with hash runs on, on path p. */
static inline const char *unit_crypto_expect_hkdf(const struct unit_crypto_path *p,
						  enum crypto_hash hash)
{
#if IS_ENABLED(CONFIG_CRYPTO_ARM64)
	unsigned need = hash == CRYPTO_SHA256 ? ARM64_CPU_SHA256 : ARM64_CPU_SHA512;

	if (!p->portable && (arm64_cpu_features() & need) == need)
		return "arm64";
#else
	(void)p;
	(void)hash;
#endif
	return "wolfcrypt";
}

/* Keys land where unit_crypto_expect says; 0 or the number of misses
 * (printed). */
static inline int unit_crypto_check_path(const struct unit_crypto_path *p)
{
	static const enum crypto_aead algs[] = {
		CRYPTO_AES_128_GCM, CRYPTO_AES_256_GCM, CRYPTO_CHACHA20_POLY1305,
		CRYPTO_AES_128_CCM,
	};
	static const uint8_t key[32] = { 1 };
	int bad = 0;

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		struct crypto_aead_ctx a;
		struct crypto_hp_ctx h;
		enum crypto_aead alg = algs[i];

		if (!crypto_aead_enabled(alg))
			continue;
		if (crypto_aead_init(&a, alg, key, crypto_aead_keylen(alg)) != 0 ||
		    crypto_hp_init(&h, alg, key, crypto_aead_keylen(alg)) != 0) {
			printf("path %s: %s: init failed\n", p->name, crypto_aead_name(alg));
			bad++;
			continue;
		}
		printf("path %s: %s AEAD on %s, header protection on %s\n", p->name,
		       crypto_aead_name(alg), crypto_aead_impl(&a), crypto_hp_impl(&h));
		if (strcmp(crypto_aead_impl(&a), unit_crypto_expect(p, alg, false)) ||
		    strcmp(crypto_hp_impl(&h), unit_crypto_expect(p, alg, true))) {
			printf("path %s: %s: expected AEAD on %s, header protection on %s\n",
			       p->name, crypto_aead_name(alg), unit_crypto_expect(p, alg, false),
			       unit_crypto_expect(p, alg, true));
			bad++;
		}
		crypto_aead_deinit(&a);
		crypto_hp_deinit(&h);
	}
	for (enum crypto_hash hash = CRYPTO_SHA256; hash <= CRYPTO_SHA384; hash++) {
		if (!crypto_hash_len(hash))
			continue;
		printf("path %s: HKDF-SHA-%d on %s\n", p->name, hash == CRYPTO_SHA256 ? 256 : 384,
		       crypto_hkdf_impl(hash));
		if (strcmp(crypto_hkdf_impl(hash), unit_crypto_expect_hkdf(p, hash))) {
			printf("path %s: expected HKDF on %s\n", p->name,
			       unit_crypto_expect_hkdf(p, hash));
			bad++;
		}
	}
	return bad;
}

/* Run tests[0..n) as one cmocka group per path, named "name[path]"; the
 * path check counts as one more test of the group. Returns the number of
 * failures. */
static inline int unit_crypto_run(const char *name, const struct CMUnitTest *tests, size_t n)
{
	int failed = 0;

	for (size_t i = 0; i < UNIT_CRYPTO_PATHS; i++) {
		const struct unit_crypto_path *p = &unit_crypto_paths[i];
		char group[64];
		int bad;

		snprintf(group, sizeof(group), "%s[%s]", name, p->name);
		unit_crypto_use(p);
		bad = unit_crypto_check_path(p);
		printf("[%s] 1 test(s).\n", bad ? "  FAILED  " : "  PASSED  ");
		failed += bad ? 1 : 0;
		failed += _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	}
	unit_crypto_use(&unit_crypto_paths[0]);
	return failed;
}

#define UNIT_CRYPTO_RUN(name, tests) \
	unit_crypto_run(name, tests, sizeof(tests) / sizeof((tests)[0]))

#endif
