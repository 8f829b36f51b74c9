/* board/qemu-virt-arm64/selftest.c: main() of selftest.elf. Runs every
 * unit test program of unit-y (unit.mk renames each one's main() to
 * unit_main_test_<name>()), each announced for tools/run-tests.sh, and
 * exits with the number of suites that failed. */
#include <stdio.h>

#include "generated/selftest_suites.h"

int main(void);

#define UNIT_SUITE_ENTRY(name) { #name, unit_main_##name },

static const struct {
	const char *name;
	int (*run)(void);
} suites[] = {
	UNIT_SUITES(UNIT_SUITE_ENTRY)
};

int main(void)
{
	unsigned int n = sizeof(suites) / sizeof(suites[0]);
	unsigned int failed = 0;

	for (unsigned int i = 0; i < n; i++) {
		/* "test_pool" -> "pool", as the Linux runner names suites */
		printf("=== suite: %s\n", suites[i].name + 5);
		if (suites[i].run() != 0)
			failed++;
	}
	printf("selftest: %u suites, %u failed suites\n", n, failed);
	return (int)failed;
}
