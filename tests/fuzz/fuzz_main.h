/* tests/fuzz/fuzz_main.h: with -DTERN_FUZZ_MAIN a harness builds without
 * libFuzzer (gcc): a main() that runs each input named on the command line
 * (a file, or every file of a directory, in name order) through
 * LLVMFuzzerTestOneInput once: corpus replay, crash reproduction. With
 * -runs=N it then runs N mutants of those inputs, made by a fixed PRNG:
 * the same inputs and seed give the same mutants.
 *
 *   fuzz_x [-runs=N] [-seed=S] [-max_len=L] [-max_total_time=T]
 *          [-artifact_prefix=P] FILE|DIR...
 *
 *   -runs=N             mutants after the replay (default 0)
 *   -seed=S             the PRNG's seed (default 1)
 *   -max_len=L          a mutant's largest size (default 4096)
 *   -max_total_time=T   stop mutating after T seconds (default: no limit)
 *   -artifact_prefix=P  where a mutant that crashes is written: P, then
 *                       crash-<FNV-1a of its bytes> (default ./)
 *
 * The option names are libFuzzer's: a command line works with either
 * engine. A crash (a CHECK's abort(), or a sanitizer's report) names its
 * input on stderr: the file replayed, or the file the mutant went to.
 *
 * A mutant is one of the inputs with 1, 2, 4 or 8 of these changes: a
 * bit flipped; a byte overwritten or inserted (random, an ASCII digit or
 * one of fuzz_special[]) or changed by -16..16; 1 to 8 bytes deleted; the
 * end cut off, or replaced by another input's (splice); up to 32 bytes
 * of an input inserted or copied over.
 */
#ifndef TERN_TESTS_FUZZ_MAIN_H
#define TERN_TESTS_FUZZ_MAIN_H

#ifdef TERN_FUZZ_MAIN
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct fuzz_input {
	uint8_t *p;
	size_t len;
	char *name;
};

static struct fuzz_input *fuzz_in;
static size_t fuzz_n;

/* what is running, for the crash report */
static const uint8_t *fuzz_cur;
static size_t fuzz_cur_len;
static const char *fuzz_cur_file;    /* a file replayed, or NULL: a mutant */
static unsigned long fuzz_cur_run;
static const char *fuzz_prefix = "./";
static volatile sig_atomic_t fuzz_dying;

/* in every sanitizer runtime; weak: absent without one */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

/* gcc links UBSan's runtime apart from ASan's, and the death callback
 * reaches only one of them: UBSan aborts instead (fuzz_on_signal). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "abort_on_error=1:print_stacktrace=1";
}

static const uint8_t fuzz_special[] = {
	0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x3f, 0xc0, 0x20, '\t', '\r', '\n', ':', ';',
	'=', ',', '"', '\\', 'a', 'f',
};

static uint64_t fuzz_rng;

/* splitmix64 */
static uint64_t fuzz_rand(void)
{
	uint64_t z = (fuzz_rng += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static size_t fuzz_below(size_t n)
{
	return n ? (size_t)(fuzz_rand() % n) : 0;
}

/* only async-signal-safe calls from here to fuzz_on_signal() */
static void fuzz_puts(const char *s)
{
	ssize_t r = write(2, s, strlen(s));

	(void)r;
}

static void fuzz_putu(unsigned long v)
{
	char b[24];
	size_t i = sizeof(b) - 1;

	b[i] = 0;
	do {
		b[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	fuzz_puts(b + i);
}

static void fuzz_dump(void)
{
	static char path[4096];
	static const char hex[] = "0123456789abcdef";
	uint64_t h = 0xcbf29ce484222325u;
	size_t pl = strlen(fuzz_prefix), off = 0;
	int fd;

	if (fuzz_dying++ || !fuzz_cur)
		return;
	if (fuzz_cur_file) {
		fuzz_puts("fuzz_main: crash on ");
		fuzz_puts(fuzz_cur_file);
		fuzz_puts("\n");
		return;
	}
	for (size_t i = 0; i < fuzz_cur_len; i++)
		h = (h ^ fuzz_cur[i]) * 0x100000001b3u;
	if (pl > sizeof(path) - 32)
		pl = 0;
	memcpy(path, fuzz_prefix, pl);
	memcpy(path + pl, "crash-", 6);
	for (int i = 0; i < 16; i++)
		path[pl + 6 + i] = hex[(h >> (60 - 4 * i)) & 15];
	path[pl + 22] = 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	while (fd >= 0 && off < fuzz_cur_len) {
		ssize_t w = write(fd, fuzz_cur + off, fuzz_cur_len - off);

		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (fd >= 0)
		close(fd);
	fuzz_puts("fuzz_main: crash on mutant ");
	fuzz_putu(fuzz_cur_run);
	fuzz_puts(fd >= 0 && off == fuzz_cur_len ? ", written to " : ", NOT written to ");
	fuzz_puts(path);
	fuzz_puts("\n");
}

static void fuzz_on_signal(int sig)
{
	fuzz_dump();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* one input, in a heap block of its exact size (ASan sees an overread) */
static void fuzz_run(const uint8_t *p, size_t len, const char *file, unsigned long run)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy) {
		perror("malloc");
		exit(1);
	}
	memcpy(copy, p, len);
	fuzz_cur = copy;
	fuzz_cur_len = len;
	fuzz_cur_file = file;
	fuzz_cur_run = run;
	LLVMFuzzerTestOneInput(copy, len);
	fuzz_cur = NULL;
	free(copy);
}

static int fuzz_load(const char *path)
{
	struct fuzz_input *in;
	struct stat st;
	FILE *f;

	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent **ents;
		int n = scandir(path, &ents, NULL, alphasort), ret = 0;

		if (n < 0) {
			perror(path);
			return -1;
		}
		for (int i = 0; i < n; i++) {
			char sub[4096];

			if (ents[i]->d_name[0] != '.' && !ret) {
				snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
				ret = fuzz_load(sub);
			}
			free(ents[i]);
		}
		free(ents);
		return ret;
	}
	in = realloc(fuzz_in, (fuzz_n + 1) * sizeof(*fuzz_in));
	if (!in)
		return -1;
	fuzz_in = in;
	in = &fuzz_in[fuzz_n];
	in->len = (size_t)st.st_size;
	in->p = malloc(in->len ? in->len : 1);
	in->name = strdup(path);
	f = fopen(path, "rb");
	if (!f || !in->p || !in->name || fread(in->p, 1, in->len, f) != in->len) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	fuzz_n++;
	return 0;
}

static uint8_t fuzz_byte(void)
{
	switch (fuzz_below(3)) {
	case 0:
		return (uint8_t)fuzz_rand();
	case 1:
		return '0' + fuzz_below(10);
	default:
		return fuzz_special[fuzz_below(sizeof(fuzz_special))];
	}
}

/* 1 to 32 bytes of o (not empty) from *from: how many */
static size_t fuzz_piece(const struct fuzz_input *o, size_t *from)
{
	*from = fuzz_below(o->len);
	return 1 + fuzz_below(o->len - *from < 32 ? o->len - *from : 32);
}

/* one change to b[0..*len), which holds at most cap bytes */
static void fuzz_mutate(uint8_t *b, size_t *len, size_t cap)
{
	const struct fuzz_input *o = &fuzz_in[fuzz_below(fuzz_n)];
	size_t n = *len, at = fuzz_below(n), k, from;

	switch (fuzz_below(9)) {
	case 0:   /* flip a bit */
		if (n)
			b[at] ^= 1u << fuzz_below(8);
		break;
	case 1:   /* overwrite a byte */
		if (n)
			b[at] = fuzz_byte();
		break;
	case 2:   /* add -16..16 to a byte */
		if (n)
			b[at] += (uint8_t)(fuzz_below(33) - 16);
		break;
	case 3:   /* insert a byte */
		if (n < cap) {
			at = fuzz_below(n + 1);
			memmove(b + at + 1, b + at, n - at);
			b[at] = fuzz_byte();
			*len = n + 1;
		}
		break;
	case 4:   /* delete 1 to 8 bytes */
		if (n) {
			k = 1 + fuzz_below(n - at < 8 ? n - at : 8);
			memmove(b + at, b + at + k, n - at - k);
			*len = n - k;
		}
		break;
	case 5:   /* cut the end off */
		*len = fuzz_below(n + 1);
		break;
	case 6:   /* splice: this one's start, another's end */
		at = fuzz_below(n + 1);
		from = fuzz_below(o->len + 1);
		k = o->len - from < cap - at ? o->len - from : cap - at;
		memcpy(b + at, o->p + from, k);
		*len = at + k;
		break;
	case 7:   /* insert up to 32 bytes of another input */
		if (o->len && n < cap) {
			at = fuzz_below(n + 1);
			k = fuzz_piece(o, &from);
			if (k > cap - n)
				k = cap - n;
			memmove(b + at + k, b + at, n - at);
			memcpy(b + at, o->p + from, k);
			*len = n + k;
		}
		break;
	default:  /* copy up to 32 bytes of another input over these */
		if (o->len && n) {
			k = fuzz_piece(o, &from);
			if (k > n - at)
				k = n - at;
			memcpy(b + at, o->p + from, k);
		}
		break;
	}
}

static double fuzz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long runs = 0, seed = 1, max_time = 0, done = 0;
	size_t max_len = 4096, files;
	double t0 = fuzz_now();
	uint8_t *work;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (fuzz_load(a))
				return 1;
		} else if (!strncmp(a, "-runs=", 6)) {
			runs = strtoul(a + 6, NULL, 0);
		} else if (!strncmp(a, "-seed=", 6)) {
			seed = strtoul(a + 6, NULL, 0);
		} else if (!strncmp(a, "-max_len=", 9)) {
			max_len = strtoul(a + 9, NULL, 0);
		} else if (!strncmp(a, "-max_total_time=", 16)) {
			max_time = strtoul(a + 16, NULL, 0);
		} else if (!strncmp(a, "-artifact_prefix=", 17)) {
			fuzz_prefix = a + 17;
		} else {
			fprintf(stderr, "fuzz_main: %s: not an option of this build, ignored\n", a);
		}
	}
	if (__sanitizer_set_death_callback) {
		__sanitizer_set_death_callback(fuzz_dump);
	} else {
		signal(SIGSEGV, fuzz_on_signal);
		signal(SIGBUS, fuzz_on_signal);
		signal(SIGFPE, fuzz_on_signal);
		signal(SIGILL, fuzz_on_signal);
	}
	signal(SIGABRT, fuzz_on_signal);

	files = fuzz_n;
	for (size_t i = 0; i < files; i++)
		fuzz_run(fuzz_in[i].p, fuzz_in[i].len, fuzz_in[i].name, 0);

	if (!max_len)
		max_len = 1;
	if (runs && !fuzz_n) {   /* mutate the empty input */
		fuzz_in = calloc(1, sizeof(*fuzz_in));
		if (!fuzz_in || !(fuzz_in->p = malloc(1)))
			return 1;
		fuzz_n = 1;
	}
	work = malloc(max_len);
	if (!work)
		return 1;
	fuzz_rng = seed;
	for (unsigned long r = 1; r <= runs; r++) {
		const struct fuzz_input *base = &fuzz_in[fuzz_below(fuzz_n)];
		size_t len = base->len < max_len ? base->len : max_len;
		unsigned ops = 1u << fuzz_below(4);

		if (max_time && !(r & 1023) && fuzz_now() - t0 >= max_time)
			break;
		memcpy(work, base->p, len);
		while (ops--)
			fuzz_mutate(work, &len, max_len);
		fuzz_run(work, len, NULL, r);
		done++;
	}
	free(work);
	printf("%lu input(s) run: %zu file(s), %lu mutant(s) (seed %lu) in %.1f s\n",
	       (unsigned long)files + done, files, done, seed, fuzz_now() - t0);
	return 0;
}
#endif

#endif
