# hauler - one Makefile for everything. `make help` lists the targets.

BUILD    ?= build
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= gcc
# The Debian multiarch triplet (asm/ headers) and the kernel's name of the
# architecture (bpf_tracing.h's __TARGET_ARCH_*), both for the BPF build.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null || echo $$(uname -m)-linux-gnu)
BPF_ARCH  := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/i.86/x86/' -e 's/aarch64/arm64/' \
		-e 's/arm.*/arm/' -e 's/ppc64.*/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/' \
		-e 's/loongarch64/loongarch/' -e 's/mips.*/mips/')

# The version: VERSION is the one source; a git checkout adds its commit
# (0.1.0+g1a2b3c4, -dirty with uncommitted changes); HAULER_VERSION=... wins
# (the Debian package passes its own version).
ifeq ($(origin HAULER_VERSION),undefined)
HAULER_VERSION := $(shell v=$$(cat VERSION); \
	g=$$(git describe --always --dirty --abbrev=7 --exclude='*' 2>/dev/null) && v="$$v+g$$g"; \
	echo "$$v")
endif

# Packages a fresh Debian 12 needs to build, test and demo hauler.
# libmicrohttpd: the metrics endpoint; prometheus (its server and promtool),
# tmux and bird2: the monitoring, top and BGP system tests; hping3: the flood test;
# linux-perf: make bench-profile (and the bench smoke test's run of it). Their services
# stay stopped (install_missing): the tests run their own, in namespaces.
DEB_PKGS := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev \
	    iproute2 ethtool nftables procps make gcc pkg-config \
	    libc6-dev linux-libc-dev clang-format cpp afl++ libmicrohttpd-dev prometheus tmux bird2 hping3 \
	    dpkg-dev debhelper lintian systemd man-db groff-base yamllint python3-yaml linux-perf
# Only `make reproduce` needs these (plots, the L7 proxy it compares with,
# the simulator's tables).
REPRO_PKGS := gnuplot-nox nginx libnginx-mod-stream python3

# The one set of BPF flags: the entry program, the policies, the bench's
# and the system tests' helper programs and custom policies (custom-policy).
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) \
	      -Iinclude -Ibpf -I/usr/include/$(MULTIARCH)
CFLAGS     ?= -O2 -g
CFLAGS     += -Wall -Wextra -Werror -Wno-unknown-pragmas -std=gnu11 -D_GNU_SOURCE \
	      -Iinclude
# Each component sees include/ and its own folder only; the dependencies
# run one way: policies -> bpf -> include, user/tools/tests -> include.
USER_INC   := -Iuser -I$(BUILD)
AGENT_INC  := -Iagent
LDLIBS     := -lbpf -lelf -lz -lmicrohttpd -lpthread

# BPF objects: the entry program and one object per policy.
BPF_SRCS  := bpf/hauler_xdp.bpf.c $(sort $(wildcard policies/*.bpf.c))
BPF_OBJS  := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst %.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
BPF_HDRS  := $(wildcard include/*.h include/*.def include/select/* include/ctable/* bpf/*.h policies/*.h bench/*.h)
# Helper programs of make bench (bench/), of the datapath tests
# (tests/datapath/bpf/) and of the system tests and demo topology
# (tests/system/bpf/): plain XDP objects, no skeleton.
AUX_BPF_OBJS := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(wildcard bench/*.bpf.c \
		tests/datapath/bpf/*.bpf.c tests/system/bpf/*.bpf.c))

# The manager: every user/*.c; main.c only in the binary, the rest in a
# library that the tests link too.
USER_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
USER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(USER_SRCS))
USER_HDRS := $(wildcard user/*.h include/*.h include/*.def include/select/* include/ctable/*)
LIBHAULER := $(BUILD)/libhauler.a

# Agent and tools: each tools/*.c is one program but tools/*_lib.c, which
# make libtools.a (what a tool shares with the tests: the schema generators).
AGENT_SRCS := $(wildcard agent/*.c)
TOOL_LIB_SRCS := $(wildcard tools/*_lib.c)
TOOL_SRCS  := $(filter-out $(TOOL_LIB_SRCS),$(wildcard tools/*.c))
LIBTOOLS   := $(BUILD)/libtools.a
TOOLS      := $(patsubst tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))

# The simulator (tools/sim): every file but main.c in a library the unit tests link too.
SIM_SRCS   := $(wildcard tools/sim/*.c)
SIM_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(filter-out tools/sim/main.c,$(SIM_SRCS)))
LIBSIM     := $(BUILD)/libsim.a
SIM_INC    := -Itools/sim $(AGENT_INC)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst %.c,$(BUILD)/%,$(UNIT_SRCS))
DP_SRCS    := $(wildcard tests/datapath/test_*.c)
DP_BINS    := $(patsubst %.c,$(BUILD)/%,$(DP_SRCS))
DP_HELPERS := $(filter-out $(DP_SRCS),$(wildcard tests/datapath/*.c))

# Fuzzing (docs/testing.md, "Fuzzing"): the targets run the datapath's own
# parser and report decoder (bpf/, include/) in user space; libfuzz.a holds
# them and the seed builder, for the unit and datapath tests and the AFL++
# drivers (afl-clang-fast, from Debian's afl++).
FUZZ_LIB_SRCS := tests/fuzz/targets.c tests/fuzz/seeds.c tests/datapath/packet.c \
		 tests/datapath/checksum.c
FUZZ_INC   := -Ibpf -Itests/fuzz -Itests/datapath
FUZZ_HDRS  := $(wildcard tests/fuzz/*.h) tests/datapath/packet.h $(BPF_HDRS)
LIBFUZZ    := $(BUILD)/libfuzz.a
AFL_CC     ?= afl-clang-fast
FUZZ_TARGETS := parse report
FUZZ_SECONDS ?= 60

.PHONY: FORCE all deps deps-reproduce check check-run unit datapath system demo bench bench-profile reproduce \
	reproduce-sim bench-pages clean help format format-check schema p4 custom-policy fuzz \
	install install-hauler install-agent uninstall agent agent-tests check-arm64 deps-arm64 deb \
	check-deb check-deb-apt image check-image deps-image
all: $(BUILD)/hauler $(BUILD)/hauler-agent $(BUILD)/hauler-sim $(TOOLS) $(AUX_BPF_OBJS)

help:
	@echo "make            build BPF objects, skeletons, hauler and tools"
	@echo "make deps       install the Debian packages hauler needs (root)"
	@echo "make check      run every test (root); ends with 'N passed, N failed'"
	@echo "make custom-policy SRC=/abs/my.bpf.c [OBJ=out.bpf.o]   build a policy of your own"
	@echo "make demo       bring up a namespace topology and run traffic (root)"
	@echo "make bench      run the benchmarks (root)"
	@echo "make bench-profile  where a rate case's time goes, by source line (perf; root)"
	@echo "make bench-pages  ns per random bucket read: one large array against an array of maps (root)"
	@echo "make reproduce  the thesis's testbed figures into docs/results.md (root, <= 15 min)"
	@echo "make install    install (PREFIX=/usr/local, DESTDIR=): binaries, man pages, units"
	@echo "make schema     regenerate files generated from include/schema.def"
	@echo "make format     format the C files (.clang-format); format-check: only check"
	@echo "make p4         type-check p4/hauler.p4 against TNA (needs p4test in P4C_DIR)"
	@echo "make reproduce-sim  only the simulator's part of reproduce (docs/simulator.md)"
	@echo "make fuzz FUZZ_SECONDS=N  AFL++ on the parser and report decoder, then a mutation run"
	@echo "                through the BPF programs, N seconds each (root; docs/testing.md)"

# install_missing PKGS,TARGET: apt-get install the PKGS not installed yet.
# A package's service would start at once on a systemd host (prometheus,
# nginx): policy-rc.d keeps it stopped; the tests and reproduce run their
# own, inside the topology's namespaces.
define install_missing
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		rc=/usr/sbin/policy-rc.d; mine=0; \
		if [ ! -e $$rc ]; then printf '#!/bin/sh\nexit 101\n' > $$rc && chmod +x $$rc && mine=1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; st=$$?; \
		[ $$mine = 1 ] && rm -f $$rc; exit $$st; \
	else echo "$(2): all present"; fi
endef

deps:
	$(call install_missing,$(DEB_PKGS),deps)

$(BUILD)/%.bpf.o: %.bpf.c $(BPF_HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Skeletons: bpf/hauler_xdp -> struct hauler_xdp; policies/wrr -> struct policy_wrr.
skel_name = $(if $(filter policies/%,$(1)),policy_,)$(notdir $(1))
$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(call skel_name,$*) > $@.tmp && mv $@.tmp $@

# A policy of your own, outside the tree (docs/policies.md), with the
# built-ins' flags and headers: make custom-policy SRC=/abs/path/my.bpf.c
OBJ ?= $(BUILD)/custom/$(notdir $(SRC:.c=.o))
custom-policy:
	@test -n "$(SRC)" || { echo "usage: make custom-policy SRC=FILE.bpf.c [OBJ=FILE.bpf.o]" >&2; exit 2; }
	@mkdir -p $(dir $(OBJ))
	$(CLANG) $(BPF_CFLAGS) -Ipolicies -c $(SRC) -o $(OBJ)

# The built-in policies, as an X-macro list for the manager: POLICY(name).
POLICY_NAMES := $(patsubst policies/%.bpf.c,%,$(sort $(wildcard policies/*.bpf.c)))
$(BUILD)/policy_list.h: Makefile $(wildcard policies/*.bpf.c)
	@mkdir -p $(dir $@)
	@{ echo "/* generated by the Makefile: the built-in policies */"; \
	  for p in $(POLICY_NAMES); do echo "#include \"policies/$$p.skel.h\""; done; \
	  echo "#define HAULER_BUILTIN_POLICIES(POLICY) \\"; \
	  for p in $(POLICY_NAMES); do echo "	POLICY($$p) \\"; done; echo; } > $@

$(BUILD)/user/%.o: user/%.c $(USER_HDRS) $(SKELS) $(BUILD)/policy_list.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(USER_INC) -c $< -o $@

# BUILD/version.c is rewritten only when the version changes, so a new
# commit relinks the binaries and rebuilds nothing else.
$(BUILD)/version.c: FORCE
	@mkdir -p $(dir $@)
	@printf '/* generated by the Makefile from VERSION */\nconst char hauler_version[] = "%s";\n' \
		'$(HAULER_VERSION)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/version.o: $(BUILD)/version.c include/hauler_version.h
	$(CC) $(CFLAGS) -c $< -o $@

FORCE:

$(LIBHAULER): $(USER_OBJS) $(BUILD)/version.o
	@mkdir -p $(dir $@)
	rm -f $@; ar rcs $@ $^

$(BUILD)/hauler: user/main.c $(LIBHAULER) $(USER_HDRS) $(SKELS)
	$(CC) $(CFLAGS) $(LDFLAGS) $(USER_INC) user/main.c $(LIBHAULER) $(LDLIBS) -o $@

# The agent: every agent/*.c but main.c in a library the unit tests link too.
AGENT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(filter-out agent/main.c,$(AGENT_SRCS)))
LIBAGENT   := $(BUILD)/libagent.a

$(BUILD)/agent/%.o: agent/%.c $(wildcard agent/*.h include/*.h include/*.def)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(AGENT_INC) -c $< -o $@

$(LIBAGENT): $(AGENT_OBJS) $(BUILD)/version.o
	rm -f $@; ar rcs $@ $^

$(BUILD)/hauler-agent: agent/main.c $(LIBAGENT)
	$(CC) $(CFLAGS) $(LDFLAGS) $(AGENT_INC) agent/main.c $(LIBAGENT) -ldl -lm -o $@

# The agent for another architecture (a SmartNIC's arm64 cores): make agent
# ARCH=arm64 cross-builds BUILD/arm64/hauler-agent with Debian's cross
# compiler (make deps-arm64). Without ARCH: BUILD/hauler-agent.
ifneq ($(ARCH),)
CROSS_TRIPLET := $(shell dpkg-architecture -a$(ARCH) -qDEB_HOST_GNU_TYPE 2>/dev/null)
CROSS_MAKE    := $(MAKE) --no-print-directory BUILD=$(BUILD)/$(ARCH) CC=$(CROSS_TRIPLET)-gcc ARCH=
endif
# The unit tests of the agent's code: what check-arm64 runs under qemu-user.
AGENT_UNIT_TESTS := test_collectors test_threshold test_report test_siphash
AGENT_TEST_BINS  := $(patsubst %,$(BUILD)/tests/agent/%,$(AGENT_UNIT_TESTS))

agent:
ifeq ($(ARCH),)
	@$(MAKE) --no-print-directory $(BUILD)/hauler-agent
else
	@test -n "$(CROSS_TRIPLET)" || { echo "agent: unknown ARCH '$(ARCH)'" >&2; exit 2; }
	$(CROSS_MAKE) $(BUILD)/$(ARCH)/hauler-agent
endif

# They need only the agent's library and cmocka (for ARCH: its multiarch
# package, libcmocka-dev:ARCH), not libbpf: they build for any architecture.
$(BUILD)/tests/agent/%: tests/unit/%.c $(LIBAGENT) $(wildcard agent/*.h include/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(AGENT_INC) -Itests/unit $< $(LIBAGENT) -lcmocka -ldl -lm -o $@

agent-tests: $(AGENT_TEST_BINS)

# -O3: 7% faster per simulated request, the same output bit for bit (docs/simulator.md).
$(BUILD)/tools/sim/%.o: tools/sim/%.c $(wildcard tools/sim/*.h agent/*.h) $(USER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O3 $(USER_INC) $(SIM_INC) -c $< -o $@

$(LIBSIM): $(SIM_OBJS)
	rm -f $@; ar rcs $@ $^

$(BUILD)/hauler-sim: tools/sim/main.c $(LIBSIM) $(LIBHAULER) $(LIBAGENT)
	$(CC) $(CFLAGS) $(USER_INC) $(SIM_INC) tools/sim/main.c $(LIBSIM) $(LIBHAULER) $(LIBAGENT) \
		$(LDLIBS) -lm -o $@

# genschema needs only the schema: `make schema` works before anything else builds.
$(BUILD)/tools/%_lib.o: tools/%_lib.c tools/%.h include/schema.def include/hauler_schema.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itools -c $< -o $@

$(LIBTOOLS): $(patsubst %.c,$(BUILD)/%.o,$(TOOL_LIB_SRCS))
	rm -f $@; ar rcs $@ $^

$(BUILD)/tools/genschema: tools/genschema.c tools/genschema.h $(LIBTOOLS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itools $< $(LIBTOOLS) -o $@

$(BUILD)/tools/%: tools/%.c $(wildcard include/*.h include/*.def include/select/* tools/*.h) $(LIBHAULER)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(USER_INC) -Itools $< $(LIBHAULER) $(LDLIBS) -lpthread -lm -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBSIM) $(LIBHAULER) $(LIBAGENT) $(LIBTOOLS) $(LIBFUZZ) $(USER_HDRS) $(wildcard tests/unit/*.h tools/*.h tools/sim/*.h agent/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(USER_INC) $(SIM_INC) -Itools -Itests/unit -Itests/fuzz $< $(LIBSIM) \
		$(LIBHAULER) $(LIBAGENT) $(LIBTOOLS) $(LIBFUZZ) $(LDLIBS) -lcmocka -ldl -lm -o $@

# -Itools: a test of what a benchmark tool reads (test_bench_veth: tools/bench_veth.h).
$(BUILD)/tests/datapath/%: tests/datapath/%.c $(DP_HELPERS) $(wildcard tests/datapath/*.h tests/fuzz/*.h tools/bench_*.h) $(LIBSIM) $(LIBHAULER) $(LIBAGENT) $(LIBFUZZ) $(SKELS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(USER_INC) $(SIM_INC) -Itests/datapath -Itests/fuzz -Itools $< $(DP_HELPERS) \
		$(LIBSIM) $(LIBHAULER) $(LIBAGENT) $(LIBFUZZ) $(LDLIBS) -lcmocka -lpthread -lm -o $@

$(BUILD)/fuzzlib/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FUZZ_INC) -c $< -o $@

$(LIBFUZZ): $(patsubst %.c,$(BUILD)/fuzzlib/%.o,$(FUZZ_LIB_SRCS))
	rm -f $@; ar rcs $@ $^

# The AFL++ drivers (instrumented) and the same drivers built plainly, to
# replay a saved input (build/fuzz/replay_NAME FILE...).
$(BUILD)/fuzz/afl_%: tests/fuzz/afl_main.c tests/fuzz/targets.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	AFL_QUIET=1 $(AFL_CC) -O2 -g -Wall -D_GNU_SOURCE -Iinclude $(FUZZ_INC) -DFUZZ_TARGET=fuzz_$* \
		tests/fuzz/afl_main.c tests/fuzz/targets.c -o $@

$(BUILD)/fuzz/replay_%: tests/fuzz/afl_main.c $(LIBFUZZ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FUZZ_INC) -DFUZZ_TARGET=fuzz_$* $< $(LIBFUZZ) -o $@

$(BUILD)/fuzz/corpus: tests/fuzz/corpus.c $(LIBFUZZ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FUZZ_INC) $< $(LIBFUZZ) -o $@

# AFL++ on each target, then the mutation run through the BPF programs:
# FUZZ_SECONDS each (tests/fuzz/run.sh; findings under BUILD/fuzz/out).
fuzz: all $(addprefix $(BUILD)/fuzz/afl_,$(FUZZ_TARGETS)) \
	$(addprefix $(BUILD)/fuzz/replay_,$(FUZZ_TARGETS)) $(BUILD)/fuzz/corpus \
	$(BUILD)/tests/datapath/test_fuzz
	bash tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS)

# Files generated from include/schema.def and committed.
GENERATED := p4/include/hauler_schema.p4 docs/schema.md
schema: $(BUILD)/tools/genschema
	$(BUILD)/tools/genschema p4 > p4/include/hauler_schema.p4
	$(BUILD)/tools/genschema md > docs/schema.md

# The P4 twin is type-checked by p4c's p4test (front end, TNA include files)
# when it is there; P4C_DIR=DIR names another copy. Warnings are errors.
P4C_DIR   ?= ../shared/tools/p4c
P4TEST    := $(P4C_DIR)/bin/p4test
P4_FLAGS  := --std p4-16 -I$(P4C_DIR)/p4include --validate --Werror
p4:
	@if [ -x "$(P4TEST)" ]; then \
		for t in 1 2; do \
			echo "p4test p4/hauler.p4 (Tofino $$t: $$([ $$t = 1 ] && echo TNA || echo T2NA))"; \
			$(P4TEST) $(P4_FLAGS) -D__TARGET_TOFINO__=$$t p4/hauler.p4 || \
				{ echo "p4: p4/hauler.p4 does not type-check" >&2; exit 1; }; \
		done; \
	else \
		echo "p4: skipped: no P4 checker at $(P4TEST) (make p4 P4C_DIR=DIR to use one)"; \
	fi

# make install: PREFIX (default /usr/local) and DESTDIR as usual. The BPF
# programs are embedded in hauler (skeletons): nothing else to find at run
# time. Units get the installed paths; /etc/default/hauler is not replaced.
PREFIX         ?= /usr/local
SBINDIR        ?= $(PREFIX)/sbin
MANDIR         ?= $(PREFIX)/share/man
DOCDIR         ?= $(PREFIX)/share/doc/hauler
# The Debian package gives the agent a doc directory of its own.
AGENT_DOCDIR   ?= $(DOCDIR)
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR     ?= /etc
INSTALL        ?= install
INSTALL_DOCS   := README.md docs/cli.md docs/agent.md docs/operations.md docs/policies.md \
		  docs/health.md docs/datapath.md docs/schema.md
UNITS          := hauler.service hauler-daemon.service hauler-agent@.service

install: install-hauler install-agent

install-hauler: $(BUILD)/hauler
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(SYSCONFDIR)/default $(DESTDIR)$(SYSCONFDIR)/hauler
	$(INSTALL) -m 755 $(BUILD)/hauler $(DESTDIR)$(SBINDIR)/hauler
	$(INSTALL) -m 644 docs/man/hauler.8 $(DESTDIR)$(MANDIR)/man8/hauler.8
	$(INSTALL) -m 644 docs/man/hauler.conf.5 $(DESTDIR)$(MANDIR)/man5/hauler.conf.5
	$(INSTALL) -m 644 deploy/completion/hauler $(DESTDIR)$(BASHCOMPDIR)/hauler
	for u in hauler.service hauler-daemon.service; do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' deploy/systemd/$$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
		chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/hauler ] || \
		$(INSTALL) -m 644 deploy/etc/default-hauler $(DESTDIR)$(SYSCONFDIR)/default/hauler
	$(INSTALL) -m 644 $(filter-out docs/agent.md,$(wildcard $(INSTALL_DOCS))) $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 644 deploy/etc/hauler.conf.example $(DESTDIR)$(DOCDIR)/examples/

install-agent: $(BUILD)/hauler-agent
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(AGENT_DOCDIR)/examples
	$(INSTALL) -m 755 $(BUILD)/hauler-agent $(DESTDIR)$(SBINDIR)/hauler-agent
	$(INSTALL) -m 644 docs/man/hauler-agent.8 $(DESTDIR)$(MANDIR)/man8/hauler-agent.8
	$(INSTALL) -m 644 deploy/completion/hauler-agent $(DESTDIR)$(BASHCOMPDIR)/hauler-agent
	sed 's|@SBINDIR@|$(SBINDIR)|g' deploy/systemd/hauler-agent@.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/hauler-agent@.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/hauler-agent@.service
	$(INSTALL) -m 644 docs/agent.md $(DESTDIR)$(AGENT_DOCDIR)/
	$(INSTALL) -m 644 deploy/etc/hauler-agent.conf.example $(DESTDIR)$(AGENT_DOCDIR)/examples/

# What install wrote, so that uninstall removes that and no more.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/hauler $(DESTDIR)$(SBINDIR)/hauler-agent \
		$(DESTDIR)$(MANDIR)/man8/hauler.8 $(DESTDIR)$(MANDIR)/man8/hauler-agent.8 \
		$(DESTDIR)$(MANDIR)/man5/hauler.conf.5 $(DESTDIR)$(BASHCOMPDIR)/hauler \
		$(DESTDIR)$(BASHCOMPDIR)/hauler-agent $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS))
	rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(AGENT_DOCDIR)

# make deb: the Debian packages (hauler, hauler-agent) with dpkg-buildpackage,
# in a copy of the tree under BUILD/deb/src so that its outputs stay in
# BUILD/deb. ARCH=arm64: hauler-agent alone, cross-built (make deps-arm64).
DEB_SRC := $(BUILD)/deb/src/hauler-$(shell cat VERSION)
deb:
	@v=$$(cat VERSION); c=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$$c" ] || \
		{ echo "deb: VERSION ($$v) and debian/changelog ($$c) differ" >&2; exit 1; }
	rm -rf $(BUILD)/deb/src && mkdir -p $(DEB_SRC)
	tar -c --exclude=./build --exclude=./$(BUILD) --exclude=./.git . | tar -x -C $(DEB_SRC)
	sh deploy/container/stamp.sh $(DEB_SRC) > $(BUILD)/deb/source-stamp.new
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -j2 \
		$(if $(ARCH),-a$(ARCH) -Ppkg.hauler.agentonly -B,-b)
	rm -f $(BUILD)/deb/*.deb $(BUILD)/deb/*.changes $(BUILD)/deb/*.buildinfo
	mv $(BUILD)/deb/src/*.deb $(BUILD)/deb/src/*.changes $(BUILD)/deb/src/*.buildinfo $(BUILD)/deb/
	mv $(BUILD)/deb/source-stamp.new $(BUILD)/deb/source-stamp
	@ls $(BUILD)/deb/*.deb

# The packages built and checked: their files unpacked into an empty root,
# the installed hauler --version, the units (systemd-analyze verify),
# lintian. Not in make check (the build takes minutes): .ci/run runs it.
check-deb: deb
	bash tests/system/check_deb.sh $(BUILD)/deb

# The hauler-agent package installed by apt into a clean Debian 12 root
# (mmdebstrap from the Debian mirror; make deps-image installs it): dpkg's
# files, the libraries, --version, the unit (systemd-analyze verify),
# removal. Not in make check nor CI (the mirror, minutes); the packages it
# downloads are kept in BUILD/image/cache, as make image keeps them.
check-deb-apt: deb
	bash tests/system/check_deb_apt.sh $(BUILD)/deb $(BUILD)/image/cache

# make image: the container image (deploy/container/build.sh: mmdebstrap's
# minimal Debian 12 root, the hauler package installed by apt, podman
# import) as hauler:VERSION and BUILD/image/hauler-image.tar, labelled with
# the source stamp of the tree its package was built from
# (deploy/container/stamp.sh). make check-image runs it against the
# namespace topology, after rebuilding it when it is missing or its stamp
# is not this tree's (an image of another tree runs another hauler). Not
# in make check (a build takes minutes); .ci/run runs it.
IMAGE ?= localhost/hauler:$(shell cat VERSION)
IMAGE_PKGS := mmdebstrap podman runc
deps-image: deps
	$(call install_missing,$(IMAGE_PKGS),deps-image)

image: deps-image deb
	bash deploy/container/build.sh $(BUILD)/deb $(BUILD)/image $(IMAGE)

check-image: all
	@want=$$(sh deploy/container/stamp.sh . build $(BUILD)); \
	have=$$(podman image inspect --format '{{index .Labels "org.hauler.source"}}' $(IMAGE) 2>/dev/null); \
	if [ "$$have" = "$$want" ]; then echo "check-image: $(IMAGE) is this tree's ($$want)"; \
	else echo "check-image: $(IMAGE) is $${have:-missing or unstamped}, this tree is $$want: make image"; \
		$(MAKE) --no-print-directory image || exit 1; \
		have=$$(podman image inspect --format '{{index .Labels "org.hauler.source"}}' $(IMAGE)); \
		[ "$$have" = "$$want" ] || { echo "check-image: the tree changed during make image" >&2; exit 1; }; \
	fi
	bash tests/system/check_image.sh $(BUILD) $(IMAGE)

# Multiarch for the agent's cross build and its tests under qemu-user.
CROSS_PKGS := gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user libc6-dev:arm64 \
	      libcmocka-dev:arm64
deps-arm64: deps
	@dpkg --print-foreign-architectures | grep -qx arm64 || \
		{ dpkg --add-architecture arm64 && apt-get update -qq; }
	$(call install_missing,$(CROSS_PKGS),deps-arm64)

# The agent's unit tests, cross-built for arm64 and run under qemu-user;
# then its arm64 package (make deb ARCH=arm64, into BUILD/arm64/deb),
# checked as check-deb checks the native ones, its binary under qemu-user.
check-arm64:
	$(MAKE) --no-print-directory ARCH=arm64 agent
	$(MAKE) --no-print-directory BUILD=$(BUILD)/arm64 CC=aarch64-linux-gnu-gcc agent-tests
	@HAULER_UNIT_TESTS="$(AGENT_UNIT_TESTS)" HAULER_TEST_EXEC="qemu-aarch64" HAULER_TEST_EMULATED=1 \
		bash tests/run.sh $(BUILD)/arm64 agent
	$(MAKE) --no-print-directory BUILD=$(BUILD)/arm64 ARCH=arm64 deb
	bash tests/system/check_deb.sh $(BUILD)/arm64/deb arm64

# check builds and runs every test; installing packages is make deps'
# (CI: .ci/run). demo and bench install what they need first.
check: check-run

check-run: all p4 $(UNIT_BINS) $(DP_BINS)
	@P4C_DIR=$(P4C_DIR) bash tests/run.sh $(BUILD)

unit: all $(UNIT_BINS)
	@P4C_DIR=$(P4C_DIR) bash tests/run.sh $(BUILD) unit

datapath: all $(DP_BINS)
	@bash tests/run.sh $(BUILD) datapath

system: all
	@bash tests/run.sh $(BUILD) system

demo: deps
	@$(MAKE) --no-print-directory all
	bash tools/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all
	bash tools/bench.sh $(BUILD)

# Not part of bench: where one rate case's time goes, by source line
# (tools/bench.sh's profile part; perf from linux-perf). Run it on the
# quiet CPU: tools/quiet.sh env BENCH_CPU=1 make bench-profile
# [BENCH_PROFILE=new].
bench-profile: deps
	@$(MAKE) --no-print-directory all
	BENCH_ONLY=profile bash tools/bench.sh $(BUILD)

# Not part of bench: does an array of small (direct-map) arrays read faster
# than one large vmalloc'ed one? docs/performance.md; run it on the quiet
# CPU: tools/quiet.sh make bench-pages.
bench-pages: $(BUILD)/tools/bench_pages $(BUILD)/bench/pages.bpf.o
	$(BUILD)/tools/bench_pages --build $(BUILD)

deps-reproduce: deps
	$(call install_missing,$(REPRO_PKGS),deps-reproduce)

# The testbed's figures, then the simulator's (docs/simulator.md), both into docs/results.md,
# within 15 minutes on a 2-core machine: the rig's parts get REPRO_BUDGET_S of them (their
# shares: tools/reproduce.sh), the simulator (about 4 minutes) the rest.
REPRO_BUDGET_S ?= 620
reproduce: deps-reproduce
	@$(MAKE) --no-print-directory all
	@t0=$$(date +%s); \
	REPRO_BUDGET_S=$(REPRO_BUDGET_S) bash tools/reproduce.sh $(BUILD) || exit 1; \
	t1=$$(date +%s); \
	bash tools/sim/reproduce.sh $(BUILD) docs || exit 1; \
	t2=$$(date +%s); \
	echo "make reproduce: the rig $$((t1 - t0)) s, the simulator $$((t2 - t1)) s, in all $$((t2 - t0)) s (budget 900 s)"

# The simulator's part alone; with SIM_QUICK=1 a short run, into BUILD/results/sim only.
reproduce-sim: deps-reproduce
	@$(MAKE) --no-print-directory $(BUILD)/hauler-sim
	bash tools/sim/reproduce.sh $(BUILD) $(if $(SIM_QUICK),,docs)

# Every C file of the tree (not the build's generated ones), in the repo's .clang-format.
FORMAT_SRCS := $(filter-out $(BUILD)/%,$(wildcard */*.c */*.h */*/*.c */*/*.h */*/*/*.c))
format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	clang-format --dry-run -Werror $(FORMAT_SRCS)

clean:
	rm -rf $(BUILD)

.SECONDARY:
