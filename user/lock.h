/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lock.h - the one lock of every writer of a balancer's configuration:
 * a command, a batch, `up -c`, `down`, the daemon's passes (rings and
 * health) and the learner's commits. It is an flock on the pin directory,
 * held from reading the maps into the model to the end of the commit, so
 * no writer builds its changes on a state another one is changing
 * (no read-modify-write race). Readers (show, save, stats) take no lock.
 */
#ifndef HAULER_LOCK_H
#define HAULER_LOCK_H

/* How long a writer waits for another before it gives up. */
#define HAULER_LOCK_WAIT_MS 30000

/*
 * Take the lock of the balancer pinned at pin (waiting up to wait_ms).
 * Returns the fd that holds it (give it to lock_release), or -ERR_*
 * (recorded): not up, or another writer held it all that time.
 */
int lock_take(const char *pin, int wait_ms);
void lock_release(int fd);

#endif
