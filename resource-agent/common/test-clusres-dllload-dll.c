/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resource DLLs that each break one rule of clusres-dllload (built once per VARIANT_*), so
 * that the loaders' checks are tested against real shared objects.  Startup is written out
 * by hand, not with CLUSRES_DEFINE_STARTUP: the helper would refuse to return these tables.
 */
#include <clusres/resapi.h>

#include <string.h>

static RESID WINAPI VOpen(LPCSTR name, HKEY key, RESOURCE_HANDLE handle)
{
  return NULL;
}
static VOID WINAPI VClose(RESID r)
{
}
static DWORD WINAPI VOnline(RESID r, LPHANDLE event)
{
  return ERROR_SUCCESS;
}
static DWORD WINAPI VOffline(RESID r)
{
  return ERROR_SUCCESS;
}
static VOID WINAPI VTerminate(RESID r)
{
}
static BOOL WINAPI VLooksAlive(RESID r)
{
  return TRUE;
}
#if !defined(VARIANT_NOENTRY)
static BOOL WINAPI VIsAlive(RESID r)
{
  return TRUE;
}
#endif

#if defined(VARIANT_OLDINFO)
#define INFO_VERSION 0u
#elif defined(VARIANT_NEWINFO)
#define INFO_VERSION (CLUSRES_TYPE_INFO_VERSION + 1u) /* a DLL built against a later header */
#else
#define INFO_VERSION CLUSRES_TYPE_INFO_VERSION
#endif
static const CLUSRES_TYPE_INFO info = {.Version = INFO_VERSION, .ShortDesc = "variant"};

static DWORD WINAPI VTypeControl(LPCSTR type, DWORD code, PVOID in, DWORD in_size, PVOID out,
                                 DWORD out_size, LPDWORD returned)
{
  (void)info; /* not every variant answers with it */
#if defined(VARIANT_NOINFO)
  return ERROR_INVALID_FUNCTION;
#elif defined(VARIANT_BADINFO)
  return ERROR_GEN_FAILURE;
#else
  return ClusResUtilResourceTypeControl(&info, code, in, in_size, out, out_size, returned);
#endif
}

static CLRES_FUNCTION_TABLE table = {
#if defined(VARIANT_BADSIZE)
    CLRES_V1_FUNCTION_SIZE + 8,
#else
    CLRES_V1_FUNCTION_SIZE,
#endif
#if defined(VARIANT_BADVERSION)
    0x200u,
#else
    CLRES_VERSION_V1_00,
#endif
    {{VOpen, VClose, VOnline, VOffline, VTerminate, VLooksAlive,
#if defined(VARIANT_NOENTRY)
      NULL,
#else
      VIsAlive,
#endif
      NULL, NULL, NULL, VTypeControl}}};

CLUSRES_EXPORT DWORD WINAPI Startup(LPCSTR type, DWORD min, DWORD max,
                                    PSET_RESOURCE_STATUS_ROUTINE set_status,
                                    PLOG_EVENT_ROUTINE log_event, PCLRES_FUNCTION_TABLE *out);
CLUSRES_EXPORT DWORD WINAPI Startup(LPCSTR type, DWORD min, DWORD max,
                                    PSET_RESOURCE_STATUS_ROUTINE set_status,
                                    PLOG_EVENT_ROUTINE log_event, PCLRES_FUNCTION_TABLE *out)
{
  *out = &table; /* a host must not use it after a failure */
#if defined(VARIANT_NONAME)
  return ERROR_CLUSTER_RESNAME_NOT_FOUND;
#elif defined(VARIANT_FAILING)
  return ERROR_ACCESS_DENIED;
#else
  return ERROR_SUCCESS;
#endif
}
