/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests of the genapp resource DLL, driven the way a resource host drives it: the built
 * genapp.so is dlopen()ed, Startup gets callbacks that record SetResourceStatus, and the
 * cluster registry lives in a temporary directory (CLUSRES_REGISTRY_DIR).  The applications are
 * real processes (sleep, sh).
 */
#undef NDEBUG
#include <clusres/resapi.h>

#include "clusres-dllload.h"

#include <dirent.h>
#include <dlfcn.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- The tiny host ------------------------------------------------------------------------- */

typedef struct {
  GMutex lock;
  GCond cond;
  CLUSTER_RESOURCE_STATE state; /* last reported */
  DWORD checkpoint;
  guint reports;
  gboolean saw_online;
  HANDLE event;
} Host;

static const CLRES_V1_FUNCTIONS *fn; /* the table clusres_dllload_startup checked */
static PSTARTUP_ROUTINE startup;
static char *registry_dir;
static char *run_dir; /* CLUSRES_RUN_DIR: the volatile Process key lives below it */
static guint name_counter;

static DWORD WINAPI host_set_status(RESOURCE_HANDLE handle, PRESOURCE_STATUS status)
{
  Host *h = (Host *)handle;
  g_mutex_lock(&h->lock);
  g_assert_cmpuint(status->CheckPoint, >, h->checkpoint);
  h->checkpoint = status->CheckPoint;
  h->state = status->ResourceState;
  h->reports++;
  if (status->ResourceState == ClusterResourceOnline) {
    h->saw_online = TRUE;
    h->event = status->EventHandle;
  }
  g_cond_broadcast(&h->cond);
  g_mutex_unlock(&h->lock);
  return ResourceExitStateContinue;
}

static VOID WINAPI host_log(RESOURCE_HANDLE handle, LOG_LEVEL level, LPCSTR format, ...)
{
  g_test_message("LogEvent(%d): %s", (int)level, format);
}

static void host_init(Host *h)
{
  memset(h, 0, sizeof *h);
  g_mutex_init(&h->lock);
  g_cond_init(&h->cond);
  h->state = ClusterResourceStateUnknown;
}

static void host_clear(Host *h)
{
  g_mutex_clear(&h->lock);
  g_cond_clear(&h->cond);
}

/* Waits for a final report of @state; fails the test on another final state or timeout. */
static void host_wait_state(Host *h, CLUSTER_RESOURCE_STATE state, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  g_mutex_lock(&h->lock);
  while (h->state != state) {
    if (!g_cond_wait_until(&h->cond, &h->lock, end))
      break;
  }
  CLUSTER_RESOURCE_STATE got = h->state;
  h->state = ClusterResourceStateUnknown;
  g_mutex_unlock(&h->lock);
  g_assert_cmpint(got, ==, state);
}

/* ---- Resources in the registry ------------------------------------------------------------- */

typedef struct {
  char *name;
  HKEY key;
  HKEY params;
  RESID id;
  Host host;
} Res;

static void res_set_sz(Res *r, const char *name, const char *value)
{
  g_assert_cmpuint(
      ClusterRegSetValue(r->params, name, REG_SZ, (const BYTE *)value, (DWORD)strlen(value) + 1),
      ==, ERROR_SUCCESS);
}

static void res_set_dword(Res *r, const char *name, DWORD value)
{
  g_assert_cmpuint(
      ClusterRegSetValue(r->params, name, REG_DWORD, (const BYTE *)&value, sizeof value), ==,
      ERROR_SUCCESS);
}

static Res *res_new(const char *command_line)
{
  Res *r = g_new0(Res, 1);
  r->name = g_strdup_printf("app%u", ++name_counter);
  host_init(&r->host);
  g_assert_cmpuint(ClusterRegOpenResourceKey(r->name, KEY_ALL_ACCESS, &r->key), ==, ERROR_SUCCESS);
  g_assert_cmpuint(ClusterRegOpenKey(r->key, "Parameters", KEY_ALL_ACCESS, &r->params), ==,
                   ERROR_SUCCESS);
  if (command_line)
    res_set_sz(r, "CommandLine", command_line);
  return r;
}

static void res_open(Res *r)
{
  /* A new instance counts its CheckPoints from 0 again, as after a host restart. */
  r->host.checkpoint = 0;
  r->id = fn->Open(r->name, r->key, (RESOURCE_HANDLE)&r->host);
  g_assert_nonnull(r->id);
}

static void res_close(Res *r)
{
  fn->Close(r->id);
  r->id = NULL;
}

static void res_free(Res *r)
{
  if (r->id)
    res_close(r);
  ClusterRegCloseKey(r->params);
  ClusterRegCloseKey(r->key);
  ClusterRegDeleteResourceKey(r->name);
  host_clear(&r->host);
  g_free(r->name);
  g_free(r);
}

static HANDLE res_online(Res *r)
{
  HANDLE event = NULL;
  DWORD status = fn->Online(r->id, &event);
  g_assert_cmpuint(status, ==, ERROR_IO_PENDING);
  g_assert_nonnull(event);
  host_wait_state(&r->host, ClusterResourceOnline, 5000);
  g_assert_true(r->host.event == event);
  return event;
}

static void res_offline(Res *r, guint timeout_ms)
{
  g_assert_cmpuint(fn->Offline(r->id), ==, ERROR_IO_PENDING);
  host_wait_state(&r->host, ClusterResourceOffline, timeout_ms);
}

static DWORD res_control(Res *r, DWORD code, const void *in, DWORD in_size, void *out,
                         DWORD out_size, DWORD *returned)
{
  return fn->ResourceControl(r->id, code, (PVOID)in, in_size, out, out_size, returned);
}

static DWORD res_control_list(Res *r, DWORD code, PCLUSRES_PROPLIST list)
{
  DWORD size = 0;
  const void *buf = ClusResPropListBuffer(list, &size);
  DWORD returned = 0;
  return res_control(r, code, buf, size, NULL, 0, &returned);
}

/* Pid reported by GET_RO_PRIVATE_PROPERTIES (0 when not running). */
static DWORD res_pid(Res *r)
{
  guint8 buf[512];
  DWORD returned = 0, pid = 0;
  g_assert_cmpuint(res_control(r, CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES, NULL, 0, buf,
                               sizeof buf, &returned),
                   ==, ERROR_SUCCESS);
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "Pid", &pid), ==, ERROR_SUCCESS);
  return pid;
}

/* ---- Process inspection (independent of the DLL's own code) -------------------------------- */

static gboolean proc_stat(pid_t pid, char *state, pid_t *sid)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  const char *p = strrchr(text, ')');
  int ppid, pgrp, session;
  char st;
  if (p == NULL || sscanf(p + 2, "%c %d %d %d", &st, &ppid, &pgrp, &session) != 4)
    return FALSE;
  if (state)
    *state = st;
  if (sid)
    *sid = session;
  return TRUE;
}

static gboolean proc_running(pid_t pid)
{
  char st;
  return proc_stat(pid, &st, NULL) && st != 'Z' && st != 'X';
}

/* Live (non-zombie) processes whose command line is exactly "sleep <marker>". */
static GArray *find_sleepers(const char *marker)
{
  GArray *pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
  g_autoptr(GDir) dir = g_dir_open("/proc", 0, NULL);
  const char *entry;
  while ((entry = g_dir_read_name(dir)) != NULL) {
    char *end;
    long pid = strtol(entry, &end, 10);
    if (*end != '\0')
      continue;
    g_autofree char *path = g_strdup_printf("/proc/%s/cmdline", entry);
    g_autofree char *cmd = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &cmd, &len, NULL) || len < 6)
      continue;
    if (strcmp(cmd, "sleep") != 0 || strlen(cmd) + 1 >= len || strcmp(cmd + 6, marker) != 0)
      continue;
    if (proc_running((pid_t)pid)) {
      pid_t p = (pid_t)pid;
      g_array_append_val(pids, p);
    }
  }
  return pids;
}

static GArray *wait_sleepers(const char *marker, guint count)
{
  for (int i = 0; i < 200; i++) {
    GArray *pids = find_sleepers(marker);
    if (pids->len >= count)
      return pids;
    g_array_unref(pids);
    g_usleep(10000);
  }
  return find_sleepers(marker);
}

static char *new_marker(void)
{
  static guint n;
  return g_strdup_printf("%u", 700000 + (guint)getpid() * 16 + ++n);
}

/* ---- Tests --------------------------------------------------------------------------------- */

static void test_startup(void)
{
  PCLRES_FUNCTION_TABLE t = NULL;
  g_assert_cmpuint(
      startup("share", CLRES_VERSION_V1_00, CLRES_VERSION_V1_00, host_set_status, host_log, &t), ==,
      ERROR_CLUSTER_RESNAME_NOT_FOUND);
  g_assert_cmpuint(startup("genapp", 0x200, 0x300, host_set_status, host_log, &t), ==,
                   ERROR_REVISION_MISMATCH);
  g_assert_cmpuint(startup("genapp", CLRES_VERSION_V1_00, CLRES_VERSION_V1_00, NULL, host_log, &t),
                   ==, ERROR_INVALID_PARAMETER);
  g_assert_null(t);
  /* Resource type names are compared ignoring case, as on Windows. */
  g_assert_cmpuint(
      startup("GenApp", CLRES_VERSION_V1_00, CLRES_VERSION_V1_00, host_set_status, host_log, &t),
      ==, ERROR_SUCCESS);
  g_assert_true(&t->V1Functions == fn);
  g_assert_cmpuint(
      startup("genapp", CLRES_VERSION_V1_00, CLRES_VERSION_V1_00, host_set_status, host_log, &t),
      ==, ERROR_SUCCESS);
  g_assert_true(&t->V1Functions == fn);
  g_assert_cmpuint(t->TableSize, ==, CLRES_V1_FUNCTION_SIZE);
  g_assert_cmpuint(t->Version, ==, CLRES_VERSION_V1_00);
  g_assert_nonnull(t->V1Functions.ResourceControl);
  g_assert_null(t->V1Functions.Arbitrate);
  /* A NULL RESID names no instance: ERROR_RESOURCE_NOT_FOUND, for genapp's own code too. */
  DWORD returned = 7;
  g_assert_cmpuint(t->V1Functions.ResourceControl(NULL, CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES,
                                                  NULL, 0, NULL, 0, &returned),
                   ==, ERROR_RESOURCE_NOT_FOUND);
  g_assert_cmpuint(returned, ==, 0);
  g_assert_cmpuint(t->V1Functions.ResourceControl(NULL, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES,
                                                  NULL, 0, NULL, 0, &returned),
                   ==, ERROR_RESOURCE_NOT_FOUND);

  /* Exactly one exported symbol: nothing of the DLL's internals is reachable. */
  void *dll = dlopen(g_getenv("GENAPP_DLL"), RTLD_NOW | RTLD_NOLOAD);
  g_assert_nonnull(dll);
  g_assert_null(dlsym(dll, "genapp_proc_alive"));
  dlclose(dll);
}

static void test_type_info(void)
{
  const CLUSRES_TYPE_INFO *info = NULL;
  DWORD returned = 0;
  PRESOURCE_TYPE_CONTROL_ROUTINE ctl = fn->ResourceTypeControl;

  g_assert_cmpuint(ctl("genapp", CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO, NULL, 0, &info,
                       sizeof info, &returned),
                   ==, ERROR_SUCCESS);
  /* What the loaders take from it: the same pointer, accepted by their checks. */
  const CLUSRES_TYPE_INFO *loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(clusres_dllload_type_info(fn, "genapp", &loaded, &error));
  g_assert_no_error(error);
  g_assert_true(loaded == info);
  g_assert_cmpuint(returned, ==, sizeof info);
  g_assert_cmpuint(info->Version, ==, CLUSRES_TYPE_INFO_VERSION);
  g_assert_cmpuint(info->LooksAlivePollInterval, ==, 5000);
  g_assert_cmpuint(info->IsAlivePollInterval, ==, 60000);
  g_assert_cmpuint(info->PendingTimeout, ==, 60000);
  g_assert_cmpuint(info->MaxCheckLevel, ==, 10);
  g_assert_cmpstr(info->Properties[0].Name, ==, "CommandLine");
  g_assert_true(info->Properties[0].Flags & RESUTIL_PROPITEM_REQUIRED);
  guint docs = 0;
  for (const CLUSRES_PROPERTY_DOC *d = info->Docs; d->Name; d++) {
    docs++;
    if (g_str_equal(d->Name, "StopTimeout") || g_str_equal(d->Name, "HealthCommand"))
      g_assert_true(d->Flags & CLUSRES_PROPDOC_RELOADABLE);
    if (g_str_equal(d->Name, "CommandLine"))
      g_assert_false(d->Flags & CLUSRES_PROPDOC_RELOADABLE);
  }
  g_assert_cmpuint(docs, ==, 9);

  guint8 buf[1024];
  g_assert_cmpuint(ctl("genapp", CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS, NULL, 0,
                       buf, sizeof buf, &returned),
                   ==, ERROR_SUCCESS);
  DWORD fmt = 0;
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "StopTimeout", &fmt), ==, ERROR_SUCCESS);
  g_assert_cmpuint(fmt, ==, CLUSPROP_FORMAT_DWORD);
  g_assert_cmpuint(ctl("genapp", CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS, NULL, 0,
                       buf, 8, &returned),
                   ==, ERROR_MORE_DATA);
  g_assert_cmpuint(returned, >, 8);
  /* MSCS asks the type's own private properties there; genapp has none (the resource's are
   * ENUM_PRIVATE_PROPERTIES of an instance): default processing. */
  g_assert_cmpuint(ctl("genapp", CLUSCTL_RESOURCE_TYPE_ENUM_PRIVATE_PROPERTIES, NULL, 0, buf,
                       sizeof buf, &returned),
                   ==, ERROR_INVALID_FUNCTION);
  g_assert_cmpuint(
      ctl("genapp", CLUSCTL_RESOURCE_TYPE_STARTING_PHASE1, NULL, 0, NULL, 0, &returned), ==,
      ERROR_INVALID_FUNCTION);
}

/* Online reaches Online; a kill -9 is pushed through the event at once. */
static void test_online_crash(void)
{
  g_autofree char *marker = new_marker();
  g_autofree char *cmd = g_strdup_printf("sleep %s", marker);
  Res *r = res_new(cmd);
  res_open(r);
  g_assert_false(fn->LooksAlive(r->id));

  HANDLE event = res_online(r);
  g_assert_true(fn->LooksAlive(r->id));
  g_assert_true(fn->IsAlive(r->id));
  g_assert_cmpuint(ClusResWaitForEvent(event, 0), ==, WAIT_TIMEOUT);

  DWORD pid = res_pid(r);
  g_autoptr(GArray) pids = find_sleepers(marker);
  g_assert_cmpuint(pids->len, ==, 1);
  g_assert_cmpuint(g_array_index(pids, pid_t, 0), ==, pid);
  /* Its own session and process group (setsid). */
  pid_t sid = 0;
  g_assert_true(proc_stat((pid_t)pid, NULL, &sid));
  g_assert_cmpint(sid, ==, (pid_t)pid);

  gint64 t0 = g_get_monotonic_time();
  g_assert_cmpint(kill((pid_t)pid, SIGKILL), ==, 0);
  g_assert_cmpuint(ClusResWaitForEvent(event, 2000), ==, WAIT_OBJECT_0);
  g_test_message("crash reported after %" G_GINT64_FORMAT " us", g_get_monotonic_time() - t0);
  g_assert_false(fn->LooksAlive(r->id));
  g_assert_false(fn->IsAlive(r->id));
  /* Reaped: no zombie left behind by the host. */
  g_assert_false(proc_stat((pid_t)pid, NULL, NULL));

  res_offline(r, 5000);
  g_assert_cmpuint(res_pid(r), ==, 0);
  res_free(r);
}

static guint thread_count(void)
{
  g_autofree char *status = NULL;
  g_assert_true(g_file_get_contents("/proc/self/status", &status, NULL, NULL));
  const char *p = strstr(status, "\nThreads:");
  g_assert_nonnull(p);
  return (guint)strtoul(p + 9, NULL, 10);
}

/* One watcher thread serves all instances; a crash signals only its own instance's event, and
 * the thread goes away with the last application. */
static void test_watch_many(void)
{
  enum { N = 6 };
  g_autofree char *marker = new_marker();
  g_autofree char *cmd = g_strdup_printf("sleep %s", marker);
  Res *r[N];
  HANDLE ev[N];
  guint base = thread_count();

  for (int i = 0; i < N; i++) {
    r[i] = res_new(cmd);
    res_open(r[i]);
    ev[i] = res_online(r[i]);
  }
  g_usleep(50 * 1000); /* finished workers are gone from /proc a moment after they report */
  g_assert_cmpuint(thread_count(), <=, base + 1);

  g_assert_cmpint(kill((pid_t)res_pid(r[2]), SIGKILL), ==, 0);
  g_assert_cmpuint(ClusResWaitForEvent(ev[2], 2000), ==, WAIT_OBJECT_0);
  for (int i = 0; i < N; i++) {
    if (i != 2)
      g_assert_cmpuint(ClusResWaitForEvent(ev[i], 0), ==, WAIT_TIMEOUT);
    g_assert_true(fn->LooksAlive(r[i]->id) == (i != 2));
  }
  for (int i = 0; i < N; i++) {
    res_offline(r[i], 5000);
    /* Offline is no crash: the event stays quiet. */
    if (i != 2)
      g_assert_cmpuint(ClusResWaitForEvent(ev[i], 0), ==, WAIT_TIMEOUT);
    res_free(r[i]);
  }
  g_usleep(50 * 1000);
  g_assert_cmpuint(thread_count(), ==, base);
  g_autoptr(GArray) left = find_sleepers(marker);
  g_assert_cmpuint(left->len, ==, 0);
}

/* A tree that ignores SIGTERM, with a grandchild in its own session, is killed after
 * StopTimeout, all of it. */
static void test_offline_tree(void)
{
  g_autofree char *m1 = new_marker();
  g_autofree char *m2 = new_marker();
  g_autofree char *cmd =
      g_strdup_printf("sh -c 'trap \"\" TERM; setsid sleep %s & sleep %s; :'", m1, m2);
  Res *r = res_new(cmd);
  res_set_dword(r, "StopTimeout", 500);
  res_open(r);
  res_online(r);

  DWORD pid = res_pid(r);
  g_autoptr(GArray) escaped = wait_sleepers(m1, 1);
  g_autoptr(GArray) child = wait_sleepers(m2, 1);
  g_assert_cmpuint(escaped->len, ==, 1);
  g_assert_cmpuint(child->len, ==, 1);
  pid_t sid = 0;
  g_assert_true(proc_stat(g_array_index(escaped, pid_t, 0), NULL, &sid));
  g_assert_cmpint(sid, !=, (pid_t)pid); /* it really left the session */

  gint64 t0 = g_get_monotonic_time();
  res_offline(r, 10000);
  gint64 took_ms = (g_get_monotonic_time() - t0) / 1000;
  g_test_message("offline took %" G_GINT64_FORMAT " ms", took_ms);
  g_assert_cmpint(took_ms, >=, 500);
  g_assert_cmpint(took_ms, <, 5000);

  g_assert_false(proc_running((pid_t)pid));
  g_autoptr(GArray) left1 = find_sleepers(m1);
  g_autoptr(GArray) left2 = find_sleepers(m2);
  g_assert_cmpuint(left1->len, ==, 0);
  g_assert_cmpuint(left2->len, ==, 0);
  g_assert_false(fn->LooksAlive(r->id));
  res_free(r);
}

/* A well-behaved application is stopped by SIGTERM without waiting for StopTimeout. */
static void test_offline_clean(void)
{
  g_autofree char *marker = new_marker();
  g_autofree char *cmd = g_strdup_printf("sleep %s", marker);
  Res *r = res_new(cmd);
  res_set_dword(r, "StopTimeout", 30000);
  res_open(r);
  res_online(r);
  gint64 t0 = g_get_monotonic_time();
  res_offline(r, 5000);
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
  g_autoptr(GArray) left = find_sleepers(marker);
  g_assert_cmpuint(left->len, ==, 0);
  res_free(r);
}

static void test_terminate_pending(void)
{
  g_autofree char *marker = new_marker();
  g_autofree char *cmd = g_strdup_printf("sleep %s", marker);
  Res *r = res_new(cmd);
  res_open(r);
  HANDLE event = NULL;
  g_assert_cmpuint(fn->Online(r->id, &event), ==, ERROR_IO_PENDING);
  fn->Terminate(r->id);

  g_assert_false(fn->LooksAlive(r->id));
  g_usleep(300 * 1000); /* longer than the settle time: a stray worker would report now */
  g_mutex_lock(&r->host.lock);
  g_assert_false(r->host.saw_online);
  g_mutex_unlock(&r->host.lock);
  g_autoptr(GArray) left = find_sleepers(marker);
  g_assert_cmpuint(left->len, ==, 0);
  /* The instance is usable again. */
  res_online(r);
  fn->Terminate(r->id);
  g_autoptr(GArray) left2 = find_sleepers(marker);
  g_assert_cmpuint(left2->len, ==, 0);
  res_free(r);
}

/* A program that exits during start-up fails the Online. */
static void test_online_fails(void)
{
  Res *r = res_new("false");
  res_open(r);
  HANDLE event = NULL;
  g_assert_cmpuint(fn->Online(r->id, &event), ==, ERROR_IO_PENDING);
  host_wait_state(&r->host, ClusterResourceFailed, 5000);
  g_assert_false(fn->LooksAlive(r->id));
  fn->Terminate(r->id);
  res_free(r);

  /* Missing CommandLine: refused synchronously. */
  r = res_new(NULL);
  res_open(r);
  g_assert_cmpuint(fn->Online(r->id, &event), ==, ERROR_INVALID_PARAMETER);
  res_free(r);
}

/* Environment and CurrentDirectory reach the application. */
static void test_environment(void)
{
  g_autofree char *marker = new_marker();
  g_autofree char *cmd = g_strdup_printf(
      "sh -c 'test \"$GENAPP_A\" = 42 && test \"$GENAPP_B\" = x=y && test \"$(pwd)\" = /tmp "
      "&& exec sleep %s'",
      marker);
  Res *r = res_new(cmd);
  res_set_sz(r, "Environment", "GENAPP_A=42;GENAPP_B=x=y");
  res_set_sz(r, "CurrentDirectory", "/tmp");
  res_open(r);
  res_online(r);
  g_assert_true(fn->IsAlive(r->id));
  res_offline(r, 5000);
  res_free(r);
}

static gboolean is_alive_at(Res *r, DWORD level)
{
  ClusResSetCheckLevel(level);
  gboolean alive = fn->IsAlive(r->id);
  ClusResSetCheckLevel(0);
  return alive;
}

/* User: the application and its health check run with that user's credentials. */
static void test_user(void)
{
  if (geteuid() != 0) {
    g_test_skip("changing user needs root");
    return;
  }
  g_autofree char *marker = new_marker();
  g_autofree char *cmd = g_strdup_printf(
      "sh -c 'test \"$(id -u)\" = 65534 && test \"$USER\" = nobody && exec sleep %s'", marker);
  Res *r = res_new(cmd);
  res_set_sz(r, "User", "nobody");
  res_set_sz(r, "CurrentDirectory", "/tmp");
  res_set_sz(r, "HealthCommand", "sh -c 'test \"$(id -u)\" = 65534'");
  res_open(r);
  res_online(r);
  g_autofree char *path = g_strdup_printf("/proc/%u/status", res_pid(r));
  g_autofree char *status = NULL;
  g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
  g_assert_nonnull(strstr(status, "\nUid:\t65534\t65534\t65534\t65534\n"));
  g_assert_true(is_alive_at(r, 10));
  res_offline(r, 5000);
  g_autoptr(GArray) left = find_sleepers(marker);
  g_assert_cmpuint(left->len, ==, 0);

  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  ClusResPropListAddSz(list, "User", "no-such-user-here");
  g_assert_cmpuint(res_control_list(r, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, list), ==,
                   ERROR_INVALID_PARAMETER);
  ClusResPropListFree(list);
  res_set_sz(r, "User", "no-such-user-here");
  HANDLE event = NULL;
  g_assert_cmpuint(fn->Online(r->id, &event), ==, ERROR_INVALID_PARAMETER);
  res_free(r);
}

/* Host restart: a new instance opened on the same key adopts the running process. */
static void test_readopt(void)
{
  g_autofree char *marker = new_marker();
  g_autofree char *cmd = g_strdup_printf("sleep %s", marker);
  Res *r = res_new(cmd);
  res_open(r);
  res_online(r);
  DWORD pid = res_pid(r);
  res_close(r); /* the application keeps running */
  g_assert_true(proc_running((pid_t)pid));
  /* The pid is run-time state: in the run-time store (no fsync, gone at reboot), not in the
   * durable registry. */
  g_autofree char *grep_run =
      g_strdup_printf("grep -rqs '^Pid=dword:%u$' '%s/registry'", pid, run_dir);
  g_autofree char *grep_durable = g_strdup_printf("grep -rqs '^Pid=' '%s'", registry_dir);
  g_assert_cmpint(system(grep_run), ==, 0);
  g_assert_cmpint(system(grep_durable), !=, 0);

  res_open(r);
  g_assert_true(fn->IsAlive(r->id));
  g_assert_true(fn->LooksAlive(r->id));
  g_assert_cmpuint(res_pid(r), ==, pid);
  /* Online of an adopted application does not start a second copy. */
  res_online(r);
  g_assert_cmpuint(res_pid(r), ==, pid);
  g_autoptr(GArray) pids = find_sleepers(marker);
  g_assert_cmpuint(pids->len, ==, 1);
  res_offline(r, 5000);
  g_assert_false(proc_running((pid_t)pid));
  res_close(r);

  /* Nothing left to adopt after Offline. */
  res_open(r);
  g_assert_false(fn->IsAlive(r->id));
  res_free(r);
}

static void test_health(void)
{
  Res *r = res_new("sleep 1000");
  /* The health command sees the application's Environment. */
  res_set_sz(r, "HealthCommand", "sh -c 'test \"$GENAPP_H\" = ok'");
  res_set_sz(r, "Environment", "GENAPP_H=ok");
  res_open(r);
  res_online(r);
  g_assert_true(is_alive_at(r, 10));

  /* HealthCommand applies live. */
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  ClusResPropListAddSz(list, "HealthCommand", "sh -c 'exit 3'");
  g_assert_cmpuint(res_control_list(r, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, list), ==,
                   ERROR_SUCCESS);
  ClusResPropListFree(list);
  g_assert_false(is_alive_at(r, 10));
  g_assert_true(is_alive_at(r, 0)); /* the deep check only runs at level 10 */
  g_assert_true(fn->LooksAlive(r->id));

  list = ClusResPropListCreate();
  ClusResPropListAddSz(list, "HealthCommand", "sleep 30");
  ClusResPropListAddDword(list, "HealthTimeout", 300);
  g_assert_cmpuint(res_control_list(r, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, list), ==,
                   ERROR_SUCCESS);
  ClusResPropListFree(list);
  gint64 t0 = g_get_monotonic_time();
  g_assert_false(is_alive_at(r, 10));
  gint64 took = (g_get_monotonic_time() - t0) / 1000;
  g_assert_cmpint(took, >=, 300);
  g_assert_cmpint(took, <, 3000);

  res_offline(r, 5000);
  res_free(r);
}

/* ReadyCommand: Online is reported only once the service says it is ready; a service that never
 * gets ready fails the Online within ReadyTimeout and is not left running. */
static void test_ready(void)
{
  g_autofree char *dir = g_dir_make_tmp("genapp-ready-XXXXXX", NULL);
  g_autofree char *flag = g_build_filename(dir, "ready", NULL);
  g_autofree char *marker = new_marker();
  g_autofree char *cmd =
      g_strdup_printf("sh -c 'sleep 0.6; touch %s; exec sleep %s'", flag, marker);
  Res *r = res_new(cmd);
  g_autofree char *ready = g_strdup_printf("test -e %s", flag);
  res_set_sz(r, "ReadyCommand", ready);
  res_open(r);
  gint64 t0 = g_get_monotonic_time();
  res_online(r);
  gint64 took = (g_get_monotonic_time() - t0) / 1000;
  g_assert_true(g_file_test(flag, G_FILE_TEST_EXISTS));
  g_assert_cmpint(took, >=, 500);
  g_assert_cmpuint(r->host.reports, >, 2); /* OnlinePending checkpoints while waiting */
  res_offline(r, 5000);
  res_free(r);

  g_autofree char *marker2 = new_marker();
  g_autofree char *cmd2 = g_strdup_printf("sleep %s", marker2);
  r = res_new(cmd2);
  res_set_sz(r, "ReadyCommand", "false");
  res_set_dword(r, "ReadyTimeout", 400);
  res_open(r);
  HANDLE event = NULL;
  t0 = g_get_monotonic_time();
  g_assert_cmpuint(fn->Online(r->id, &event), ==, ERROR_IO_PENDING);
  host_wait_state(&r->host, ClusterResourceFailed, 5000);
  took = (g_get_monotonic_time() - t0) / 1000;
  g_assert_cmpint(took, >=, 400);
  g_assert_cmpint(took, <, 3000);
  g_autoptr(GArray) left = find_sleepers(marker2);
  g_assert_cmpuint(left->len, ==, 0);
  g_assert_false(fn->LooksAlive(r->id));
  fn->Terminate(r->id);
  res_free(r);

  g_assert_cmpint(g_remove(flag), ==, 0);
  g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void test_properties(void)
{
  Res *r = res_new("sleep 1000");
  res_open(r);

  struct {
    const char *name, *value;
    DWORD expect;
  } cases[] = {
      {"CommandLine", "/nonexistent/program --flag", ERROR_FILE_NOT_FOUND},
      {"CommandLine", "no-such-program-in-path", ERROR_FILE_NOT_FOUND},
      {"CommandLine", "/etc/passwd", ERROR_FILE_NOT_FOUND}, /* not executable */
      {"CommandLine", "sleep 'unterminated", ERROR_INVALID_PARAMETER},
      {"CommandLine", "", ERROR_INVALID_PARAMETER},
      {"CurrentDirectory", "relative/dir", ERROR_INVALID_PARAMETER},
      {"CurrentDirectory", "/nonexistent-dir", ERROR_PATH_NOT_FOUND},
      {"CurrentDirectory", "/etc/passwd", ERROR_PATH_NOT_FOUND},
      {"HealthCommand", "x 'y", ERROR_INVALID_PARAMETER},
      {"Environment", "=oops", ERROR_INVALID_PARAMETER},
      {"NoSuchProperty", "x", ERROR_INVALID_PARAMETER},
      {"CommandLine", "/bin/sleep 5; rm -rf /", ERROR_SUCCESS}, /* arguments, not a shell */
      {"CurrentDirectory", "/tmp", ERROR_SUCCESS},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    PCLUSRES_PROPLIST list = ClusResPropListCreate();
    ClusResPropListAddSz(list, cases[i].name, cases[i].value);
    g_test_message("validate %s=%s", cases[i].name, cases[i].value);
    g_assert_cmpuint(res_control_list(r, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, list), ==,
                     cases[i].expect);
    ClusResPropListFree(list);
  }
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  ClusResPropListAddDword(list, "HealthTimeout", 5); /* below the minimum of 100 */
  g_assert_cmpuint(res_control_list(r, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, list), ==,
                   ERROR_INVALID_PARAMETER);
  ClusResPropListFree(list);

  /* Offline: a new CommandLine is simply stored. */
  list = ClusResPropListCreate();
  ClusResPropListAddSz(list, "CommandLine", "sleep 999");
  g_assert_cmpuint(res_control_list(r, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, list), ==,
                   ERROR_SUCCESS);
  ClusResPropListFree(list);

  /* Online: it needs a restart, StopTimeout does not. */
  res_online(r);
  list = ClusResPropListCreate();
  ClusResPropListAddSz(list, "CommandLine", "sleep 998");
  g_assert_cmpuint(res_control_list(r, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, list), ==,
                   ERROR_RESOURCE_PROPERTIES_STORED);
  ClusResPropListFree(list);
  list = ClusResPropListCreate();
  ClusResPropListAddDword(list, "StopTimeout", 1234);
  g_assert_cmpuint(res_control_list(r, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, list), ==,
                   ERROR_SUCCESS);
  ClusResPropListFree(list);

  /* GET returns the stored values and the defaults; a small buffer gets ERROR_MORE_DATA. */
  DWORD returned = 0;
  guint8 small[8];
  g_assert_cmpuint(res_control(r, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, NULL, 0, small,
                               sizeof small, &returned),
                   ==, ERROR_MORE_DATA);
  g_autofree guint8 *buf = g_malloc(returned);
  DWORD size = returned;
  g_assert_cmpuint(
      res_control(r, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, NULL, 0, buf, size, &returned), ==,
      ERROR_SUCCESS);
  LPSTR value = NULL;
  g_assert_cmpuint(ResUtilFindSzProperty(buf, returned, "CommandLine", &value), ==, ERROR_SUCCESS);
  g_assert_cmpstr(value, ==, "sleep 998");
  ResUtilFree(value);
  DWORD dw = 0;
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "StopTimeout", &dw), ==, ERROR_SUCCESS);
  g_assert_cmpuint(dw, ==, 1234);
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "HealthTimeout", &dw), ==,
                   ERROR_SUCCESS);
  g_assert_cmpuint(dw, ==, 10000);

  guint8 ro[512];
  g_assert_cmpuint(
      res_control(r, CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES, NULL, 0, ro, sizeof ro, &returned),
      ==, ERROR_SUCCESS);
  g_assert_cmpuint(ResUtilFindSzProperty(ro, returned, "State", &value), ==, ERROR_SUCCESS);
  g_assert_cmpstr(value, ==, "running");
  ResUtilFree(value);
  g_assert_cmpuint(ResUtilFindDwordProperty(ro, returned, "Starts", &dw), ==, ERROR_SUCCESS);
  g_assert_cmpuint(dw, ==, 1);

  g_assert_cmpuint(
      res_control(r, CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES, NULL, 0, ro, sizeof ro, &returned),
      ==, ERROR_SUCCESS);
  g_assert_nonnull(memmem(ro, returned, "CurrentDirectory", 17));
  g_assert_cmpuint(
      res_control(r, CLUSCTL_RESOURCE_GET_CHARACTERISTICS, NULL, 0, ro, sizeof ro, &returned), ==,
      ERROR_INVALID_FUNCTION);

  res_offline(r, 5000);
  res_free(r);
}

/* ---- main ---------------------------------------------------------------------------------- */

static void remove_tree(const char *path)
{
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  if (dir) {
    const char *name;
    while ((name = g_dir_read_name(dir)) != NULL) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
        remove_tree(child);
      else
        g_unlink(child);
    }
  }
  g_rmdir(path);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  registry_dir = g_dir_make_tmp("test-genapp-XXXXXX", NULL);
  g_assert_nonnull(registry_dir);
  g_setenv("CLUSRES_REGISTRY_DIR", registry_dir, TRUE);
  run_dir = g_dir_make_tmp("test-genapp-run-XXXXXX", NULL);
  g_assert_nonnull(run_dir);
  g_setenv("CLUSRES_RUN_DIR", run_dir, TRUE);

  const char *path = g_getenv("GENAPP_DLL");
  g_assert_nonnull(path);
  /* Loaded as the host and the agent load a DLL: the same file rules and table checks. */
  g_autoptr(GError) error = NULL;
  void *dll = NULL;
  startup = clusres_dllload_open(path, &dll, &error);
  g_assert_no_error(error);
  fn = clusres_dllload_startup(startup, "genapp", path, host_set_status, host_log, &error);
  g_assert_no_error(error);

  g_test_add_func("/genapp/startup", test_startup);
  g_test_add_func("/genapp/type-info", test_type_info);
  g_test_add_func("/genapp/online-crash", test_online_crash);
  g_test_add_func("/genapp/watch-many", test_watch_many);
  g_test_add_func("/genapp/offline-tree", test_offline_tree);
  g_test_add_func("/genapp/offline-clean", test_offline_clean);
  g_test_add_func("/genapp/terminate-pending", test_terminate_pending);
  g_test_add_func("/genapp/online-fails", test_online_fails);
  g_test_add_func("/genapp/environment", test_environment);
  g_test_add_func("/genapp/user", test_user);
  g_test_add_func("/genapp/readopt", test_readopt);
  g_test_add_func("/genapp/health", test_health);
  g_test_add_func("/genapp/ready", test_ready);
  g_test_add_func("/genapp/properties", test_properties);
  int rc = g_test_run();

  remove_tree(registry_dir);
  remove_tree(run_dir);
  g_free(run_dir);
  g_free(registry_dir);
  /* Not dlclose()d: ASan reports leaks with symbols only while the DLL is mapped. */
  return rc;
}
