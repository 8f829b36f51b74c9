/* board/qemu-virt-arm64/syscalls.c: the few POSIX calls picolibc's own
 * code may reach on bare metal. fd 0/1/2 are the console, there are no
 * files, and a signal's default action ends the image with 128 + signal
 * (raise(), abort()). Nothing here is linked unless something calls it
 * (tern.elf needs none of it; cmocka in selftest.elf does). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "board/qemu-virt-arm64/board.h"

#define BOARD_PID 1

int open(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	errno = ENOSYS;
	return -1;
}

int close(int fd)
{
	(void)fd;
	errno = EBADF;
	return -1;
}

ssize_t read(int fd, void *buf, size_t len)
{
	char *p = buf;

	if (fd != STDIN_FILENO) {
		errno = EBADF;
		return -1;
	}
	if (len)
		*p = (char)pl011_getc();
	return len ? 1 : 0;
}

ssize_t write(int fd, const void *buf, size_t len)
{
	if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
		errno = EBADF;
		return -1;
	}
	pl011_write(buf, len);
	return (ssize_t)len;
}

off_t lseek(int fd, off_t offset, int whence)
{
	(void)fd;
	(void)offset;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

pid_t getpid(void)
{
	return BOARD_PID;
}

int kill(pid_t pid, int sig)
{
	if (pid != BOARD_PID) {
		errno = ESRCH;
		return -1;
	}
	semihost_exit(128 + sig);
}
