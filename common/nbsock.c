// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
#include "nbsock.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

int nbsock_connect(const struct sockaddr *addr, socklen_t addrlen, int *connected)
{
	*connected = 0;
	int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) return -1;
	if (connect(fd, addr, addrlen) == 0) {
		*connected = 1;
		return fd;
	}
	if (errno == EINPROGRESS || errno == EINTR) return fd;
	int err = errno;
	close(fd);
	errno = err;
	return -1;
}

int nbsock_connect_result(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT, .revents = 0 };
	if (poll(&pfd, 1, 0) <= 0) return -1;
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) soerr = errno;
	return soerr;
}

int nbsock_send(int fd, const char *buf, size_t len, size_t *sent)
{
	while (*sent < len) {
		ssize_t n = send(fd, buf + *sent, len - *sent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) return 1;
			return errno;
		}
		*sent += (size_t)n;
	}
	return 0;
}
