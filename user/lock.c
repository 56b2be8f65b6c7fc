// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* lock.c - the writers' lock on the pin directory (see lock.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "error.h"
#include "lock.h"

#define LOCK_POLL_NS 10000000L

/* Is fd still the directory at pin (not one a `down` removed meanwhile)? */
static int still_there(const char *pin, int fd)
{
	struct stat a, b;

	return !stat(pin, &a) && !fstat(fd, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int lock_take(const char *pin, int wait_ms)
{
	struct timespec pause = {0, LOCK_POLL_NS};
	long waited_ns = 0;
	int fd;

	for (;;) {
		fd = open(pin, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return err_set(errno == ENOENT ? ERR_INPUT : ERR_SYSTEM,
				       "hauler is not up (no pins at %s): %s", pin,
				       strerror(errno));
		if (!flock(fd, LOCK_EX | LOCK_NB)) {
			if (still_there(pin, fd))
				return fd;
			close(fd); /* removed and made again while we waited: lock the new one */
			continue;
		}
		close(fd);
		if (errno != EWOULDBLOCK)
			return err_set(ERR_SYSTEM, "cannot lock %s: %s", pin, strerror(errno));
		if (waited_ns / 1000000 >= wait_ms)
			return err_set(
			    ERR_SYSTEM,
			    "another hauler (command, batch, daemon or learner) holds the "
			    "lock of %s: gave up after %d ms",
			    pin, wait_ms);
		nanosleep(&pause, NULL);
		waited_ns += LOCK_POLL_NS;
	}
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the last fd of the open file drops the flock */
}
