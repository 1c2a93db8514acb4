/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Event handles: Win32 manual/auto-reset semantics, timeouts, fds for poll loops. */
#undef NDEBUG
#include <poll.h>

#include <glib.h>

#include "clusres/resapi.h"

static gboolean fd_readable(int fd)
{
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static void test_manual_reset(void)
{
  HANDLE ev = ClusResCreateEvent(TRUE, FALSE);
  g_assert_nonnull(ev);
  g_assert_cmpuint(ClusResWaitForEvent(ev, 0), ==, WAIT_TIMEOUT);
  g_assert_true(ClusResSetEvent(ev));
  g_assert_true(ClusResSetEvent(ev));
  /* Stays signalled for every waiter until reset. */
  g_assert_cmpuint(ClusResWaitForEvent(ev, 0), ==, WAIT_OBJECT_0);
  g_assert_cmpuint(ClusResWaitForEvent(ev, 10), ==, WAIT_OBJECT_0);
  g_assert_true(fd_readable(ClusResEventFd(ev)));
  g_assert_true(ClusResResetEvent(ev));
  g_assert_cmpuint(ClusResWaitForEvent(ev, 0), ==, WAIT_TIMEOUT);
  g_assert_false(fd_readable(ClusResEventFd(ev)));
  g_assert_true(ClusResResetEvent(ev)); /* resetting a reset event is fine */
  g_assert_true(ClusResCloseHandle(ev));
}

static void test_auto_reset(void)
{
  HANDLE ev = ClusResCreateEvent(FALSE, TRUE);
  g_assert_nonnull(ev);
  g_assert_true(fd_readable(ClusResEventFd(ev)));
  g_assert_cmpuint(ClusResWaitForEvent(ev, 0), ==, WAIT_OBJECT_0);
  /* The successful wait consumed the signal. */
  g_assert_cmpuint(ClusResWaitForEvent(ev, 0), ==, WAIT_TIMEOUT);
  g_assert_false(fd_readable(ClusResEventFd(ev)));
  /* Two sets before a wait are one signal, as on Windows. */
  g_assert_true(ClusResSetEvent(ev));
  g_assert_true(ClusResSetEvent(ev));
  g_assert_cmpuint(ClusResWaitForEvent(ev, 0), ==, WAIT_OBJECT_0);
  g_assert_cmpuint(ClusResWaitForEvent(ev, 0), ==, WAIT_TIMEOUT);
  g_assert_true(ClusResCloseHandle(ev));
}

static void test_timeout(void)
{
  HANDLE ev = ClusResCreateEvent(FALSE, FALSE);
  gint64 start = g_get_monotonic_time();
  g_assert_cmpuint(ClusResWaitForEvent(ev, 80), ==, WAIT_TIMEOUT);
  gint64 elapsed = g_get_monotonic_time() - start;
  g_assert_cmpint(elapsed, >=, 80 * 1000);
  g_assert_cmpint(elapsed, <, 2 * G_USEC_PER_SEC);
  ClusResCloseHandle(ev);
}

static gpointer set_later(gpointer data)
{
  g_usleep(30 * 1000);
  g_assert_true(ClusResSetEvent(data));
  return NULL;
}

static void test_cross_thread_infinite(void)
{
  HANDLE ev = ClusResCreateEvent(FALSE, FALSE);
  GThread *t = g_thread_new("setter", set_later, ev);
  g_assert_cmpuint(ClusResWaitForEvent(ev, INFINITE), ==, WAIT_OBJECT_0);
  g_thread_join(t);
  ClusResCloseHandle(ev);
}

typedef struct {
  HANDLE ev;
  gint released;
} Waiters;

static gpointer waiter(gpointer data)
{
  Waiters *w = data;
  if (ClusResWaitForEvent(w->ev, 3000) == WAIT_OBJECT_0)
    g_atomic_int_inc(&w->released);
  return NULL;
}

/* One Set of an auto-reset event releases exactly one of several waiters. */
static void test_auto_reset_one_waiter_per_set(void)
{
  Waiters w = {.ev = ClusResCreateEvent(FALSE, FALSE)};
  GThread *threads[3];
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    threads[i] = g_thread_new("waiter", waiter, &w);
  g_usleep(50 * 1000);
  ClusResSetEvent(w.ev);
  g_usleep(200 * 1000);
  g_assert_cmpint(g_atomic_int_get(&w.released), ==, 1);
  ClusResSetEvent(w.ev);
  g_usleep(200 * 1000);
  g_assert_cmpint(g_atomic_int_get(&w.released), ==, 2);
  ClusResSetEvent(w.ev);
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    g_thread_join(threads[i]);
  g_assert_cmpint(w.released, ==, 3);
  g_assert_cmpuint(ClusResWaitForEvent(w.ev, 0), ==, WAIT_TIMEOUT);
  ClusResCloseHandle(w.ev);
}

/* A manual-reset Set releases all waiters. */
static void test_manual_reset_all_waiters(void)
{
  Waiters w = {.ev = ClusResCreateEvent(TRUE, FALSE)};
  GThread *threads[4];
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    threads[i] = g_thread_new("waiter", waiter, &w);
  g_usleep(50 * 1000);
  ClusResSetEvent(w.ev);
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    g_thread_join(threads[i]);
  g_assert_cmpint(w.released, ==, 4);
  ClusResCloseHandle(w.ev);
}

static DWORD noop_worker(PCLUS_WORKER worker, LPVOID param)
{
  return ERROR_SUCCESS;
}

static void test_invalid_handles(void)
{
  SetLastError(0);
  g_assert_false(ClusResSetEvent(NULL));
  g_assert_cmpuint(GetLastError(), ==, ERROR_INVALID_HANDLE);
  g_assert_false(ClusResResetEvent(NULL));
  g_assert_cmpuint(ClusResWaitForEvent(NULL, 0), ==, WAIT_FAILED);
  g_assert_cmpint(ClusResEventFd(NULL), ==, -1);
  g_assert_false(ClusResCloseHandle(NULL));

  /* A worker's thread handle is not an event. */
  CLUS_WORKER worker = {0};
  g_assert_cmpuint(ClusWorkerCreate(&worker, noop_worker, NULL), ==, ERROR_SUCCESS);
  SetLastError(0);
  g_assert_cmpuint(ClusResWaitForEvent(worker.hThread, 0), ==, WAIT_FAILED);
  g_assert_cmpuint(GetLastError(), ==, ERROR_INVALID_HANDLE);
  g_assert_false(ClusResCloseHandle(worker.hThread));
  ClusWorkerTerminate(&worker);
}

static gpointer last_error_in_thread(gpointer data)
{
  g_assert_cmpuint(GetLastError(), ==, 0); /* each thread starts with its own */
  SetLastError(42);
  ClusResSetCheckLevel(20);
  return GUINT_TO_POINTER(GetLastError() == 42 && ClusResGetCheckLevel() == 20);
}

static void test_last_error_thread_local(void)
{
  SetLastError(7);
  ClusResSetCheckLevel(10);
  GThread *t = g_thread_new("tls", last_error_in_thread, NULL);
  g_assert_true(GPOINTER_TO_UINT(g_thread_join(t)));
  g_assert_cmpuint(GetLastError(), ==, 7);
  g_assert_cmpuint(ClusResGetCheckLevel(), ==, 10);
  ClusResSetCheckLevel(0);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/resapi/event/manual-reset", test_manual_reset);
  g_test_add_func("/resapi/event/auto-reset", test_auto_reset);
  g_test_add_func("/resapi/event/timeout", test_timeout);
  g_test_add_func("/resapi/event/cross-thread-infinite", test_cross_thread_infinite);
  g_test_add_func("/resapi/event/auto-reset-one-waiter-per-set",
                  test_auto_reset_one_waiter_per_set);
  g_test_add_func("/resapi/event/manual-reset-all-waiters", test_manual_reset_all_waiters);
  g_test_add_func("/resapi/event/invalid-handles", test_invalid_handles);
  g_test_add_func("/resapi/error/thread-local", test_last_error_thread_local);
  return g_test_run();
}
