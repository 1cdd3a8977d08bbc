#!/usr/bin/env bash
# libFuzzer on the netlink reply parser (test/fuzz/parse_reply_fuzz.cc), built
# with clang and AddressSanitizer + UndefinedBehaviorSanitizer, then every crash input
# in test/fuzz/regressions/ replayed through it.
#
#   npm run test:fuzz                         fast-check at 100k, 60 s of fuzzing, the regressions
#   bash test/fuzz/run.sh --seconds 600       fuzz longer
#   bash test/fuzz/run.sh --seconds 0 --fc-runs 0   build and replay the regressions only
#   bash test/fuzz/run.sh --keep-corpus DIR   keep the grown corpus in DIR
#   bash test/fuzz/run.sh --fc-runs N         also fast-check parseKnetstat N runs a property
#                                             (default 100000; 0 skips it)
#
# The binary is built in a temporary directory. libFuzzer fuzzes a copy of the seed
# corpus (test/fuzz/corpus/parse_reply/), never the committed files. A crash input is
# copied to $KNETSTAT_FUZZ_ARTIFACTS (default /tmp/knetstat-fuzz-artifacts), and the
# message says how to make it a regression. Needs clang (apt-get install clang;
# $KNETSTAT_FUZZ_CLANG picks another clang++, e.g. clang++-16).
# The last line printed is "fuzz: N passed, N failed": the build, the fuzzing run,
# each regression input, and the fast-check run count a check each.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=60
fc_runs=100000
keep_corpus=
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=${2:-}; shift 2 ;;
	--seconds=*) seconds=${1#*=}; shift ;;
	--keep-corpus) keep_corpus=${2:-}; shift 2 ;;
	--keep-corpus=*) keep_corpus=${1#*=}; shift ;;
	--fc-runs) fc_runs=${2:-}; shift 2 ;;
	--fc-runs=*) fc_runs=${1#*=}; shift ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; echo "fuzz: 0 passed, 1 failed"; exit 2 ;;
	esac
done
if ! [[ $seconds =~ ^[0-9]+$ && $fc_runs =~ ^[0-9]+$ ]]; then
	echo "run.sh: --seconds and --fc-runs take a whole number" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit 2
fi

passed=0
failed=0
ok() { echo "fuzz ok: $1"; passed=$((passed + 1)); }
not_ok() { echo "fuzz not ok: $1" >&2; failed=$((failed + 1)); }
finish() { echo "fuzz: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

seeds=$repo/test/fuzz/corpus/parse_reply
regressions=$repo/test/fuzz/regressions
artifacts=${KNETSTAT_FUZZ_ARTIFACTS:-${TMPDIR:-/tmp}/knetstat-fuzz-artifacts}
# Crash inputs kept in the repository; dotfiles and notes are not inputs.
regression_files=()
if [ -d "$regressions" ]; then
	while IFS= read -r -d '' f; do regression_files+=("$f"); done < <(
		find "$regressions" -maxdepth 1 -type f ! -name '.*' ! -name '*.md' -print0 | sort -z)
fi

# fast-check on parseKnetstat: independent of clang, so it runs first.
run_fast_check() {
	[ "$fc_runs" -eq 0 ] && return
	echo "=== fast-check: test/text/properties.test.ts with KNETSTAT_FC_RUNS=$fc_runs"
	local start=$SECONDS
	if (cd "$repo" && KNETSTAT_FC_RUNS=$fc_runs npx --no-install tap --disable-coverage -t 0 --reporter=tap test/text/properties.test.ts) > "$work/fc.log" 2>&1; then
		ok "fast-check: parseKnetstat properties, $fc_runs runs each ($((SECONDS - start)) s)"
	else
		tail -n 60 "$work/fc.log" >&2
		not_ok "fast-check: parseKnetstat properties with $fc_runs runs (counterexample above; add it to test/text/properties.test.ts)"
	fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/knetstat-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

run_fast_check

# ---- build ------------------------------------------------------------------------
binary=$work/parse_reply_fuzz
clang=${KNETSTAT_FUZZ_CLANG:-clang++}
flags=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all "-I$repo/src-native")
sources=("$here/parse_reply_fuzz.cc" "$repo/src-native/diag/parse_reply.cc")
if ! command -v "$clang" > /dev/null; then
	not_ok "build: $clang is not installed; libFuzzer needs it (Debian/Ubuntu: apt-get install -y clang)"
	not_ok "fuzzing: not run, no binary"
	for f in "${regression_files[@]}"; do not_ok "regression $(basename "$f"): not replayed, no binary"; done
	finish
fi
echo "=== building $("$clang" --version | head -n 1): $clang ${flags[*]}"
if "$clang" "${flags[@]}" "${sources[@]}" -o "$binary" > "$work/build.log" 2>&1; then
	ok "build: parse_reply_fuzz with libFuzzer, ASan and UBSan"
else
	tail -n 30 "$work/build.log" >&2
	if grep -q -e 'libclang_rt.fuzzer' -e 'fsanitize=fuzzer' "$work/build.log"; then
		echo "run.sh: this clang has no libFuzzer runtime (Debian/Ubuntu: apt-get install -y clang, which ships libclang_rt.fuzzer)" >&2
	fi
	not_ok "build: $clang could not build the fuzz target (log above)"
	not_ok "fuzzing: not run, no binary"
	for f in "${regression_files[@]}"; do not_ok "regression $(basename "$f"): not replayed, no binary"; done
	finish
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:print_summary=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# ---- fuzz -------------------------------------------------------------------------
if [ "$seconds" -gt 0 ]; then
	corpus=$work/corpus
	mkdir -p "$corpus" "$work/crashes"
	cp "$seeds"/* "$corpus"/
	seed_count=$(find "$corpus" -type f | wc -l)
	echo "=== fuzzing for $seconds s over a copy of $seed_count seed inputs (test/fuzz/corpus/parse_reply)"
	"$binary" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -use_value_profile=1 \
		-print_final_stats=1 -artifact_prefix="$work/crashes/" > "$work/fuzz.log" 2>&1
	status=$?
	# The first and last progress lines, and the final stats.
	grep -E '^#[0-9]+\s+(INITED|DONE|pulse)' "$work/fuzz.log" | sed -n '1p;$p'
	grep -E '^(Done [0-9]+ runs|stat::)' "$work/fuzz.log"
	last=$(grep -E '^#[0-9]+\s' "$work/fuzz.log" | tail -n 1)
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$work/fuzz.log")
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	features=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	corpus_now=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
	crashes=("$work"/crashes/*)
	if [ "$status" -eq 0 ] && [ ! -e "${crashes[0]}" ]; then
		ok "fuzzing: no crash; ${execs:-?} executions in $seconds s, coverage ${cov:-?} edges / ${features:-?} features, corpus $seed_count seeds -> ${corpus_now:-?} inputs"
	else
		summary="crashed after ${execs:-?} executions"
		tail -n 60 "$work/fuzz.log" >&2
		mkdir -p "$artifacts"
		saved=()
		for c in "${crashes[@]}"; do
			[ -e "$c" ] || continue
			cp "$c" "$artifacts/" && saved+=("$artifacts/$(basename "$c")")
		done
		cp "$work/fuzz.log" "$artifacts/fuzz.log"
		not_ok "fuzzing: libFuzzer exited with $status; $summary"
		if [ "${#saved[@]}" -gt 0 ]; then
			{
				echo "run.sh: the crash input(s) are saved to:"
				printf '  %s\n' "${saved[@]}"
				echo "  (libFuzzer's whole output: $artifacts/fuzz.log)"
				echo "Make each a regression test: copy it to test/fuzz/regressions/ under a name that says"
				echo "what it was (e.g. cp ${saved[0]} test/fuzz/regressions/attr-len-overflow.bin), fix the"
				echo "parser, and check with 'bash test/fuzz/run.sh --seconds 0' and 'npx tap test/native/fuzz.test.ts'."
			} >&2
		else
			echo "run.sh: libFuzzer left no crash input; its output is in $artifacts/fuzz.log" >&2
		fi
	fi
	if [ -n "$keep_corpus" ]; then
		mkdir -p "$keep_corpus" && cp "$corpus"/* "$keep_corpus"/ && echo "=== the grown corpus is in $keep_corpus"
	fi
else
	echo "=== fuzzing skipped (--seconds 0)"
fi

# ---- regressions ------------------------------------------------------------------
echo "=== replaying ${#regression_files[@]} regression input(s) from test/fuzz/regressions"
for f in "${regression_files[@]}"; do
	name=$(basename "$f")
	if "$binary" "$f" > "$work/regression.log" 2>&1; then
		ok "regression $name"
	else
		tail -n 30 "$work/regression.log" >&2
		not_ok "regression $name crashes the target again"
	fi
done

finish
