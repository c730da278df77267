/* accept.c: the listening socket and its accepting thread (why: accept.h). */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "http/accept.h"
#include "lib/log.h"

#define BACKLOG 1024
#define ACCEPTS_PER_WAKE 64 /* then look at the stop pipe again */

struct acceptor {
	int fd;
	int stop[2]; /* a byte in stop[1] ends the thread */
	struct MHD_Daemon *mhd;
	pthread_t thread;
	bool running;
};

static bool cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	return fl >= 0 && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == 0;
}

enum status acceptor_open(const struct sockaddr *sa, socklen_t len, bool v6,
			  struct acceptor **out, unsigned *port)
{
	struct acceptor *a = calloc(1, sizeof(*a));
	if (!a)
		return ST_NOMEM;
	a->stop[0] = a->stop[1] = -1;
	a->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int on = 1;
	if (a->fd < 0 || setsockopt(a->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    (v6 && setsockopt(a->fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0) ||
	    bind(a->fd, sa, len) != 0 || listen(a->fd, BACKLOG) != 0 ||
	    pipe(a->stop) != 0 || !cloexec(a->stop[0]) || !cloexec(a->stop[1]))
		goto fail;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	if (getsockname(a->fd, (struct sockaddr *)&ss, &sslen) != 0)
		goto fail;
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	*out = a;
	return ST_OK;
fail:;
	int e = errno;
	acceptor_close(a);
	errno = e;
	return ST_UNAVAILABLE;
}

/* Out of descriptors or memory: the waiting connection stays in the backlog; look again in
 * 100 ms (or stop) rather than spin on it. True when told to stop. */
static bool pause_or_stop(struct acceptor *a)
{
	struct pollfd p = {a->stop[0], POLLIN, 0};
	return poll(&p, 1, 100) > 0;
}

static void *accept_loop(void *arg)
{
	struct acceptor *a = arg;
	bool said = false;
	for (;;) {
		struct pollfd p[2] = {{a->fd, POLLIN, 0}, {a->stop[0], POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("accept: poll");
			return NULL;
		}
		if (p[1].revents)
			return NULL;
		for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
			struct sockaddr_storage ss;
			socklen_t len = sizeof(ss);
			int c = accept(a->fd, (struct sockaddr *)&ss, &len);
			if (c >= 0 && !cloexec(c)) {
				close(c);
				continue;
			}
			if (c < 0) {
				if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
				    errno == ENOMEM) {
					if (!said)
						log_warn("accept: new connections wait");
					said = true;
					if (pause_or_stop(a))
						return NULL;
				}
				break; /* EAGAIN: all taken; ECONNABORTED and the like: next */
			}
			said = false;
			/* libmicrohttpd closes c when it cannot take it (its connection limit; it
			 * logs why) */
			MHD_add_connection(a->mhd, c, (struct sockaddr *)&ss, len);
		}
	}
}

enum status acceptor_start(struct acceptor *a, struct MHD_Daemon *d)
{
	a->mhd = d;
	if (pthread_create(&a->thread, NULL, accept_loop, a) != 0)
		return ST_UNAVAILABLE;
	a->running = true;
	return ST_OK;
}

void acceptor_close(struct acceptor *a)
{
	if (!a)
		return;
	if (a->running) {
		ssize_t w;
		do
			w = write(a->stop[1], "x", 1);
		while (w < 0 && errno == EINTR);
		pthread_join(a->thread, NULL);
	}
	if (a->fd >= 0)
		close(a->fd);
	if (a->stop[0] >= 0)
		close(a->stop[0]);
	if (a->stop[1] >= 0)
		close(a->stop[1]);
	free(a);
}
