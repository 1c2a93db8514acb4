/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocftest: a minimal resource DLL for the agent's own tests (meta-data, validate-all, and a
 * full lifecycle through resdll).  Its table covers every property kind the agent converts:
 * a required unique path, a ranged DWORD, a boolean, a reloadable string and a MULTI_SZ.
 * It exports only Startup (resdll.map).  The "entity" is a marker file, so that a test can see
 * what Online and Offline did.
 */
#include <clusres/resapi.h>

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  LPSTR Path;    /* marker file: exists while online */
  DWORD Weight;  /* 1..100 */
  DWORD Verbose; /* boolean */
  LPSTR Label;   /* reloadable */
  LPSTR Tags;    /* MULTI_SZ */
  DWORD TagsSize;
} OCFTEST_PARAMS;

typedef struct {
  RESOURCE_HANDLE Handle;
  HKEY Parameters;
  OCFTEST_PARAMS Params;
  BOOL Online;
  CLUSRES_PRIVATE_PROPERTIES Props; /* for ClusResUtilResourceControl */
} OCFTEST_RESOURCE;

static PSET_RESOURCE_STATUS_ROUTINE g_SetResourceStatus; /* never needed: nothing is pending */
static PLOG_EVENT_ROUTINE g_LogEvent;

static const RESUTIL_PROPERTY_ITEM OcftestProperties[] = {
    RESUTIL_PROPITEM_SZ("Path", offsetof(OCFTEST_PARAMS, Path), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_DWORD("Weight", offsetof(OCFTEST_PARAMS, Weight), 10, 1, 100, 0),
    RESUTIL_PROPITEM_DWORD("Verbose", offsetof(OCFTEST_PARAMS, Verbose), 0, 0, 1, 0),
    RESUTIL_PROPITEM_SZ("Label", offsetof(OCFTEST_PARAMS, Label), "plain <label> & \"more\"", 0),
    RESUTIL_PROPITEM_MULTI_SZ("Tags", offsetof(OCFTEST_PARAMS, Tags), "a\0b\0", 0, 0),
    RESUTIL_PROPITEM_END,
};

static const CLUSRES_PROPERTY_DOC OcftestDocs[] = {
    {"Path", "Marker file", "The file that exists while the resource is online.",
     CLUSRES_PROPDOC_UNIQUE | CLUSRES_PROPDOC_PATH},
    {"Weight", "Weight", "A number with a range.", 0},
    {"Verbose", "Verbose", NULL, 0},
    {"Label", "Label", "Written into the marker file; changed live by reload-agent.",
     CLUSRES_PROPDOC_RELOADABLE},
    {NULL, NULL, NULL, 0},
};

static const CLUSRES_TYPE_INFO OcftestTypeInfo = {
    .Version = CLUSRES_TYPE_INFO_VERSION,
    .ShortDesc = "Test resource (marker file)",
    .LongDesc = "A resource DLL for clusres-ocf tests: online means a marker file exists.",
    .Properties = OcftestProperties,
    .Docs = OcftestDocs,
    .LooksAlivePollInterval = 7000,
    .IsAlivePollInterval = 30500,
    .PendingTimeout = 90000,
    .MaxCheckLevel = 20,
};

static DWORD write_marker(OCFTEST_RESOURCE *res)
{
  FILE *f = fopen(res->Params.Path, "w");

  if (f == NULL)
    return ERROR_PATH_NOT_FOUND;
  fprintf(f, "%s\n", res->Params.Label != NULL ? res->Params.Label : "");
  fclose(f);
  return ERROR_SUCCESS;
}

/* Cross-property rule the table cannot express: a Weight above 50 needs Verbose.  Checked on
 * the current values with the new list applied (ClusResUtilResourceControl's merged block). */
static DWORD WINAPI OcftestCheckParameters(PVOID Context, const BYTE *Params)
{
  OCFTEST_RESOURCE *res = Context;
  const OCFTEST_PARAMS *p = (const OCFTEST_PARAMS *)Params;
  DWORD st = ERROR_SUCCESS;

  if (p->Path != NULL && strstr(p->Path, "/nonexistent-dir/") != NULL)
    st = ERROR_PATH_NOT_FOUND;
  else if (p->Weight > 50 && !p->Verbose)
    st = ERROR_INVALID_PARAMETER;
  if (st != ERROR_SUCCESS)
    g_LogEvent(res->Handle, LOG_ERROR, "parameters rejected (status %1!u!): %2!s!\n", st,
               st == ERROR_PATH_NOT_FOUND ? "the marker directory does not exist"
                                          : "Weight above 50 needs Verbose");
  return st;
}

/* The Windows pattern: the stored copy becomes the live one; Label applies live. */
static DWORD WINAPI OcftestApplyParameters(PVOID Context, LPBYTE NewParams)
{
  OCFTEST_RESOURCE *res = Context;
  OCFTEST_PARAMS old = res->Params;

  memcpy(&res->Params, NewParams, sizeof old);
  memcpy(NewParams, &old, sizeof old); /* freed by the caller */
  /* "later" stands for a value only the next Online can apply (the Windows answer). */
  if (res->Params.Label != NULL && strcmp(res->Params.Label, "later") == 0)
    return ERROR_RESOURCE_PROPERTIES_STORED;
  return res->Online ? write_marker(res) : ERROR_SUCCESS;
}

static RESID WINAPI OcftestOpen(LPCSTR Name, HKEY Key, RESOURCE_HANDLE Handle)
{
  OCFTEST_RESOURCE *res = calloc(1, sizeof(*res));
  DWORD st;

  if (res == NULL) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  res->Handle = Handle;
  res->Props = (CLUSRES_PRIVATE_PROPERTIES){
      .PropertyTable = OcftestProperties,
      .Params = (LPBYTE)&res->Params,
      .cbParams = sizeof(res->Params),
      .CheckParameters = OcftestCheckParameters,
      .ApplyParameters = OcftestApplyParameters,
      .Context = res,
  };
  st = ClusterRegOpenKey(Key, "Parameters", KEY_ALL_ACCESS, &res->Parameters);
  if (st == ERROR_SUCCESS)
    st = ResUtilGetPropertiesToParameterBlock(res->Parameters, OcftestProperties,
                                              (LPBYTE)&res->Params, FALSE, NULL);
  res->Props.ParametersKey = res->Parameters;
  if (st != ERROR_SUCCESS) {
    if (res->Parameters != NULL)
      ClusterRegCloseKey(res->Parameters);
    free(res);
    SetLastError(st);
    return NULL;
  }
  return res;
}

static VOID WINAPI OcftestClose(RESID Resource)
{
  OCFTEST_RESOURCE *res = Resource;

  ResUtilFreeParameterBlock((LPBYTE)&res->Params, NULL, OcftestProperties);
  ClusterRegCloseKey(res->Parameters);
  free(res);
}

static DWORD WINAPI OcftestOnline(RESID Resource, LPHANDLE EventHandle)
{
  OCFTEST_RESOURCE *res = Resource;
  DWORD st;

  if (res->Params.Path == NULL)
    return ERROR_INVALID_PARAMETER;
  /* A DLL that crashes its host, for the test that the agent names the signal. */
  if (res->Params.Label != NULL && strcmp(res->Params.Label, "segv-in-online") == 0)
    raise(SIGSEGV);
  st = write_marker(res);
  res->Online = st == ERROR_SUCCESS;
  return st;
}

static DWORD WINAPI OcftestOffline(RESID Resource)
{
  OCFTEST_RESOURCE *res = Resource;

  if (res->Params.Path != NULL)
    unlink(res->Params.Path);
  res->Online = FALSE;
  return ERROR_SUCCESS;
}

static VOID WINAPI OcftestTerminate(RESID Resource)
{
  OcftestOffline(Resource);
}

static BOOL WINAPI OcftestIsAlive(RESID Resource)
{
  OCFTEST_RESOURCE *res = Resource;

  return res->Online && res->Params.Path != NULL && access(res->Params.Path, F_OK) == 0;
}

static BOOL WINAPI OcftestLooksAlive(RESID Resource)
{
  return OcftestIsAlive(Resource);
}

static DWORD WINAPI OcftestResourceControl(RESID Resource, DWORD ControlCode, PVOID InBuffer,
                                           DWORD InBufferSize, PVOID OutBuffer, DWORD OutBufferSize,
                                           LPDWORD BytesReturned)
{
  OCFTEST_RESOURCE *res = Resource;

  return ClusResUtilResourceControl(res != NULL ? &res->Props : NULL, ControlCode, InBuffer,
                                    InBufferSize, OutBuffer, OutBufferSize, BytesReturned);
}

CLUSRES_DEFINE_RESOURCE_TYPE_CONTROL(OcftestResourceTypeControl, OcftestTypeInfo)

static CLRES_V1_FUNCTION_TABLE(OcftestFunctionTable, CLRES_VERSION_V1_00, Ocftest, NULL, NULL,
                               OcftestResourceControl, OcftestResourceTypeControl);

CLUSRES_DEFINE_STARTUP_FOR_TYPE("ocftest", OcftestFunctionTable, g_SetResourceStatus, g_LogEvent)
