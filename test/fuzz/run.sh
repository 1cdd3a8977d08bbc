#!/usr/bin/env bash
# libFuzzer on knetstat's parsers of kernel bytes, each built with clang and
# AddressSanitizer + UndefinedBehaviorSanitizer, then every crash input in
# test/fuzz/regressions/<target>/ replayed through it. The targets:
#   parse_reply   the netlink reply parser (test/fuzz/parse_reply_fuzz.cc)
#   btf           the BTF reader and the bpf socket layout (test/fuzz/btf_fuzz.cc)
#
#   npm run test:fuzz                         fast-check at 100k, 60 s of fuzzing, the regressions
#   bash test/fuzz/run.sh --seconds 600       fuzz longer (the time is split between the targets)
#   bash test/fuzz/run.sh --target btf        one target only (repeatable)
#   bash test/fuzz/run.sh --seconds 0 --fc-runs 0   build and replay the regressions only
#   bash test/fuzz/run.sh --keep-corpus DIR   keep the grown corpora in DIR/<target>
#   bash test/fuzz/run.sh --fc-runs N         also fast-check parseKnetstat N runs a property
#                                             (default 100000; 0 skips it)
#
# Binaries are built in a temporary directory. libFuzzer fuzzes a copy of each seed
# corpus (test/fuzz/corpus/<target>/), never the committed files. A crash input is
# copied to $KNETSTAT_FUZZ_ARTIFACTS/<target> (default /tmp/knetstat-fuzz-artifacts),
# and the message says how to make it a regression. Needs clang (apt-get install clang;
# $KNETSTAT_FUZZ_CLANG picks another clang++, e.g. clang++-16).
# The last line printed is "fuzz: N passed, N failed": per target the build, the
# fuzzing run and each regression input, and the fast-check run count a check each.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=60
fc_runs=100000
keep_corpus=
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=${2:-}; shift 2 ;;
	--seconds=*) seconds=${1#*=}; shift ;;
	--keep-corpus) keep_corpus=${2:-}; shift 2 ;;
	--keep-corpus=*) keep_corpus=${1#*=}; shift ;;
	--target) targets+=("${2:-}"); shift 2 ;;
	--target=*) targets+=("${1#*=}"); shift ;;
	--fc-runs) fc_runs=${2:-}; shift 2 ;;
	--fc-runs=*) fc_runs=${1#*=}; shift ;;
	-h|--help) sed -n '2,25p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; echo "fuzz: 0 passed, 1 failed"; exit 2 ;;
	esac
done
if ! [[ $seconds =~ ^[0-9]+$ && $fc_runs =~ ^[0-9]+$ ]]; then
	echo "run.sh: --seconds and --fc-runs take a whole number" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit 2
fi

[ "${#targets[@]}" -eq 0 ] && targets=(parse_reply btf)
for target in "${targets[@]}"; do
	case $target in
	parse_reply|btf) ;;
	*) echo "run.sh: unknown target '$target' (parse_reply, btf)" >&2; echo "fuzz: 0 passed, 1 failed"; exit 2 ;;
	esac
done

passed=0
failed=0
ok() { echo "fuzz ok: $1"; passed=$((passed + 1)); }
not_ok() { echo "fuzz not ok: $1" >&2; failed=$((failed + 1)); }
finish() { echo "fuzz: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

artifacts=${KNETSTAT_FUZZ_ARTIFACTS:-${TMPDIR:-/tmp}/knetstat-fuzz-artifacts}
# Crash inputs kept in the repository, test/fuzz/regressions/<target>/; dotfiles and
# notes are not inputs.
regression_files() {
	local dir=$repo/test/fuzz/regressions/$1
	[ -d "$dir" ] || return 0
	find "$dir" -maxdepth 1 -type f ! -name '.*' ! -name '*.md' -print0 | sort -z
}

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

# ---- the targets -----------------------------------------------------------------
clang=${KNETSTAT_FUZZ_CLANG:-clang++}
flags=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all "-I$repo/src-native")
# target_sources NAME: the target's file, then the sources it tests.
target_sources() {
	case $1 in
	parse_reply) echo "$here/parse_reply_fuzz.cc $repo/src-native/diag/parse_reply.cc" ;;
	btf) echo "$here/btf_fuzz.cc $repo/src-native/bpf/btf.cc $repo/src-native/bpf/socket_layout.cc" ;;
	esac
}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:print_summary=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# no_binary NAME WHY: the target's checks, failed without running.
no_binary() {
	local f
	not_ok "build $1: $2"
	[ "$per_target" -gt 0 ] && not_ok "fuzzing $1: not run, no binary"
	while IFS= read -r -d '' f; do not_ok "regression $1/$(basename "$f"): not replayed, no binary"; done < <(regression_files "$1")
}

# fuzz_target NAME: build, fuzz for $per_target seconds over a copy of
# corpus/NAME/, replay regressions/NAME/.
fuzz_target() {
	local name=$1 binary=$work/$1_fuzz dir=$work/$1
	mkdir -p "$dir"
	if ! command -v "$clang" > /dev/null; then
		no_binary "$name" "$clang is not installed; libFuzzer needs it (Debian/Ubuntu: apt-get install -y clang)"
		return
	fi
	# shellcheck disable=SC2046 # the paths have no spaces
	if "$clang" "${flags[@]}" $(target_sources "$name") -o "$binary" > "$dir/build.log" 2>&1; then
		ok "build $name: ${name}_fuzz with libFuzzer, ASan and UBSan"
	else
		tail -n 30 "$dir/build.log" >&2
		if grep -q -e 'libclang_rt.fuzzer' -e 'fsanitize=fuzzer' "$dir/build.log"; then
			echo "run.sh: this clang has no libFuzzer runtime (Debian/Ubuntu: apt-get install -y clang, which ships libclang_rt.fuzzer)" >&2
		fi
		no_binary "$name" "$clang could not build the fuzz target (log above)"
		return
	fi

	if [ "$per_target" -gt 0 ]; then
		local corpus=$dir/corpus seeds=$repo/test/fuzz/corpus/$name
		mkdir -p "$corpus" "$dir/crashes"
		cp "$seeds"/* "$corpus"/
		local seed_count
		seed_count=$(find "$corpus" -type f | wc -l)
		echo "=== fuzzing $name for $per_target s over a copy of $seed_count seed inputs (test/fuzz/corpus/$name)"
		"$binary" "$corpus" -max_total_time="$per_target" -timeout=10 -rss_limit_mb=2048 -use_value_profile=1 \
			-print_final_stats=1 -artifact_prefix="$dir/crashes/" > "$dir/fuzz.log" 2>&1
		local status=$?
		# The first and last progress lines, and the final stats.
		grep -E '^#[0-9]+\s+(INITED|DONE|pulse)' "$dir/fuzz.log" | sed -n '1p;$p'
		grep -E '^(Done [0-9]+ runs|stat::)' "$dir/fuzz.log"
		local last execs cov features corpus_now crashes
		last=$(grep -E '^#[0-9]+\s' "$dir/fuzz.log" | tail -n 1)
		execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$dir/fuzz.log")
		cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
		features=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
		corpus_now=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
		crashes=("$dir"/crashes/*)
		if [ "$status" -eq 0 ] && [ ! -e "${crashes[0]}" ]; then
			ok "fuzzing $name: no crash; ${execs:-?} executions in $per_target s, coverage ${cov:-?} edges / ${features:-?} features, corpus $seed_count seeds -> ${corpus_now:-?} inputs"
		else
			tail -n 60 "$dir/fuzz.log" >&2
			mkdir -p "$artifacts/$name"
			local saved=() c
			for c in "${crashes[@]}"; do
				[ -e "$c" ] || continue
				cp "$c" "$artifacts/$name/" && saved+=("$artifacts/$name/$(basename "$c")")
			done
			cp "$dir/fuzz.log" "$artifacts/$name/fuzz.log"
			not_ok "fuzzing $name: libFuzzer exited with $status; crashed after ${execs:-?} executions"
			if [ "${#saved[@]}" -gt 0 ]; then
				{
					echo "run.sh: the crash input(s) are saved to:"
					printf '  %s\n' "${saved[@]}"
					echo "  (libFuzzer's whole output: $artifacts/$name/fuzz.log)"
					echo "Make each a regression test: copy it to test/fuzz/regressions/$name/ under a name that says"
					echo "what it was (e.g. cp ${saved[0]} test/fuzz/regressions/$name/length-overflow.bin), fix the"
					echo "code, and check with 'bash test/fuzz/run.sh --seconds 0' and 'npx tap test/native/fuzz.test.ts'."
				} >&2
			else
				echo "run.sh: libFuzzer left no crash input; its output is in $artifacts/$name/fuzz.log" >&2
			fi
		fi
		if [ -n "$keep_corpus" ]; then
			mkdir -p "$keep_corpus/$name" && cp "$corpus"/* "$keep_corpus/$name"/ && echo "=== the grown corpus is in $keep_corpus/$name"
		fi
	else
		echo "=== fuzzing $name skipped (--seconds 0)"
	fi

	local files=() f
	while IFS= read -r -d '' f; do files+=("$f"); done < <(regression_files "$name")
	echo "=== replaying ${#files[@]} regression input(s) from test/fuzz/regressions/$name"
	for f in "${files[@]}"; do
		if "$binary" -timeout=10 -rss_limit_mb=2048 "$f" > "$dir/regression.log" 2>&1; then
			ok "regression $name/$(basename "$f")"
		else
			tail -n 30 "$dir/regression.log" >&2
			not_ok "regression $name/$(basename "$f") crashes the target again"
		fi
	done
}

echo "=== $("$clang" --version 2> /dev/null | head -n 1): $clang ${flags[*]}"
# The --seconds budget is shared: each target fuzzes an equal part of it.
per_target=0
[ "$seconds" -gt 0 ] && per_target=$(((seconds + ${#targets[@]} - 1) / ${#targets[@]}))
for target in "${targets[@]}"; do fuzz_target "$target"; done

finish
