/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CLUS_WORKER on pthreads.
 *
 * CLUS_WORKER.hThread points to a ResapiThread that outlives the thread until the worker is
 * terminated.  Several threads may terminate the same worker at once (the host's Terminate
 * racing a DLL's Offline, say), so:
 *  - resapi_worker_lock guards CLUS_WORKER.hThread and the reference count: a terminator takes a
 *    reference before it lets go of the lock, so the ResapiThread cannot be freed under it;
 *  - the thread announces its exit under ResapiThread.lock; waiters wait on the condition with
 *    an optional deadline (TerminateEx), and the first one that sees the exit joins the thread;
 *    the others wait until it has been joined;
 *  - the worker that is joined is detached from CLUS_WORKER (hThread = NULL), which is what
 *    makes ClusWorkerCreate after ClusWorkerTerminate work.
 */
#include <pthread.h>
#include <string.h>

#include <glib.h>

#include "resapi-error.h"
#include "resapi-event.h"

typedef struct {
  struct _CLUSRES_HANDLE base;
  pthread_t thread;
  PCLUS_WORKER worker;
  PWORKER_START_ROUTINE start;
  PVOID parameter;
  GMutex lock;
  GCond cond;
  gboolean exited;  /* the start routine returned */
  gboolean joining; /* a terminator is in pthread_join */
  gboolean joined;
  guint refs; /* guarded by resapi_worker_lock: 1 for CLUS_WORKER.hThread + 1 per terminator */
} ResapiThread;

static GMutex resapi_worker_lock;

static void *resapi_worker_main(void *data)
{
  ResapiThread *t = data;
  (void)t->start(t->worker, t->parameter);
  g_mutex_lock(&t->lock);
  t->exited = TRUE;
  g_cond_broadcast(&t->cond);
  g_mutex_unlock(&t->lock);
  return NULL;
}

static void resapi_thread_unref_locked(ResapiThread *t)
{
  if (--t->refs > 0)
    return;
  t->base.magic = RESAPI_HANDLE_MAGIC_DEAD;
  g_mutex_clear(&t->lock);
  g_cond_clear(&t->cond);
  g_free(t);
}

DWORD ClusWorkerCreate(PCLUS_WORKER lpWorker, PWORKER_START_ROUTINE lpStartAddress,
                       PVOID lpParameter)
{
  if (lpWorker == NULL || lpStartAddress == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);

  ResapiThread *t = g_new0(ResapiThread, 1);
  t->base.magic = RESAPI_HANDLE_MAGIC_THREAD;
  t->worker = lpWorker;
  t->start = lpStartAddress;
  t->parameter = lpParameter;
  t->refs = 1;
  g_mutex_init(&t->lock);
  g_cond_init(&t->cond);

  g_mutex_lock(&resapi_worker_lock);
  if (lpWorker->hThread != NULL) {
    /* A worker that was never terminated: overwriting it would leak a running thread. */
    g_mutex_unlock(&resapi_worker_lock);
    resapi_thread_unref_locked(t);
    return resapi_error_set(ERROR_ALREADY_EXISTS);
  }
  g_atomic_int_set(&lpWorker->Terminate, FALSE);
  int rc = pthread_create(&t->thread, NULL, resapi_worker_main, t);
  if (rc != 0) {
    g_mutex_unlock(&resapi_worker_lock);
    resapi_thread_unref_locked(t);
    return resapi_error_set(resapi_error_from_errno(rc));
  }
  lpWorker->hThread = &t->base;
  g_mutex_unlock(&resapi_worker_lock);
  return ERROR_SUCCESS;
}

BOOL ClusWorkerCheckTerminate(PCLUS_WORKER lpWorker)
{
  return lpWorker != NULL && g_atomic_int_get(&lpWorker->Terminate) != FALSE;
}

/* Waits for the thread to exit (until deadline, 0 = no limit) and makes sure it was joined. */
static gboolean resapi_thread_wait(ResapiThread *t, gint64 deadline)
{
  g_mutex_lock(&t->lock);
  while (!t->exited) {
    if (deadline == 0) {
      g_cond_wait(&t->cond, &t->lock);
    } else if (!g_cond_wait_until(&t->cond, &t->lock, deadline) && !t->exited) {
      g_mutex_unlock(&t->lock);
      return FALSE;
    }
  }
  if (!t->joining) {
    t->joining = TRUE;
    g_mutex_unlock(&t->lock);
    /* The thread has returned from its start routine: this join does not block for long. */
    pthread_join(t->thread, NULL);
    g_mutex_lock(&t->lock);
    t->joined = TRUE;
    g_cond_broadcast(&t->cond);
  } else {
    while (!t->joined)
      g_cond_wait(&t->cond, &t->lock);
  }
  g_mutex_unlock(&t->lock);
  return TRUE;
}

DWORD ClusWorkerTerminateEx(PCLUS_WORKER lpWorker, DWORD TimeoutInMilliseconds, BOOL WaitOnly)
{
  if (lpWorker == NULL)
    return ERROR_SUCCESS;

  g_mutex_lock(&resapi_worker_lock);
  HANDLE h = lpWorker->hThread;
  if (h == NULL || h->magic != RESAPI_HANDLE_MAGIC_THREAD) {
    g_mutex_unlock(&resapi_worker_lock);
    return ERROR_SUCCESS;
  }
  ResapiThread *t = (ResapiThread *)h;
  if (!WaitOnly)
    g_atomic_int_set(&lpWorker->Terminate, TRUE);
  if (pthread_equal(t->thread, pthread_self())) {
    /* The worker terminating itself: it cannot wait for its own exit.  The flag is set; the
     * thread is reaped by the next terminator from another thread. */
    g_mutex_unlock(&resapi_worker_lock);
    return ERROR_SUCCESS;
  }
  t->refs++;
  g_mutex_unlock(&resapi_worker_lock);

  gint64 deadline = 0;
  if (TimeoutInMilliseconds != INFINITE)
    deadline = g_get_monotonic_time() + (gint64)TimeoutInMilliseconds * G_TIME_SPAN_MILLISECOND;
  gboolean done = resapi_thread_wait(t, deadline);

  g_mutex_lock(&resapi_worker_lock);
  if (done && lpWorker->hThread == h) {
    lpWorker->hThread = NULL;
    resapi_thread_unref_locked(t); /* the reference CLUS_WORKER.hThread held */
  }
  resapi_thread_unref_locked(t);
  g_mutex_unlock(&resapi_worker_lock);
  return done ? ERROR_SUCCESS : WAIT_TIMEOUT;
}

VOID ClusWorkerTerminate(PCLUS_WORKER lpWorker)
{
  (void)ClusWorkerTerminateEx(lpWorker, INFINITE, FALSE);
}
