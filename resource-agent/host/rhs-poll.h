/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-poll: the health-poll schedule of one online instance, on the main loop.  LooksAlive every
 * LooksAlivePollInterval unless Online returned an event handle, in which case the event's fd
 * is watched instead; IsAlive every IsAlivePollInterval, always.  The owner runs the DLL calls
 * on a worker and decides what a FALSE means; this module only says when.
 */
#pragma once

#include <glib.h>

typedef enum {
  RHS_POLL_LOOKS_ALIVE,
  RHS_POLL_IS_ALIVE,
  RHS_POLL_EVENT, /* the failure event was signalled: verify with IsAlive */
} RhsPollWhat;

typedef void (*RhsPollFunc)(RhsPollWhat what, gpointer user_data);

typedef struct RhsPoll RhsPoll;

/* @event_fd < 0: no event handle.  Must be created and freed on the main context. */
RhsPoll *rhs_poll_new(guint looks_alive_ms, guint is_alive_ms, int event_fd, RhsPollFunc func,
                      gpointer user_data);
void rhs_poll_free(RhsPoll *poll);
/* Stops watching the event fd until the next IsAlive tick (after IsAlive said TRUE while the
 * event stays signalled, so it does not spin). */
void rhs_poll_mute_event(RhsPoll *poll);
