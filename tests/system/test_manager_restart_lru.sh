#!/bin/bash
# test_manager_restart_lru.sh BUILD - test_manager_restart.sh on the LRU
# tables (hauler up --table lru): a re-up without --table keeps them and
# their connections, as over a balancer an older hauler brought up.
RESTART_TABLE=lru
# shellcheck source=test_manager_restart.sh
. "$(dirname "$0")/test_manager_restart.sh"
