/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Thread-local state a DLL reads back: the Win32 last error, and the OCF_CHECK_LEVEL of the
 * monitor the calling thread is running (the host sets it around LooksAlive/IsAlive), and the
 * reason a health call gave for being alive but degraded (the host takes it after the call).
 */
#include "resapi-error.h"

#include <glib.h>

/* Plain TLS: no allocation, so it works in any thread, including ones GLib never saw. */
static __thread DWORD resapi_last_error;
static __thread DWORD resapi_check_level;
/* ClusResSetDegraded: allocated, owned by the thread until the host takes it. */
static __thread char *resapi_degraded;

void SetLastError(DWORD dwErrCode)
{
  resapi_last_error = dwErrCode;
}

DWORD GetLastError(void)
{
  return resapi_last_error;
}

DWORD ClusResGetCheckLevel(void)
{
  return resapi_check_level;
}

VOID ClusResSetCheckLevel(DWORD CheckLevel)
{
  resapi_check_level = CheckLevel;
}

VOID ClusResSetDegraded(LPCSTR Reason)
{
  g_free(resapi_degraded);
  resapi_degraded = g_strdup(Reason);
}

LPSTR ClusResTakeDegraded(void)
{
  return g_steal_pointer(&resapi_degraded);
}

DWORD resapi_error_from_errno(int errnum)
{
  switch (errnum) {
  case 0:
    return ERROR_SUCCESS;
  case ENOENT:
    return ERROR_FILE_NOT_FOUND;
  case ENOTDIR:
    return ERROR_PATH_NOT_FOUND;
  case EACCES:
  case EPERM:
  case EROFS:
    return ERROR_ACCESS_DENIED;
  case EBADF:
    return ERROR_INVALID_HANDLE;
  case ENOMEM:
  case EMFILE:
  case ENFILE:
  case EAGAIN:
    return ERROR_NOT_ENOUGH_MEMORY;
  case EEXIST:
    return ERROR_ALREADY_EXISTS;
  case EINVAL:
    return ERROR_INVALID_PARAMETER;
  case ETIMEDOUT:
    return ERROR_TIMEOUT;
  default:
    return ERROR_GEN_FAILURE;
  }
}
