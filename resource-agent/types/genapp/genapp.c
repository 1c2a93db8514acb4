/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * genapp: the Generic Application resource type.
 *
 * Keeps one cluster-unaware program running: Online starts it in its own session, health is
 * "the process (same pid and start time) still exists" plus an optional HealthCommand at
 * OCF_CHECK_LEVEL 10, Offline stops the whole process tree (SIGTERM, StopTimeout, SIGKILL).
 *
 * Structure follows Microsoft's File Share sample: Online/Offline return ERROR_IO_PENDING and a
 * CLUS_WORKER does the work and reports with SetResourceStatus; Terminate cancels the worker
 * and kills at once.  Online also hands out an event handle that the DLL's watcher thread
 * (genapp-watch: epoll on pidfds) signals when the process exits, so a crash is reported
 * immediately instead of at the next poll.
 *
 * Re-adoption: the running process's pid and start time are kept in the subkey "Process" of
 * the resource's key.  Open only reads them; a later IsAlive is TRUE if that exact process is
 * still alive, which is how a resource host restart keeps the application running.  Close
 * therefore does not stop the application: the host calls Offline or Terminate for that.
 */
#include <clusres/resapi.h>

#include "genapp-proc.h"
#include "genapp-watch.h"

#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GENAPP_TYPE "genapp"
#define GENAPP_SETTLE_MS 200u
#define GENAPP_POLL_MS 20u
#define GENAPP_KILL_WAIT_MS 5000u
#define GENAPP_PROCESS_KEY "Process"

/* ---- Private properties ------------------------------------------------------------------ */

typedef struct {
  LPSTR CommandLine;
  LPSTR CurrentDirectory;
  LPSTR HealthCommand;
  DWORD HealthTimeout;
  LPSTR ReadyCommand;
  DWORD ReadyTimeout;
  DWORD StopTimeout;
  LPSTR Environment;
  LPSTR User;
} GenappParams;

static const RESUTIL_PROPERTY_ITEM genapp_properties[] = {
    RESUTIL_PROPITEM_SZ("CommandLine", offsetof(GenappParams, CommandLine), NULL,
                        RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_SZ("CurrentDirectory", offsetof(GenappParams, CurrentDirectory), "/", 0),
    RESUTIL_PROPITEM_SZ("HealthCommand", offsetof(GenappParams, HealthCommand), NULL, 0),
    RESUTIL_PROPITEM_DWORD("HealthTimeout", offsetof(GenappParams, HealthTimeout), 10000, 100,
                           600000, 0),
    RESUTIL_PROPITEM_SZ("ReadyCommand", offsetof(GenappParams, ReadyCommand), NULL, 0),
    RESUTIL_PROPITEM_DWORD("ReadyTimeout", offsetof(GenappParams, ReadyTimeout), 30000, 100,
                           3600000, 0),
    RESUTIL_PROPITEM_DWORD("StopTimeout", offsetof(GenappParams, StopTimeout), 10000, 0, 3600000,
                           0),
    RESUTIL_PROPITEM_SZ("Environment", offsetof(GenappParams, Environment), NULL, 0),
    RESUTIL_PROPITEM_SZ("User", offsetof(GenappParams, User), NULL, 0),
    {0},
};

static const CLUSRES_PROPERTY_DOC genapp_docs[] = {
    {"CommandLine", "Program and arguments",
     "Program and arguments of the application, split like a shell would (quotes, backslashes) "
     "but never run by a shell: no expansion, pipes or redirection.  The program is an absolute "
     "path or is looked up in PATH.",
     0},
    {"CurrentDirectory", "Working directory",
     "Absolute path of an existing directory the application starts in.", CLUSRES_PROPDOC_PATH},
    {"HealthCommand", "Deep health check",
     "Optional command (same syntax as CommandLine) run by monitors with OCF_CHECK_LEVEL 10: the "
     "application is healthy only if it exits with status 0 within HealthTimeout.",
     CLUSRES_PROPDOC_RELOADABLE},
    {"HealthTimeout", "Health check timeout (ms)",
     "How long HealthCommand may run before it is killed and the check fails (100..600000).",
     CLUSRES_PROPDOC_RELOADABLE},
    {"ReadyCommand", "Readiness check",
     "Optional command (same syntax as CommandLine) run after the application started, every "
     "100 ms until it exits with status 0: only then is the resource reported online, so that "
     "resources ordered after it find the service ready (e.g. a daemon's D-Bus name or port).",
     CLUSRES_PROPDOC_RELOADABLE},
    {"ReadyTimeout", "Readiness timeout (ms)",
     "How long ReadyCommand may keep failing before the start fails (100..3600000); each run "
     "is also killed after HealthTimeout.",
     CLUSRES_PROPDOC_RELOADABLE},
    {"StopTimeout", "Clean stop window (ms)",
     "After SIGTERM to the application's process tree, how long to wait before SIGKILL.",
     CLUSRES_PROPDOC_RELOADABLE},
    {"Environment", "Extra environment",
     "Variables added to the host's environment, as NAME=VALUE;NAME=VALUE.", 0},
    {"User", "Run as user",
     "User name (or uid) the application and HealthCommand run as, with that user's groups; "
     "USER, LOGNAME and HOME are set accordingly.  Empty: the host's user (root).",
     0},
    {NULL, NULL, NULL, 0},
};

static const CLUSRES_TYPE_INFO genapp_type_info = {
    .Version = CLUSRES_TYPE_INFO_VERSION,
    .ShortDesc = "Generic application",
    .LongDesc = "Keeps a cluster-unaware program running on one node.  Health is the "
                "existence of the started process (same pid and start time); a crash is "
                "reported at once.  Stopping sends SIGTERM to the whole process tree, including "
                "processes that left its process group, and SIGKILL after StopTimeout.  The "
                "application survives a restart of the resource host.",
    .Properties = genapp_properties,
    .Docs = genapp_docs,
    .LooksAlivePollInterval = 5000,
    .IsAlivePollInterval = 60000,
    .PendingTimeout = 60000,
    .MaxCheckLevel = 10,
};

/* ---- Instances ----------------------------------------------------------------------------- */

typedef struct {
  char *name;
  RESOURCE_HANDLE handle;
  HKEY params_key;  /* "Parameters": the instance attributes */
  HKEY process_key; /* "Process": Pid and StartTime of the running application */

  GMutex lock; /* guards params, proc, checkpoint, starts */
  GenappParams params;
  GenappProcId proc; /* pid 0 = none */
  DWORD checkpoint;
  DWORD starts;

  CLUS_WORKER worker; /* the pending Online or Offline */
  HANDLE event;       /* signalled by the watcher when the process exits */

  guint64 watch_id; /* genapp-watch: signals event when the process exits */

  CLUSRES_PRIVATE_PROPERTIES props; /* for ClusResUtilResourceControl */
} GenappResource;

static PSET_RESOURCE_STATUS_ROUTINE genapp_set_status;
static PLOG_EVENT_ROUTINE genapp_log;

static void genapp_params_free(GenappParams *p)
{
  ResUtilFreeParameterBlock((LPBYTE)p, NULL, genapp_properties);
  memset(p, 0, sizeof *p);
}

/* Reports a state change from a worker; FALSE once the host wants the worker gone. */
static gboolean genapp_report(GenappResource *res, CLUSTER_RESOURCE_STATE state)
{
  RESOURCE_STATUS status;
  ResUtilInitializeResourceStatus(&status);
  g_mutex_lock(&res->lock);
  status.CheckPoint = ++res->checkpoint;
  g_mutex_unlock(&res->lock);
  status.ResourceState = state;
  if (state == ClusterResourceOnline)
    status.EventHandle = res->event;
  return genapp_set_status(res->handle, &status) != ResourceExitStateTerminate;
}

/* ---- Registry: the running process --------------------------------------------------------- */

/* One batch: the pair is replaced together, so a host killed in between never leaves a pid
 * with another process's start time (and the volatile key costs no fsync). */
static DWORD genapp_store_proc(GenappResource *res, const GenappProcId *id)
{
  char start[32];
  g_snprintf(start, sizeof start, "%" G_GUINT64_FORMAT, id->start_time);
  DWORD pid = (DWORD)id->pid;
  HREGBATCH batch;
  DWORD status = ClusterRegCreateBatch(res->process_key, &batch);
  if (status != ERROR_SUCCESS)
    return status;
  (void)ClusterRegBatchAddCommand(batch, CLUSREG_SET_VALUE, "Pid", REG_DWORD, &pid, sizeof pid);
  (void)ClusterRegBatchAddCommand(batch, CLUSREG_SET_VALUE, "StartTime", REG_SZ, start,
                                  (DWORD)strlen(start) + 1);
  return ClusterRegCloseBatch(batch, TRUE, NULL);
}

static void genapp_clear_proc(GenappResource *res)
{
  g_mutex_lock(&res->lock);
  res->proc = (GenappProcId){0};
  g_mutex_unlock(&res->lock);
  HREGBATCH batch;
  if (ClusterRegCreateBatch(res->process_key, &batch) != ERROR_SUCCESS)
    return;
  (void)ClusterRegBatchAddCommand(batch, CLUSREG_DELETE_VALUE, "Pid", 0, NULL, 0);
  (void)ClusterRegBatchAddCommand(batch, CLUSREG_DELETE_VALUE, "StartTime", 0, NULL, 0);
  (void)ClusterRegCloseBatch(batch, TRUE, NULL);
}

static void genapp_load_proc(GenappResource *res)
{
  DWORD pid = 0;
  if (ResUtilGetDwordValue(res->process_key, "Pid", &pid, 0) != ERROR_SUCCESS || pid == 0)
    return;
  LPSTR start = ResUtilGetSzValue(res->process_key, "StartTime");
  if (start == NULL)
    return;
  GenappProcId id = {.pid = (pid_t)pid, .start_time = g_ascii_strtoull(start, NULL, 10)};
  ResUtilFree(start);
  if (genapp_proc_alive(&id)) {
    res->proc = id;
    genapp_log(res->handle, LOG_INFORMATION, "adopted running application, pid %1!u!", (DWORD)pid);
  }
}

static GenappProcId genapp_current_proc(GenappResource *res)
{
  g_mutex_lock(&res->lock);
  GenappProcId id = res->proc;
  g_mutex_unlock(&res->lock);
  return id;
}

/* ---- Exit watch ---------------------------------------------------------------------------- */

static void genapp_watcher_stop(GenappResource *res)
{
  genapp_watch_remove(res->watch_id);
  res->watch_id = 0;
}

/* Only called from the Online worker, which never runs concurrently with a stop. */
static DWORD genapp_watcher_start(GenappResource *res, const GenappProcId *id)
{
  int pidfd = genapp_proc_pidfd_open(id);
  if (pidfd < 0)
    return ERROR_PROCESS_ABORTED;
  res->watch_id = genapp_watch_add(pidfd, res->event, res->handle, genapp_log);
  return res->watch_id != 0 ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

/* ---- Validation ---------------------------------------------------------------------------- */

/* Checks a parameter block; on success returns argv and the resolved program path. */
static DWORD genapp_check_params(const GenappParams *p, char ***argv_out, char **path_out,
                                 const char **why)
{
  struct stat st;
  g_auto(GStrv) argv = NULL;
  g_autofree char *path = NULL;

  if (p->CommandLine == NULL || p->CommandLine[0] == '\0') {
    *why = "CommandLine is empty";
    return ERROR_INVALID_PARAMETER;
  }
  if (!g_shell_parse_argv(p->CommandLine, NULL, &argv, NULL)) {
    *why = "CommandLine cannot be parsed";
    return ERROR_INVALID_PARAMETER;
  }
  const char *cwd = p->CurrentDirectory ? p->CurrentDirectory : "/";
  if (cwd[0] != '/' || strstr(cwd, "/../") != NULL || g_str_has_suffix(cwd, "/..")) {
    *why = "CurrentDirectory is not an absolute path";
    return ERROR_INVALID_PARAMETER;
  }
  if (stat(cwd, &st) != 0 || !S_ISDIR(st.st_mode)) {
    *why = "CurrentDirectory does not exist";
    return ERROR_PATH_NOT_FOUND;
  }
  if (p->HealthCommand != NULL && p->HealthCommand[0] != '\0') {
    g_auto(GStrv) hargv = NULL;
    if (!g_shell_parse_argv(p->HealthCommand, NULL, &hargv, NULL)) {
      *why = "HealthCommand cannot be parsed";
      return ERROR_INVALID_PARAMETER;
    }
  }
  if (p->ReadyCommand != NULL && p->ReadyCommand[0] != '\0') {
    g_auto(GStrv) rargv = NULL;
    if (!g_shell_parse_argv(p->ReadyCommand, NULL, &rargv, NULL)) {
      *why = "ReadyCommand cannot be parsed";
      return ERROR_INVALID_PARAMETER;
    }
  }
  if (p->Environment != NULL) {
    g_auto(GStrv) vars = g_strsplit(p->Environment, ";", -1);
    for (char **v = vars; *v; v++) {
      if (**v != '\0' && (strchr(*v, '=') == NULL || **v == '=')) {
        *why = "Environment is not NAME=VALUE;...";
        return ERROR_INVALID_PARAMETER;
      }
    }
  }
  if (p->User != NULL && p->User[0] != '\0') {
    GenappProcCred cred;
    int r = genapp_proc_cred_lookup(p->User, &cred);
    if (r != 0) {
      *why = "User does not exist";
      return ERROR_INVALID_PARAMETER;
    }
    genapp_proc_cred_clear(&cred);
  }
  if (strchr(argv[0], '/') != NULL) {
    if (argv[0][0] == '/')
      path = g_strdup(argv[0]);
    else
      path = g_build_filename(cwd, argv[0], NULL);
  } else {
    path = g_find_program_in_path(argv[0]);
  }
  if (path == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
    *why = "the program of CommandLine does not exist or is not executable";
    return ERROR_FILE_NOT_FOUND;
  }
  if (argv_out)
    *argv_out = g_steal_pointer(&argv);
  if (path_out)
    *path_out = g_steal_pointer(&path);
  return ERROR_SUCCESS;
}

static char **genapp_build_env(const char *extra, const char *user, const GenappProcCred *cred)
{
  char **env = g_get_environ();
  if (cred != NULL) {
    env = g_environ_setenv(env, "USER", user, TRUE);
    env = g_environ_setenv(env, "LOGNAME", user, TRUE);
    env = g_environ_setenv(env, "HOME", cred->home, TRUE);
  }
  if (extra == NULL)
    return env;
  g_auto(GStrv) vars = g_strsplit(extra, ";", -1);
  for (char **v = vars; *v; v++) {
    char *eq = strchr(*v, '=');
    if (eq == NULL || eq == *v)
      continue;
    *eq = '\0';
    env = g_environ_setenv(env, *v, eq + 1, TRUE);
  }
  return env;
}

/* ---- Stopping ------------------------------------------------------------------------------ */

/*
 * Stops the tree rooted at @id: SIGTERM, up to @stop_ms for it to go, then SIGKILL until
 * everything is gone.  @worker (may be NULL) cuts the clean window short when terminated;
 * @res gets OfflinePending reports so PendingTimeout does not expire during a long window.
 */
static void genapp_stop_tree(GenappResource *res, const GenappProcId *id, DWORD stop_ms,
                             PCLUS_WORKER worker)
{
  g_autoptr(GArray) tree = genapp_proc_tree_new(id);
  if (genapp_proc_tree_alive(tree) == 0)
    return;

  if (stop_ms > 0) {
    genapp_proc_tree_signal(tree, SIGTERM);
    gint64 start = g_get_monotonic_time();
    gint64 deadline = start + (gint64)stop_ms * 1000;
    gint64 next_report = start + G_USEC_PER_SEC;
    while (g_get_monotonic_time() < deadline) {
      if (worker && ClusWorkerCheckTerminate(worker))
        break;
      g_usleep(GENAPP_POLL_MS * 1000);
      genapp_proc_tree_collect(tree);
      if (genapp_proc_tree_alive(tree) == 0)
        return;
      if (worker && g_get_monotonic_time() >= next_report) {
        next_report += G_USEC_PER_SEC;
        if (!genapp_report(res, ClusterResourceOfflinePending))
          break;
      }
    }
    genapp_log(res->handle, LOG_WARNING,
               "application did not stop within %1!u! ms, killing its %2!u! processes", stop_ms,
               genapp_proc_tree_alive(tree));
  }

  /* Re-collect before every round: a dying parent's children move to another parent, and a
   * member may still fork until the signal lands. */
  gint64 deadline = g_get_monotonic_time() + (gint64)GENAPP_KILL_WAIT_MS * 1000;
  for (;;) {
    genapp_proc_tree_collect(tree);
    genapp_proc_tree_signal(tree, SIGKILL);
    if (genapp_proc_tree_alive(tree) == 0)
      return;
    if (g_get_monotonic_time() >= deadline) {
      genapp_log(res->handle, LOG_ERROR, "%1!u! processes survived SIGKILL (stuck in the kernel?)",
                 genapp_proc_tree_alive(tree));
      return;
    }
    g_usleep(5 * 1000);
  }
}

/* ---- Workers ------------------------------------------------------------------------------- */

static gboolean genapp_run_check(GenappResource *res, const char *cmd, DWORD timeout, char *why_buf,
                                 gsize why_len, const char **why);

#define GENAPP_READY_RETRY_MS 100u

/* ReadyCommand: retried until it succeeds, the application dies, the host terminates the
 * worker or ReadyTimeout passes.  A checkpoint per try keeps the host's PendingTimeout (an
 * inactivity timer) from firing while a slow service comes up. */
static DWORD genapp_wait_ready(PCLUS_WORKER worker, GenappResource *res, const GenappProcId *id)
{
  g_mutex_lock(&res->lock);
  g_autofree char *cmd = g_strdup(res->params.ReadyCommand);
  DWORD limit = res->params.ReadyTimeout;
  DWORD run_timeout = res->params.HealthTimeout;
  g_mutex_unlock(&res->lock);
  if (cmd == NULL || cmd[0] == '\0')
    return ERROR_SUCCESS;

  gint64 deadline = g_get_monotonic_time() + (gint64)limit * 1000;
  char buf[128];
  const char *why = NULL;
  for (guint tries = 1;; tries++) {
    gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
    DWORD t = (DWORD)MIN((gint64)run_timeout, MAX(left_ms, 1));
    if (genapp_run_check(res, cmd, t, buf, sizeof buf, &why)) {
      if (tries > 1)
        genapp_log(res->handle, LOG_INFORMATION, "ready after %1!u! checks", (DWORD)tries);
      return ERROR_SUCCESS;
    }
    if (ClusWorkerCheckTerminate(worker))
      return ERROR_OPERATION_ABORTED;
    if (!genapp_proc_alive(id)) {
      genapp_log(res->handle, LOG_ERROR, "application pid %1!u! exited before it was ready",
                 (DWORD)id->pid);
      return ERROR_PROCESS_ABORTED;
    }
    if (g_get_monotonic_time() >= deadline) {
      genapp_log(res->handle, LOG_ERROR, "not ready within %1!u! ms: ReadyCommand: %2!s!", limit,
                 why);
      return ERROR_TIMEOUT;
    }
    if (!genapp_report(res, ClusterResourceOnlinePending))
      return ERROR_OPERATION_ABORTED;
    g_usleep(GENAPP_READY_RETRY_MS * 1000);
  }
}

typedef struct {
  GenappResource *res;
  char *path;
  char **argv;
  char **envp;
  char *cwd;
  gboolean has_cred;
  GenappProcCred cred;
} OnlineJob;

static void online_job_free(OnlineJob *job)
{
  g_free(job->path);
  g_strfreev(job->argv);
  g_strfreev(job->envp);
  g_free(job->cwd);
  genapp_proc_cred_clear(&job->cred);
  g_free(job);
}

static DWORD WINAPI genapp_online_worker(PCLUS_WORKER worker, LPVOID data)
{
  OnlineJob *job = data;
  GenappResource *res = job->res;
  GenappProcId id = genapp_current_proc(res);

  if (!genapp_proc_alive(&id)) {
    /* Recorded before it runs: the child waits before exec until its pid and start time are in
     * the Process key.  A host killed at any instant leaves either a recorded application (the
     * next Open adopts it, a stop kills it) or a child that exits without running anything. */
    GenappProcHeld held;
    int r = genapp_proc_spawn_held(job->path, job->argv, job->envp, job->cwd,
                                   job->has_cred ? &job->cred : NULL, &held, &id);
    DWORD stored = r == 0 ? genapp_store_proc(res, &id) : ERROR_SUCCESS;
    if (r == 0 && stored != ERROR_SUCCESS) {
      genapp_proc_discard(&held);
      genapp_log(res->handle, LOG_ERROR,
                 "cannot record the process in the Process key: error %1!u!", stored);
      genapp_report(res, ClusterResourceFailed);
      online_job_free(job);
      return stored;
    }
    if (r == 0 && (r = genapp_proc_release(&held)) != 0)
      genapp_clear_proc(res);
    if (r != 0) {
      genapp_log(res->handle, LOG_ERROR, "cannot start %1!s!: %2!s!", job->path, g_strerror(r));
      genapp_report(res, ClusterResourceFailed);
      online_job_free(job);
      return (DWORD)r;
    }
    g_mutex_lock(&res->lock);
    res->proc = id;
    res->starts++;
    g_mutex_unlock(&res->lock);
    genapp_log(res->handle, LOG_INFORMATION, "started %1!s! as pid %2!u!", job->path,
               (DWORD)id.pid);

    /* A program that exits at once (bad option, missing file) must fail the Online, not show
     * up as a crash a moment later. */
    for (guint waited = 0; waited < GENAPP_SETTLE_MS; waited += GENAPP_POLL_MS) {
      if (ClusWorkerCheckTerminate(worker)) {
        online_job_free(job);
        return ERROR_OPERATION_ABORTED; /* Terminate kills what we started */
      }
      g_usleep(GENAPP_POLL_MS * 1000);
      if (!genapp_proc_alive(&id))
        break;
    }
  }
  online_job_free(job);

  if (!genapp_proc_alive(&id) || genapp_watcher_start(res, &id) != ERROR_SUCCESS) {
    genapp_log(res->handle, LOG_ERROR, "application pid %1!u! exited during start-up",
               (DWORD)id.pid);
    genapp_clear_proc(res);
    genapp_report(res, ClusterResourceFailed);
    return ERROR_PROCESS_ABORTED;
  }
  if (ClusWorkerCheckTerminate(worker))
    return ERROR_OPERATION_ABORTED;
  DWORD ready = genapp_wait_ready(worker, res, &id);
  if (ready == ERROR_OPERATION_ABORTED)
    return ready;
  if (ready != ERROR_SUCCESS) {
    /* Failed, and not left running half-started. */
    genapp_watcher_stop(res);
    genapp_stop_tree(res, &id, 0, NULL);
    genapp_clear_proc(res);
    genapp_report(res, ClusterResourceFailed);
    return ready;
  }
  genapp_report(res, ClusterResourceOnline);
  return ERROR_SUCCESS;
}

static DWORD WINAPI genapp_offline_worker(PCLUS_WORKER worker, LPVOID data)
{
  GenappResource *res = data;

  genapp_watcher_stop(res);
  GenappProcId id = genapp_current_proc(res);
  g_mutex_lock(&res->lock);
  DWORD stop_ms = res->params.StopTimeout;
  g_mutex_unlock(&res->lock);

  if (id.pid > 0)
    genapp_stop_tree(res, &id, stop_ms, worker);
  genapp_clear_proc(res);
  if (ClusWorkerCheckTerminate(worker))
    return ERROR_OPERATION_ABORTED;
  genapp_log(res->handle, LOG_INFORMATION, "application stopped");
  genapp_report(res, ClusterResourceOffline);
  return ERROR_SUCCESS;
}

/* ---- Property changes (ClusResUtilResourceControl calls these) ----------------------------- */

/* CheckParameters: a merged block must pass what Online checks. */
static DWORD WINAPI genapp_check_merged(PVOID context, const BYTE *params)
{
  GenappResource *res = context;
  const char *why = NULL;
  DWORD status = genapp_check_params((const GenappParams *)params, NULL, NULL, &why);
  if (status != ERROR_SUCCESS)
    genapp_log(res->handle, LOG_ERROR, "invalid properties: %1!s!", why);
  return status;
}

static gboolean str_differs(const char *a, const char *b)
{
  return g_strcmp0(a ? a : "", b ? b : "") != 0;
}

/* ApplyParameters: the new values replace the live ones under the lock the workers take. */
static DWORD WINAPI genapp_apply(PVOID context, LPBYTE new_params)
{
  GenappResource *res = context;
  GenappParams *next = (GenappParams *)new_params;

  g_mutex_lock(&res->lock);
  /* HealthCommand, HealthTimeout and StopTimeout are read at each use: they apply live, and
   * ReadyCommand/ReadyTimeout only matter during the next start.  The others change the
   * running process. */
  gboolean restart_needed = str_differs(next->CommandLine, res->params.CommandLine) ||
                            str_differs(next->CurrentDirectory, res->params.CurrentDirectory) ||
                            str_differs(next->Environment, res->params.Environment) ||
                            str_differs(next->User, res->params.User);
  GenappParams old = res->params;
  res->params = *next;
  *next = old; /* freed by the caller */
  gboolean running = res->proc.pid > 0;
  g_mutex_unlock(&res->lock);
  return restart_needed && running ? ERROR_RESOURCE_PROPERTIES_STORED : ERROR_SUCCESS;
}

/* ---- Entry points -------------------------------------------------------------------------- */

static RESID WINAPI GenappOpen(LPCSTR ResourceName, HKEY ResourceKey,
                               RESOURCE_HANDLE ResourceHandle)
{
  HKEY params_key = NULL, process_key = NULL;
  DWORD status;

  status = ClusterRegOpenKey(ResourceKey, "Parameters", KEY_ALL_ACCESS, &params_key);
  if (status != ERROR_SUCCESS) {
    genapp_log(ResourceHandle, LOG_ERROR, "cannot open the Parameters key: error %1!u!", status);
    SetLastError(status);
    return NULL;
  }
  /* Volatile: the process is run-time state.  It survives a host restart (re-adoption) but not
   * a reboot, after which no process of ours runs anyway. */
  status = ClusterRegCreateKeyEx(ResourceKey, GENAPP_PROCESS_KEY, REG_OPTION_VOLATILE,
                                 KEY_ALL_ACCESS, &process_key, NULL);
  if (status != ERROR_SUCCESS) {
    genapp_log(ResourceHandle, LOG_ERROR, "cannot open the Process key: error %1!u!", status);
    ClusterRegCloseKey(params_key);
    SetLastError(status);
    return NULL;
  }

  GenappResource *res = g_new0(GenappResource, 1);
  res->name = g_strdup(ResourceName);
  res->handle = ResourceHandle;
  res->params_key = params_key;
  res->process_key = process_key;
  g_mutex_init(&res->lock);
  res->props = (CLUSRES_PRIVATE_PROPERTIES){
      .PropertyTable = genapp_properties,
      .ParametersKey = params_key,
      .Params = (LPBYTE)&res->params,
      .cbParams = sizeof res->params,
      .CheckParameters = genapp_check_merged,
      .ApplyParameters = genapp_apply,
      .Context = res,
  };
  /* Missing required values are fine here: Pacemaker may set them before Online. */
  LPSTR bad = NULL;
  status = ResUtilGetPropertiesToParameterBlock(params_key, genapp_properties, (LPBYTE)&res->params,
                                                FALSE, &bad);
  if (status != ERROR_SUCCESS)
    genapp_log(ResourceHandle, LOG_WARNING, "cannot read property %1!s!: error %2!u!",
               bad ? bad : "?", status);
  ResUtilFree(bad);
  genapp_load_proc(res);
  return res;
}

static VOID WINAPI GenappClose(RESID Resource)
{
  GenappResource *res = Resource;
  if (res == NULL)
    return;
  /* The application keeps running: see the file comment (re-adoption). */
  ClusWorkerTerminate(&res->worker);
  genapp_watcher_stop(res);
  if (res->event)
    ClusResCloseHandle(res->event);
  ClusterRegCloseKey(res->params_key);
  ClusterRegCloseKey(res->process_key);
  genapp_params_free(&res->params);
  g_mutex_clear(&res->lock);
  g_free(res->name);
  g_free(res);
}

static DWORD WINAPI GenappOnline(RESID Resource, LPHANDLE EventHandle)
{
  GenappResource *res = Resource;
  GenappParams fresh = {0};
  LPSTR bad = NULL;
  const char *why = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *path = NULL;

  if (res == NULL)
    return ERROR_RESOURCE_NOT_FOUND;
  ClusWorkerTerminate(&res->worker);
  genapp_watcher_stop(res);

  /* Online uses the values stored now: Pacemaker may have changed them since Open. */
  DWORD status = ResUtilGetPropertiesToParameterBlock(res->params_key, genapp_properties,
                                                      (LPBYTE)&fresh, TRUE, &bad);
  if (status != ERROR_SUCCESS) {
    genapp_log(res->handle, LOG_ERROR, "property %1!s! is missing or invalid", bad ? bad : "?");
    ResUtilFree(bad);
    genapp_params_free(&fresh);
    return status;
  }
  status = genapp_check_params(&fresh, &argv, &path, &why);
  if (status != ERROR_SUCCESS) {
    genapp_log(res->handle, LOG_ERROR, "cannot start: %1!s!", why);
    genapp_params_free(&fresh);
    return status;
  }

  OnlineJob *job = g_new0(OnlineJob, 1);
  job->res = res;
  job->path = g_steal_pointer(&path);
  job->argv = g_steal_pointer(&argv);
  if (fresh.User != NULL && fresh.User[0] != '\0') {
    /* Looked up here, not in the child: getpwnam is not async-signal-safe. */
    if (genapp_proc_cred_lookup(fresh.User, &job->cred) != 0) {
      genapp_log(res->handle, LOG_ERROR, "cannot start: user %1!s! does not exist", fresh.User);
      online_job_free(job);
      genapp_params_free(&fresh);
      return ERROR_INVALID_PARAMETER;
    }
    job->has_cred = TRUE;
  }
  job->envp = genapp_build_env(fresh.Environment, fresh.User, job->has_cred ? &job->cred : NULL);
  job->cwd = g_strdup(fresh.CurrentDirectory ? fresh.CurrentDirectory : "/");

  g_mutex_lock(&res->lock);
  genapp_params_free(&res->params);
  res->params = fresh;
  g_mutex_unlock(&res->lock);

  if (res->event == NULL) {
    res->event = ClusResCreateEvent(TRUE, FALSE);
    if (res->event == NULL) {
      online_job_free(job);
      return GetLastError() ? GetLastError() : ERROR_NOT_ENOUGH_MEMORY;
    }
  } else {
    ClusResResetEvent(res->event);
  }

  status = ClusWorkerCreate(&res->worker, genapp_online_worker, job);
  if (status != ERROR_SUCCESS) {
    online_job_free(job);
    return status;
  }
  if (EventHandle)
    *EventHandle = res->event;
  return ERROR_IO_PENDING;
}

static DWORD WINAPI GenappOffline(RESID Resource)
{
  GenappResource *res = Resource;
  if (res == NULL)
    return ERROR_RESOURCE_NOT_FOUND;
  ClusWorkerTerminate(&res->worker);
  return ClusWorkerCreate(&res->worker, genapp_offline_worker, res) == ERROR_SUCCESS
             ? ERROR_IO_PENDING
             : ERROR_NOT_ENOUGH_MEMORY;
}

static VOID WINAPI GenappTerminate(RESID Resource)
{
  GenappResource *res = Resource;
  if (res == NULL)
    return;
  ClusWorkerTerminate(&res->worker);
  genapp_watcher_stop(res);
  GenappProcId id = genapp_current_proc(res);
  if (id.pid > 0) {
    genapp_stop_tree(res, &id, 0, NULL);
    genapp_log(res->handle, LOG_INFORMATION, "application pid %1!u! killed", (DWORD)id.pid);
  }
  genapp_clear_proc(res);
}

static BOOL WINAPI GenappLooksAlive(RESID Resource)
{
  GenappResource *res = Resource;
  if (res == NULL)
    return FALSE;
  GenappProcId id = genapp_current_proc(res);
  return id.pid > 0 && genapp_proc_alive(&id);
}

/* Runs @cmd (HealthCommand or ReadyCommand syntax) as the application's user, in its directory
 * and environment, killed after @timeout ms.  TRUE if it exited with status 0; otherwise
 * *why (static or in @why_buf) says what went wrong, for the caller to log once. */
static gboolean genapp_run_check(GenappResource *res, const char *cmd, DWORD timeout, char *why_buf,
                                 gsize why_len, const char **why)
{
  g_mutex_lock(&res->lock);
  g_autofree char *cwd =
      g_strdup(res->params.CurrentDirectory ? res->params.CurrentDirectory : "/");
  g_autofree char *user = g_strdup(res->params.User);
  g_autofree char *extra_env = g_strdup(res->params.Environment);
  g_mutex_unlock(&res->lock);

  g_auto(GStrv) argv = NULL;
  if (!g_shell_parse_argv(cmd, NULL, &argv, NULL)) {
    *why = "the command cannot be parsed";
    return FALSE;
  }
  GenappProcCred cred = {0};
  gboolean has_cred = user != NULL && user[0] != '\0';
  if (has_cred && genapp_proc_cred_lookup(user, &cred) != 0) {
    *why = "the user does not exist";
    return FALSE;
  }
  g_auto(GStrv) envp = genapp_build_env(extra_env, user, has_cred ? &cred : NULL);
  if (has_cred && argv[0][0] != '/') {
    /* Without a shell or execvp after the fork, the program needs its full path. */
    char *full = g_find_program_in_path(argv[0]);
    if (full != NULL) {
      g_free(argv[0]);
      argv[0] = full;
    }
  }
  int wstatus = 0;
  int r = genapp_proc_run_with_timeout(argv, envp, cwd, has_cred ? &cred : NULL, timeout, &wstatus);
  genapp_proc_cred_clear(&cred);
  if (r == ETIMEDOUT) {
    g_snprintf(why_buf, why_len, "it did not finish within %u ms", (unsigned)timeout);
  } else if (r != 0) {
    g_snprintf(why_buf, why_len, "it cannot run: %s", g_strerror(r));
  } else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    g_snprintf(why_buf, why_len, "it failed (wait status %d)", wstatus);
  } else {
    return TRUE;
  }
  *why = why_buf;
  return FALSE;
}

static BOOL WINAPI GenappIsAlive(RESID Resource)
{
  GenappResource *res = Resource;
  if (!GenappLooksAlive(Resource))
    return FALSE;
  if (ClusResGetCheckLevel() < 10)
    return TRUE;

  g_mutex_lock(&res->lock);
  g_autofree char *cmd = g_strdup(res->params.HealthCommand);
  DWORD timeout = res->params.HealthTimeout;
  g_mutex_unlock(&res->lock);
  if (cmd == NULL || cmd[0] == '\0')
    return TRUE;

  char buf[128];
  const char *why = NULL;
  if (!genapp_run_check(res, cmd, timeout, buf, sizeof buf, &why)) {
    genapp_log(res->handle, LOG_ERROR, "health check: %1!s!", why);
    return FALSE;
  }
  return TRUE;
}

/* ---- Controls ------------------------------------------------------------------------------ */

static DWORD genapp_ro_properties(GenappResource *res, PVOID out, DWORD out_size, LPDWORD returned)
{
  GenappProcId id = genapp_current_proc(res);
  gboolean alive = id.pid > 0 && genapp_proc_alive(&id);
  g_mutex_lock(&res->lock);
  DWORD starts = res->starts;
  g_mutex_unlock(&res->lock);
  char start[32];
  g_snprintf(start, sizeof start, "%" G_GUINT64_FORMAT, alive ? id.start_time : 0);

  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  if (list == NULL)
    return ERROR_NOT_ENOUGH_MEMORY;
  ClusResPropListAddDword(list, "Pid", alive ? (DWORD)id.pid : 0);
  ClusResPropListAddSz(list, "StartTime", start);
  ClusResPropListAddSz(list, "State", alive ? "running" : "stopped");
  ClusResPropListAddDword(list, "Starts", starts);
  DWORD status = ClusResPropListReturn(list, out, out_size, returned);
  ClusResPropListFree(list);
  return status;
}

/* Only the read-only status is genapp's own; the library answers the rest. */
static DWORD WINAPI GenappResourceControl(RESID Resource, DWORD ControlCode, PVOID InBuffer,
                                          DWORD InBufferSize, PVOID OutBuffer, DWORD OutBufferSize,
                                          LPDWORD BytesReturned)
{
  GenappResource *res = Resource;
  if (res != NULL && ControlCode == CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES)
    return genapp_ro_properties(res, OutBuffer, OutBufferSize, BytesReturned);
  return ClusResUtilResourceControl(res != NULL ? &res->props : NULL, ControlCode, InBuffer,
                                    InBufferSize, OutBuffer, OutBufferSize, BytesReturned);
}

CLUSRES_DEFINE_RESOURCE_TYPE_CONTROL(GenappResourceTypeControl, genapp_type_info)

static CLRES_V1_FUNCTION_TABLE(genapp_function_table, CLRES_VERSION_V1_00, Genapp, NULL, NULL,
                               GenappResourceControl, GenappResourceTypeControl);

CLUSRES_DEFINE_STARTUP_FOR_TYPE(GENAPP_TYPE, genapp_function_table, genapp_set_status, genapp_log)
