/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-dll: loads resource DLLs (clusres_dllfile_open: only files root alone can write, dlopen
 * RTLD_NOW|RTLD_LOCAL, never unloaded), calls Startup once per (type, DLL) and hands out the
 * function tables.  Each DLL has ONE lock that serialises its
 * entry points (the Windows rule "while your DLL processes an entry point, the others except
 * Terminate are blocked") and a lifecycle lock that keeps Terminate away from Open and Close.
 */
#pragma once

#include <gio/gio.h>

#include <clusres/resapi.h>

#include "clusres-params.h"
#include "rhs-watchdog.h"

typedef struct {
  char *path;
  void *handle;
  GMutex lock;       /* every entry point but Terminate */
  GRWLock lifecycle; /* Open/Close: writer; Terminate: reader */
  PSTARTUP_ROUTINE startup;
} RhsDll;

typedef struct {
  char *name;
  RhsDll *dll;
  const CLRES_V1_FUNCTIONS *fn;
  DWORD version;
  const CLUSRES_TYPE_INFO *info; /* NULL if the DLL does not describe itself */
  guint instances;               /* protected by the registry lock (rhs_dll_lock_types) */
} RhsType;

#define RHS_DLL_ERROR (rhs_dll_error_quark())
GQuark rhs_dll_error_quark(void);
typedef enum {
  RHS_DLL_ERROR_NOT_INSTALLED, /* missing file, one writable by anyone but root, dlopen
                                  failure, no Startup, unknown type */
  RHS_DLL_ERROR_FAILED,        /* Startup failed or returned a bad table */
  RHS_DLL_ERROR_INVALID_ARGS,  /* parameters the type's property table refuses */
} RhsDllError;

/* The host's side of the two callbacks every DLL receives from Startup. */
typedef DWORD (*RhsDllSetStatus)(RESOURCE_HANDLE handle, PRESOURCE_STATUS status);
typedef void (*RhsDllLog)(RESOURCE_HANDLE handle, LOG_LEVEL level, const char *message);
void rhs_dll_set_callbacks(RhsDllSetStatus set_status, RhsDllLog log);

/*
 * The type @type implemented by @path, loading the DLL and calling Startup on first use
 * (timed by @wd with @deadlock_ms).  Thread-safe; the result lives until exit.
 */
RhsType *rhs_dll_get_type(const char *type, const char *path, RhsWatchdog *wd, guint32 deadlock_ms,
                          GError **error);

/*
 * The parameters of a new configuration read with @type's property table, by the rules
 * validate-all applies (clusres_params_build(): formats, limits, unknown and missing required
 * parameters), before anything is written or opened.  *@list: the property list for the DLL's
 * VALIDATE_PRIVATE_PROPERTIES, or NULL when the type has no table (then nothing is checked).
 * Errors: RHS_DLL_ERROR_INVALID_ARGS naming the parameter.
 */
gboolean rhs_dll_check_params(const RhsType *type, GHashTable *params, ClusresPropList **list,
                              GError **error);

/* Snapshot of the loaded types (elements are borrowed). */
GPtrArray *rhs_dll_list_types(void);
void rhs_dll_type_ref_instance(RhsType *type, int delta);
