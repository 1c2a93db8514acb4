/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clusres-win32.h"

#include <stdio.h>

typedef struct {
  DWORD code;
  const char *name;
  const char *text;
} Win32Entry;

/* Every status resapi.h defines (test-clusres-win32 checks the header against this table).
 * NO_ERROR is ERROR_SUCCESS's other name and WAIT_TIMEOUT keeps its own. */
static const Win32Entry entries[] = {
    {ERROR_SUCCESS, "ERROR_SUCCESS", "The operation completed successfully."},
    {ERROR_INVALID_FUNCTION, "ERROR_INVALID_FUNCTION", "Incorrect function."},
    {ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND", "The system cannot find the file specified."},
    {ERROR_PATH_NOT_FOUND, "ERROR_PATH_NOT_FOUND", "The system cannot find the path specified."},
    {ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED", "Access is denied."},
    {ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE", "The handle is invalid."},
    {ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY",
     "Not enough memory resources are available to process this command."},
    {ERROR_INVALID_DATA, "ERROR_INVALID_DATA", "The data is invalid."},
    {ERROR_OUTOFMEMORY, "ERROR_OUTOFMEMORY",
     "Not enough memory resources are available to complete this operation."},
    {ERROR_NOT_READY, "ERROR_NOT_READY", "The device is not ready."},
    {ERROR_GEN_FAILURE, "ERROR_GEN_FAILURE", "A device attached to the system is not functioning."},
    {ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED", "The request is not supported."},
    {ERROR_FILE_EXISTS, "ERROR_FILE_EXISTS", "The file exists."},
    {ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER", "The parameter is incorrect."},
    {ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER",
     "The data area passed to a system call is too small."},
    {ERROR_BAD_ARGUMENTS, "ERROR_BAD_ARGUMENTS", "One or more arguments are not correct."},
    {ERROR_ALREADY_EXISTS, "ERROR_ALREADY_EXISTS",
     "Cannot create a file when that file already exists."},
    {ERROR_MORE_DATA, "ERROR_MORE_DATA", "More data is available."},
    {WAIT_TIMEOUT, "WAIT_TIMEOUT", "The wait operation timed out."},
    {ERROR_NO_MORE_ITEMS, "ERROR_NO_MORE_ITEMS", "No more data is available."},
    {ERROR_OPERATION_ABORTED, "ERROR_OPERATION_ABORTED",
     "The I/O operation has been aborted because of either a thread exit or an application "
     "request."},
    {ERROR_IO_PENDING, "ERROR_IO_PENDING", "Overlapped I/O operation is in progress."},
    {ERROR_SERVICE_NOT_ACTIVE, "ERROR_SERVICE_NOT_ACTIVE", "The service has not been started."},
    {ERROR_PROCESS_ABORTED, "ERROR_PROCESS_ABORTED", "The process terminated unexpectedly."},
    {ERROR_REVISION_MISMATCH, "ERROR_REVISION_MISMATCH", "The revision level is unknown."},
    {ERROR_TIMEOUT, "ERROR_TIMEOUT", "This operation returned because the timeout period expired."},
    {ERROR_RESOURCE_NOT_ONLINE, "ERROR_RESOURCE_NOT_ONLINE",
     "The operation could not be completed because the cluster resource is not online."},
    {ERROR_HOST_NODE_NOT_AVAILABLE, "ERROR_HOST_NODE_NOT_AVAILABLE",
     "The cluster node is not available for this operation."},
    {ERROR_RESOURCE_NOT_AVAILABLE, "ERROR_RESOURCE_NOT_AVAILABLE",
     "The cluster resource is not available."},
    {ERROR_RESOURCE_NOT_FOUND, "ERROR_RESOURCE_NOT_FOUND",
     "The cluster resource could not be found."},
    {ERROR_INVALID_STATE, "ERROR_INVALID_STATE",
     "The group or resource is not in the correct state to perform the requested operation."},
    {ERROR_RESOURCE_PROPERTIES_STORED, "ERROR_RESOURCE_PROPERTIES_STORED",
     "The properties were stored but not all changes will take effect until the next time the "
     "resource is brought online."},
    {ERROR_RESOURCE_FAILED, "ERROR_RESOURCE_FAILED", "A cluster resource failed."},
    {ERROR_CLUSTER_INVALID_REQUEST, "ERROR_CLUSTER_INVALID_REQUEST",
     "The cluster request is not valid for this object."},
    /* Startup's answer for a type the DLL does not implement (winerror.h has the same text as
     * 5007; the type is what clusres cannot find). */
    {ERROR_CLUSTER_RESNAME_NOT_FOUND, "ERROR_CLUSTER_RESNAME_NOT_FOUND",
     "The cluster resource (type) could not be found."},
};

static const Win32Entry *find(DWORD status)
{
  for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
    if (entries[i].code == status)
      return &entries[i];
  }
  return NULL;
}

const char *clusres_win32_name(DWORD status)
{
  const Win32Entry *e = find(status);
  return e != NULL ? e->name : NULL;
}

const char *clusres_win32_text(DWORD status)
{
  const Win32Entry *e = find(status);
  return e != NULL ? e->text : NULL;
}

char *clusres_win32_describe(DWORD status, char *buf, size_t size)
{
  const Win32Entry *e = find(status);

  if (size == 0)
    return buf;
  if (e != NULL)
    snprintf(buf, size, "%s (%u): %s", e->name, (unsigned)status, e->text);
  else
    snprintf(buf, size, "status %u", (unsigned)status);
  return buf;
}
