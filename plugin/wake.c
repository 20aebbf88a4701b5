// SPDX-License-Identifier: MIT
/* wake.c - see wake.h. */
#define _GNU_SOURCE
#include "wake.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* glibc before 2.37 names the thread id field only through the union. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/* A signal handler and a timer are process-wide, like the broker's own
 * SIGINT handling: this file's state is the plugin's one timer. */
/* A day: the longest any of our deadlines (a night pause is at most 12 h). */
#define WAKE_MAX_MS 86400000u
/* A signal that comes while the broker is not yet in epoll_wait() (a wake
 * "at once" fires while our tick still runs) wakes nothing: the broker then
 * sleeps its whole timeout (100 ms on 2.0, longer on 2.1; measured with 256
 * ECUs: ten ticks a second, one ECU served in each).  So the timer repeats
 * this often until the next tick re-arms it: a lost wake-up costs 1 ms. */
#define WAKE_REPEAT_NS 1000000L

static timer_t timer;
static int signo;
static struct sigaction previous;

static void on_wake(int sig)
{
	(void)sig; /* Its only job is to interrupt the broker's epoll_wait(). */
}

bool wake_open(char *reason, unsigned reason_len)
{
	if (signo) return true;
	/* From the top of the real-time range down: the broker takes SIGRTMIN
	 * for log rotation, and libraries tend to take the lowest ones. */
	for (int sig = SIGRTMAX - 1; sig > SIGRTMIN + 1; sig--) {
		struct sigaction cur, ours;
		if (sigaction(sig, NULL, &cur) != 0) continue;
		if (cur.sa_handler != SIG_DFL || (cur.sa_flags & SA_SIGINFO)) continue;

		memset(&ours, 0, sizeof(ours));
		ours.sa_handler = on_wake;
		ours.sa_flags = SA_RESTART; /* other calls resume; epoll_wait never does */
		sigemptyset(&ours.sa_mask);
		if (sigaction(sig, &ours, &previous) != 0) continue;

		struct sigevent sev;
		memset(&sev, 0, sizeof(sev));
		sev.sigev_notify = SIGEV_THREAD_ID;
		sev.sigev_signo = sig;
		sev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
		if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) {
			int err = errno;
			sigaction(sig, &previous, NULL);
			snprintf(reason, reason_len, "no timer: %s", strerror(err));
			return false;
		}
		signo = sig;
		return true;
	}
	snprintf(reason, reason_len, "every real-time signal from %d to %d is in use", SIGRTMIN + 2, SIGRTMAX - 1);
	return false;
}

void wake_at(uint64_t ms)
{
	if (!signo) return;
	if (ms > WAKE_MAX_MS) ms = WAKE_MAX_MS;
	struct itimerspec when;
	memset(&when, 0, sizeof(when));
	/* it_value 0 would disarm the timer: "at once" is one microsecond. */
	if (ms == 0) when.it_value.tv_nsec = 1000;
	else {
		when.it_value.tv_sec = (time_t)(ms / 1000u);
		when.it_value.tv_nsec = (long)(ms % 1000u) * 1000000L;
	}
	when.it_interval.tv_nsec = WAKE_REPEAT_NS;
	timer_settime(timer, 0, &when, NULL);
}

void wake_close(void)
{
	if (!signo) return;
	timer_delete(timer);
	/* A signal already sent was delivered to this thread before
	 * timer_delete() returned: nothing is left in flight. */
	sigaction(signo, &previous, NULL);
	signo = 0;
}

int wake_signal(void)
{
	return signo;
}
