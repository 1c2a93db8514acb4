/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres-dllload: loading one type of a resource DLL, the one way both loaders do it (the
 * host's rhs-dll and the agent's ocf-dll) and the unit tests' small hosts: the file rules of
 * clusres-dllfile, the Startup symbol, the Startup call and the checks of what it returned,
 * and the CLUSRES_TYPE_INFO.  The callers keep what is theirs (the host: a lock and a
 * watchdog around each call into the DLL, a registry of loaded types).
 *
 * The version rules, one of each:
 *  - Function table: Startup is asked for MinVersionSupported = MaxVersionSupported =
 *    CLRES_VERSION_V1_00, so the table's Version must be exactly that (MSCS: a table outside
 *    [Min, Max] fails the load) and its TableSize exactly CLRES_V1_FUNCTION_SIZE (the size
 *    belongs to the version); Open, Close, Online, Offline, Terminate, LooksAlive and IsAlive
 *    must be there.
 *  - Type info: CLUSRES_TYPE_INFO only ever grows at its end, so a DLL built against a later
 *    header (Version >= CLUSRES_TYPE_INFO_VERSION) has every field this build reads, at the
 *    same place: accepted.  A lower Version (0: not filled in) is refused.
 */
#pragma once

#include <glib.h>

#include <clusres/resapi.h>

#define CLUSRES_DLLLOAD_ERROR (clusres_dllload_error_quark())
GQuark clusres_dllload_error_quark(void);
typedef enum {
  /* The DLL is missing, refused by the file rules, not loadable, has no Startup, or does not
   * implement the type: an installation problem of this node. */
  CLUSRES_DLLLOAD_ERROR_NOT_INSTALLED,
  /* Startup failed or returned a bad table, or the type info is bad: the DLL's fault. */
  CLUSRES_DLLLOAD_ERROR_FAILED,
} ClusresDllloadError;

/**
 * clusres_dllload_open:
 * clusres_dllfile_open() of @path, then its Startup routine.
 *
 * Returns: the Startup routine (the handle in *@handle, never closed by the caller: a DLL may
 * have threads running), or NULL with @error set (NOT_INSTALLED).
 */
PSTARTUP_ROUTINE clusres_dllload_open(const char *path, void **handle, GError **error);

/**
 * clusres_dllload_startup:
 * Calls @startup for @type with V1..V1 and the two callbacks, then checks the table by the
 * rules above.  @path only names the DLL in messages.
 *
 * Returns: (transfer none): the V1 functions, or NULL with @error set (NOT_INSTALLED when
 * Startup answered ERROR_CLUSTER_RESNAME_NOT_FOUND, else FAILED, with Startup's status).
 */
const CLRES_V1_FUNCTIONS *clusres_dllload_startup(PSTARTUP_ROUTINE startup, const char *type,
                                                  const char *path,
                                                  PSET_RESOURCE_STATUS_ROUTINE set_status,
                                                  PLOG_EVENT_ROUTINE log_event, GError **error);

/**
 * clusres_dllload_type_info:
 * Asks @fn's ResourceTypeControl for CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO.  A DLL
 * without ResourceTypeControl or answering ERROR_INVALID_FUNCTION describes nothing:
 * TRUE with *@info = NULL.  Any other failure, a wrong size, a NULL pointer or a Version
 * below CLUSRES_TYPE_INFO_VERSION is FAILED.
 *
 * Returns: TRUE with *@info set (static data of the DLL), or FALSE with @error set.
 */
gboolean clusres_dllload_type_info(const CLRES_V1_FUNCTIONS *fn, const char *type,
                                   const CLUSRES_TYPE_INFO **info, GError **error);
