/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CLUS_WORKER: terminate semantics as resource DLLs rely on them. */
#undef NDEBUG
#include <glib.h>

#include "clusres/resapi.h"

typedef struct {
  gint saw_terminate;  /* the worker saw ClusWorkerCheckTerminate() == TRUE */
  gint exited;         /* set by the worker just before it returns */
  guint linger_ms;     /* how long the worker takes to exit once asked */
  guint run_ms;        /* > 0: the worker returns by itself after this long */
  gint terminators_ok; /* terminators that returned after the worker had exited */
  CLUS_WORKER *worker;
} WorkerState;

static DWORD worker_main(PCLUS_WORKER worker, LPVOID param)
{
  WorkerState *s = param;
  gint64 start = g_get_monotonic_time();
  for (;;) {
    if (ClusWorkerCheckTerminate(worker)) {
      g_atomic_int_set(&s->saw_terminate, 1);
      g_usleep(s->linger_ms * 1000);
      break;
    }
    if (s->run_ms > 0 && g_get_monotonic_time() - start >= (gint64)s->run_ms * 1000)
      break;
    g_usleep(1000);
  }
  g_atomic_int_set(&s->exited, 1);
  return ERROR_SUCCESS;
}

static void test_terminate_zeroed(void)
{
  CLUS_WORKER worker = {0};
  ClusWorkerTerminate(&worker);
  ClusWorkerTerminate(&worker);
  g_assert_cmpuint(ClusWorkerTerminateEx(&worker, 0, FALSE), ==, ERROR_SUCCESS);
  ClusWorkerTerminate(NULL);
  g_assert_null(worker.hThread);
}

static void test_check_terminate_seen(void)
{
  CLUS_WORKER worker = {0};
  WorkerState s = {.linger_ms = 50};
  g_assert_cmpuint(ClusWorkerCreate(&worker, worker_main, &s), ==, ERROR_SUCCESS);
  g_assert_nonnull(worker.hThread);
  g_assert_false(ClusWorkerCheckTerminate(&worker));
  g_usleep(20 * 1000);
  g_assert_cmpint(g_atomic_int_get(&s.exited), ==, 0);
  ClusWorkerTerminate(&worker);
  /* Terminate returns only after the worker has exited, and reaps it. */
  g_assert_cmpint(s.saw_terminate, ==, 1);
  g_assert_cmpint(s.exited, ==, 1);
  g_assert_null(worker.hThread);
  ClusWorkerTerminate(&worker); /* repeated: harmless */
}

static void test_terminate_finished_worker(void)
{
  CLUS_WORKER worker = {0};
  WorkerState s = {.run_ms = 1};
  g_assert_cmpuint(ClusWorkerCreate(&worker, worker_main, &s), ==, ERROR_SUCCESS);
  while (!g_atomic_int_get(&s.exited))
    g_usleep(1000);
  g_usleep(10 * 1000);
  g_assert_nonnull(worker.hThread); /* not reaped until terminated */
  ClusWorkerTerminate(&worker);
  g_assert_null(worker.hThread);
  g_assert_cmpint(s.saw_terminate, ==, 0);
}

static gpointer terminator(gpointer data)
{
  WorkerState *s = data;
  ClusWorkerTerminate(s->worker);
  if (g_atomic_int_get(&s->exited))
    g_atomic_int_inc(&s->terminators_ok);
  return NULL;
}

static void test_concurrent_terminators(void)
{
  for (int round = 0; round < 20; round++) {
    CLUS_WORKER worker = {0};
    WorkerState s = {.linger_ms = 30, .worker = &worker};
    g_assert_cmpuint(ClusWorkerCreate(&worker, worker_main, &s), ==, ERROR_SUCCESS);
    GThread *threads[8];
    for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
      threads[i] = g_thread_new("terminator", terminator, &s);
    for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
      g_thread_join(threads[i]);
    /* Every terminator, not only the one that joined, waited for the exit. */
    g_assert_cmpint(s.terminators_ok, ==, (gint)G_N_ELEMENTS(threads));
    g_assert_null(worker.hThread);
  }
}

static void test_terminate_ex_timeout(void)
{
  CLUS_WORKER worker = {0};
  WorkerState s = {.linger_ms = 300};
  g_assert_cmpuint(ClusWorkerCreate(&worker, worker_main, &s), ==, ERROR_SUCCESS);
  gint64 start = g_get_monotonic_time();
  g_assert_cmpuint(ClusWorkerTerminateEx(&worker, 50, FALSE), ==, WAIT_TIMEOUT);
  gint64 elapsed = g_get_monotonic_time() - start;
  g_assert_cmpint(elapsed, >=, 50 * 1000);
  g_assert_cmpint(elapsed, <, 280 * 1000);
  g_assert_true(ClusWorkerCheckTerminate(&worker)); /* the request stays */
  g_assert_nonnull(worker.hThread);                 /* still ours to reap */
  g_assert_cmpuint(ClusWorkerTerminateEx(&worker, INFINITE, FALSE), ==, ERROR_SUCCESS);
  g_assert_cmpint(s.exited, ==, 1);
  g_assert_null(worker.hThread);
}

static void test_terminate_ex_wait_only(void)
{
  CLUS_WORKER worker = {0};
  WorkerState s = {.run_ms = 60};
  g_assert_cmpuint(ClusWorkerCreate(&worker, worker_main, &s), ==, ERROR_SUCCESS);
  g_assert_cmpuint(ClusWorkerTerminateEx(&worker, 5, TRUE), ==, WAIT_TIMEOUT);
  g_assert_false(ClusWorkerCheckTerminate(&worker)); /* WaitOnly does not ask it to stop */
  g_assert_cmpuint(ClusWorkerTerminateEx(&worker, 5000, TRUE), ==, ERROR_SUCCESS);
  g_assert_cmpint(s.exited, ==, 1);
  g_assert_cmpint(s.saw_terminate, ==, 0);
  g_assert_null(worker.hThread);
}

static void test_recreate_after_terminate(void)
{
  CLUS_WORKER worker = {0};
  for (int i = 0; i < 5; i++) {
    WorkerState s = {0};
    /* What DLLs do: terminate (reap) the previous worker, then create. */
    ClusWorkerTerminate(&worker);
    g_assert_cmpuint(ClusWorkerCreate(&worker, worker_main, &s), ==, ERROR_SUCCESS);
    g_assert_false(ClusWorkerCheckTerminate(&worker)); /* Create clears the old request */
    ClusWorkerTerminate(&worker);
    g_assert_cmpint(s.saw_terminate, ==, 1);
  }
}

static void test_create_twice_refused(void)
{
  CLUS_WORKER worker = {0};
  WorkerState s = {0};
  g_assert_cmpuint(ClusWorkerCreate(&worker, worker_main, &s), ==, ERROR_SUCCESS);
  WorkerState s2 = {0};
  g_assert_cmpuint(ClusWorkerCreate(&worker, worker_main, &s2), ==, ERROR_ALREADY_EXISTS);
  ClusWorkerTerminate(&worker);
  g_assert_cmpuint(ClusWorkerCreate(NULL, worker_main, &s), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusWorkerCreate(&worker, NULL, &s), ==, ERROR_INVALID_PARAMETER);
}

static DWORD self_terminating_worker(PCLUS_WORKER worker, LPVOID param)
{
  /* Not allowed by the contract, but must not deadlock: it only sets the flag. */
  ClusWorkerTerminate(worker);
  g_atomic_int_set((gint *)param, ClusWorkerCheckTerminate(worker) ? 1 : 2);
  return ERROR_SUCCESS;
}

static void test_self_terminate_no_deadlock(void)
{
  CLUS_WORKER worker = {0};
  gint result = 0;
  g_assert_cmpuint(ClusWorkerCreate(&worker, self_terminating_worker, &result), ==, ERROR_SUCCESS);
  ClusWorkerTerminate(&worker);
  g_assert_cmpint(result, ==, 1);
  g_assert_null(worker.hThread);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/resapi/worker/terminate-zeroed", test_terminate_zeroed);
  g_test_add_func("/resapi/worker/check-terminate-seen", test_check_terminate_seen);
  g_test_add_func("/resapi/worker/terminate-finished", test_terminate_finished_worker);
  g_test_add_func("/resapi/worker/concurrent-terminators", test_concurrent_terminators);
  g_test_add_func("/resapi/worker/terminate-ex-timeout", test_terminate_ex_timeout);
  g_test_add_func("/resapi/worker/terminate-ex-wait-only", test_terminate_ex_wait_only);
  g_test_add_func("/resapi/worker/recreate-after-terminate", test_recreate_after_terminate);
  g_test_add_func("/resapi/worker/create-twice-refused", test_create_twice_refused);
  g_test_add_func("/resapi/worker/self-terminate", test_self_terminate_no_deadlock);
  return g_test_run();
}
