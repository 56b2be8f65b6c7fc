#!/bin/bash
# test_learn.sh BUILD - hauler learn on a live balancer: it sets the
# weights it starts from through the normal commit (CPUs w-cpu, the
# accelerators the learner's weight), runs its iterations, stores the
# learner so that `learn show` and a new `hauler learn` after a re-up go
# on from it, refuses bad parameters without changing anything, and
# `learn reset` forgets it. No agent runs, so no latency is reported and
# every iteration misses the SLO (reward -1): the learner says so.
# 25 s alone; 85 s ran out once at load 8-12 (2026-12-02).
SYS_LIMIT=${SYS_LIMIT:-180}
. "$(dirname "$0")/lib.sh"
sys_init "$@"

VIP="$H_VIP4:80/tcp"
topo_up "$P" nat || sys_abort "topology setup"
H_ok up eth0 || sys_abort "hauler up"
H_ok vip add "$VIP" mode nat policy wrr || sys_abort "vip add"
topo_pool "$P" "$VIP" 4 8080 3 1 || sys_abort "pool setup"

# weight DEVICE: its weight from `hauler -j device show DEVICE`.
weight() { H -j device show "$1" | json_num "$(cat)" weight; }
# iterations: what `learn show` says the learner has done.
iterations() { H learn show "$VIP" | sed -n 's/^iterations \([0-9]*\).*/\1/p'; }

if H learn show "$VIP" >/dev/null 2>&1; then
	fail "learn show before any learner should fail"
else
	ok "no learner yet: learn show refuses"
fi

out=$(H learn "$VIP" interval-ms 100 slo-us 5000 --iterations 3 2>&1) || fail "hauler learn: $out"
echo "$out"
lines=$(echo "$out" | grep -c '^iteration .* reward -1 ')
[ "$lines" = 3 ] && ok "three iterations, each missing the SLO (reward -1)" ||
	fail "expected 3 iteration lines with reward -1, got $lines"
echo "$out" | grep -q "no device of the VIP reports a latency" &&
	ok "says no device reports a latency" || fail "no warning about the missing latency"
[ "$(weight s1cpu)" = 6 ] && [ "$(weight s2cpu)" = 6 ] && ok "CPUs at w-cpu 6" ||
	fail "CPU weights $(weight s1cpu) $(weight s2cpu), want 6"
acc=$(weight s1acc)
last=$(echo "$out" | sed -n 's/.*weights 6:\([0-9]*\)$/\1/p' | tail -1)
[ -n "$acc" ] && [ "$acc" = "$last" ] && [ "$(weight s2acc)" = "$acc" ] &&
	ok "accelerators at the learner's weight ($acc)" ||
	fail "accelerator weights $acc $(weight s2acc), learner says $last"

show=$(H learn show "$VIP") || fail "learn show"
echo "$show" | head -4
[ "$(iterations)" = 3 ] && ok "learn show: 3 iterations" || fail "learn show: $(iterations) iterations"
echo "$show" | grep -q "slo-us 5000" && ok "learn show: the parameters given" ||
	fail "learn show lacks slo-us 5000"
[ "$(echo "$show" | grep -c '^[0-9]')" = 20 ] && ok "learn show: 20 states (2 x 10 buckets)" ||
	fail "learn show: not 20 Q-table rows"
H -j learn show "$VIP" | grep -q '"iterations":3' && ok "learn show -j" || fail "learn show -j"

# Bad parameters: an error, and nothing changes.
before=$(H learn show "$VIP")
for bad in "alpha 2" "gamma 1" "epsilon -1" "threshold 0" "buckets 0" "w-start 7" "nosuch 1" \
	"slo-us" "buckets 12"; do
	# shellcheck disable=SC2086 # the words of one bad parameter list
	if H learn "$VIP" $bad --iterations 1 >/dev/null 2>&1; then
		fail "hauler learn $bad was accepted"
	fi
done
[ "$(H learn show "$VIP")" = "$before" ] && [ "$(weight s1acc)" = "$acc" ] &&
	ok "bad parameters refused, learner and weights unchanged" ||
	fail "a refused command changed the learner or the weights"

# A re-up keeps the pins: the learner goes on where it stopped.
H_ok up eth0 || fail "hauler up again"
[ "$(iterations)" = 3 ] && ok "learner kept across the re-up" || fail "learner lost by the re-up"
H learn "$VIP" interval-ms 100 --iterations 2 >/dev/null 2>&1 || fail "hauler learn again"
[ "$(iterations)" = 5 ] && ok "a new hauler learn goes on (5 iterations)" ||
	fail "after resuming: $(iterations) iterations, want 5"

H_ok learn reset "$VIP" || fail "learn reset"
H learn show "$VIP" >/dev/null 2>&1 && fail "learn show after reset should fail" ||
	ok "learn reset forgets the learner"
H learn "$VIP" interval-ms 100 w-start 2 --iterations 1 >/dev/null 2>&1 || fail "learn w-start 2"
w=$(weight s1acc)
[ "$w" -ge 1 ] && [ "$w" -le 3 ] && ok "a fresh learner from w-start 2 (now $w)" ||
	fail "accelerator weight $w after one step from 2"

# --settle 1: after every weight change one iteration only observes (a
# `settle` line), and it is not one of the learner's iterations.
H_ok learn reset "$VIP" || fail "learn reset before --settle"
out=$(H learn "$VIP" interval-ms 100 w-max 6 --iterations 6 --settle 1 2>&1) ||
	fail "hauler learn --settle: $out"
echo "$out"
echo "$out" | awk '
	/^iteration / { w = $NF; if (pending) bad = 1; pending = (prev != "" && w != prev) || (prev == "" && w != "6:0"); prev = w; n++ }
	/^settle / { if (!pending) bad = 1; pending = 0; s++ }
	END { exit !(n == 6 && s >= 1 && !bad) }' &&
	ok "--settle 1: a settle line after each weight change, 6 iterations learned" ||
	fail "--settle 1: want 6 iteration lines and a settle line after each change (and only then)"
[ "$(iterations)" = 6 ] && ok "--settle: learn show counts 6 iterations" ||
	fail "--settle: learn show says $(iterations) iterations, want 6"
H learn "$VIP" --settle x >/dev/null 2>&1 && fail "--settle x was accepted" ||
	ok "--settle x refused"
sys_finish
