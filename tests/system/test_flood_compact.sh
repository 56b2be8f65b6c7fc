#!/bin/bash
# test_flood_compact.sh BUILD - test_flood.sh's spoofed floods against the
# compact connection table (hauler up --table compact): no established
# connection broken, no forged flow confirmed, the ACKs stateless, no
# established slot evicted (conn_evicted 0).
FLOOD_TABLE=compact
# shellcheck source=test_flood.sh
. "$(dirname "$0")/test_flood.sh"
