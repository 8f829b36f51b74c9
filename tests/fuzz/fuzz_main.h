/* tests/fuzz/fuzz_main.h: with -DTERN_FUZZ_MAIN a harness builds without
 * libFuzzer (gcc): a main() that runs each file named on the command line
 * through LLVMFuzzerTestOneInput once (corpus replay, crash reproduction). */
#ifndef TERN_TESTS_FUZZ_MAIN_H
#define TERN_TESTS_FUZZ_MAIN_H

#ifdef TERN_FUZZ_MAIN
#include <stdio.h>

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 20];

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	printf("%d input(s) run\n", argc - 1);
	return 0;
}
#endif

#endif
