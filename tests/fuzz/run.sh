#!/usr/bin/env bash
# tests/fuzz/run.sh: what `make fuzz` and `make fuzz-replay` run (tests/fuzz/fuzz.mk).
#
# Usage: tests/fuzz/run.sh fuzz|replay DIR NAME...
#   DIR    the scratch directory ($(O)/fuzz): seeds/, corpus/, bin-*/,
#          artifacts/ and logs/ go there; the tree is never written
#   NAME   h1parse, h3frame, qpack: tests/fuzz/fuzz_NAME.c
# From the environment (tests/fuzz/fuzz.mk sets them):
#   FUZZ_BUILD    a command that builds the file named after it
#                 (DIR/bin-libfuzzer/fuzz_NAME, DIR/bin-replay/fuzz_NAME)
#   FUZZ_ENGINE   auto, libfuzzer or replay (fuzz only; replay always uses gcc)
#   FUZZ_CLANG    the clang to probe (auto) and use
#   FUZZ_SECONDS  fuzz: the time per harness
#   FUZZ_RUNS     replay: the mutants per harness (gcc); with fuzz, the
#                 time bound applies too
#   FUZZ_SEED     replay: the mutator's seed
#
# libFuzzer (clang links -fsanitize=fuzzer,address,undefined): each
# harness runs FUZZ_SECONDS on DIR/corpus/NAME, which starts as the seeds
# (tests/fuzz/make_seeds.py) and keeps what libFuzzer adds, run after run.
# gcc: each harness replays the seeds, then FUZZ_RUNS mutants of them
# (tests/fuzz/fuzz_main.h). Either way one line per harness, a crash's
# report and reproducer, and cmocka's "[  PASSED  ]"/"[  FAILED  ]"
# lines, which tools/run-tests.sh counts. Exit 1 if a harness failed.
set -u
mode=${1:-}
dir=${2:-}
if [ $# -lt 3 ] || { [ "$mode" != fuzz ] && [ "$mode" != replay ]; }; then
	echo "usage: $0 fuzz|replay DIR NAME..." >&2
	exit 2
fi
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
: "${FUZZ_BUILD:?FUZZ_BUILD: the build command (run this from make)}"
FUZZ_ENGINE=${FUZZ_ENGINE:-auto}
FUZZ_CLANG=${FUZZ_CLANG:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_RUNS=${FUZZ_RUNS:-100000}
FUZZ_SEED=${FUZZ_SEED:-1}

# the largest input worth trying, per harness
max_len() {
	case $1 in
	h1parse) echo 8192 ;;
	h3frame) echo 4096 ;;
	*) echo 2048 ;;
	esac
}

# can FUZZ_CLANG link a libFuzzer program with both sanitizers?
clang_ok() {
	local p=$dir/probe
	command -v "$FUZZ_CLANG" >/dev/null 2>&1 || return 1
	mkdir -p "$p"
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return n && !d; }' \
		>"$p/probe.c"
	"$FUZZ_CLANG" -fsanitize=fuzzer,address,undefined "$p/probe.c" -o "$p/probe" \
		>"$p/probe.log" 2>&1
}

engine=replay
if [ "$mode" = fuzz ]; then
	case $FUZZ_ENGINE in
	auto) clang_ok && engine=libfuzzer ;;
	libfuzzer)
		clang_ok || { echo "  FUZZ    $FUZZ_CLANG cannot link -fsanitize=fuzzer (see $dir/probe/probe.log)"; exit 1; }
		engine=libfuzzer ;;
	replay) ;;
	*) echo "  FUZZ    FUZZ_ENGINE=$FUZZ_ENGINE: auto, libfuzzer or replay"; exit 2 ;;
	esac
	if [ $engine = libfuzzer ]; then
		echo "  FUZZ    libFuzzer ($FUZZ_CLANG), ${FUZZ_SECONDS} s per harness"
	else
		why="no $FUZZ_CLANG that links -fsanitize=fuzzer"
		[ "$FUZZ_ENGINE" = replay ] && why="FUZZ_ENGINE=replay"
		echo "  FUZZ    gcc ($why): seeds + up to $FUZZ_RUNS mutants in ${FUZZ_SECONDS} s per harness, seed $FUZZ_SEED"
	fi
fi

# fresh seeds every time: what the script makes now
rm -rf "$dir/seeds"
/usr/bin/python3 tests/fuzz/make_seeds.py "$dir/seeds" || exit 1
mkdir -p "$dir/logs"

passed=0
failed=()
for name in "$@"; do
	bin=$dir/bin-$engine/fuzz_$name
	log=$dir/logs/$engine-$name.log
	art=$dir/artifacts/$name/
	ml=$(max_len "$name")
	if [ ! -d "$dir/seeds/$name" ]; then
		echo "  FUZZ    $name: no seeds (tests/fuzz/make_seeds.py)"
		failed+=("$name"); continue
	fi
	if ! $FUZZ_BUILD "$bin"; then
		echo "  FUZZ    $name: the build failed"
		failed+=("$name"); continue
	fi
	mkdir -p "$art"
	t0=$(date +%s)
	if [ $engine = libfuzzer ]; then
		corpus=$dir/corpus/$name
		mkdir -p "$corpus"
		cp "$dir/seeds/$name"/* "$corpus/"
		# timeout: a hang inside libFuzzer's own time limit must not last;
		# { } 2>/dev/null: no "Aborted" from bash, the log says it all
		{ timeout $((FUZZ_SECONDS + 120)) "$bin" -max_total_time="$FUZZ_SECONDS" \
			-max_len="$ml" -timeout=10 -print_final_stats=1 \
			-artifact_prefix="$art" "$corpus" >"$log" 2>&1; } 2>/dev/null
		rc=$?
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
		cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' |
			tr -d ':')
		info="${runs:-?} runs, $cov; $corpus: $(find "$corpus" -type f | wc -l) files"
	else
		bound=(600)
		[ "$mode" = fuzz ] && bound=($((FUZZ_SECONDS + 120)) -max_total_time="$FUZZ_SECONDS")
		{ timeout "${bound[@]:0:1}" "$bin" -runs="$FUZZ_RUNS" -seed="$FUZZ_SEED" -max_len="$ml" \
			"${bound[@]:1}" -artifact_prefix="$art" "$dir/seeds/$name" >"$log" 2>&1; } 2>/dev/null
		rc=$?
		info=$(grep -m1 'input(s) run' "$log")
	fi
	secs=$(( $(date +%s) - t0 ))
	if [ $rc -eq 0 ]; then
		echo "  FUZZ    $name: ok, ${secs} s: $info"
		passed=$((passed + 1))
		continue
	fi
	failed+=("$name")
	echo "  FUZZ    $name: FAILED (exit $rc after ${secs} s); $log:"
	grep -E 'ERROR: |SUMMARY: |runtime error|^    #[0-5] |crash on|Test unit written|deadly signal|Timeout|[Aa]bort' \
		"$log" | head -n 20 | sed 's/^/    | /'
	[ $rc -eq 124 ] && echo "    | timed out"
	repro=$(sed -n -e 's/.*Test unit written to \(.*\)$/\1/p' \
		-e 's/^fuzz_main: crash on mutant [0-9]*, written to \(.*\)$/\1/p' \
		-e '/crash on mutant/!s/^fuzz_main: crash on \(.*\)$/\1/p' "$log" | head -n 1)
	[ -n "$repro" ] && echo "  FUZZ    $name: reproduce with: $bin $repro"
done

[ $passed -gt 0 ] && echo "[  PASSED  ] $passed test(s)."
if [ ${#failed[@]} -gt 0 ]; then
	echo "[  FAILED  ] ${#failed[@]} test(s), listed below:"
	for n in "${failed[@]}"; do echo "[  FAILED  ] fuzz_$n"; done
	exit 1
fi
exit 0
