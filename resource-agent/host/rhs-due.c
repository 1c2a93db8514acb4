/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-due.h"

static gint due_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
  const RhsDue *x = a, *y = b;
  if (x->due != y->due)
    return x->due < y->due ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
}

void rhs_due_queue_init(RhsDueQueue *q, GSource *source)
{
  q->queue = g_sequence_new(NULL);
  q->source = source;
  q->next_seq = 0;
  g_source_set_ready_time(source, -1);
}

void rhs_due_queue_clear(RhsDueQueue *q)
{
  while (rhs_due_pop(q, G_MAXINT64) != NULL)
    ;
  g_clear_pointer(&q->queue, g_sequence_free);
}

void rhs_due_rearm(RhsDueQueue *q)
{
  GSequenceIter *first = g_sequence_get_begin_iter(q->queue);
  gint64 ready = g_sequence_iter_is_end(first) ? -1 : ((RhsDue *)g_sequence_get(first))->due;
  if (g_source_get_ready_time(q->source) != ready)
    g_source_set_ready_time(q->source, ready);
}

void rhs_due_insert(RhsDueQueue *q, RhsDue *d, gint64 due)
{
  d->due = due;
  d->seq = q->next_seq++;
  d->it = g_sequence_insert_sorted(q->queue, d, due_cmp, NULL);
  if (g_sequence_iter_is_begin(d->it))
    rhs_due_rearm(q);
}

void rhs_due_remove(RhsDue *d)
{
  if (d->it == NULL)
    return;
  g_sequence_remove(d->it);
  d->it = NULL;
}

RhsDue *rhs_due_pop(RhsDueQueue *q, gint64 now)
{
  GSequenceIter *first = g_sequence_get_begin_iter(q->queue);
  if (g_sequence_iter_is_end(first))
    return NULL;
  RhsDue *d = g_sequence_get(first);
  if (d->due > now)
    return NULL;
  rhs_due_remove(d);
  return d;
}

guint rhs_due_length(RhsDueQueue *q)
{
  return (guint)g_sequence_get_length(q->queue);
}
