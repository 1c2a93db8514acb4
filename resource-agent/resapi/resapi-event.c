/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Event handles with Win32 semantics on an eventfd.
 *
 * The eventfd counter is the event state: non-zero = signalled.  Using the kernel object as the
 * only state keeps every operation a single atomic syscall (no lock, no lost wake-up) and lets a
 * main loop poll ClusResEventFd() directly:
 *  - Set writes 1 (several Sets before a wait collapse into one, as on Windows, because a read
 *    takes the whole counter);
 *  - Reset drains the counter with a non-blocking read;
 *  - a manual-reset wait only polls; an auto-reset wait polls and then consumes the signal with a
 *    non-blocking read.  If another waiter consumed it first (EAGAIN) we poll again with the
 *    remaining time, so exactly one waiter is released per Set.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib.h>

#include "resapi-error.h"
#include "resapi-event.h"

typedef struct {
  struct _CLUSRES_HANDLE base;
  int fd;
  gboolean manual_reset;
} ResapiEvent;

static ResapiEvent *resapi_event_from_handle(HANDLE h)
{
  if (h == NULL || h->magic != RESAPI_HANDLE_MAGIC_EVENT)
    return NULL;
  return (ResapiEvent *)h;
}

HANDLE ClusResCreateEvent(BOOL ManualReset, BOOL InitialState)
{
  int fd = eventfd(InitialState ? 1 : 0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) {
    SetLastError(resapi_error_from_errno(errno));
    return NULL;
  }
  ResapiEvent *ev = g_new0(ResapiEvent, 1);
  ev->base.magic = RESAPI_HANDLE_MAGIC_EVENT;
  ev->fd = fd;
  ev->manual_reset = ManualReset != FALSE;
  return &ev->base;
}

BOOL ClusResSetEvent(HANDLE Event)
{
  ResapiEvent *ev = resapi_event_from_handle(Event);
  if (ev == NULL) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  uint64_t one = 1;
  ssize_t n;
  do
    n = write(ev->fd, &one, sizeof one);
  while (n < 0 && errno == EINTR);
  /* EAGAIN means the counter is at its maximum: the event is signalled already. */
  if (n < 0 && errno != EAGAIN) {
    SetLastError(resapi_error_from_errno(errno));
    return FALSE;
  }
  return TRUE;
}

/* Takes the signal if there is one: TRUE if this caller consumed it. */
static gboolean resapi_event_consume(ResapiEvent *ev, DWORD *err)
{
  uint64_t value;
  ssize_t n;
  do
    n = read(ev->fd, &value, sizeof value);
  while (n < 0 && errno == EINTR);
  if (n == (ssize_t)sizeof value)
    return TRUE;
  *err = (n < 0 && errno == EAGAIN) ? ERROR_SUCCESS : resapi_error_from_errno(n < 0 ? errno : EIO);
  return FALSE;
}

BOOL ClusResResetEvent(HANDLE Event)
{
  ResapiEvent *ev = resapi_event_from_handle(Event);
  if (ev == NULL) {
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  DWORD err = ERROR_SUCCESS;
  if (!resapi_event_consume(ev, &err) && err != ERROR_SUCCESS) {
    SetLastError(err);
    return FALSE;
  }
  return TRUE;
}

DWORD ClusResWaitForEvent(HANDLE Event, DWORD Milliseconds)
{
  ResapiEvent *ev = resapi_event_from_handle(Event);
  if (ev == NULL) {
    SetLastError(ERROR_INVALID_HANDLE);
    return WAIT_FAILED;
  }
  gint64 deadline = 0;
  if (Milliseconds != INFINITE)
    deadline = g_get_monotonic_time() + (gint64)Milliseconds * G_TIME_SPAN_MILLISECOND;

  for (;;) {
    int timeout_ms = -1;
    if (Milliseconds != INFINITE) {
      gint64 left = deadline - g_get_monotonic_time();
      /* Round up so that a short wait does not spin with a zero timeout. */
      timeout_ms = left <= 0 ? 0 : (int)MIN((left + 999) / 1000, G_MAXINT);
    }
    struct pollfd pfd = {.fd = ev->fd, .events = POLLIN};
    int rc = poll(&pfd, 1, timeout_ms);
    if (rc < 0) {
      if (errno == EINTR)
        continue;
      SetLastError(resapi_error_from_errno(errno));
      return WAIT_FAILED;
    }
    if (rc > 0) {
      if (pfd.revents & (POLLERR | POLLNVAL)) {
        SetLastError(ERROR_INVALID_HANDLE);
        return WAIT_FAILED;
      }
      if (ev->manual_reset)
        return WAIT_OBJECT_0;
      DWORD err = ERROR_SUCCESS;
      if (resapi_event_consume(ev, &err))
        return WAIT_OBJECT_0;
      if (err != ERROR_SUCCESS) {
        SetLastError(err);
        return WAIT_FAILED;
      }
      /* Another waiter took it: wait for the next Set within what is left of our time. */
    }
    if (Milliseconds != INFINITE && g_get_monotonic_time() >= deadline)
      return WAIT_TIMEOUT;
  }
}

int ClusResEventFd(HANDLE Event)
{
  ResapiEvent *ev = resapi_event_from_handle(Event);
  if (ev == NULL) {
    SetLastError(ERROR_INVALID_HANDLE);
    return -1;
  }
  return ev->fd;
}

BOOL ClusResCloseHandle(HANDLE Handle)
{
  ResapiEvent *ev = resapi_event_from_handle(Handle);
  if (ev == NULL) {
    /* Thread handles belong to their CLUS_WORKER: ClusWorkerTerminate releases them. */
    SetLastError(ERROR_INVALID_HANDLE);
    return FALSE;
  }
  ev->base.magic = RESAPI_HANDLE_MAGIC_DEAD;
  close(ev->fd);
  g_free(ev);
  return TRUE;
}
