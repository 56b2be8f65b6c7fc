#!/bin/bash
# test_device_reuse_lru.sh BUILD - test_device_reuse.sh on the LRU tables
# (hauler up --table lru): a deleted device's late segments find their
# reply entries there, where the compact table (the default) has its
# dev_addrs tombstones.
REUSE_TABLE=lru
# shellcheck source=test_device_reuse.sh
. "$(dirname "$0")/test_device_reuse.sh"
