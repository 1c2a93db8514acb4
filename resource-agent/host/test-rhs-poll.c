/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-poll.h"

#include <sys/eventfd.h>
#include <unistd.h>

typedef struct {
  guint looks;
  guint is;
  guint event;
  gint64 first_looks;      /* monotonic us of the first LooksAlive */
  guint64 looks_iteration; /* the main-loop iteration of the last LooksAlive */
  RhsPoll **free_me;       /* freed from inside the callback */
} Counts;

static guint64 iteration;

static void count_cb(RhsPollWhat what, gpointer data)
{
  Counts *c = data;
  switch (what) {
  case RHS_POLL_LOOKS_ALIVE:
    if (c->looks++ == 0)
      c->first_looks = g_get_monotonic_time();
    c->looks_iteration = iteration;
    break;
  case RHS_POLL_IS_ALIVE:
    c->is++;
    break;
  case RHS_POLL_EVENT:
    c->event++;
    break;
  }
  if (c->free_me != NULL)
    g_clear_pointer(c->free_me, rhs_poll_free);
}

/* Runs the default context for @ms, counting iterations. */
static void run_ms(guint ms)
{
  gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
  while (g_get_monotonic_time() < end) {
    g_main_context_iteration(NULL, FALSE);
    iteration++;
    g_usleep(1000);
  }
}

static void test_intervals(void)
{
  RhsPollSched *s = rhs_poll_sched_new(NULL);
  Counts c = {0};
  gint64 t0 = g_get_monotonic_time();
  RhsPoll *p = rhs_poll_new(s, 50, 200, -1, count_cb, &c);
  g_assert_cmpuint(rhs_poll_sched_size(s), ==, 2);
  run_ms(520);
  /* Not before one interval, then every interval (the loop sleeps 1 ms per turn). */
  g_assert_cmpint(c.first_looks - t0, >=, 50 * 1000);
  g_assert_cmpuint(c.looks, >=, 8);
  g_assert_cmpuint(c.looks, <=, 10);
  g_assert_cmpuint(c.is, ==, 2);
  g_assert_cmpuint(c.event, ==, 0);
  rhs_poll_free(p);
  g_assert_cmpuint(rhs_poll_sched_size(s), ==, 0);
  guint looks = c.looks;
  run_ms(120);
  g_assert_cmpuint(c.looks, ==, looks); /* freed: no more calls */
  rhs_poll_sched_free(s);
}

/* Whole-second intervals are due on whole seconds: polls created at different times of the
 * same second fire in the same dispatch. */
static void test_whole_seconds_coalesce(void)
{
  RhsPollSched *s = rhs_poll_sched_new(NULL);
  Counts a = {0}, b = {0};
  /* Start just after a second boundary so both creations fall in the same second. */
  while (g_get_monotonic_time() % G_USEC_PER_SEC > 100000)
    g_usleep(5000);
  RhsPoll *pa = rhs_poll_new(s, 1000, 3600000, -1, count_cb, &a);
  g_usleep(300000);
  RhsPoll *pb = rhs_poll_new(s, 1000, 3600000, -1, count_cb, &b);
  /* Both due on the second boundary after creation + 1 s, i.e. 2 s after the start. */
  run_ms(2300);
  g_assert_cmpuint(a.looks, ==, 1);
  g_assert_cmpuint(b.looks, ==, 1);
  g_assert_cmpuint(a.looks_iteration, ==, b.looks_iteration);
  g_assert_cmpint(a.first_looks % G_USEC_PER_SEC, <, 200000); /* on the boundary, + latency */
  rhs_poll_free(pa);
  rhs_poll_free(pb);
  rhs_poll_sched_free(s);
}

/* A callback may free its own poll; the others go on. */
static void test_free_in_callback(void)
{
  RhsPollSched *s = rhs_poll_sched_new(NULL);
  Counts a = {0}, b = {0};
  RhsPoll *pa = rhs_poll_new(s, 30, 30, -1, count_cb, &a);
  RhsPoll *pb = rhs_poll_new(s, 30, 60000, -1, count_cb, &b);
  a.free_me = &pa;
  run_ms(200);
  g_assert_null(pa);
  g_assert_cmpuint(a.looks + a.is, ==, 1);
  g_assert_cmpuint(b.looks, >=, 4);
  g_assert_cmpuint(rhs_poll_sched_size(s), ==, 2);
  rhs_poll_free(pb);
  rhs_poll_sched_free(s);
}

/* Polls may be created and freed on any thread; after rhs_poll_free() returns, the poll's
 * callback never runs again (the owner frees the poll on a worker thread when an instance
 * goes offline, while the main loop fires timers). */
typedef struct {
  RhsPollSched *sched;
  RhsPoll *poll;
  Counts counts;
  gint freed;
  gint late_calls;
} CrossThread;

static void cross_cb(RhsPollWhat what, gpointer data)
{
  CrossThread *x = data;
  if (g_atomic_int_get(&x->freed))
    g_atomic_int_inc(&x->late_calls);
  x->counts.looks++;
}

static gpointer cross_thread(gpointer data)
{
  CrossThread *x = data;
  for (int round = 0; round < 20; round++) {
    x->poll = rhs_poll_new(x->sched, 2, 3, -1, cross_cb, x);
    g_usleep(10000);
    rhs_poll_free(x->poll);
    g_atomic_int_set(&x->freed, 1);
    g_usleep(5000);
    g_atomic_int_set(&x->freed, 0);
  }
  return NULL;
}

static void test_free_from_other_thread(void)
{
  CrossThread x = {.sched = rhs_poll_sched_new(NULL)};
  GThread *t = g_thread_new("poll-owner", cross_thread, &x);
  gint64 end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
  while (rhs_poll_sched_size(x.sched) == 0 && g_get_monotonic_time() < end)
    g_usleep(100);
  /* Run the loop until the thread is done (about 300 ms). */
  while (g_get_monotonic_time() < end) {
    g_main_context_iteration(NULL, FALSE);
    g_usleep(200);
    if (g_atomic_int_get(&x.freed) && rhs_poll_sched_size(x.sched) == 0 &&
        g_get_monotonic_time() > end - G_USEC_PER_SEC)
      break;
  }
  g_thread_join(t);
  g_assert_cmpint(x.late_calls, ==, 0);
  g_assert_cmpuint(x.counts.looks, >, 0);
  g_assert_cmpuint(rhs_poll_sched_size(x.sched), ==, 0);
  rhs_poll_sched_free(x.sched);
}

/* An event fd replaces LooksAlive; one report per signal, re-armed by the IsAlive tick. */
static void test_event(void)
{
  RhsPollSched *s = rhs_poll_sched_new(NULL);
  Counts c = {0};
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  g_assert_cmpint(fd, >=, 0);
  RhsPoll *p = rhs_poll_new(s, 10, 150, fd, count_cb, &c);
  g_assert_cmpuint(rhs_poll_sched_size(s), ==, 1); /* IsAlive only */
  run_ms(50);
  g_assert_cmpuint(c.event, ==, 0);
  guint64 one = 1;
  g_assert_cmpint(write(fd, &one, sizeof one), ==, sizeof one);
  run_ms(50);
  g_assert_cmpuint(c.event, ==, 1); /* still signalled, but not watched until IsAlive */
  g_assert_cmpuint(c.looks, ==, 0);
  run_ms(150);
  g_assert_cmpuint(c.is, ==, 1);
  g_assert_cmpuint(c.event, ==, 2); /* re-armed by the IsAlive tick: reported once more */
  rhs_poll_mute_event(p);
  rhs_poll_free(p);
  close(fd);
  rhs_poll_sched_free(s);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rhs-poll/intervals", test_intervals);
  g_test_add_func("/rhs-poll/whole-seconds-coalesce", test_whole_seconds_coalesce);
  g_test_add_func("/rhs-poll/free-in-callback", test_free_in_callback);
  g_test_add_func("/rhs-poll/free-from-other-thread", test_free_from_other_thread);
  g_test_add_func("/rhs-poll/event", test_event);
  return g_test_run();
}
