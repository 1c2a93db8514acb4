/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-due: entries due at a monotonic time, in one queue behind ONE GSource whose ready time
 * is the first entry's due time.  GLib walks every source of a context on every main-loop
 * iteration, so the host keeps a constant number of sources whatever the number of instances:
 * the poll timers (rhs-poll) and the Online/Offline deadlines (rhs-host) are each one queue.
 * Entries due together come out in the order they were queued.  Not locked: the caller
 * serializes all calls on a queue with its own lock (also held in the source's dispatch).
 */
#pragma once

#include <glib.h>

/* Embedded as the FIRST member of the queued structure, so that an entry is also its owner. */
typedef struct {
  gint64 due;        /* monotonic, us */
  guint64 seq;       /* FIFO among entries due together */
  GSequenceIter *it; /* NULL while not queued */
} RhsDue;

typedef struct {
  GSequence *queue; /* RhsDue *, by (due, seq) */
  GSource *source;  /* not owned: the caller's, attached where it wants the dispatch */
  guint64 next_seq;
} RhsDueQueue;

void rhs_due_queue_init(RhsDueQueue *q, GSource *source);
/* Entries still queued are only dropped from the queue (the caller frees its structures). */
void rhs_due_queue_clear(RhsDueQueue *q);
/* Queues @d (not queued) due at @due; the source is re-armed if @d is now the first. */
void rhs_due_insert(RhsDueQueue *q, RhsDue *d, gint64 due);
/* Takes @d off the queue if it is queued.  The source may now fire early, for nothing: the
 * dispatch re-arms, which is cheaper than re-arming on every removal. */
void rhs_due_remove(RhsDue *d);
/* The first entry due at @now or earlier (any entry when @now is G_MAXINT64), taken off the
 * queue; NULL if there is none.  Re-arm after the dispatch's last pop. */
RhsDue *rhs_due_pop(RhsDueQueue *q, gint64 now);
/* Sets the source's ready time to the first entry's due time, -1 when the queue is empty. */
void rhs_due_rearm(RhsDueQueue *q);
guint rhs_due_length(RhsDueQueue *q);
