/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-poll: the health-poll schedule of the online instances, on the main loop.  LooksAlive
 * every LooksAlivePollInterval unless Online returned an event handle, in which case the
 * event's fd is watched instead; IsAlive every IsAlivePollInterval, always.  The owner runs the
 * DLL calls on a worker and decides what a FALSE means; this module only says when.
 *
 * All the timers of a host are one queue ordered by due time (RhsPollSched) behind ONE GSource
 * of the main context: GLib walks every source of a context on every main-loop iteration
 * (prepare/check), and every D-Bus call is an iteration, so a source per instance made each
 * Online/Offline cost O(online instances).  Event fds stay one GSource each (only instances
 * with an event handle have one).
 */
#pragma once

#include <glib.h>

typedef enum {
  RHS_POLL_LOOKS_ALIVE,
  RHS_POLL_IS_ALIVE,
  RHS_POLL_EVENT, /* the failure event was signalled: verify with IsAlive */
} RhsPollWhat;

typedef void (*RhsPollFunc)(RhsPollWhat what, gpointer user_data);

typedef struct RhsPollSched RhsPollSched;
typedef struct RhsPoll RhsPoll;

/* The host-wide schedule, attached to @ctx: callbacks run on the thread that runs @ctx, with
 * the schedule's (recursive) lock held; polls may be created, muted and freed on any thread,
 * and once rhs_poll_free() has returned that poll's callback never runs again.  So a callback
 * must not wait for a thread that may be calling rhs_poll_*() (it may call them itself).  Free
 * the schedule after every poll of it. */
RhsPollSched *rhs_poll_sched_new(GMainContext *ctx);
void rhs_poll_sched_free(RhsPollSched *sched);
/* How many timers are queued (tests). */
guint rhs_poll_sched_size(RhsPollSched *sched);

/*
 * @event_fd < 0: no event handle.  Each timer first fires one interval after creation, then
 * every interval after it was due (not a burst after a stalled loop: a timer more than one
 * interval late is re-based on now).  Whole-second intervals are due on whole seconds of the
 * monotonic clock, as g_timeout_add_seconds does, so that the timers due in the same second
 * fire in one wake-up (1000 shares polled every 10 s: one wake-up a second, not a hundred);
 * the price is up to 1 s of jitter, which a 1 s-grained poll can take.  @func may free the
 * poll (or others) from inside the callback.
 */
RhsPoll *rhs_poll_new(RhsPollSched *sched, guint looks_alive_ms, guint is_alive_ms, int event_fd,
                      RhsPollFunc func, gpointer user_data);
void rhs_poll_free(RhsPoll *poll);
/* Stops watching the event fd until the next IsAlive tick (after IsAlive said TRUE while the
 * event stays signalled, so it does not spin). */
void rhs_poll_mute_event(RhsPoll *poll);
