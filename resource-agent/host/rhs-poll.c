/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-poll.h"

#include <glib-unix.h>

#include "rhs-due.h"

/* One periodic timer of a poll, queued in its schedule while it runs. */
typedef struct {
  RhsDue due; /* first: the queue's entry is the timer */
  RhsPoll *poll;
  RhsPollWhat what;
  guint interval_ms;
} RhsPollTimer;

struct RhsPollSched {
  /* Guards the queue and every poll, and is held while a callback runs: a poll freed on
   * another thread never fires afterwards.  Recursive: a callback may free polls. */
  GRecMutex lock;
  GMainContext *ctx;
  GSource *source;
  RhsDueQueue queue; /* RhsPollTimer * */
};

/* The event source's data: the poll may be freed on another thread while the source waits
 * to be dispatched; the callback checks, under the lock, that the source is still live. */
typedef struct {
  RhsPollSched *sched;
  RhsPoll *poll;
} RhsPollEvent;

struct RhsPoll {
  RhsPollSched *sched;
  RhsPollTimer looks;
  RhsPollTimer is;
  GSource *event_source;
  int event_fd;
  RhsPollFunc func;
  gpointer user_data;
};

/* ---- the queue ----------------------------------------------------------------------------- */

/* The due time one interval after @from. */
static gint64 timer_next_due(const RhsPollTimer *t, gint64 from)
{
  gint64 due = from + (gint64)t->interval_ms * G_TIME_SPAN_MILLISECOND;
  if (t->interval_ms % 1000 == 0) /* whole seconds: due on a whole second (see the header) */
    due = (due + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC * G_USEC_PER_SEC;
  return due;
}

static void timer_start(RhsPoll *poll, RhsPollTimer *t, RhsPollWhat what, guint interval_ms)
{
  t->poll = poll;
  t->what = what;
  t->interval_ms = MAX(interval_ms, 1u);
  rhs_due_insert(&poll->sched->queue, &t->due, timer_next_due(t, g_get_monotonic_time()));
}

static void fire(RhsPollTimer *t);

static gboolean sched_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  RhsPollSched *sched = data;
  gint64 now = g_get_monotonic_time();
  g_rec_mutex_lock(&sched->lock);
  RhsDue *d;
  while ((d = rhs_due_pop(&sched->queue, now)) != NULL) {
    RhsPollTimer *t = (RhsPollTimer *)d;
    /* Re-queued before the callback, which may free the poll (and with it this timer). */
    gint64 from = d->due;
    if (now - from >= (gint64)t->interval_ms * G_TIME_SPAN_MILLISECOND)
      from = now; /* a stalled loop: one call now, not one per missed interval */
    rhs_due_insert(&sched->queue, d, timer_next_due(t, from));
    fire(t);
  }
  rhs_due_rearm(&sched->queue);
  g_rec_mutex_unlock(&sched->lock);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs sched_funcs = {
    .dispatch = sched_dispatch,
};

RhsPollSched *rhs_poll_sched_new(GMainContext *ctx)
{
  RhsPollSched *sched = g_new0(RhsPollSched, 1);
  g_rec_mutex_init(&sched->lock);
  sched->ctx = g_main_context_ref(ctx != NULL ? ctx : g_main_context_default());
  sched->source = g_source_new(&sched_funcs, sizeof(GSource));
  g_source_set_name(sched->source, "rhs-poll");
  g_source_set_callback(sched->source, NULL, sched, NULL);
  rhs_due_queue_init(&sched->queue, sched->source);
  g_source_attach(sched->source, sched->ctx);
  return sched;
}

void rhs_poll_sched_free(RhsPollSched *sched)
{
  if (sched == NULL)
    return;
  g_source_destroy(sched->source);
  rhs_due_queue_clear(&sched->queue);
  g_source_unref(sched->source);
  g_main_context_unref(sched->ctx);
  g_rec_mutex_clear(&sched->lock);
  g_free(sched);
}

guint rhs_poll_sched_size(RhsPollSched *sched)
{
  g_rec_mutex_lock(&sched->lock);
  guint n = rhs_due_length(&sched->queue);
  g_rec_mutex_unlock(&sched->lock);
  return n;
}

/* ---- polls --------------------------------------------------------------------------------- */

static gboolean on_event(int fd, GIOCondition cond, gpointer data)
{
  RhsPollEvent *ev = data;
  g_rec_mutex_lock(&ev->sched->lock);
  if (!g_source_is_destroyed(g_main_current_source())) { /* else the poll is gone or muted */
    RhsPoll *poll = ev->poll;
    /* One report per signal: the owner re-arms via the next IsAlive tick if the verification
     * says the resource is fine. */
    g_clear_pointer(&poll->event_source, g_source_unref);
    poll->func(RHS_POLL_EVENT, poll->user_data);
  }
  g_rec_mutex_unlock(&ev->sched->lock);
  return G_SOURCE_REMOVE;
}

/* Called with the lock held. */
static void arm_event(RhsPoll *poll)
{
  if (poll->event_fd < 0 || poll->event_source != NULL)
    return;
  RhsPollEvent *ev = g_new0(RhsPollEvent, 1);
  ev->sched = poll->sched;
  ev->poll = poll;
  poll->event_source = g_unix_fd_source_new(poll->event_fd, G_IO_IN);
  g_source_set_callback(poll->event_source, G_SOURCE_FUNC(on_event), ev, g_free);
  g_source_attach(poll->event_source, poll->sched->ctx);
}

/* Called with the lock held. */
static void mute_event(RhsPoll *poll)
{
  if (poll->event_source != NULL) {
    g_source_destroy(poll->event_source);
    g_clear_pointer(&poll->event_source, g_source_unref);
  }
}

static void fire(RhsPollTimer *t)
{
  RhsPoll *poll = t->poll;
  if (t->what == RHS_POLL_IS_ALIVE)
    arm_event(poll);
  poll->func(t->what, poll->user_data);
}

RhsPoll *rhs_poll_new(RhsPollSched *sched, guint looks_alive_ms, guint is_alive_ms, int event_fd,
                      RhsPollFunc func, gpointer user_data)
{
  RhsPoll *poll = g_new0(RhsPoll, 1);
  poll->sched = sched;
  poll->func = func;
  poll->user_data = user_data;
  poll->event_fd = event_fd;
  g_rec_mutex_lock(&sched->lock);
  if (event_fd >= 0)
    arm_event(poll);
  else
    timer_start(poll, &poll->looks, RHS_POLL_LOOKS_ALIVE, looks_alive_ms);
  timer_start(poll, &poll->is, RHS_POLL_IS_ALIVE, is_alive_ms);
  g_rec_mutex_unlock(&sched->lock);
  return poll;
}

void rhs_poll_mute_event(RhsPoll *poll)
{
  g_rec_mutex_lock(&poll->sched->lock);
  mute_event(poll);
  g_rec_mutex_unlock(&poll->sched->lock);
}

void rhs_poll_free(RhsPoll *poll)
{
  if (poll == NULL)
    return;
  RhsPollSched *sched = poll->sched;
  g_rec_mutex_lock(&sched->lock);
  rhs_due_remove(&poll->looks.due);
  rhs_due_remove(&poll->is.due);
  mute_event(poll);
  g_rec_mutex_unlock(&sched->lock);
  g_free(poll);
}
