#!/usr/bin/env bash
# The whole test suite against an AddressSanitizer + UndefinedBehaviorSanitizer
# build of the addon (and of the parser test addon the suite uses), then
# LeakSanitizer over 10,000 listings (test/asan/leaks.mjs).
#
#   npm run test:asan                 everything
#   bash test/asan/run.sh --leaks-only   skip the suite, only the leak check
#   bash test/asan/run.sh -- test/list   the suite restricted to tap arguments
#
# The tree is copied to a temporary directory (node_modules linked) so the
# sanitized binary never lands in this checkout's build/, where node-gyp-build
# would prefer it over the prebuild. Node is not instrumented: ASan's runtime is
# preloaded so its allocator covers the addon's memory, and -fno-sanitize-recover
# turns any UBSan finding into an abort, which fails the test that triggered it.
# The last line printed is "asan: N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
suite=1
tap_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--leaks-only) suite=0; shift ;;
	--) shift; tap_args=("$@"); break ;;
	-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; echo "asan: 0 passed, 1 failed"; exit 2 ;;
	esac
done

passed=0
failed=0
ok() { echo "asan ok: $1"; passed=$((passed + 1)); }
not_ok() { echo "asan not ok: $1" >&2; failed=$((failed + 1)); }
finish() { echo "asan: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

asan_runtime=$(g++ -print-file-name=libasan.so)
if ! command -v g++ > /dev/null || [ ! -e "$asan_runtime" ]; then
	not_ok "g++ with libasan is needed (apt-get install g++)"
	finish
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/knetstat-asan.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Tests run some listers as uid 65534: they must be able to read the copy.
chmod 755 "$work"
copy=$work/tree

# Tracked and new files as they are in this checkout, without what is ignored
# (node_modules, build/, dist/, the kernel test cache).
mkdir -p "$copy"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf -) | tar -C "$copy" -xf -
ln -s "$repo/node_modules" "$copy/node_modules"

sanitize='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g'
# build_sanitized DIR BINARY NAME: node-gyp rebuild in DIR with $sanitize, checked to
# have produced an instrumented BINARY; on failure the build log's tail, and the end.
build_sanitized() {
	echo "=== building the $3 with $sanitize"
	if (cd "$1" && CFLAGS="$sanitize" CXXFLAGS="$sanitize" LDFLAGS="-fsanitize=address,undefined" \
		npx --no-install node-gyp rebuild > "$work/$3.log" 2>&1) &&
		nm -D "$2" | grep __asan_report > /dev/null; then
		ok "sanitized $3 built"
	else
		tail -n 30 "$work/$3.log" >&2
		not_ok "the sanitized $3 did not build"
		finish
	fi
}
build_sanitized "$copy" "$copy/build/Release/knetstat.node" addon
# The parser test addon (test/native/parser-addon, never shipped) with the same flags:
# parse-reply and entries tests run the production parser through it. Built here,
# before ASan's runtime is preloaded into every process (node-gyp and g++ included),
# and handed to test/helpers/parser-addon.ts, which then builds nothing.
parser_addon=$copy/test/native/parser-addon/build/Release/knetstat_parser_testing.node
if [ "$suite" -eq 1 ]; then
	build_sanitized "$copy/test/native/parser-addon" "$parser_addon" "parser test addon"
	export KNETSTAT_PARSER_ADDON=$parser_addon
fi
if (cd "$copy" && npm run build > "$work/tsc.log" 2>&1); then ok "TypeScript built"; else cat "$work/tsc.log" >&2; not_ok "npm run build"; finish; fi

export LD_PRELOAD=$asan_runtime
# Node and its children (python holders, tmux, script) exit without freeing what
# they still reach; leaks are judged by leaks.mjs, which looks only at the addon.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1:print_summary=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The loader must pick the sanitized build (build/ before prebuilds/).
loaded=$(cd "$copy" && node --input-type=module -e \
	"import { createRequire } from 'node:module'; const r = createRequire(process.cwd() + '/'); console.log(r('node-gyp-build').path(process.cwd()))" 2>&1)
if [ "$loaded" = "$copy/build/Release/knetstat.node" ]; then ok "tests load the sanitized addon"; else not_ok "the loader picked $loaded"; finish; fi

if [ "$suite" -eq 1 ]; then
	echo "=== the test suite under ASan/UBSan"
	(cd "$copy" && npx --no-install tap --reporter=tap "${tap_args[@]}") 2>&1 | tee "$work/tap.log" |
		grep -E '^# |^not ok|AddressSanitizer|UndefinedBehaviorSanitizer|runtime error' 
	status=${PIPESTATUS[0]}
	summary=$(grep -E '^# \{ total: [0-9]+' "$work/tap.log" | tail -n 1)
	pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
	fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
	echo "suite: ${summary:-no summary}"
	if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$work/tap.log"; then
		grep -E -A 30 'ERROR: AddressSanitizer|runtime error:' "$work/tap.log" | head -n 80 >&2
		not_ok "a sanitizer reported an error during the suite"
	else
		ok "no sanitizer report during the suite"
	fi
	if [ "$status" -eq 0 ] && [ -n "$summary" ] && [ "${fail:-0}" -eq 0 ]; then
		ok "the suite passed under ASan/UBSan (${pass:-0} assertions)"
	else
		# The failing assertions with their diagnostics (tap's YAML blocks).
		awk '/^ *not ok / { show = 40 } show > 0 { print; show-- }' "$work/tap.log" | head -n 400 >&2
		not_ok "the suite failed under ASan/UBSan (exit $status, ${fail:-?} failed assertions; details above)"
	fi
fi

echo "=== LeakSanitizer over 10,000 listings"
# First a canary: a library that leaks one block when loaded must be reported,
# or a clean report below would mean nothing.
printf '#include <stdlib.h>\nvoid *volatile knetstat_canary_slot;\n__attribute__((constructor)) static void knetstat_leak_canary(void) { knetstat_canary_slot = malloc(4093); knetstat_canary_slot = 0; }\n' > "$work/canary.c"
gcc -shared -fPIC -g -fno-omit-frame-pointer -o "$work/canary.so" "$work/canary.c"
ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 node -e "try { process.dlopen({ exports: {} }, process.argv[1]) } catch {}" \
	"$work/canary.so" > "$work/canary.log" 2>&1
if grep 'leak of 4093 byte' "$work/canary.log" > /dev/null; then
	ok "LeakSanitizer reports a deliberate leak (canary)"
else
	cat "$work/canary.log" >&2
	not_ok "LeakSanitizer did not report the canary's leak: leak checking is not working here"
fi
leak_log=$work/leaks.log
if (cd "$copy" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
	LSAN_OPTIONS=report_objects=0 node --expose-gc test/asan/leaks.mjs) > "$leak_log" 2>&1; then
	status=0
else
	status=$?
fi
grep -vE '^\s+#[0-9]+ ' "$leak_log" | tail -n 40
# Any leak fails, not only one with the addon's frames: Node alone exits clean
# under LeakSanitizer, so a report points at the addon or at what it left behind.
if grep -q 'ERROR: LeakSanitizer' "$leak_log"; then
	grep -E -A 24 '^(Direct|Indirect) leak' "$leak_log" | head -n 150 >&2
	not_ok "LeakSanitizer reported leaked memory (stacks above)"
else
	ok "LeakSanitizer: nothing leaked"
fi
# leaks.mjs prints its own checks (fd count, memory) as "ok"/"not ok" lines.
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok }" ;;
	"not ok "*) not_ok "${line#not ok }" ;;
	esac
done < <(grep -E '^(ok|not ok) ' "$leak_log")
if ! grep -q '^listings: 10000' "$leak_log"; then not_ok "leaks.mjs did not finish its 10,000 listings (exit $status)"; fi
finish
