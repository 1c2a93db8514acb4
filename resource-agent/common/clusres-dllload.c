/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clusres-dllload.h"

#include <dlfcn.h>
#include <string.h>

#include "clusres-dllfile.h"
#include "clusres-win32.h"

G_DEFINE_QUARK(clusres - dllload - error - quark, clusres_dllload_error)

PSTARTUP_ROUTINE clusres_dllload_open(const char *path, void **handle, GError **error)
{
  g_autoptr(GError) local = NULL;
  void *h = clusres_dllfile_open(path, &local);
  if (h == NULL) {
    g_set_error_literal(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_NOT_INSTALLED,
                        local->message);
    return NULL;
  }
  void *sym = dlsym(h, CLUSRES_STARTUP_ROUTINE);
  if (sym == NULL) {
    g_set_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_NOT_INSTALLED,
                "%s does not export %s", path, CLUSRES_STARTUP_ROUTINE);
    dlclose(h);
    return NULL;
  }
  /* ISO C has no cast from an object pointer to a function pointer; the bytes are the same. */
  PSTARTUP_ROUTINE startup;
  G_STATIC_ASSERT(sizeof sym == sizeof startup);
  memcpy(&startup, &sym, sizeof sym);
  *handle = h;
  return startup;
}

const CLRES_V1_FUNCTIONS *clusres_dllload_startup(PSTARTUP_ROUTINE startup, const char *type,
                                                  const char *path,
                                                  PSET_RESOURCE_STATUS_ROUTINE set_status,
                                                  PLOG_EVENT_ROUTINE log_event, GError **error)
{
  PCLRES_FUNCTION_TABLE table = NULL;
  DWORD rc = startup(type, CLRES_VERSION_V1_00, CLRES_VERSION_V1_00, set_status, log_event, &table);
  char why[CLUSRES_WIN32_DESCRIBE_MAX];
  if (rc == ERROR_CLUSTER_RESNAME_NOT_FOUND) {
    g_set_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_NOT_INSTALLED,
                "%s does not implement type %s (Startup: %s)", path, type,
                clusres_win32_describe(rc, why, sizeof why));
    return NULL;
  }
  if (rc != ERROR_SUCCESS) {
    g_set_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_FAILED,
                "Startup(%s) of %s failed: %s", type, path,
                clusres_win32_describe(rc, why, sizeof why));
    return NULL;
  }
  /* Exactly the version asked for, with exactly its size (clusres-dllload.h). */
  if (table == NULL || table->Version != CLRES_VERSION_V1_00 ||
      table->TableSize != CLRES_V1_FUNCTION_SIZE) {
    g_set_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_FAILED,
                "Startup(%s) of %s returned a bad function table (size %u, version 0x%x)", type,
                path, table != NULL ? table->TableSize : 0, table != NULL ? table->Version : 0);
    return NULL;
  }
  const CLRES_V1_FUNCTIONS *fn = &table->V1Functions;
  if (fn->Open == NULL || fn->Close == NULL || fn->Online == NULL || fn->Offline == NULL ||
      fn->Terminate == NULL || fn->LooksAlive == NULL || fn->IsAlive == NULL) {
    g_set_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_FAILED,
                "Startup(%s) of %s returned a table without a required entry point", type, path);
    return NULL;
  }
  return fn;
}

gboolean clusres_dllload_type_info(const CLRES_V1_FUNCTIONS *fn, const char *type,
                                   const CLUSRES_TYPE_INFO **info, GError **error)
{
  const CLUSRES_TYPE_INFO *got = NULL;
  DWORD returned = 0;

  *info = NULL;
  if (fn->ResourceTypeControl == NULL)
    return TRUE;
  DWORD rc = fn->ResourceTypeControl(type, CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO, NULL, 0,
                                     &got, sizeof got, &returned);
  if (rc == ERROR_INVALID_FUNCTION)
    return TRUE;
  /* Version: at least ours, the struct only grows at its end (clusres-dllload.h). */
  if (rc != ERROR_SUCCESS || returned != sizeof got || got == NULL ||
      got->Version < CLUSRES_TYPE_INFO_VERSION) {
    g_set_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_FAILED,
                "type %s: CLUSRES_GET_TYPE_INFO failed (status %u, %u bytes, version %u)", type, rc,
                returned, got != NULL && returned == sizeof got ? got->Version : 0);
    return FALSE;
  }
  *info = got;
  return TRUE;
}
