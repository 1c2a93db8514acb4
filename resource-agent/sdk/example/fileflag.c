/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * FileFlag: the example resource DLL of the clusres SDK, written as a WSFC resource DLL is.
 * Online means "a flag file exists and holds Content".  It shows, in one file:
 *   - a property table with a required unique path, a reloadable string and a ranged DWORD;
 *   - Online on a worker thread (CLUS_WORKER) that reports OnlinePending checkpoints with
 *     SetResourceStatus, so that a slow start is not mistaken for a hung one;
 *   - private-property control codes by the helpers (ClusResUtilResourceControl), with a
 *     CheckParameters rule the table cannot express and an ApplyParameters that takes Content
 *     live (reload-agent without restart);
 *   - read-only status of its own (GET_RO_PRIVATE_PROPERTIES, shown by clusresctl);
 *   - LooksAlive (cheap: the file exists) and IsAlive (deep at OCF_CHECK_LEVEL >= 10: the
 *     file holds what was applied);
 *   - re-adoption: after a host restart the host calls Open and IsAlive, never Online.  What
 *     Online established in memory (here: "I am online, and this is the Content I applied") is
 *     kept in a volatile registry key and restored by Open, or a later reload would think the
 *     resource offline and apply nothing.
 * Build: see Makefile (pkg-config --cflags --libs clusres-resapi) and README.md.
 */
#include <clusres/resapi.h>

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILEFLAG_TYPE "FileFlag"
#define FILEFLAG_STATE_KEY "State" /* volatile: run-time state a new host must find */

typedef struct {
  LPSTR Path;         /* the flag file */
  LPSTR Content;      /* written into it; reloadable */
  DWORD StartDelayMs; /* how long Online takes (shows OnlinePending checkpoints) */
} FILEFLAG_PARAMS;

typedef struct {
  RESOURCE_HANDLE Handle;
  HKEY Parameters; /* durable: the configuration */
  HKEY State;      /* volatile: Online and AppliedContent, for re-adoption */
  FILEFLAG_PARAMS Params;
  pthread_mutex_t Lock; /* Params and Online: the worker and controls run on other threads */
  BOOL Online;
  CLUS_WORKER Worker;
  CLUSRES_PRIVATE_PROPERTIES Props;
} FILEFLAG_RESOURCE;

static PSET_RESOURCE_STATUS_ROUTINE g_SetResourceStatus;
static PLOG_EVENT_ROUTINE g_LogEvent;

static const RESUTIL_PROPERTY_ITEM FileFlagProperties[] = {
    RESUTIL_PROPITEM_SZ("Path", offsetof(FILEFLAG_PARAMS, Path), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_SZ("Content", offsetof(FILEFLAG_PARAMS, Content), "online", 0),
    RESUTIL_PROPITEM_DWORD("StartDelayMs", offsetof(FILEFLAG_PARAMS, StartDelayMs), 0, 0, 60000, 0),
    RESUTIL_PROPITEM_END,
};

static const CLUSRES_PROPERTY_DOC FileFlagDocs[] = {
    {"Path", "Flag file", "Absolute path of the file that exists while the resource is online.",
     CLUSRES_PROPDOC_UNIQUE | CLUSRES_PROPDOC_PATH},
    {"Content", "Flag content",
     "Text written into the flag file.  Changed live by reload-agent (no restart).",
     CLUSRES_PROPDOC_RELOADABLE},
    {"StartDelayMs", "Start delay",
     "Milliseconds Online takes, reported as OnlinePending checkpoints (0 to 60000).", 0},
    {NULL, NULL, NULL, 0},
};

static const CLUSRES_TYPE_INFO FileFlagTypeInfo = {
    .Version = CLUSRES_TYPE_INFO_VERSION,
    .ShortDesc = "Flag file (clusres SDK example)",
    .LongDesc = "The clusres SDK's example resource DLL: online means a flag file exists and "
                "holds Content.",
    .Properties = FileFlagProperties,
    .Docs = FileFlagDocs,
    .LooksAlivePollInterval = 5000,
    .IsAlivePollInterval = 60000,
    .PendingTimeout = 90000,
    .MaxCheckLevel = 10,
};

/* Writes Content to Path atomically (a reader never sees half of it). */
static DWORD write_flag(const FILEFLAG_PARAMS *p)
{
  char tmp[4096];
  FILE *f;

  if (snprintf(tmp, sizeof tmp, "%s.tmp", p->Path) >= (int)sizeof tmp)
    return ERROR_INVALID_PARAMETER;
  f = fopen(tmp, "w");
  if (f == NULL)
    return errno == ENOENT ? ERROR_PATH_NOT_FOUND : ERROR_ACCESS_DENIED;
  fprintf(f, "%s\n", p->Content != NULL ? p->Content : "");
  if (fclose(f) != 0 || rename(tmp, p->Path) != 0) {
    unlink(tmp);
    return ERROR_GEN_FAILURE;
  }
  return ERROR_SUCCESS;
}

/* The volatile State key: what Online established, for a host that re-opens us. */
static void save_state(FILEFLAG_RESOURCE *res, BOOL online)
{
  ResUtilSetDwordValue(res->State, "Online", online ? 1u : 0u, NULL);
  if (online && res->Params.Content != NULL)
    ResUtilSetSzValue(res->State, "AppliedContent", res->Params.Content, NULL);
}

static void report(FILEFLAG_RESOURCE *res, CLUSTER_RESOURCE_STATE state, DWORD checkpoint)
{
  RESOURCE_STATUS st;

  ResUtilInitializeResourceStatus(&st);
  st.ResourceState = state;
  st.CheckPoint = checkpoint;
  g_SetResourceStatus(res->Handle, &st);
}

/* ---- rules the table cannot express, and live changes ------------------------------------ */

static DWORD WINAPI FileFlagCheckParameters(PVOID Context, const BYTE *Params)
{
  FILEFLAG_RESOURCE *res = Context;
  const FILEFLAG_PARAMS *p = (const FILEFLAG_PARAMS *)Params;
  char dir[4096];
  struct stat st;

  if (p->Path == NULL || p->Path[0] != '/')
    return ERROR_INVALID_PARAMETER;
  snprintf(dir, sizeof dir, "%s", p->Path);
  *strrchr(dir, '/') = '\0';
  if (stat(dir[0] != '\0' ? dir : "/", &st) != 0 || !S_ISDIR(st.st_mode)) {
    g_LogEvent(res->Handle, LOG_ERROR, "the directory of %1!s! does not exist\n", p->Path);
    return ERROR_PATH_NOT_FOUND;
  }
  return ERROR_SUCCESS;
}

/* SET_PRIVATE_PROPERTIES stored the new values; take them live (the Windows pattern: the new
 * block becomes ours, the helper frees the old one).  Content is rewritten at once; a new
 * Path could only be taken by moving the flag, which we leave to the next Online. */
static DWORD WINAPI FileFlagApplyParameters(PVOID Context, LPBYTE NewParams)
{
  FILEFLAG_RESOURCE *res = Context;
  FILEFLAG_PARAMS *n = (FILEFLAG_PARAMS *)NewParams;
  FILEFLAG_PARAMS old;
  DWORD status = ERROR_SUCCESS;

  pthread_mutex_lock(&res->Lock);
  BOOL path_changed =
      res->Params.Path == NULL || n->Path == NULL || strcmp(res->Params.Path, n->Path);
  old = res->Params;
  res->Params = *n;
  *n = old;
  if (res->Online && path_changed) {
    status = ERROR_RESOURCE_PROPERTIES_STORED;
  } else if (res->Online) {
    status = write_flag(&res->Params);
    if (status == ERROR_SUCCESS)
      save_state(res, TRUE);
  }
  pthread_mutex_unlock(&res->Lock);
  g_LogEvent(res->Handle, LOG_INFORMATION, "new parameters: Content=%1!s! (%2!s!)\n",
             res->Params.Content != NULL ? res->Params.Content : "",
             status == ERROR_SUCCESS ? "in effect" : "at the next Online");
  return status;
}

/* ---- entry points -------------------------------------------------------------------------- */

static RESID WINAPI FileFlagOpen(LPCSTR Name, HKEY ResourceKey, RESOURCE_HANDLE Handle)
{
  FILEFLAG_RESOURCE *res = calloc(1, sizeof(*res));
  DWORD status, online = 0;

  if (res == NULL) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    return NULL;
  }
  res->Handle = Handle;
  pthread_mutex_init(&res->Lock, NULL);
  /* Open reads; it never changes the flag file (a host restart re-opens a live resource). */
  status = ClusterRegOpenKey(ResourceKey, "Parameters", KEY_ALL_ACCESS, &res->Parameters);
  if (status == ERROR_SUCCESS)
    status = ClusterRegCreateKeyEx(ResourceKey, FILEFLAG_STATE_KEY, REG_OPTION_VOLATILE,
                                   KEY_ALL_ACCESS, &res->State, NULL);
  if (status == ERROR_SUCCESS)
    status = ResUtilGetPropertiesToParameterBlock(res->Parameters, FileFlagProperties,
                                                  (LPBYTE)&res->Params, FALSE, NULL);
  if (status != ERROR_SUCCESS) {
    g_LogEvent(Handle, LOG_ERROR, "Open of %1!s! failed: %2!u!\n", Name, status);
    if (res->State != NULL)
      ClusterRegCloseKey(res->State);
    if (res->Parameters != NULL)
      ClusterRegCloseKey(res->Parameters);
    free(res);
    SetLastError(status);
    return NULL;
  }
  /* Re-adoption: the previous host's Online left "Online" = 1; restore it, or a reload would
   * find us "offline" and apply nothing.  IsAlive, called next, checks the flag itself. */
  ResUtilGetDwordValue(res->State, "Online", &online, 0);
  res->Online = online != 0;
  if (res->Online)
    g_LogEvent(Handle, LOG_INFORMATION, "re-opened %1!s! online (state kept by the last host)\n",
               Name);
  res->Props = (CLUSRES_PRIVATE_PROPERTIES){
      .PropertyTable = FileFlagProperties,
      .ParametersKey = res->Parameters,
      .Params = (LPBYTE)&res->Params,
      .cbParams = sizeof(res->Params),
      .CheckParameters = FileFlagCheckParameters,
      .ApplyParameters = FileFlagApplyParameters,
      .Context = res,
  };
  return res;
}

static VOID WINAPI FileFlagClose(RESID Resource)
{
  FILEFLAG_RESOURCE *res = Resource;

  ClusWorkerTerminate(&res->Worker);
  ResUtilFreeParameterBlock((LPBYTE)&res->Params, NULL, FileFlagProperties);
  ClusterRegCloseKey(res->State);
  ClusterRegCloseKey(res->Parameters);
  pthread_mutex_destroy(&res->Lock);
  free(res);
}

/* The Online worker: waits StartDelayMs in 100 ms steps, one checkpoint each, then writes the
 * flag.  It stops at once when the host terminates the instance. */
static DWORD WINAPI OnlineThread(PCLUS_WORKER Worker, LPVOID Context)
{
  FILEFLAG_RESOURCE *res = Context;
  DWORD checkpoint = 0, waited = 0, status;
  struct timespec step = {0, 100 * 1000 * 1000};

  pthread_mutex_lock(&res->Lock);
  DWORD delay = res->Params.StartDelayMs;
  pthread_mutex_unlock(&res->Lock);
  while (waited < delay) {
    if (ClusWorkerCheckTerminate(Worker))
      return ERROR_OPERATION_ABORTED;
    nanosleep(&step, NULL);
    waited += 100;
    report(res, ClusterResourceOnlinePending, ++checkpoint);
  }
  pthread_mutex_lock(&res->Lock);
  status = write_flag(&res->Params);
  res->Online = status == ERROR_SUCCESS;
  if (res->Online)
    save_state(res, TRUE);
  pthread_mutex_unlock(&res->Lock);
  if (status != ERROR_SUCCESS) {
    g_LogEvent(res->Handle, LOG_ERROR, "cannot write %1!s!: %2!u!\n", res->Params.Path, status);
    report(res, ClusterResourceFailed, ++checkpoint);
    return status;
  }
  g_LogEvent(res->Handle, LOG_INFORMATION, "online after %1!u! checkpoint(s)\n", checkpoint);
  report(res, ClusterResourceOnline, ++checkpoint);
  return ERROR_SUCCESS;
}

static DWORD WINAPI FileFlagOnline(RESID Resource, LPHANDLE EventHandle)
{
  FILEFLAG_RESOURCE *res = Resource;
  DWORD status;

  (void)EventHandle; /* no event: the host polls LooksAlive/IsAlive */
  status = FileFlagCheckParameters(res, (const BYTE *)&res->Params);
  if (status != ERROR_SUCCESS)
    return status; /* at once: the agent reports it with its name (ocf-exit-reason) */
  ClusWorkerTerminate(&res->Worker); /* a previous, abandoned attempt */
  status = ClusWorkerCreate(&res->Worker, OnlineThread, res);
  return status == ERROR_SUCCESS ? ERROR_IO_PENDING : status;
}

static DWORD WINAPI FileFlagOffline(RESID Resource)
{
  FILEFLAG_RESOURCE *res = Resource;

  ClusWorkerTerminate(&res->Worker);
  pthread_mutex_lock(&res->Lock);
  if (res->Params.Path != NULL && unlink(res->Params.Path) != 0 && errno != ENOENT)
    g_LogEvent(res->Handle, LOG_WARNING, "cannot remove %1!s!\n", res->Params.Path);
  res->Online = FALSE;
  save_state(res, FALSE);
  pthread_mutex_unlock(&res->Lock);
  return ERROR_SUCCESS;
}

static VOID WINAPI FileFlagTerminate(RESID Resource)
{
  FileFlagOffline(Resource);
}

static BOOL WINAPI FileFlagLooksAlive(RESID Resource)
{
  FILEFLAG_RESOURCE *res = Resource;
  BOOL alive;

  pthread_mutex_lock(&res->Lock);
  alive = res->Online && access(res->Params.Path, F_OK) == 0;
  pthread_mutex_unlock(&res->Lock);
  return alive;
}

/* Deep (OCF_CHECK_LEVEL >= 10): the file holds exactly the Content in effect. */
static BOOL WINAPI FileFlagIsAlive(RESID Resource)
{
  FILEFLAG_RESOURCE *res = Resource;
  char line[4096] = "";
  BOOL alive;

  if (!FileFlagLooksAlive(Resource))
    return FALSE;
  if (ClusResGetCheckLevel() < 10)
    return TRUE;
  pthread_mutex_lock(&res->Lock);
  FILE *f = fopen(res->Params.Path, "r");
  if (f != NULL && fgets(line, sizeof line, f) != NULL)
    line[strcspn(line, "\n")] = '\0';
  if (f != NULL)
    fclose(f);
  alive = f != NULL && strcmp(line, res->Params.Content != NULL ? res->Params.Content : "") == 0;
  pthread_mutex_unlock(&res->Lock);
  if (!alive)
    g_LogEvent(res->Handle, LOG_WARNING, "%1!s! does not hold the configured content\n",
               res->Params.Path);
  return alive;
}

/* Our own read-only status: what is in effect (clusresctl control RESOURCE RO). */
static DWORD get_ro_properties(FILEFLAG_RESOURCE *res, PVOID Out, DWORD OutSize, LPDWORD Returned)
{
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  DWORD status;

  if (list == NULL)
    return ERROR_NOT_ENOUGH_MEMORY;
  pthread_mutex_lock(&res->Lock);
  status = ClusResPropListAddDword(list, "Online", res->Online ? 1u : 0u);
  if (status == ERROR_SUCCESS)
    status = ClusResPropListAddSz(list, "ContentInEffect",
                                  res->Online && res->Params.Content ? res->Params.Content : "");
  pthread_mutex_unlock(&res->Lock);
  if (status == ERROR_SUCCESS)
    status = ClusResPropListReturn(list, Out, OutSize, Returned);
  ClusResPropListFree(list);
  return status;
}

static DWORD WINAPI FileFlagResourceControl(RESID Resource, DWORD ControlCode, PVOID InBuffer,
                                            DWORD InBufferSize, PVOID OutBuffer,
                                            DWORD OutBufferSize, LPDWORD BytesReturned)
{
  FILEFLAG_RESOURCE *res = Resource;

  if (res != NULL && ControlCode == CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES)
    return get_ro_properties(res, OutBuffer, OutBufferSize, BytesReturned);
  /* Everything else (the private-property codes, UNKNOWN, NULL RESID) the helpers answer. */
  return ClusResUtilResourceControl(res != NULL ? &res->Props : NULL, ControlCode, InBuffer,
                                    InBufferSize, OutBuffer, OutBufferSize, BytesReturned);
}

CLUSRES_DEFINE_RESOURCE_TYPE_CONTROL(FileFlagResourceTypeControl, FileFlagTypeInfo)

static CLRES_V1_FUNCTION_TABLE(FileFlagFunctionTable, CLRES_VERSION_V1_00, FileFlag, NULL, NULL,
                               FileFlagResourceControl, FileFlagResourceTypeControl);

CLUSRES_DEFINE_STARTUP_FOR_TYPE(FILEFLAG_TYPE, FileFlagFunctionTable, g_SetResourceStatus,
                                g_LogEvent)
