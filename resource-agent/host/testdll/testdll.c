/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A resource DLL for the host's tests.  Its behaviour comes from its private properties (read
 * from the "Parameters" key at Online, as Windows DLLs do):
 *   OnlineMode / OfflineMode (SZ): success | pending | error | hang | block | event | silent
 *       pending: Checkpoints (DWORD) reports every Interval ms (DWORD), then FinalState (DWORD,
 *                default Online / Offline);  silent: IO_PENDING and never a report;
 *       error: returns ErrorCode (DWORD, default ERROR_ACCESS_DENIED);  hang: sleeps HangMs
 *       ignoring Terminate;  block: returns only once Terminate was called;
 *       event (Online only): success with an event handle, signalled when HealthFile says "event".
 *   HealthFile (SZ): words "looksfail", "isfail", "ishang", "event" drive the health checks;
 *       "degraded": both say TRUE with ClusResSetDegraded("testdll: part failed").
 *   LogFile (SZ): every entry point appends a line, so the tests can count and order them.
 *   Exclusive (SZ, read at Open): Open fails with ERROR_ALREADY_EXISTS while another open
 *       instance has the same value (like a share's share_name).
 * Only Startup is exported (resdll.map).  Plain pthreads: a DLL links nothing but resapi.
 */
#include <clusres/resapi.h>

#include <pthread.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TYPE_NAME "testdll"

static PSET_RESOURCE_STATUS_ROUTINE set_status;
static PLOG_EVENT_ROUTINE log_event;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
/* The Exclusive values of the open instances (under excl_lock). */
#define MAX_EXCLUSIVE 64
static pthread_mutex_t excl_lock = PTHREAD_MUTEX_INITIALIZER;
static char *exclusive[MAX_EXCLUSIVE];

/* The table's layout, so that GET_PRIVATE_PROPERTIES can read through it; the DLL itself
 * keeps no block (read_params has per-operation defaults). */
typedef struct {
  LPSTR OnlineMode, OfflineMode;
  DWORD Checkpoints, Interval, FinalState, ErrorCode, HangMs;
  LPSTR HealthFile, LogFile, Exclusive;
} TestParams;

static const RESUTIL_PROPERTY_ITEM props[] = {
    RESUTIL_PROPITEM_SZ("OnlineMode", offsetof(TestParams, OnlineMode), "success", 0),
    RESUTIL_PROPITEM_SZ("OfflineMode", offsetof(TestParams, OfflineMode), "success", 0),
    RESUTIL_PROPITEM_DWORD("Checkpoints", offsetof(TestParams, Checkpoints), 0, 0, 100000, 0),
    RESUTIL_PROPITEM_DWORD("Interval", offsetof(TestParams, Interval), 100, 0, 3600000, 0),
    RESUTIL_PROPITEM_DWORD("FinalState", offsetof(TestParams, FinalState), 2, 0, 200, 0),
    RESUTIL_PROPITEM_DWORD("ErrorCode", offsetof(TestParams, ErrorCode), 5, 0, 0xFFFFFFFFu, 0),
    RESUTIL_PROPITEM_DWORD("HangMs", offsetof(TestParams, HangMs), 600000, 0, 0xFFFFFFFFu, 0),
    RESUTIL_PROPITEM_SZ("HealthFile", offsetof(TestParams, HealthFile), NULL, 0),
    RESUTIL_PROPITEM_SZ("LogFile", offsetof(TestParams, LogFile), NULL, 0),
    RESUTIL_PROPITEM_SZ("Exclusive", offsetof(TestParams, Exclusive), NULL, 0),
    RESUTIL_PROPITEM_END,
};

static const CLUSRES_TYPE_INFO type_info = {
    .Version = CLUSRES_TYPE_INFO_VERSION,
    .ShortDesc = "clusres host test resource",
    .LongDesc = "Behaviour driven by its parameters; for clusres-rhs tests only.",
    .Properties = props,
    .LooksAlivePollInterval = 5000,
    .IsAlivePollInterval = 60000,
    .PendingTimeout = 180000,
    .MaxCheckLevel = 20,
};

typedef struct {
  char *name;
  HKEY key;
  RESOURCE_HANDLE handle;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int terminated;
  int opens;
  pthread_t worker;
  int have_worker;
  HANDLE event;
  pthread_t watcher;
  int have_watcher;
  int stop_watcher;
  /* parameters, re-read at every Online/Offline */
  char *log_file;
  char *health_file;
  char *mode;
  DWORD checkpoints, interval, final_state, error_code, hang_ms;
  int offline;
  int excl_slot;                    /* index in exclusive[], or -1 */
  HKEY params_key;                  /* "Parameters", open from Open to Close */
  CLUSRES_PRIVATE_PROPERTIES props; /* for ClusResUtilResourceControl */
} TestRes;

static void tlog(TestRes *r, const char *fmt, ...)
{
  if (r->log_file == NULL)
    return;
  pthread_mutex_lock(&log_lock);
  FILE *f = fopen(r->log_file, "a");
  if (f != NULL) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(f, "%lld.%03ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
  }
  pthread_mutex_unlock(&log_lock);
}

static int health_has(TestRes *r, const char *word)
{
  if (r->health_file == NULL)
    return 0;
  FILE *f = fopen(r->health_file, "r");
  if (f == NULL)
    return 0;
  char buf[256] = {0};
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  return strstr(buf, word) != NULL;
}

static void sleep_ms(unsigned ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Waits up to @ms; returns 1 if Terminate was called meanwhile. */
static int wait_terminated(TestRes *r, unsigned ms)
{
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += ms / 1000;
  until.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&r->lock);
  while (!r->terminated)
    if (pthread_cond_timedwait(&r->cond, &r->lock, &until) != 0)
      break;
  int t = r->terminated;
  pthread_mutex_unlock(&r->lock);
  return t;
}

static void read_params(TestRes *r, int offline)
{
  HKEY p = NULL;
  free(r->log_file);
  free(r->health_file);
  free(r->mode);
  r->log_file = r->health_file = r->mode = NULL;
  if (ClusterRegOpenKey(r->key, "Parameters", KEY_READ, &p) != ERROR_SUCCESS)
    return;
  char *s;
  if ((s = ResUtilGetSzValue(p, "LogFile")) != NULL) {
    r->log_file = strdup(s);
    ResUtilFree(s);
  }
  if ((s = ResUtilGetSzValue(p, "HealthFile")) != NULL) {
    r->health_file = strdup(s);
    ResUtilFree(s);
  }
  if ((s = ResUtilGetSzValue(p, offline ? "OfflineMode" : "OnlineMode")) != NULL) {
    r->mode = strdup(s);
    ResUtilFree(s);
  } else {
    r->mode = strdup("success");
  }
  ResUtilGetDwordValue(p, "Checkpoints", &r->checkpoints, 0);
  ResUtilGetDwordValue(p, "Interval", &r->interval, 100);
  ResUtilGetDwordValue(p, "FinalState", &r->final_state,
                       offline ? ClusterResourceOffline : ClusterResourceOnline);
  ResUtilGetDwordValue(p, "ErrorCode", &r->error_code, ERROR_ACCESS_DENIED);
  ResUtilGetDwordValue(p, "HangMs", &r->hang_ms, 600000);
  ClusterRegCloseKey(p);
  r->offline = offline;
}

static void *pending_worker(void *data)
{
  TestRes *r = data;
  CLUSTER_RESOURCE_STATE pending =
      r->offline ? ClusterResourceOfflinePending : ClusterResourceOnlinePending;
  if (strcmp(r->mode, "silent") == 0) {
    wait_terminated(r, 3600000);
    tlog(r, "Worker-end terminated");
    return NULL;
  }
  RESOURCE_STATUS st;
  ResUtilInitializeResourceStatus(&st);
  for (DWORD i = 1; i <= r->checkpoints; i++) {
    if (wait_terminated(r, r->interval)) {
      tlog(r, "Worker-end terminated");
      return NULL;
    }
    st.ResourceState = pending;
    st.CheckPoint = i;
    if (set_status(r->handle, &st) == ResourceExitStateTerminate) {
      tlog(r, "Worker-end told-to-terminate");
      return NULL;
    }
  }
  st.ResourceState = (CLUSTER_RESOURCE_STATE)r->final_state;
  st.CheckPoint = r->checkpoints + 1;
  tlog(r, "Worker-final %u", r->final_state);
  set_status(r->handle, &st);
  return NULL;
}

static void *event_watcher(void *data)
{
  TestRes *r = data;
  for (;;) {
    pthread_mutex_lock(&r->lock);
    int stop = r->stop_watcher;
    pthread_mutex_unlock(&r->lock);
    if (stop)
      return NULL;
    if (health_has(r, "event")) {
      tlog(r, "Event-signalled");
      ClusResSetEvent(r->event);
      return NULL;
    }
    sleep_ms(20);
  }
}

static void stop_threads(TestRes *r)
{
  if (r->have_worker) {
    pthread_join(r->worker, NULL);
    r->have_worker = 0;
  }
  if (r->have_watcher) {
    pthread_mutex_lock(&r->lock);
    r->stop_watcher = 1;
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->watcher, NULL);
    r->have_watcher = 0;
  }
  if (r->event != NULL) {
    ClusResCloseHandle(r->event);
    r->event = NULL;
  }
}

static void test_res_free(TestRes *r)
{
  if (r->params_key != NULL)
    ClusterRegCloseKey(r->params_key);
  free(r->name);
  free(r->log_file);
  free(r->health_file);
  free(r->mode);
  pthread_mutex_destroy(&r->lock);
  pthread_cond_destroy(&r->cond);
  free(r);
}

static RESID WINAPI TestOpen(LPCSTR name, HKEY key, RESOURCE_HANDLE handle)
{
  TestRes *r = calloc(1, sizeof *r);
  r->name = strdup(name);
  r->handle = handle;
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->cond, NULL);
  r->key = key; /* the host keeps it open until Close */
  r->excl_slot = -1;
  (void)ClusterRegOpenKey(key, "Parameters", KEY_ALL_ACCESS, &r->params_key);
  r->props = (CLUSRES_PRIVATE_PROPERTIES){
      .PropertyTable = props, .ParametersKey = r->params_key, .Context = r};
  read_params(r, 0);
  HKEY p = NULL;
  char *excl = NULL;
  if (ClusterRegOpenKey(key, "Parameters", KEY_READ, &p) == ERROR_SUCCESS) {
    excl = ResUtilGetSzValue(p, "Exclusive");
    ClusterRegCloseKey(p);
  }
  if (excl != NULL) {
    int taken = 0, slot = -1;
    pthread_mutex_lock(&excl_lock);
    for (int i = 0; i < MAX_EXCLUSIVE; i++) {
      if (exclusive[i] != NULL && strcmp(exclusive[i], excl) == 0)
        taken = 1;
      else if (exclusive[i] == NULL && slot < 0)
        slot = i;
    }
    if (!taken && slot >= 0) {
      exclusive[slot] = strdup(excl);
      r->excl_slot = slot;
    }
    pthread_mutex_unlock(&excl_lock);
    if (r->excl_slot < 0) {
      tlog(r, "Open refused: Exclusive=%s is in use", excl);
      log_event(handle, LOG_ERROR, "Exclusive=%1 is used by another open instance", excl);
      ResUtilFree(excl);
      test_res_free(r);
      SetLastError(ERROR_ALREADY_EXISTS);
      return NULL;
    }
    ResUtilFree(excl);
  }
  char *node = NULL;
  node = ResUtilGetSzValue(key, "NodeName");
  tlog(r, "Open node=%s", node != NULL ? node : "(none)");
  log_event(handle, LOG_INFORMATION, "opened on %1 (%2!u! checkpoints)", node != NULL ? node : "?",
            r->checkpoints);
  ResUtilFree(node);
  return r;
}

static VOID WINAPI TestClose(RESID id)
{
  TestRes *r = id;
  pthread_mutex_lock(&r->lock);
  r->terminated = 1;
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->lock);
  stop_threads(r);
  tlog(r, "Close");
  if (r->excl_slot >= 0) {
    pthread_mutex_lock(&excl_lock);
    free(exclusive[r->excl_slot]);
    exclusive[r->excl_slot] = NULL;
    pthread_mutex_unlock(&excl_lock);
  }
  test_res_free(r);
}

static DWORD transition(TestRes *r, int offline, LPHANDLE event)
{
  stop_threads(r); /* a previous operation's worker */
  read_params(r, offline);
  pthread_mutex_lock(&r->lock);
  r->terminated = 0;
  r->stop_watcher = 0;
  pthread_mutex_unlock(&r->lock);
  const char *what = offline ? "Offline" : "Online";
  tlog(r, "%s-begin %s", what, r->mode);
  DWORD rc = ERROR_SUCCESS;
  if (strcmp(r->mode, "pending") == 0 || strcmp(r->mode, "silent") == 0) {
    pthread_create(&r->worker, NULL, pending_worker, r);
    r->have_worker = 1;
    rc = ERROR_IO_PENDING;
  } else if (strcmp(r->mode, "error") == 0) {
    rc = r->error_code;
  } else if (strcmp(r->mode, "hang") == 0) {
    sleep_ms(r->hang_ms);
    rc = ERROR_SUCCESS;
  } else if (strcmp(r->mode, "block") == 0) {
    rc = wait_terminated(r, 60000) ? ERROR_OPERATION_ABORTED : ERROR_SUCCESS;
  } else if (strcmp(r->mode, "event") == 0 && !offline) {
    r->event = ClusResCreateEvent(TRUE, FALSE);
    *event = r->event;
    pthread_create(&r->watcher, NULL, event_watcher, r);
    r->have_watcher = 1;
  }
  tlog(r, "%s-end %u", what, rc);
  return rc;
}

static DWORD WINAPI TestOnline(RESID id, LPHANDLE event)
{
  return transition(id, 0, event);
}

static DWORD WINAPI TestOffline(RESID id)
{
  return transition(id, 1, NULL);
}

static VOID WINAPI TestTerminate(RESID id)
{
  TestRes *r = id;
  tlog(r, "Terminate");
  pthread_mutex_lock(&r->lock);
  r->terminated = 1;
  r->stop_watcher = 1;
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->lock);
}

static BOOL WINAPI TestLooksAlive(RESID id)
{
  TestRes *r = id;
  BOOL ok = !health_has(r, "looksfail");
  if (ok && health_has(r, "degraded"))
    ClusResSetDegraded("testdll: part failed");
  tlog(r, "LooksAlive %d", ok);
  return ok;
}

static BOOL WINAPI TestIsAlive(RESID id)
{
  TestRes *r = id;
  if (health_has(r, "ishang"))
    sleep_ms(600000);
  BOOL ok = !health_has(r, "isfail");
  if (ok && health_has(r, "degraded"))
    ClusResSetDegraded("testdll: part failed");
  tlog(r, "IsAlive %d level=%u", ok, ClusResGetCheckLevel());
  return ok;
}

/* GET_RO (the current mode and checkpoints) is the DLL's own; the library answers the rest.
 * The DLL keeps no parameter block (it reads its key at each Online), so a SET is stored
 * for the next Online. */
static DWORD WINAPI TestResourceControl(RESID id, DWORD code, PVOID in, DWORD in_size, PVOID out,
                                        DWORD out_size, LPDWORD returned)
{
  TestRes *r = id;
  if (r == NULL || code != CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES)
    return ClusResUtilResourceControl(r != NULL ? &r->props : NULL, code, in, in_size, out,
                                      out_size, returned);
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  ClusResPropListAddSz(list, "Mode", r->mode != NULL ? r->mode : "");
  ClusResPropListAddDword(list, "Checkpoints", r->checkpoints);
  DWORD rc = ClusResPropListReturn(list, out, out_size, returned);
  ClusResPropListFree(list);
  return rc;
}

CLUSRES_DEFINE_RESOURCE_TYPE_CONTROL(TestResourceTypeControl, type_info)

static CLRES_V1_FUNCTION_TABLE(table, CLRES_VERSION_V1_00, Test, NULL, NULL, TestResourceControl,
                               TestResourceTypeControl);

CLUSRES_DEFINE_STARTUP_FOR_TYPE(TYPE_NAME, table, set_status, log_event)
