# shellcheck shell=bash
# bgp_lib.sh - what the BGP tests (test_bgp.sh, test_bgp_failover.sh)
# share: BIRD 2's configurations of the router and of a balancer, and the
# router's next hops to a VIP. Source it after lib.sh.

# bgp_need_bird: abort when BIRD 2 is not installed.
bgp_need_bird() {
	local tool
	for tool in bird birdc; do
		command -v $tool >/dev/null || sys_abort "$tool is not installed (make deps: bird2)"
	done
}

# bird_router_conf FILE ID PEER1 PEER2: the router (AS 65000) peering with
# balancer 1 (AS 65001) and 2 (AS 65002), importing their routes and
# merging equal paths into one ECMP route in its kernel table.
bird_router_conf() {
	cat >"$1" <<-CONF
		router id $2;
		protocol device {}
		protocol kernel { ipv4 { export all; }; merge paths on; }
		template bgp up { local as 65000; connect retry time 1; error wait time 1, 5; ipv4 { import all; export none; }; }
		protocol bgp b1 from up { neighbor $3 as 65001; }
		protocol bgp b2 from up { neighbor $4 as 65002; }
	CONF
}

# bird_balancer_conf FILE ID I ROUTER ROUTES: balancer I (AS 6500I)
# announcing to ROUTER what `hauler daemon --bird ROUTES` writes.
bird_balancer_conf() {
	cat >"$1" <<-CONF
		router id $2;
		include "$5";
		protocol device {}
		protocol bgp up {
			local as 6500$3; neighbor $4 as 65000;
			connect retry time 1; error wait time 1, 5;
			ipv4 { import none; export where proto = "hauler_vips4"; };
		}
	CONF
}

# bgp_hops NS VIP: the kernel next hops to VIP in namespace NS, sorted, one line.
bgp_hops() {
	ip -n "$1" route show "$2" | grep -o 'via [0-9.]*' | awk '{ print $2 }' | sort | tr '\n' ' '
}

# bgp_wait_hops NS VIP WANT: until the next hops are WANT, at most
# BGP_WAIT (60) s by the clock, however loaded the machine (BIRD's
# sessions and routes take seconds there); ends as soon as they are.
# BGP_HOPS holds the last ones seen.
bgp_wait_hops() {
	local end=$((SECONDS + ${BGP_WAIT:-60}))
	while :; do
		BGP_HOPS=$(bgp_hops "$1" "$2")
		[ "$BGP_HOPS" = "$3" ] && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}
