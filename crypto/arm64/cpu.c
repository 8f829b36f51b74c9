/* crypto/arm64/cpu: which crypto instructions this CPU has.
 *
 * Linux: the kernel's view, getauxval(AT_HWCAP) (the ID registers are not
 * readable at EL0 without the kernel's emulation, and the kernel may hide
 * features it does not support). Bare metal (we run at EL1): the ID
 * registers themselves, ID_AA64PFR0_EL1.AdvSIMD and ID_AA64ISAR0_EL1's
 * AES and SHA2 fields (Arm ARM D17.2).
 */
#include "crypto/arm64/arm64.h"
#include "lib/kconfig.h"

#if IS_ENABLED(CONFIG_BARE_METAL)
static unsigned probe(void)
{
	uint64_t pfr0, isar0;
	unsigned f = 0, aes, sha2;

	__asm__ volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	if (((pfr0 >> 20) & 0xf) != 0xf)  /* 0xf: no Advanced SIMD */
		f |= ARM64_CPU_ASIMD;
	aes = (unsigned)(isar0 >> 4) & 0xf;   /* 1: AES, 2: AES + PMULL */
	sha2 = (unsigned)(isar0 >> 12) & 0xf; /* 1: SHA-256, 2: + SHA-512 */
	if (aes >= 1)
		f |= ARM64_CPU_AES;
	if (aes >= 2)
		f |= ARM64_CPU_PMULL;
	if (sha2 >= 1)
		f |= ARM64_CPU_SHA256;
	if (sha2 >= 2)
		f |= ARM64_CPU_SHA512;
	return f;
}
#else
#include <sys/auxv.h>

/* asm/hwcap.h's bits for AT_HWCAP (stable kernel ABI) */
#define HWCAP_ASIMD_BIT  (1ul << 1)
#define HWCAP_AES_BIT    (1ul << 3)
#define HWCAP_PMULL_BIT  (1ul << 4)
#define HWCAP_SHA2_BIT   (1ul << 6)
#define HWCAP_SHA512_BIT (1ul << 21)

static unsigned probe(void)
{
	unsigned long hw = getauxval(AT_HWCAP);
	unsigned f = 0;

	if (hw & HWCAP_ASIMD_BIT)
		f |= ARM64_CPU_ASIMD;
	if (hw & HWCAP_AES_BIT)
		f |= ARM64_CPU_AES;
	if (hw & HWCAP_PMULL_BIT)
		f |= ARM64_CPU_PMULL;
	if (hw & HWCAP_SHA2_BIT)
		f |= ARM64_CPU_SHA256;
	if (hw & HWCAP_SHA512_BIT)
		f |= ARM64_CPU_SHA512;
	return f;
}
#endif

static unsigned features;
static unsigned mask = ~0u;
static bool probed;

unsigned arm64_cpu_features(void)
{
	if (!probed) {
		features = probe();
		probed = true;
	}
	return features & mask;
}

void arm64_cpu_mask(unsigned keep)
{
	mask = keep;
}
