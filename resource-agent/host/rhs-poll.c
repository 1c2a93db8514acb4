/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-poll.h"

#include <glib-unix.h>

struct RhsPoll {
  guint looks_id;
  guint is_id;
  guint event_id;
  int event_fd;
  RhsPollFunc func;
  gpointer user_data;
};

static gboolean on_looks_alive(gpointer data)
{
  RhsPoll *poll = data;
  poll->func(RHS_POLL_LOOKS_ALIVE, poll->user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean on_event(int fd, GIOCondition cond, gpointer data)
{
  RhsPoll *poll = data;
  /* One report per signal: the owner re-arms via the next IsAlive tick if the verification
   * says the resource is fine. */
  poll->event_id = 0;
  poll->func(RHS_POLL_EVENT, poll->user_data);
  return G_SOURCE_REMOVE;
}

static void arm_event(RhsPoll *poll)
{
  if (poll->event_fd >= 0 && poll->event_id == 0)
    poll->event_id = g_unix_fd_add(poll->event_fd, G_IO_IN, on_event, poll);
}

static gboolean on_is_alive(gpointer data)
{
  RhsPoll *poll = data;
  arm_event(poll);
  poll->func(RHS_POLL_IS_ALIVE, poll->user_data);
  return G_SOURCE_CONTINUE;
}

/* Whole-second intervals use g_timeout_add_seconds: GLib fires every such timer due in the
 * same second in one main-loop iteration, and each iteration walks all sources of the context
 * (prepare/check).  With 1000 shares polled every 10 s that is about one wakeup a second
 * instead of a hundred.  The price is up to 1 s of jitter, which a 1 s-grained poll can take. */
static guint add_timer(guint ms, GSourceFunc func, gpointer data)
{
  ms = MAX(ms, 1u);
  if (ms % 1000 == 0)
    return g_timeout_add_seconds(ms / 1000, func, data);
  return g_timeout_add(ms, func, data);
}

RhsPoll *rhs_poll_new(guint looks_alive_ms, guint is_alive_ms, int event_fd, RhsPollFunc func,
                      gpointer user_data)
{
  RhsPoll *poll = g_new0(RhsPoll, 1);
  poll->func = func;
  poll->user_data = user_data;
  poll->event_fd = event_fd;
  if (event_fd >= 0)
    arm_event(poll);
  else
    poll->looks_id = add_timer(looks_alive_ms, on_looks_alive, poll);
  poll->is_id = add_timer(is_alive_ms, on_is_alive, poll);
  return poll;
}

void rhs_poll_mute_event(RhsPoll *poll)
{
  g_clear_handle_id(&poll->event_id, g_source_remove);
}

void rhs_poll_free(RhsPoll *poll)
{
  if (poll == NULL)
    return;
  g_clear_handle_id(&poll->looks_id, g_source_remove);
  g_clear_handle_id(&poll->is_id, g_source_remove);
  g_clear_handle_id(&poll->event_id, g_source_remove);
  g_free(poll);
}
