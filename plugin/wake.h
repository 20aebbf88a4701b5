// SPDX-License-Identifier: MIT
/*
 * wake.h - waking the broker's loop when the plugin next has work.
 *
 * The broker runs our tick from its main loop, which sleeps in epoll_wait()
 * between events.  Mosquitto 2.0 sleeps at most 100 ms; 2.1 sleeps until its
 * next known event, and learns ours only from the tick's next_s/next_ms.  But
 * 2.1.2 also skips a plugin's tick until that time has come, and a pass of
 * the loop that skips it forgets the request: any other wake-up (a client's
 * packet, our own publish being delivered) loses our deadline until something
 * else wakes the broker (measured: one poll in 5 s at poll_interval 2, 14 s
 * from SIGTERM to exit).
 *
 * So on every broker we ask for a tick on every pass of the loop (next 0),
 * and wake the loop ourselves at our next deadline: a POSIX timer sends a
 * real-time signal to the broker's main thread alone, whose empty handler
 * does nothing but make epoll_wait() return (EINTR, which the broker takes as
 * a normal wake-up).  The broker's own SIGINT/SIGTERM interrupt the wait in
 * the same way, so a stop is seen at once.
 */
#ifndef APS_WAKE_H
#define APS_WAKE_H

#include <stdbool.h>
#include <stdint.h>

/* Takes a free real-time signal and makes a timer aimed at the calling
 * thread (call from the broker's main thread).  False when none can be had
 * (every candidate signal already handled by someone, or no timer): the
 * caller then falls back to asking the broker, and why is in reason. */
bool wake_open(char *reason, unsigned reason_len);

/* Wake the calling thread's loop in ms milliseconds (0 = at once), replacing
 * any earlier request; repeated every millisecond after that until the next
 * call, so that a signal which came before the broker slept is not lost. */
void wake_at(uint64_t ms);

/* Deletes the timer, then restores the signal's former handling. */
void wake_close(void);

/* The signal in use, 0 when closed. */
int wake_signal(void);

#endif
