#!/bin/bash
# run.sh BUILD SECONDS - `make fuzz`: AFL++ on each user-space target
# (tests/fuzz/targets.h) for SECONDS, then the mutation run through the BPF
# programs (tests/datapath/test_fuzz) for SECONDS and at least
# FUZZ_PACKETS frames (default 100000). Everything runs at nice 19.
# Findings: BUILD/fuzz/out/TARGET/default/{crashes,hangs}; each crash is
# replayed by BUILD/fuzz/replay_TARGET, which names the broken invariant.
# Exits non-zero when anything was found.
set -u

[ $# -eq 2 ] || { echo "usage: tests/fuzz/run.sh BUILD SECONDS" >&2; exit 2; }
BUILD=$(realpath -m -- "$1")
SECS=$2
cd "$(dirname "$0")/../.." || exit 2
command -v afl-fuzz >/dev/null || { echo "fuzz: no afl-fuzz: run make deps (afl++)" >&2; exit 2; }

OUT=$BUILD/fuzz/out
SEEDS=$BUILD/fuzz/seeds
mkdir -p "$OUT"
rm -rf "$SEEDS"
"$BUILD"/fuzz/corpus "$SEEDS" || exit 1

# AFL++ complains about the host's core_pattern and CPU governor, which
# only cost speed here; no UI, no CPU binding (the machine is shared).
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1

stat_of() { # stat_of FILE NAME
	awk -F': *' -v k="$2" '$1 ~ "^"k" *$" { print $2 }' "$1"
}

status=0
for t in parse report; do
	rm -rf "${OUT:?}/$t"
	echo "fuzz: AFL++ on $t for ${SECS}s (log: $OUT/$t.log)"
	nice -n 19 afl-fuzz -V "$SECS" -i "$SEEDS/$t" -o "$OUT/$t" -x "tests/fuzz/$t.dict" \
		-- "$BUILD/fuzz/afl_$t" >"$OUT/$t.log" 2>&1
	st=$OUT/$t/default/fuzzer_stats
	if [ ! -s "$st" ]; then
		echo "fuzz: afl-fuzz on $t did not run:" >&2
		tail -20 "$OUT/$t.log" >&2
		status=1
		continue
	fi
	crashes=$(stat_of "$st" saved_crashes)
	hangs=$(stat_of "$st" saved_hangs)
	echo "fuzz: $t: $(stat_of "$st" execs_done) executions in $(stat_of "$st" run_time)s," \
		"$(stat_of "$st" corpus_count) paths, edges $(stat_of "$st" bitmap_cvg)," \
		"$crashes crashes, $hangs hangs"
	if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
		status=1
		for f in "$OUT/$t"/default/crashes/id:*; do
			[ -e "$f" ] && "$BUILD/fuzz/replay_$t" "$f"
		done
	fi
done

echo "fuzz: mutation run through the BPF programs for ${SECS}s"
FUZZ_SECONDS=$SECS nice -n 19 "$BUILD/tests/datapath/test_fuzz" || status=1
exit $status
