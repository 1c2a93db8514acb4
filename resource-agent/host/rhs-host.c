/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Resource Monitor core.  Threads: the main loop only schedules (poll timers, event fds,
 * deadlines, D-Bus calls other than Online/Offline, which rhs-dbus hands from GDBus's worker
 * thread to a pool worker); every DLL entry point runs on a worker of one unbounded GThreadPool,
 * so a slow or hung DLL never blocks D-Bus, and Terminate always finds a thread even while
 * Online sits on the DLL lock.  Locks, outermost first: inst->op_lock (one operation per
 * instance), dll->lifecycle, dll->lock, host->lock, inst->mutex.  inst->mutex and host->lock
 * are never held across a DLL call.  A Monitor that needs no DLL call is answered on the
 * caller's thread (rhs_host_monitor_now: host->lock, then inst->mutex only).
 */
#include "rhs-host.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cg-pacemaker.h"
#include "clusres-config.h"
#include "clusres-input.h"
#include "clusres-state.h"
#include "rhs-crash.h"
#include "rhs-dll.h"
#include "rhs-due.h"
#include "clusres-propvar.h"
#include "rhs-log.h"
#include "rhs-logfmt.h"
#include "rhs-pending.h"
#include "rhs-poll.h"
#include "rhs-state.h"
#include "rhs-watchdog.h"

G_DEFINE_QUARK(rhs - host - error - quark, rhs_host_error)

#define RHS_PUSH_TIMEOUT_MS 10000
#define RHS_MAX_CONTROL_BUFFER (1024 * 1024)
/* Upper bound on the age of a health answer a depth-0 Monitor reuses (README: "Monitor"). */
#define RHS_ALIVE_REUSE_MAX_MS 1000u
/* How long a cleanly stopped instance stays open (meta close_delay; README: "Parked"). */
#define RHS_DEFAULT_CLOSE_DELAY_MS 600000u
/* Parked instances whose time runs out within this much are closed together: a thousand
 * shares stopped in one burst are closed by one sweep, not a thousand. */
#define RHS_PARK_SWEEP_SLACK_US (2 * G_USEC_PER_SEC)

typedef struct _CLUSRES_RESOURCE RhsInstance;

/* The RESOURCE_HANDLE a DLL gets is the instance itself. */
struct _CLUSRES_RESOURCE {
  gint ref;
  RhsHost *host;
  char *name;
  GMutex op_lock;

  /* Set under op_lock by the operation that (re)configures the instance. */
  char *type_name;
  char *dll_path;
  char *node;
  GHashTable *params;
  GHashTable *meta;
  RhsType *type;
  RESID resid;
  HKEY key;
  guint32 looks_alive_ms, is_alive_ms, pending_ms, deadlock_ms, close_delay_ms;

  GMutex mutex; /* protects everything below */
  GCond cond;
  CLUSTER_RESOURCE_STATE state;
  RhsPending *pending; /* while Online/Offline is pending: SetResourceStatus feeds it */
  gboolean terminating;
  HANDLE event;
  int event_fd; /* ClusResEventFd(event), taken when set: polled without the handle */
  gboolean recovered;
  gboolean push_in_flight;
  /* Monotonic time (us) until which a depth-0 Monitor may answer Online without a DLL call:
   * the last LooksAlive/IsAlive TRUE plus MIN(RHS_ALIVE_REUSE_MAX_MS, LooksAlive interval / 2).
   * 0 after every state change. */
  gint64 alive_until;
  /* The reason the last LooksAlive/IsAlive that said TRUE gave for being degraded
   * (ClusResSetDegraded), NULL when it was not; cleared by every state change.  A Monitor then
   * answers CLUSRES_STATE_ONLINE_DEGRADED with it (always through the DLL: no reuse window). */
  char *degraded;
  guint poll_busy; /* bit per RhsPollWhat: one job of each kind at a time */
  char *last_call;
  char
      *last_error; /* the last LOG_ERROR/LOG_SEVERE line the DLL logged: the why of a failed Open */
  double last_call_ms;
  gint64 last_call_time; /* real time, us */
  guint64 calls;
  GVariant *private_status;
  /* Parked: stopped cleanly but kept open until this monotonic time (us), so that a start on
   * this node skips Open (0: not parked).  Set and cleared under op_lock too. */
  gint64 park_until;
  gboolean removed; /* out of host->instances: a job that got it before must look it up again */
  /* Left by a previous host in the middle of Online or Offline (its record said onlining,
   * offlining or failed): it may still run, partly started or partly stopped, so it is Failed
   * and the next stop or start runs Offline on it first (inst_cleanup); resid is NULL if
   * recovery could not open it.  Set and cleared under op_lock, read under mutex too. */
  gboolean interrupted;

  RhsPoll *poll; /* started/stopped under op_lock (inst_start_poll), swapped under mutex */
};

struct RhsHost {
  char *separate;
  char *state_dir;
  GMainContext *ctx;
  RhsPollSched *poll_sched; /* every online instance's poll timers: one source (rhs-poll.h) */
  /* Online/Offline deadlines (arm_deadline): Op * by due time, one source for all of them. */
  GMutex deadline_lock;
  GSource *deadline_source;
  RhsDueQueue deadlines;
  /* Parked instances: one source whose ready time is the earliest park_until (-1: none);
   * set under park_lock. */
  GMutex park_lock;
  GSource *park_source;
  GThreadPool *pool;
  RhsWatchdog *wd;
  GMutex lock;
  GHashTable *instances; /* name -> RhsInstance */
  RhsHostStateChanged changed;
  gpointer changed_data;
  gint jobs;
  GMutex jobs_lock;
  GCond jobs_cond;
  gboolean shutting_down;
};

/* Live handles: a DLL may call back with a handle after Close (a buggy worker); such calls
 * must find nothing instead of freed memory. */
static GMutex handles_lock;
static GHashTable *handles;

/* ---- instances ------------------------------------------------------------------------- */

static RhsInstance *inst_ref(RhsInstance *inst)
{
  g_atomic_int_inc(&inst->ref);
  return inst;
}

static void inst_unref(RhsInstance *inst)
{
  if (!g_atomic_int_dec_and_test(&inst->ref))
    return;
  g_free(inst->name);
  g_free(inst->type_name);
  g_free(inst->dll_path);
  g_free(inst->node);
  g_clear_pointer(&inst->params, g_hash_table_unref);
  g_clear_pointer(&inst->meta, g_hash_table_unref);
  g_clear_pointer(&inst->pending, rhs_pending_free);
  g_free(inst->last_call);
  g_free(inst->last_error);
  g_free(inst->degraded);
  g_clear_pointer(&inst->private_status, g_variant_unref);
  g_mutex_clear(&inst->op_lock);
  g_mutex_clear(&inst->mutex);
  g_cond_clear(&inst->cond);
  g_free(inst);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RhsInstance, inst_unref)

static RhsInstance *host_lookup(RhsHost *host, const char *name)
{
  g_mutex_lock(&host->lock);
  RhsInstance *inst = g_hash_table_lookup(host->instances, name);
  if (inst != NULL)
    inst_ref(inst);
  g_mutex_unlock(&host->lock);
  return inst;
}

static RhsInstance *host_get_or_create(RhsHost *host, const char *name)
{
  g_mutex_lock(&host->lock);
  RhsInstance *inst = g_hash_table_lookup(host->instances, name);
  if (inst == NULL) {
    inst = g_new0(RhsInstance, 1);
    inst->ref = 1;
    inst->host = host;
    inst->name = g_strdup(name);
    inst->state = ClusterResourceOffline;
    g_mutex_init(&inst->op_lock);
    g_mutex_init(&inst->mutex);
    g_cond_init(&inst->cond);
    g_hash_table_insert(host->instances, inst->name, inst);
    g_mutex_lock(&handles_lock);
    g_hash_table_add(handles, inst);
    g_mutex_unlock(&handles_lock);
  }
  inst_ref(inst);
  g_mutex_unlock(&host->lock);
  return inst;
}

static void host_remove(RhsHost *host, RhsInstance *inst)
{
  g_mutex_lock(&inst->mutex);
  inst->removed = TRUE;
  inst->park_until = 0;
  g_mutex_unlock(&inst->mutex);
  g_mutex_lock(&handles_lock);
  g_hash_table_remove(handles, inst);
  g_mutex_unlock(&handles_lock);
  g_mutex_lock(&host->lock);
  if (g_hash_table_lookup(host->instances, inst->name) == inst)
    g_hash_table_remove(host->instances, inst->name); /* drops the table's reference */
  g_mutex_unlock(&host->lock);
}

/* A referenced copy of the instance table, for walks that take other locks. */
static GPtrArray *host_instances(RhsHost *host)
{
  GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)inst_unref);
  g_mutex_lock(&host->lock);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, host->instances);
  while (g_hash_table_iter_next(&it, NULL, &v))
    g_ptr_array_add(all, inst_ref(v));
  g_mutex_unlock(&host->lock);
  return all;
}

static CLUSTER_RESOURCE_STATE inst_state(RhsInstance *inst)
{
  g_mutex_lock(&inst->mutex);
  CLUSTER_RESOURCE_STATE s = inst->state;
  g_mutex_unlock(&inst->mutex);
  return s;
}

static void inst_set_state(RhsInstance *inst, CLUSTER_RESOURCE_STATE s)
{
  g_mutex_lock(&inst->mutex);
  inst->state = s;
  inst->alive_until = 0;
  g_clear_pointer(&inst->degraded, g_free);
  g_mutex_unlock(&inst->mutex);
}

/* A duration from meta (validated by rhs-dbus), or @dflt when absent or below @min. */
static guint32 meta_ms(GHashTable *meta, const char *key, guint32 min, guint32 dflt)
{
  const char *v = meta != NULL ? g_hash_table_lookup(meta, key) : NULL;
  guint64 n;
  if (v == NULL || !g_ascii_string_to_unsigned(v, 10, min, G_MAXUINT32, &n, NULL))
    return dflt;
  return (guint32)n;
}

/* Common properties: meta first, then the DLL's own type defaults, then Windows defaults. */
static void inst_apply_intervals(RhsInstance *inst)
{
  const CLUSRES_TYPE_INFO *info = inst->type != NULL ? inst->type->info : NULL;
  guint32 la = info != NULL && info->LooksAlivePollInterval ? info->LooksAlivePollInterval
                                                            : CLUSTER_RESOURCE_DEFAULT_LOOKS_ALIVE;
  guint32 ia = info != NULL && info->IsAlivePollInterval ? info->IsAlivePollInterval
                                                         : CLUSTER_RESOURCE_DEFAULT_IS_ALIVE;
  guint32 pt = info != NULL && info->PendingTimeout ? info->PendingTimeout
                                                    : CLUSTER_RESOURCE_DEFAULT_PENDING_TIMEOUT;
  inst->looks_alive_ms = meta_ms(inst->meta, "looks_alive_interval", 1, la);
  inst->is_alive_ms = meta_ms(inst->meta, "is_alive_interval", 1, ia);
  inst->pending_ms = meta_ms(inst->meta, "pending_timeout", 1, pt);
  inst->deadlock_ms =
      meta_ms(inst->meta, "deadlock_timeout", 1, CLUSTER_RESOURCE_DEFAULT_DEADLOCK_TIMEOUT);
  inst->close_delay_ms = meta_ms(inst->meta, "close_delay", 0, RHS_DEFAULT_CLOSE_DELAY_MS);
}

static GHashTable *variant_to_table(GVariant *v)
{
  GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  if (v == NULL)
    return t;
  GVariantIter it;
  const char *k, *val;
  g_variant_iter_init(&it, v);
  while (g_variant_iter_next(&it, "{&s&s}", &k, &val))
    g_hash_table_insert(t, g_strdup(k), g_strdup(val));
  return t;
}

static gboolean tables_equal(GHashTable *a, GHashTable *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (g_hash_table_size(a) != g_hash_table_size(b))
    return FALSE;
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, a);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const char *o = g_hash_table_lookup(b, k);
    if (o == NULL || strcmp(o, v) != 0)
      return FALSE;
  }
  return TRUE;
}

/* ---- timed DLL calls ---------------------------------------------------------------------- */

typedef struct {
  guint64 token;
  const char *name;
} CallTimer;

static void call_begin(RhsInstance *inst, CallTimer *ct, const char *name)
{
  ct->name = name;
  ct->token = rhs_watchdog_begin(inst->host->wd, name, inst->name, inst->deadlock_ms);
}

static void call_end(RhsInstance *inst, CallTimer *ct)
{
  gint64 us = rhs_watchdog_end(inst->host->wd, ct->token);
  g_mutex_lock(&inst->mutex);
  g_free(inst->last_call);
  inst->last_call = g_strdup(ct->name);
  inst->last_call_ms = (double)us / 1000.0;
  inst->last_call_time = g_get_real_time();
  inst->calls++;
  g_mutex_unlock(&inst->mutex);
}

/* Terminate: no DLL lock (it may run while Online/Offline/IsAlive hold it), but never
 * concurrently with Open/Close (lifecycle lock, read side).  FALSE if the instance was not open
 * (nothing to call Terminate on). */
static gboolean inst_terminate(RhsInstance *inst, const char *why)
{
  g_mutex_lock(&inst->mutex);
  inst->terminating = TRUE; /* SetResourceStatus now answers ResourceExitStateTerminate */
  g_cond_broadcast(&inst->cond);
  g_mutex_unlock(&inst->mutex);
  RhsDll *dll = inst->type->dll;
  g_rw_lock_reader_lock(&dll->lifecycle);
  gboolean open = inst->resid != NULL;
  if (open) {
    g_message("%s: Terminate (%s)", inst->name, why);
    CallTimer ct;
    call_begin(inst, &ct, "Terminate");
    inst->type->fn->Terminate(inst->resid);
    call_end(inst, &ct);
  }
  g_rw_lock_reader_unlock(&dll->lifecycle);
  return open;
}

/* A health answer (called under op_lock, so no state change runs concurrently): TRUE opens
 * the reuse window; the degraded reason the call left on this thread (ClusResSetDegraded) is
 * kept with a TRUE and dropped with a FALSE. */
static void inst_note_health(RhsInstance *inst, BOOL ok)
{
  char *degraded = ClusResTakeDegraded();
  gint64 keep_ms = MIN(RHS_ALIVE_REUSE_MAX_MS, inst->looks_alive_ms / 2);
  g_mutex_lock(&inst->mutex);
  if (ok)
    inst->alive_until = g_get_monotonic_time() + keep_ms * G_TIME_SPAN_MILLISECOND;
  g_free(inst->degraded);
  inst->degraded = ok ? degraded : NULL;
  g_mutex_unlock(&inst->mutex);
  if (!ok)
    ResUtilFree(degraded);
}

static BOOL inst_looks_alive(RhsInstance *inst)
{
  CallTimer ct;
  g_mutex_lock(&inst->type->dll->lock);
  ResUtilFree(ClusResTakeDegraded()); /* only what this call says counts */
  call_begin(inst, &ct, "LooksAlive");
  BOOL ok = inst->type->fn->LooksAlive(inst->resid);
  call_end(inst, &ct);
  inst_note_health(inst, ok);
  g_mutex_unlock(&inst->type->dll->lock);
  return ok;
}

static BOOL inst_is_alive(RhsInstance *inst, guint32 level)
{
  CallTimer ct;
  g_mutex_lock(&inst->type->dll->lock);
  ClusResSetCheckLevel(level);
  ResUtilFree(ClusResTakeDegraded());
  call_begin(inst, &ct, "IsAlive");
  BOOL ok = inst->type->fn->IsAlive(inst->resid);
  call_end(inst, &ct);
  ClusResSetCheckLevel(0);
  inst_note_health(inst, ok);
  g_mutex_unlock(&inst->type->dll->lock);
  return ok;
}

/* ---- registry ------------------------------------------------------------------------------ */

static DWORD batch_sz(HREGBATCH batch, const char *name, const char *value)
{
  return ClusterRegBatchAddCommand(batch, CLUSREG_SET_VALUE, name, REG_SZ, value,
                                   (DWORD)strlen(value) + 1);
}

static const RESUTIL_PROPERTY_ITEM *find_prop(const RhsType *type, const char *name)
{
  if (type->info == NULL || type->info->Properties == NULL)
    return NULL;
  for (const RESUTIL_PROPERTY_ITEM *p = type->info->Properties; p->Name != NULL; p++)
    if (g_ascii_strcasecmp(p->Name, name) == 0)
      return p;
  return NULL;
}

/*
 * Writes what the DLL reads in Open/Online: Type, DllPath, NodeName in the resource key and the
 * Pacemaker parameters in "Parameters", typed by the DLL's property table (DWORD/LONG as
 * REG_DWORD, everything else REG_SZ).  Values no longer configured are removed.  All of it is
 * one registry batch: one durable replacement of the resource's file, and none at all when
 * nothing changed (a re-open with the same parameters).
 */
static DWORD write_registry(RhsInstance *inst, HKEY *out_key, GError **error)
{
  HKEY key = NULL, params = NULL;
  HREGBATCH batch = NULL;
  /* Without KEY_WRITE the open creates no file: the batch below creates it with every value at
   * once, so a start that fails before it leaves no key holding only a header behind. */
  DWORD rc = ClusterRegOpenResourceKey(inst->name, KEY_READ, &key);
  if (rc != ERROR_SUCCESS) {
    g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_FAILED, "cannot open registry key of %s: %u",
                inst->name, rc);
    return rc;
  }
  if ((rc = ClusterRegOpenKey(key, "Parameters", KEY_ALL_ACCESS, &params)) != ERROR_SUCCESS ||
      (rc = ClusterRegCreateBatch(key, &batch)) != ERROR_SUCCESS ||
      (rc = batch_sz(batch, "Type", inst->type_name)) != ERROR_SUCCESS ||
      (rc = batch_sz(batch, "DllPath", inst->dll_path)) != ERROR_SUCCESS ||
      (rc = batch_sz(batch, "NodeName", inst->node)) != ERROR_SUCCESS ||
      (rc = ClusterRegBatchAddCommand(batch, CLUSREG_CREATE_KEY, "Parameters", 0, NULL, 0)) !=
          ERROR_SUCCESS) {
    g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_FAILED, "cannot write registry of %s: %u",
                inst->name, rc);
    if (batch != NULL)
      ClusterRegCloseBatch(batch, FALSE, NULL);
    if (params != NULL)
      ClusterRegCloseKey(params);
    ClusterRegCloseKey(key);
    return rc;
  }
  /* Drop stale values (the batch applies the deletions with everything else). */
  for (DWORD i = 0;; i++) {
    char vname[256];
    DWORD cch = sizeof vname;
    if (ClusterRegEnumValue(params, i, vname, &cch, NULL, NULL, NULL) != ERROR_SUCCESS)
      break;
    if (!g_hash_table_contains(inst->params, vname))
      ClusterRegBatchAddCommand(batch, CLUSREG_DELETE_VALUE, vname, 0, NULL, 0);
  }
  ClusterRegCloseKey(params);

  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, inst->params);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const RESUTIL_PROPERTY_ITEM *item = find_prop(inst->type, k);
    const char *vname = item != NULL && item->KeyName != NULL ? item->KeyName : k;
    if (item != NULL &&
        (item->Format == CLUSPROP_FORMAT_DWORD || item->Format == CLUSPROP_FORMAT_LONG)) {
      gint64 n;
      if (!clusres_params_parse_number(item, v, &n)) {
        g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS,
                    "parameter %s=%s is not a number", (char *)k, (char *)v);
        rc = ERROR_INVALID_PARAMETER;
        break;
      }
      DWORD d = (DWORD)n;
      rc = ClusterRegBatchAddCommand(batch, CLUSREG_SET_VALUE, vname, REG_DWORD, &d, sizeof d);
    } else {
      rc = batch_sz(batch, vname, v);
    }
    if (rc != ERROR_SUCCESS) {
      g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_FAILED, "cannot write %s of %s: %u",
                  (char *)k, inst->name, rc);
      break;
    }
  }
  /* All or nothing: a bad parameter leaves the registry as it was. */
  if (rc != ERROR_SUCCESS) {
    ClusterRegCloseBatch(batch, FALSE, NULL);
    ClusterRegCloseKey(key);
    return rc;
  }
  if ((rc = ClusterRegCloseBatch(batch, TRUE, NULL)) != ERROR_SUCCESS) {
    g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_FAILED, "cannot write registry of %s: %u",
                inst->name, rc);
    ClusterRegCloseKey(key);
    return rc;
  }
  *out_key = key;
  return ERROR_SUCCESS;
}

/* ---- persistence ------------------------------------------------------------------------------
 *
 * The record of an instance (rhs-state) exists exactly while something of it may run, and says
 * what a host killed at that moment leaves: written with the intent *before* the DLL is asked
 * to start or stop (onlining before Open/Online, offlining before Offline), replaced when the
 * operation ends (online, failed), removed once it is down.  A restarted host re-opens every
 * record: online ones are asked IsAlive, the others are Failed and stopped by the next stop
 * (job_recover, inst_cleanup).  A start whose record cannot be written fails; a stop goes on
 * (the record it would replace already says the instance may run, and stopping is what makes
 * that safe).  README.md "State records and crashes".
 */

/* Writes @inst's record (its current configuration) as @state; @error in RHS_HOST_ERROR. */
static gboolean inst_record(RhsInstance *inst, const char *state, GError **error)
{
  RhsStateRecord rec = {
      .name = inst->name,
      .type = inst->type_name,
      .dll = inst->dll_path,
      .state = (char *)state,
      .params = inst->params,
      .meta = inst->meta,
  };
  g_autoptr(GError) local = NULL;
  if (rhs_state_save(inst->host->state_dir, &rec, &local))
    return TRUE;
  g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_FAILED, "cannot record %s as %s: %s",
              inst->name, state, local->message);
  return FALSE;
}

/* For records that only refine one already on disk (failed after onlining or online): a
 * failure leaves the older record, which still says the instance may run. */
static void inst_persist(RhsInstance *inst, const char *state)
{
  g_autoptr(GError) error = NULL;
  if (!inst_record(inst, state, &error))
    g_warning("%s", error->message);
}

static void inst_unpersist(RhsInstance *inst)
{
  g_autoptr(GError) error = NULL;
  if (!rhs_state_remove(inst->host->state_dir, inst->name, &error))
    g_warning("%s: %s", inst->name, error->message);
}

/* ---- health polling ------------------------------------------------------------------------ */

static void poll_cb(RhsPollWhat what, gpointer data);

/*
 * Polls start and stop on the thread that changes the state, under op_lock, so they follow
 * the state changes in order without a hop to the main loop (one wake-up per Online and per
 * Offline before).  inst->mutex only guards the swap: rhs_poll_* take the schedule's lock,
 * under which poll_cb takes inst->mutex, so they are never called with inst->mutex held.
 */
static void inst_stop_poll(RhsInstance *inst)
{
  g_mutex_lock(&inst->mutex);
  RhsPoll *old = g_steal_pointer(&inst->poll);
  g_mutex_unlock(&inst->mutex);
  rhs_poll_free(old); /* its callback never runs after this */
}

static void inst_start_poll(RhsInstance *inst)
{
  g_mutex_lock(&inst->mutex);
  HANDLE evt = inst->event;
  g_mutex_unlock(&inst->mutex);
  RhsPoll *p = rhs_poll_new(inst->host->poll_sched, inst->looks_alive_ms, inst->is_alive_ms,
                            evt != NULL ? ClusResEventFd(evt) : -1, poll_cb, inst);
  g_mutex_lock(&inst->mutex);
  RhsPoll *old = inst->poll;
  inst->poll = p;
  g_mutex_unlock(&inst->mutex);
  rhs_poll_free(old);
}

/* ---- main-thread notifications --------------------------------------------------------------- */

typedef struct {
  RhsInstance *inst;
  int state;
  char *reason;
  gboolean push;
} Notify;

static void on_push_done(GObject *source, GAsyncResult *res, gpointer data)
{
  RhsInstance *inst = data;
  g_autoptr(GError) error = NULL;
  if (!cg_pacemaker_push_failure_finish(res, &error))
    g_warning("%s: failure push to Pacemaker failed: %s", inst->name, error->message);
  else
    g_message("%s: failure pushed to Pacemaker", inst->name);
  g_mutex_lock(&inst->mutex);
  inst->push_in_flight = FALSE;
  g_mutex_unlock(&inst->mutex);
  inst_unref(inst);
}

static gboolean notify_main(gpointer data)
{
  Notify *n = data;
  RhsInstance *inst = n->inst;
  RhsHost *host = inst->host;
  if (n->reason != NULL && host->changed != NULL)
    host->changed(inst->name, n->state, n->reason, host->changed_data);
  if (n->push) {
    /* One push at a time per resource: a flapping resource must not fork a storm. */
    g_mutex_lock(&inst->mutex);
    gboolean busy = inst->push_in_flight;
    inst->push_in_flight = TRUE;
    g_mutex_unlock(&inst->mutex);
    if (!busy)
      cg_pacemaker_push_failure(inst->name, inst->node, RHS_PUSH_TIMEOUT_MS, NULL, on_push_done,
                                inst_ref(inst));
  }
  inst_unref(inst);
  g_free(n->reason);
  g_free(n);
  return G_SOURCE_REMOVE;
}

/* A state change with a reason (D-Bus signal) and maybe a failure push, on the main loop. */
static void notify(RhsInstance *inst, int state, const char *reason, gboolean push)
{
  Notify *n = g_new0(Notify, 1);
  n->inst = inst_ref(inst);
  n->state = state;
  n->reason = g_strdup(reason);
  n->push = push;
  g_main_context_invoke(inst->host->ctx, notify_main, n);
}

/* IsAlive said FALSE (poll, event, monitor or recovery): Failed + Terminate, as Windows does. */
static void inst_fail(RhsInstance *inst, const char *reason, gboolean push)
{
  g_warning("%s: failed: %s", inst->name, reason);
  inst_terminate(inst, reason);
  inst_set_state(inst, ClusterResourceFailed);
  inst_persist(inst, RHS_STATE_FAILED);
  inst_stop_poll(inst);
  notify(inst, ClusterResourceFailed, reason, push);
}

/* ---- jobs -------------------------------------------------------------------------------------
 */

typedef enum {
  JOB_ONLINE,
  JOB_OFFLINE,
  JOB_MONITOR,
  JOB_CONTROL,
  JOB_LIST,
  JOB_POLL,
  JOB_DEADLINE,
  JOB_RECOVER,
  JOB_DEFER,
  JOB_CLOSE,
} JobKind;

/* An operation with a caller waiting: replied exactly once, by the worker or the deadline. */
typedef struct {
  /* First: Online/Offline are queued in host->deadlines until answered or due (under
   * deadline_lock); the queue's entry is the Op. */
  RhsDue deadline;
  gint ref;
  gint replied;
  RhsHostDone done;
  gpointer user_data;
  RhsHost *host;            /* set with the deadline */
  struct Job *deadline_job; /* the JOB_DEADLINE job, run if the deadline comes first */
} Op;

typedef struct Job {
  JobKind kind;
  RhsHost *host;
  Op *op;
  char *resource;
  char *type;
  char *dll;
  GHashTable *params;
  GHashTable *meta;
  guint32 timeout_ms;
  guint32 depth;
  guint32 code;
  GBytes *input;
  guint32 out_size;
  RhsPollWhat poll_what;
  RhsInstance *inst;
  RhsStateRecord *record;
  GCallback finished;
  GFunc defer_func; /* JOB_DEFER */
  gpointer defer_data;
} Job;

static Op *op_ref(Op *op)
{
  g_atomic_int_inc(&op->ref);
  return op;
}

static void op_unref(Op *op)
{
  if (op != NULL && g_atomic_int_dec_and_test(&op->ref))
    g_free(op);
}

static gboolean op_claim(Op *op)
{
  return g_atomic_int_compare_and_exchange(&op->replied, 0, 1);
}

static gboolean op_abandoned(Op *op)
{
  return op != NULL && g_atomic_int_get(&op->replied) != 0;
}

static void job_free(Job *job);

static void op_reply(Op *op, const RhsHostResult *r)
{
  if (!op_claim(op))
    return;
  /* A finished operation leaves nothing behind: its deadline leaves the queue (the queue's
   * source may wake once for nothing; it never needs touching here, so a reply costs the main
   * loop no wake-up). */
  Job *deadline_job = NULL;
  if (op->host != NULL) {
    g_mutex_lock(&op->host->deadline_lock);
    if (op->deadline.it != NULL) {
      rhs_due_remove(&op->deadline);
      deadline_job = g_steal_pointer(&op->deadline_job);
    }
    g_mutex_unlock(&op->host->deadline_lock);
  }
  op->done(r, op->user_data);
  if (deadline_job != NULL)
    job_free(deadline_job); /* drops its reference on op: the caller still holds one */
}

static void op_reply_state(Op *op, int state, guint32 status, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static void op_reply_state(Op *op, int state, guint32 status, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  RhsHostResult r = {.state = state, .status = status, .message = msg};
  op_reply(op, &r);
}

static void op_reply_error(Op *op, GError *error)
{
  RhsHostResult r = {.error = error};
  op_reply(op, &r);
}

static void job_free(Job *job)
{
  op_unref(job->op);
  g_free(job->resource);
  g_free(job->type);
  g_free(job->dll);
  g_clear_pointer(&job->params, g_hash_table_unref);
  g_clear_pointer(&job->meta, g_hash_table_unref);
  g_clear_pointer(&job->input, g_bytes_unref);
  g_clear_pointer(&job->inst, inst_unref);
  g_clear_pointer(&job->record, rhs_state_record_free);
  g_free(job);
}

static void pool_func(gpointer data, gpointer user_data);
/* Set while a pool worker runs a JOB_DEFER job: the operation it starts runs inline. */
static GPrivate defer_running;

static void host_push_job(RhsHost *host, Job *job)
{
  g_mutex_lock(&host->jobs_lock);
  host->jobs++;
  g_mutex_unlock(&host->jobs_lock);
  g_thread_pool_push(host->pool, job, NULL);
}

/* Online/Offline: on this worker when started by a deferred function (rhs_host_defer), which
 * saves a hand-over to another worker; queued otherwise. */
static void host_start_job(RhsHost *host, Job *job)
{
  if (g_private_get(&defer_running) != host) {
    host_push_job(host, job);
    return;
  }
  g_private_set(&defer_running, NULL); /* one operation per deferred call runs inline */
  g_mutex_lock(&host->jobs_lock);
  host->jobs++;
  g_mutex_unlock(&host->jobs_lock);
  pool_func(job, host);
}

static RhsHostError dll_error_code(const GError *e)
{
  if (g_error_matches(e, RHS_DLL_ERROR, RHS_DLL_ERROR_INVALID_ARGS))
    return RHS_HOST_ERROR_INVALID_ARGS;
  return g_error_matches(e, RHS_DLL_ERROR, RHS_DLL_ERROR_NOT_INSTALLED)
             ? RHS_HOST_ERROR_NOT_INSTALLED
             : RHS_HOST_ERROR_FAILED;
}

/* Opens the instance (registry first).  Caller holds op_lock; inst->type is set. */
static gboolean inst_open(RhsInstance *inst, DWORD *status, GError **error)
{
  HKEY key = NULL;
  if (write_registry(inst, &key, error) != ERROR_SUCCESS) {
    *status = ERROR_INVALID_PARAMETER;
    return FALSE;
  }
  RhsDll *dll = inst->type->dll;
  g_rw_lock_writer_lock(&dll->lifecycle);
  g_mutex_lock(&dll->lock);
  CallTimer ct;
  call_begin(inst, &ct, "Open");
  SetLastError(ERROR_SUCCESS);
  RESID resid = inst->type->fn->Open(inst->name, key, inst);
  DWORD err = GetLastError(); /* thread-local: read on the thread that called Open */
  call_end(inst, &ct);
  g_mutex_unlock(&dll->lock);
  g_rw_lock_writer_unlock(&dll->lifecycle);
  if (resid == NULL) {
    ClusterRegCloseKey(key);
    *status = err != ERROR_SUCCESS ? err : ERROR_RESOURCE_FAILED;
    return FALSE;
  }
  inst->resid = resid;
  inst->key = key;
  g_mutex_lock(&inst->mutex);
  inst->terminating = FALSE;
  inst->state = ClusterResourceOffline;
  inst->alive_until = 0;
  g_mutex_unlock(&inst->mutex);
  rhs_dll_type_ref_instance(inst->type, +1);
  return TRUE;
}

static void inst_close(RhsInstance *inst)
{
  if (inst->resid == NULL)
    return;
  g_mutex_lock(&inst->mutex);
  inst->terminating = TRUE; /* a straggling worker must stop */
  inst->event = NULL;
  inst->event_fd = -1;
  g_cond_broadcast(&inst->cond);
  g_mutex_unlock(&inst->mutex);
  RhsDll *dll = inst->type->dll;
  g_rw_lock_writer_lock(&dll->lifecycle);
  g_mutex_lock(&dll->lock);
  CallTimer ct;
  call_begin(inst, &ct, "Close");
  inst->type->fn->Close(inst->resid);
  call_end(inst, &ct);
  inst->resid = NULL;
  g_mutex_unlock(&dll->lock);
  g_rw_lock_writer_unlock(&dll->lifecycle);
  ClusterRegCloseKey(inst->key);
  inst->key = NULL;
  rhs_dll_type_ref_instance(inst->type, -1);
}

/*
 * The DLL's own verdict on a new configuration, as validate-all asks it, before the instance
 * goes online: ResourceControl VALIDATE_PRIVATE_PROPERTIES with the parameters read by the
 * property table (rhs_dll_check_params).  A rejected configuration is closed again and
 * *@rejected set; a DLL without the control code (ERROR_INVALID_FUNCTION) or without a table
 * (@list NULL) gets Open's verdict only.  Caller holds op_lock.
 */
static gboolean inst_open_validated(RhsInstance *inst, ClusresPropList *list, DWORD *status,
                                    gboolean *rejected, GError **error)
{
  if (!inst_open(inst, status, error))
    return FALSE;
  if (list == NULL || inst->type->fn->ResourceControl == NULL)
    return TRUE;
  DWORD cb = 0;
  const void *buf = ClusResPropListBuffer(list, &cb);
  g_autofree void *copy = g_memdup2(buf, cb); /* the DLL may scribble on its in buffer */
  DWORD returned = 0;
  g_mutex_lock(&inst->type->dll->lock);
  CallTimer ct;
  call_begin(inst, &ct, "ResourceControl");
  DWORD rc = inst->type->fn->ResourceControl(
      inst->resid, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, copy, cb, NULL, 0, &returned);
  call_end(inst, &ct);
  g_mutex_unlock(&inst->type->dll->lock);
  if (rc == ERROR_SUCCESS || rc == ERROR_INVALID_FUNCTION)
    return TRUE;
  inst_close(inst);
  *status = rc;
  *rejected = TRUE;
  return FALSE;
}

/* ---- parked instances ------------------------------------------------------------------------
 *
 * Windows keeps a resource open from its creation to its deletion, across any number of
 * Offline/Online cycles.  Pacemaker never says when a resource is deleted, so the host used to
 * Close at every stop and every start paid a whole Open again (for a share: validation, the
 * FIG. 4 entry, the re-adoption check; a quarter of an Online's CPU).  A cleanly stopped
 * instance is parked instead: open and Offline, without polls or a record in the state
 * directory, and closed once close_delay ms have passed without a start.  A host restart
 * forgets parked instances (none of them is online), a stop after any failure closes (the
 * next start then runs a fresh Open), and an Open that fails while instances of its type are
 * parked is retried once after closing them (a parked instance may hold a name or a port the
 * new one needs, e.g. a deleted share resource's share_name).
 */

static void park_arm(RhsHost *host, gint64 until)
{
  g_mutex_lock(&host->park_lock);
  gint64 next = g_source_get_ready_time(host->park_source);
  if (next < 0 || until < next)
    g_source_set_ready_time(host->park_source, until);
  g_mutex_unlock(&host->park_lock);
}

/* Caller holds op_lock; the instance is open and Offline. */
static void inst_park(RhsInstance *inst)
{
  gint64 until = g_get_monotonic_time() + (gint64)inst->close_delay_ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock(&inst->mutex);
  inst->park_until = until;
  g_mutex_unlock(&inst->mutex);
  park_arm(inst->host, until);
}

static gint64 inst_parked_until(RhsInstance *inst, gboolean *removed)
{
  g_mutex_lock(&inst->mutex);
  gint64 until = inst->park_until;
  if (removed != NULL)
    *removed = inst->removed;
  g_mutex_unlock(&inst->mutex);
  return until;
}

/* Main thread: queues a Close for every instance whose time is (nearly) up, re-arms for the
 * next.  park_lock is held across the walk so that a concurrent park_arm is not lost. */
static gboolean park_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  RhsHost *host = data;
  gint64 now = g_get_monotonic_time(), next = -1;
  g_autoptr(GPtrArray) due = g_ptr_array_new();
  g_mutex_lock(&host->park_lock);
  g_autoptr(GPtrArray) all = host_instances(host);
  for (guint i = 0; i < all->len; i++) {
    gint64 until = inst_parked_until(all->pdata[i], NULL);
    if (until == 0)
      continue;
    if (until <= now + RHS_PARK_SWEEP_SLACK_US)
      g_ptr_array_add(due, inst_ref(all->pdata[i]));
    else if (next < 0 || until < next)
      next = until;
  }
  g_source_set_ready_time(source, next);
  g_mutex_unlock(&host->park_lock);
  if (due->len > 0)
    g_message("closing %u instance(s) stopped for longer than their close_delay", due->len);
  for (guint i = 0; i < due->len; i++) {
    Job *job = g_new0(Job, 1);
    job->kind = JOB_CLOSE;
    job->host = host;
    job->inst = due->pdata[i];
    host_push_job(host, job);
  }
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs park_funcs = {
    .dispatch = park_dispatch,
};

static void job_close(Job *job)
{
  RhsInstance *inst = job->inst;
  g_mutex_lock(&inst->op_lock);
  gboolean removed;
  gint64 until = inst_parked_until(inst, &removed);
  /* A start may have taken it meanwhile, or a later stop parked it anew. */
  if (!removed && until != 0 && until <= g_get_monotonic_time() + RHS_PARK_SWEEP_SLACK_US) {
    g_debug("%s: closing the parked instance", inst->name);
    inst_close(inst);
    host_remove(job->host, inst);
  }
  g_mutex_unlock(&inst->op_lock);
}

/* Closes the parked instances of TYPE but SELF, whose op_lock the caller holds: the others'
 * are only tried (one that is busy is being started, so not parked any more). */
static guint host_close_parked(RhsHost *host, RhsType *type, RhsInstance *self)
{
  g_autoptr(GPtrArray) all = host_instances(host);
  guint closed = 0;
  for (guint i = 0; i < all->len; i++) {
    RhsInstance *inst = all->pdata[i];
    if (inst == self || inst_parked_until(inst, NULL) == 0 || !g_mutex_trylock(&inst->op_lock))
      continue;
    gboolean removed;
    if (inst->type == type && inst_parked_until(inst, &removed) != 0 && !removed) {
      inst_close(inst);
      host_remove(host, inst);
      closed++;
    }
    g_mutex_unlock(&inst->op_lock);
  }
  return closed;
}

/*
 * Runs Online or Offline with the Windows result rules: SUCCESS is final, IO_PENDING waits for
 * SetResourceStatus under the inactivity timer, anything else is logged and Terminated.
 */
static RhsPendingResult inst_run_transition(RhsInstance *inst, RhsPendingKind kind,
                                            guint32 timeout_ms, Op *op, HANDLE *event_out)
{
  guint32 inactivity = MIN(inst->pending_ms, inst->deadlock_ms);
  RhsPending *p = rhs_pending_new(kind, inactivity, timeout_ms, NULL, NULL);
  g_mutex_lock(&inst->mutex);
  inst->terminating = FALSE;
  g_clear_pointer(&inst->pending, rhs_pending_free);
  /* Armed before the call: the DLL's worker may report before Online even returns. */
  inst->pending = p;
  inst->state =
      kind == RHS_PENDING_ONLINE ? ClusterResourceOnlinePending : ClusterResourceOfflinePending;
  g_mutex_unlock(&inst->mutex);

  HANDLE evt = NULL;
  CallTimer ct;
  g_mutex_lock(&inst->type->dll->lock);
  DWORD rc;
  if (kind == RHS_PENDING_ONLINE) {
    call_begin(inst, &ct, "Online");
    rc = inst->type->fn->Online(inst->resid, &evt);
  } else {
    call_begin(inst, &ct, "Offline");
    rc = inst->type->fn->Offline(inst->resid);
  }
  call_end(inst, &ct);
  g_mutex_unlock(&inst->type->dll->lock);

  RhsPendingResult r = {0};
  g_mutex_lock(&inst->mutex);
  if (rc == ERROR_SUCCESS) {
    r.end = RHS_PENDING_END_REPORTED;
    r.state = kind == RHS_PENDING_ONLINE ? ClusterResourceOnline : ClusterResourceOffline;
    r.status = ERROR_SUCCESS;
  } else if (rc == ERROR_IO_PENDING) {
    while (!rhs_pending_check(p, &r) && !op_abandoned(op) && !inst->terminating) {
      gint64 wake = MIN(rhs_pending_next_wakeup(p), g_get_monotonic_time() + G_USEC_PER_SEC);
      g_cond_wait_until(&inst->cond, &inst->mutex, wake);
    }
    if (r.end == RHS_PENDING_END_NONE) { /* abandoned by the deadline timer or terminated */
      r.end = RHS_PENDING_END_DEADLINE;
      r.state = kind == RHS_PENDING_ONLINE ? ClusterResourceFailed : ClusterResourceOffline;
      r.status = ERROR_OPERATION_ABORTED;
      r.terminate = FALSE; /* whoever abandoned it has terminated */
    }
  } else {
    g_warning("%s: %s failed with %u", inst->name,
              kind == RHS_PENDING_ONLINE ? "Online" : "Offline", rc);
    r.end = RHS_PENDING_END_REPORTED;
    r.state = kind == RHS_PENDING_ONLINE ? ClusterResourceFailed : ClusterResourceOffline;
    r.status = rc;
    r.terminate = TRUE;
  }
  inst->pending = NULL;
  g_mutex_unlock(&inst->mutex);
  rhs_pending_free(p);

  if (r.end == RHS_PENDING_END_INACTIVITY)
    g_warning("%s: no new CheckPoint within PendingTimeout (%u ms)", inst->name, inactivity);
  else if (r.end == RHS_PENDING_END_DEADLINE && r.terminate)
    g_warning("%s: the caller's timeout (%u ms) is running out", inst->name, timeout_ms);
  if (r.terminate && !op_abandoned(op))
    inst_terminate(inst, "pending operation failed");
  if (event_out != NULL)
    *event_out = evt;
  return r;
}

static gboolean inst_config_matches(RhsInstance *inst, Job *job)
{
  return g_strcmp0(inst->type_name, job->type) == 0 && g_strcmp0(inst->dll_path, job->dll) == 0 &&
         tables_equal(inst->params, job->params);
}

/* Something of the instance may run: it is up or on its way, or a crashed host left it
 * half-way.  Caller holds op_lock. */
static gboolean inst_may_run(RhsInstance *inst)
{
  CLUSTER_RESOURCE_STATE s = inst_state(inst);
  return inst->interrupted || s == ClusterResourceOnline || s == ClusterResourceOnlinePending ||
         s == ClusterResourceOfflinePending;
}

/*
 * Offline with its intent recorded first: a host killed during it leaves "offlining", which the
 * next host takes for failed (and stops), where "online" would be re-adopted as running by a
 * process that is half-way down.  Caller holds op_lock; the instance is open.
 */
static RhsPendingResult inst_offline_recorded(RhsInstance *inst, guint32 timeout_ms, Op *op)
{
  g_autoptr(GError) error = NULL;
  if (!inst_record(inst, RHS_STATE_OFFLINING, &error))
    g_warning("%s (stopping anyway: the record it has says it may run)", error->message);
  rhs_crash_point("offline-after-intent");
  RhsPendingResult r = inst_run_transition(inst, RHS_PENDING_OFFLINE, timeout_ms, op, NULL);
  rhs_crash_point("offline-after-offline");
  return r;
}

/* Opens the instance from its configuration fields (from a record, or set by a start): the DLL,
 * then Open.  FALSE with *status and, unless the DLL's Open failed, @error.  Caller holds
 * op_lock. */
static gboolean inst_open_configured(RhsInstance *inst, DWORD *status, GError **error)
{
  if (inst->type == NULL) {
    inst->deadlock_ms =
        meta_ms(inst->meta, "deadlock_timeout", 1, CLUSTER_RESOURCE_DEFAULT_DEADLOCK_TIMEOUT);
    inst->type =
        rhs_dll_get_type(inst->type_name, inst->dll_path, inst->host->wd, inst->deadlock_ms, error);
    if (inst->type == NULL) {
      *status = ERROR_FILE_NOT_FOUND;
      return FALSE;
    }
  }
  inst_apply_intervals(inst);
  return inst_open(inst, status, error);
}

/*
 * Takes down an instance a previous host left half-way (inst->interrupted): opens it if
 * recovery could not, then Offline, which the pending logic escalates to Terminate if it fails.
 * Offline rather than Terminate: what runs may be a database in the middle of its start, and
 * Offline is the DLL's clean way down (genapp: SIGTERM, StopTimeout, SIGKILL of the process it
 * recorded).  FALSE with @error if it cannot be opened: then it may still run and nothing here
 * can stop it, so the caller must not report it stopped.  Caller holds op_lock.
 */
static gboolean inst_cleanup(RhsInstance *inst, guint32 timeout_ms, Op *op, DWORD *status,
                             GError **error)
{
  DWORD st = ERROR_SUCCESS;
  g_autoptr(GError) local = NULL;
  if (inst->resid == NULL && !inst_open_configured(inst, &st, &local)) {
    g_autofree char *why =
        local != NULL ? g_strdup(local->message) : g_strdup_printf("Open failed with %u", st);
    g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_FAILED,
                "%s may still run from before a host restart, but it cannot be opened to stop "
                "it: %s",
                inst->name, why);
    return FALSE;
  }
  g_message("%s: stopping what a previous host left half-way", inst->name);
  RhsPendingResult r = inst_offline_recorded(inst, timeout_ms, op);
  if (status != NULL)
    *status = r.status;
  inst_set_state(inst, ClusterResourceOffline);
  g_mutex_lock(&inst->mutex);
  inst->interrupted = FALSE;
  g_mutex_unlock(&inst->mutex);
  return TRUE;
}

static void inst_take_offline(RhsInstance *inst, guint32 timeout_ms)
{
  if (inst->resid == NULL)
    return;
  if (inst->interrupted)
    (void)inst_cleanup(inst, timeout_ms, NULL, NULL, NULL); /* open: cannot fail */
  else if (inst_may_run(inst))
    (void)inst_offline_recorded(inst, timeout_ms, NULL);
  inst_set_state(inst, ClusterResourceOffline);
}

/* A start that cannot go on: a D-Bus error (org.clusres.Error.Failed, OCF 1) with @error. */
static void online_fail(RhsInstance *inst, Op *op, GError *error)
{
  g_warning("%s: start failed: %s", inst->name, error->message);
  op_reply_error(op, error);
}

static void job_online(Job *job)
{
  RhsHost *host = job->host;
  Op *op = job->op;
  g_autoptr(RhsInstance) inst = NULL;
  g_autoptr(GError) error = NULL;
  for (;;) {
    inst = host_get_or_create(host, job->resource);
    g_mutex_lock(&inst->op_lock);
    gboolean removed;
    (void)inst_parked_until(inst, &removed);
    if (!removed)
      break;
    /* Closed and dropped while this job waited (its close_delay ran out): a new one. */
    g_mutex_unlock(&inst->op_lock);
    g_clear_pointer(&inst, inst_unref);
  }
  g_mutex_lock(&inst->mutex);
  inst->park_until = 0; /* a parked instance is this start's now */
  g_mutex_unlock(&inst->mutex);
  if (op_abandoned(op))
    goto out;
  rhs_crash_point("online-before-intent");

  /* Left half-way by a crashed host: taken down first, so that this start begins from a known
   * state as it does after any failure (Windows terminates a failed resource before a restart);
   * genapp would otherwise adopt a process whose start was never seen to finish. */
  if (inst->interrupted) {
    DWORD status;
    if (!inst_cleanup(inst, job->timeout_ms / 2, NULL, &status, &error)) {
      online_fail(inst, op, g_steal_pointer(&error));
      goto out;
    }
    inst_unpersist(inst);
  }

  /* New parameters: Windows applies private properties at the next Online; here the instance
   * is re-created (Offline if needed, Close, Open) so Open sees the new "Parameters". */
  if (inst->resid != NULL && !inst_config_matches(inst, job)) {
    g_message("%s: parameters changed: closing and re-opening the instance", inst->name);
    inst_stop_poll(inst);
    inst_take_offline(inst, job->timeout_ms / 2);
    inst_close(inst);
    /* Nothing of the old configuration runs any more: its record goes now, so that a re-Open
     * that fails leaves nothing a restarted host would re-adopt. */
    inst_unpersist(inst);
  }
  if (inst->resid == NULL) {
    g_autoptr(ClusresPropList) list = NULL;
    gboolean rejected = FALSE;
    /* Under the mutex: ListInstances and LogEvent read these from other threads. */
    g_mutex_lock(&inst->mutex);
    g_free(inst->type_name);
    inst->type_name = g_strdup(job->type);
    g_free(inst->dll_path);
    inst->dll_path = g_strdup(job->dll);
    g_mutex_unlock(&inst->mutex);
    g_clear_pointer(&inst->params, g_hash_table_unref);
    inst->params = g_hash_table_ref(job->params);
    g_clear_pointer(&inst->meta, g_hash_table_unref);
    inst->meta = g_hash_table_ref(job->meta);
    g_free(inst->node);
    inst->node = cg_node_name(g_hash_table_lookup(job->meta, "on_node"));
    inst->deadlock_ms =
        meta_ms(inst->meta, "deadlock_timeout", 1, CLUSTER_RESOURCE_DEFAULT_DEADLOCK_TIMEOUT);
    inst->type = rhs_dll_get_type(job->type, job->dll, host->wd, inst->deadlock_ms, &error);
    /* validate-all's rules before anything is written or opened (InvalidArgs, OCF 6). */
    if (inst->type == NULL || !rhs_dll_check_params(inst->type, job->params, &list, &error)) {
      g_warning("%s: %s", inst->name, error->message);
      g_autoptr(GError) e2 =
          g_error_new_literal(RHS_HOST_ERROR, dll_error_code(error), error->message);
      host_remove(host, inst);
      op_reply_error(op, e2);
      goto out;
    }
    inst_apply_intervals(inst);
    /* The intent before Open: a host killed in Open or anything after it leaves a record, so
     * the next one re-opens the instance and stops whatever it finds. */
    if (!inst_record(inst, RHS_STATE_ONLINING, &error)) {
      host_remove(host, inst);
      online_fail(inst, op, g_steal_pointer(&error));
      goto out;
    }
    rhs_crash_point("online-after-intent");
    DWORD status = 0;
    gboolean opened = inst_open_validated(inst, list, &status, &rejected, &error);
    guint evicted = 0;
    /* Not after a rejection: the DLL judged the parameters, not what parked instances hold. */
    if (!opened && error == NULL && !rejected &&
        (evicted = host_close_parked(host, inst->type, inst)) > 0) {
      g_message("%s: Open failed with %u: retrying after closing %u parked instance(s) of %s",
                inst->name, status, evicted, job->type);
      g_mutex_lock(&inst->mutex);
      g_clear_pointer(&inst->last_error, g_free);
      g_mutex_unlock(&inst->mutex);
      opened = inst_open_validated(inst, list, &status, &rejected, &error);
    }
    if (!opened) {
      /* Open leaves nothing running (the DLL contract): nor does its record stay behind. */
      inst_unpersist(inst);
      host_remove(host, inst);
      /* A rejected configuration must leave nothing behind: the key then holds only what
       * write_registry just wrote for this Open.  Other failures keep it (a persisted state
       * the DLL may re-adopt once the cause is gone). */
      if (error == NULL && (rejected || status == ERROR_INVALID_PARAMETER))
        ClusterRegDeleteResourceKey(inst->name);
      if (error != NULL) {
        op_reply_error(op, error);
      } else {
        g_mutex_lock(&inst->mutex);
        g_autofree char *why = g_steal_pointer(&inst->last_error);
        g_mutex_unlock(&inst->mutex);
        const char *what =
            rejected ? "VALIDATE_PRIVATE_PROPERTIES rejected the parameters" : "Open failed";
        g_warning("%s: %s with %u", inst->name, what, status);
        op_reply_state(op, ClusterResourceFailed, status, "%s with %u%s%s", what, status,
                       why != NULL ? ": " : "", why != NULL ? why : "");
      }
      goto out;
    }
    rhs_crash_point("online-after-open");
  } else {
    /* Same configuration: meta (intervals, node) may still change between starts. */
    g_clear_pointer(&inst->meta, g_hash_table_unref);
    inst->meta = g_hash_table_ref(job->meta);
    inst_apply_intervals(inst);
    if (inst_state(inst) == ClusterResourceOnline) {
      op_reply_state(op, ClusterResourceOnline, ERROR_SUCCESS, "already online");
      goto out;
    }
    if (!inst_record(inst, RHS_STATE_ONLINING, &error)) {
      /* Nothing was started.  An Offline instance (parked, or just cleaned up) is closed: kept
       * open it would have no close timer; a Failed one keeps its record and state. */
      if (inst_state(inst) == ClusterResourceOffline) {
        inst_close(inst);
        host_remove(host, inst);
      }
      online_fail(inst, op, g_steal_pointer(&error));
      goto out;
    }
    rhs_crash_point("online-after-intent");
  }

  /* The deadline may have answered while a clean-up, a re-open or Open ran: it set Failed and
   * terminated; a late Online would start what Pacemaker was told failed. */
  if (op_abandoned(op))
    goto out;
  g_mutex_lock(&inst->mutex);
  inst->recovered = FALSE;
  inst->event = NULL;
  inst->event_fd = -1;
  g_mutex_unlock(&inst->mutex);

  HANDLE evt = NULL;
  RhsPendingResult r = inst_run_transition(inst, RHS_PENDING_ONLINE, job->timeout_ms, op, &evt);
  if (op_abandoned(op))
    goto out; /* the deadline answered and terminated; the instance stays Failed */
  if (r.state == ClusterResourceOnline) {
    rhs_crash_point("online-after-online");
    if (!inst_record(inst, RHS_STATE_ONLINE, &error)) {
      /* Up but not recorded as such: a restarted host would take it for a start cut short.
       * The start fails (Terminate, as for any failed Online), so the answer is true; the
       * "onlining" record on disk says the same. */
      inst_terminate(inst, "its state cannot be recorded");
      inst_set_state(inst, ClusterResourceFailed);
      online_fail(inst, op, g_steal_pointer(&error));
      goto out;
    }
    rhs_crash_point("online-after-record");
    g_mutex_lock(&inst->mutex);
    inst->state = ClusterResourceOnline;
    inst->alive_until = 0;
    /* An event from Online replaces LooksAlive polling; a later one from SetResourceStatus too. */
    if (evt != NULL)
      inst->event = evt;
    inst->event_fd = inst->event != NULL ? ClusResEventFd(inst->event) : -1;
    g_mutex_unlock(&inst->mutex);
    inst_start_poll(inst);
    op_reply_state(op, ClusterResourceOnline, ERROR_SUCCESS, "online");
  } else {
    inst_set_state(inst, r.state);
    inst_persist(inst, RHS_STATE_FAILED);
    op_reply_state(op, r.state, r.status, "Online ended %s (status %u)",
                   clusres_state_name(r.state), r.status);
  }
out:
  g_mutex_unlock(&inst->op_lock);
}

static void job_offline(Job *job)
{
  RhsHost *host = job->host;
  g_autoptr(RhsInstance) inst = host_lookup(host, job->resource);
  if (inst == NULL) {
    op_reply_state(job->op, ClusterResourceOffline, ERROR_SUCCESS, "not open on this host");
    return;
  }
  g_mutex_lock(&inst->op_lock);
  inst_stop_poll(inst);
  rhs_crash_point("offline-before-intent");
  DWORD status = ERROR_SUCCESS;
  gboolean interrupted = inst->interrupted;
  CLUSTER_RESOURCE_STATE s = inst_state(inst);
  gboolean was_up = s == ClusterResourceOnline || s == ClusterResourceOnlinePending;
  if (interrupted) {
    g_autoptr(GError) error = NULL;
    if (!inst_cleanup(inst, job->timeout_ms, job->op, &status, &error)) {
      /* Never "stopped" while it may run: the stop fails, Pacemaker retries or fences. */
      g_warning("%s: stop failed: %s", inst->name, error->message);
      op_reply_error(job->op, error);
      g_mutex_unlock(&inst->op_lock);
      return;
    }
  } else if (inst->resid != NULL && was_up) {
    RhsPendingResult r = inst_offline_recorded(inst, job->timeout_ms, job->op);
    status = r.status;
  }
  inst_set_state(inst, ClusterResourceOffline);
  inst_unpersist(inst);
  rhs_crash_point("offline-after-remove");
  gboolean removed;
  gboolean parked = inst_parked_until(inst, &removed) != 0;
  /* Parked only after a clean stop (see "parked instances"); a stop of a parked one keeps it. */
  if (inst->resid != NULL && !removed && status == ERROR_SUCCESS && inst->close_delay_ms > 0 &&
      !host->shutting_down && !interrupted && (was_up || parked)) {
    if (!parked)
      inst_park(inst);
  } else {
    inst_close(inst);
    host_remove(host, inst);
  }
  /* A stop succeeds once the resource is down, even if that took a Terminate. */
  op_reply_state(job->op, ClusterResourceOffline, status,
                 status == ERROR_SUCCESS ? "offline" : "offline after Terminate");
  g_mutex_unlock(&inst->op_lock);
}

static void job_monitor(Job *job)
{
  g_autoptr(RhsInstance) inst = host_lookup(job->host, job->resource);
  if (inst == NULL) {
    op_reply_state(job->op, ClusterResourceOffline, 0, "not open on this host");
    return;
  }
  /* A monitor during a pending Online/Offline answers at once instead of queueing behind it. */
  CLUSTER_RESOURCE_STATE s = inst_state(inst);
  if (s == ClusterResourceOnlinePending || s == ClusterResourceOfflinePending) {
    op_reply_state(job->op, s, 0, "%s", clusres_state_name(s));
    return;
  }
  g_mutex_lock(&inst->op_lock);
  s = inst_state(inst);
  if (s != ClusterResourceOnline || inst->resid == NULL) {
    int reported = s;
    if (s == ClusterResourceCannotComeOnlineOnAnyNode ||
        s == ClusterResourceCannotComeOnlineOnThisNode)
      reported = ClusterResourceFailed;
    op_reply_state(job->op, reported, 0, "%s", clusres_state_name(reported));
    g_mutex_unlock(&inst->op_lock);
    return;
  }
  BOOL alive;
  if (job->depth >= 10) {
    alive = inst_is_alive(inst, job->depth);
  } else {
    g_mutex_lock(&inst->mutex);
    HANDLE evt = inst->event;
    g_mutex_unlock(&inst->mutex);
    if (evt != NULL)
      /* LooksAlive is off when an event is used: a signalled event means "verify now". */
      alive = ClusResWaitForEvent(evt, 0) == WAIT_OBJECT_0 ? inst_is_alive(inst, 0) : TRUE;
    else
      alive = inst_looks_alive(inst) || inst_is_alive(inst, 0);
  }
  g_mutex_lock(&inst->mutex);
  g_autofree char *degraded = g_strdup(inst->degraded);
  g_mutex_unlock(&inst->mutex);
  if (alive && degraded != NULL) {
    op_reply_state(job->op, CLUSRES_STATE_ONLINE_DEGRADED, 0, "%s", degraded);
  } else if (alive) {
    op_reply_state(job->op, ClusterResourceOnline, 0, "online");
  } else {
    inst_fail(inst, "IsAlive returned FALSE in monitor", FALSE);
    op_reply_state(job->op, ClusterResourceFailed, ERROR_RESOURCE_FAILED, "IsAlive returned FALSE");
  }
  g_mutex_unlock(&inst->op_lock);
}

static void job_poll(Job *job)
{
  RhsInstance *inst = job->inst;
  /* Waits for an operation in progress (at most one queued job per poll kind), then looks at
   * the state that operation left. */
  g_mutex_lock(&inst->op_lock);
  if (inst_state(inst) == ClusterResourceOnline && inst->resid != NULL) {
    BOOL alive = TRUE;
    const char *reason = NULL;
    switch (job->poll_what) {
    case RHS_POLL_LOOKS_ALIVE:
      if (!inst_looks_alive(inst)) {
        g_message("%s: LooksAlive returned FALSE: calling IsAlive now", inst->name);
        alive = inst_is_alive(inst, 0);
        reason = "IsAlive returned FALSE after LooksAlive returned FALSE";
      }
      break;
    case RHS_POLL_IS_ALIVE:
      alive = inst_is_alive(inst, 0);
      reason = "IsAlive returned FALSE";
      break;
    case RHS_POLL_EVENT:
      g_message("%s: failure event signalled: verifying with IsAlive", inst->name);
      alive = inst_is_alive(inst, 0);
      reason = "failure event signalled and IsAlive returned FALSE";
      if (alive)
        g_message("%s: IsAlive says the resource is fine despite the event", inst->name);
      break;
    }
    if (!alive)
      inst_fail(inst, reason, TRUE);
  }
  g_mutex_unlock(&inst->op_lock);
  g_mutex_lock(&inst->mutex);
  inst->poll_busy &= ~(1u << job->poll_what);
  g_mutex_unlock(&inst->mutex);
}

static void poll_cb(RhsPollWhat what, gpointer data)
{
  RhsInstance *inst = data;
  g_mutex_lock(&inst->mutex);
  gboolean busy = (inst->poll_busy & (1u << what)) != 0;
  inst->poll_busy |= 1u << what;
  g_mutex_unlock(&inst->mutex);
  if (busy) /* the previous check of this kind is still running: skip this tick */
    return;
  Job *job = g_new0(Job, 1);
  job->kind = JOB_POLL;
  job->host = inst->host;
  job->inst = inst_ref(inst);
  job->poll_what = what;
  host_push_job(inst->host, job);
}

static void job_deadline(Job *job)
{
  /* The DLL did not return in time: Terminate concurrently (allowed), then answer. */
  RhsInstance *inst = job->inst;
  gboolean terminated = inst_terminate(inst, "the caller's timeout is running out");
  g_mutex_lock(&inst->mutex);
  gboolean interrupted = inst->interrupted;
  g_mutex_unlock(&inst->mutex);
  if (job->kind == JOB_DEADLINE && job->depth == RHS_PENDING_ONLINE) {
    inst_set_state(inst, ClusterResourceFailed);
    inst_persist(inst, RHS_STATE_FAILED);
    RhsHostResult r = {.state = ClusterResourceFailed,
                       .status = ERROR_TIMEOUT,
                       .message = "Online did not finish in time: terminated"};
    job->op->done(&r, job->op->user_data);
  } else if (!terminated && interrupted) {
    /* A stop of what a crashed host left, still opening it: nothing was terminated, so it may
     * still run. */
    g_autoptr(GError) e = g_error_new(RHS_HOST_ERROR, RHS_HOST_ERROR_FAILED,
                                      "%s could not be opened in time to stop it", inst->name);
    RhsHostResult r = {.error = e};
    job->op->done(&r, job->op->user_data);
  } else {
    RhsHostResult r = {.state = ClusterResourceOffline,
                       .status = ERROR_TIMEOUT,
                       .message = "Offline did not finish in time: terminated"};
    job->op->done(&r, job->op->user_data);
  }
}

/* Runs the deadline's own job if it wins the race against the reply.  Main thread. */
static void deadline_fire(Job *job)
{
  if (!op_claim(job->op)) {
    job_free(job);
    return;
  }
  g_autoptr(RhsInstance) inst = host_lookup(job->host, job->resource);
  if (inst == NULL || inst->type == NULL) {
    RhsHostResult r = {.state = job->depth == RHS_PENDING_ONLINE ? ClusterResourceFailed
                                                                 : ClusterResourceOffline,
                       .status = ERROR_TIMEOUT,
                       .message = "timed out"};
    job->op->done(&r, job->op->user_data);
    job_free(job);
    return;
  }
  g_mutex_lock(&inst->mutex);
  g_cond_broadcast(&inst->cond); /* wake a pending wait: it sees the op abandoned */
  g_mutex_unlock(&inst->mutex);
  job->inst = g_steal_pointer(&inst);
  host_push_job(job->host, job);
}

static gboolean deadline_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  RhsHost *host = data;
  gint64 now = g_get_monotonic_time();
  GSList *due = NULL;
  g_mutex_lock(&host->deadline_lock);
  RhsDue *d;
  while ((d = rhs_due_pop(&host->deadlines, now)) != NULL)
    due = g_slist_prepend(due, g_steal_pointer(&((Op *)d)->deadline_job));
  rhs_due_rearm(&host->deadlines);
  g_mutex_unlock(&host->deadline_lock);
  due = g_slist_reverse(due);
  for (GSList *l = due; l != NULL; l = l->next)
    deadline_fire(l->data);
  g_slist_free(due);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs deadline_funcs = {
    .dispatch = deadline_dispatch,
};

/*
 * Every Online/Offline has a deadline, just after the pending logic's own, so that a pending
 * wait ends by itself; it catches a DLL call that does not return at all.  All of them are one
 * queue behind one source of the main context instead of a timer source each: an operation
 * made from any thread then costs the main loop nothing (a new deadline is later than the
 * queued ones, so the source's ready time stays; a reply only takes it off the queue), where a
 * source attached from another thread wakes the main loop, and every source is walked on every
 * iteration.
 */
static void arm_deadline(RhsHost *host, Op *op, const char *resource, RhsPendingKind kind,
                         guint32 timeout_ms)
{
  guint32 at =
      timeout_ms - rhs_pending_margin_ms(timeout_ms) + rhs_pending_margin_ms(timeout_ms) / 3;
  Job *job = g_new0(Job, 1);
  job->kind = JOB_DEADLINE;
  job->host = host;
  job->op = op_ref(op);
  job->resource = g_strdup(resource);
  job->depth = kind;
  g_mutex_lock(&host->deadline_lock);
  op->host = host;
  op->deadline_job = job;
  rhs_due_insert(&host->deadlines, &op->deadline,
                 g_get_monotonic_time() + (gint64)at * G_TIME_SPAN_MILLISECOND);
  g_mutex_unlock(&host->deadline_lock);
}

/* ---- ListInstances -----------------------------------------------------------------------------
 */

GVariant *rhs_host_proplist_to_variant(const void *buf, gsize size)
{
  return clusres_propvar_from_list(buf, size);
}

/* Type-specific status (GSM/LSM, counts...), refreshed when the DLL is free; else the last. */
static void inst_refresh_private(RhsInstance *inst)
{
  if (inst->type == NULL || inst->type->fn->ResourceControl == NULL)
    return;
  RhsDll *dll = inst->type->dll;
  if (!g_mutex_trylock(&dll->lock))
    return;
  if (inst->resid != NULL) {
    DWORD size = 4096, needed = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
      g_autofree guint8 *buf = g_malloc0(size);
      /* Timed by the watchdog but not recorded as the last call: status queries from clusresctl
       * must not hide the last health check. */
      guint64 tok =
          rhs_watchdog_begin(inst->host->wd, "ResourceControl", inst->name, inst->deadlock_ms);
      DWORD rc = inst->type->fn->ResourceControl(
          inst->resid, CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES, NULL, 0, buf, size, &needed);
      rhs_watchdog_end(inst->host->wd, tok);
      if (rc == ERROR_MORE_DATA && needed > size && needed <= RHS_MAX_CONTROL_BUFFER) {
        size = needed;
        continue;
      }
      if (rc == ERROR_SUCCESS && needed <= size) {
        GVariant *v = rhs_host_proplist_to_variant(buf, needed);
        if (v != NULL) {
          g_mutex_lock(&inst->mutex);
          g_clear_pointer(&inst->private_status, g_variant_unref);
          inst->private_status = g_variant_ref_sink(v);
          g_mutex_unlock(&inst->mutex);
        }
      }
      break;
    }
  }
  g_mutex_unlock(&dll->lock);
}

static GVariant *inst_describe(RhsInstance *inst)
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
  g_mutex_lock(&inst->mutex);
  gint64 now = g_get_real_time();
  g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string(inst->name));
  g_variant_builder_add(&b, "{sv}", "type",
                        g_variant_new_string(inst->type_name ? inst->type_name : ""));
  g_variant_builder_add(&b, "{sv}", "dll",
                        g_variant_new_string(inst->dll_path ? inst->dll_path : ""));
  g_variant_builder_add(&b, "{sv}", "state", g_variant_new_int32(inst->state));
  g_variant_builder_add(&b, "{sv}", "state_name",
                        g_variant_new_string(clusres_state_name(inst->state)));
  g_variant_builder_add(&b, "{sv}", "last_call",
                        g_variant_new_string(inst->last_call ? inst->last_call : ""));
  g_variant_builder_add(&b, "{sv}", "last_call_ms", g_variant_new_double(inst->last_call_ms));
  g_variant_builder_add(&b, "{sv}", "last_call_age_s",
                        g_variant_new_double(inst->last_call_time
                                                 ? (double)(now - inst->last_call_time) / 1e6
                                                 : -1.0));
  g_variant_builder_add(&b, "{sv}", "calls", g_variant_new_uint64(inst->calls));
  g_variant_builder_add(&b, "{sv}", "looks_alive_interval",
                        g_variant_new_uint32(inst->looks_alive_ms));
  g_variant_builder_add(&b, "{sv}", "is_alive_interval", g_variant_new_uint32(inst->is_alive_ms));
  g_variant_builder_add(&b, "{sv}", "recovered", g_variant_new_boolean(inst->recovered));
  g_variant_builder_add(&b, "{sv}", "event_handle", g_variant_new_boolean(inst->event != NULL));
  g_variant_builder_add(&b, "{sv}", "parked", g_variant_new_boolean(inst->park_until != 0));
  g_variant_builder_add(&b, "{sv}", "interrupted", g_variant_new_boolean(inst->interrupted));
  g_variant_builder_add(&b, "{sv}", "degraded",
                        g_variant_new_string(inst->degraded != NULL ? inst->degraded : ""));
  g_variant_builder_add(&b, "{sv}", "private",
                        inst->private_status != NULL ? inst->private_status
                                                     : g_variant_new("a{sv}", NULL));
  g_mutex_unlock(&inst->mutex);
  return g_variant_builder_end(&b);
}

static void job_list(Job *job)
{
  g_autoptr(GPtrArray) all = host_instances(job->host);
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("aa{sv}"));
  for (guint i = 0; i < all->len; i++) {
    RhsInstance *inst = all->pdata[i];
    if (g_mutex_trylock(&inst->op_lock)) {
      inst_refresh_private(inst);
      g_mutex_unlock(&inst->op_lock);
    }
    g_variant_builder_add_value(&b, inst_describe(inst));
  }
  RhsHostResult r = {.list = g_variant_builder_end(&b)};
  op_reply(job->op, &r);
}

static void job_control(Job *job)
{
  g_autoptr(RhsInstance) inst = host_lookup(job->host, job->resource);
  if (inst == NULL) {
    g_autoptr(GError) e = g_error_new(RHS_HOST_ERROR, RHS_HOST_ERROR_FAILED,
                                      "%s is not open on this host", job->resource);
    op_reply_error(job->op, e);
    return;
  }
  g_mutex_lock(&inst->op_lock);
  if (inst->resid == NULL || inst->type->fn->ResourceControl == NULL) {
    RhsHostResult r = {.status = ERROR_INVALID_FUNCTION, .output = g_bytes_new(NULL, 0)};
    op_reply(job->op, &r);
    g_bytes_unref(r.output);
    g_mutex_unlock(&inst->op_lock);
    return;
  }
  gsize in_size;
  const guint8 *in = g_bytes_get_data(job->input, &in_size);
  g_autofree guint8 *in_copy = in_size > 0 ? g_memdup2(in, in_size) : NULL; /* DLL may scribble */
  g_autofree guint8 *out = g_malloc0(MAX(job->out_size, 1u));
  DWORD returned = 0;
  g_mutex_lock(&inst->type->dll->lock);
  CallTimer ct;
  call_begin(inst, &ct, "ResourceControl");
  DWORD rc =
      inst->type->fn->ResourceControl(inst->resid, job->code, in_copy, (DWORD)in_size,
                                      job->out_size > 0 ? out : NULL, job->out_size, &returned);
  call_end(inst, &ct);
  g_mutex_unlock(&inst->type->dll->lock);
  RhsHostResult r = {.status = rc};
  if (rc == ERROR_MORE_DATA) {
    r.needed = returned;
    r.output = g_bytes_new(NULL, 0);
  } else {
    r.needed = returned;
    r.output = g_bytes_new(out, MIN(returned, job->out_size));
  }
  op_reply(job->op, &r);
  g_bytes_unref(r.output);
  g_mutex_unlock(&inst->op_lock);
}

/*
 * Recovery of one record after a host restart (kill -9, crash, watchdog exit).  The record is
 * left as it is: a host killed during recovery leaves the same record for the next one.
 * "online": re-opened and asked IsAlive (TRUE: Online, nothing restarted; FALSE: Failed,
 * Terminate, pushed).  Anything else (onlining, offlining, failed): the previous host stopped
 * half-way or failed it, so it may still run, partly started or partly stopped: Failed and
 * interrupted, so that Monitor says failed (not "not running") and the next stop runs Offline
 * on it.  Not pushed: the operation it was in failed for Pacemaker already (the caller lost
 * its host), or was failed and pushed before.  An instance that cannot be re-opened stays as a
 * Failed placeholder with its record, whatever the record said: a stop tries to open it again
 * and fails until it can, since it may run and cannot be stopped otherwise.
 */
static void job_recover(Job *job)
{
  RhsHost *host = job->host;
  RhsStateRecord *rec = job->record;
  g_autoptr(RhsInstance) inst = host_get_or_create(host, rec->name);
  g_autoptr(GError) error = NULL;
  g_mutex_lock(&inst->op_lock);
  inst->type_name = g_strdup(rec->type);
  inst->dll_path = g_strdup(rec->dll);
  inst->params = g_hash_table_ref(rec->params);
  inst->meta = g_hash_table_ref(rec->meta);
  inst->node = cg_node_name(g_hash_table_lookup(rec->meta, "on_node"));
  gboolean online = g_strcmp0(rec->state, RHS_STATE_ONLINE) == 0;
  rhs_crash_point("recover-before-open");
  DWORD status = 0;
  if (!inst_open_configured(inst, &status, &error)) {
    g_warning("%s: cannot re-open after a host restart: %s (status %u): failed until a stop or "
              "start can open it",
              rec->name, error ? error->message : "Open failed", status);
    /* It may still run, but nothing here can manage it: tell Pacemaker. */
    if (online)
      cg_pacemaker_push_failure_detached(rec->name, inst->node, NULL);
    g_mutex_lock(&inst->mutex);
    inst->state = ClusterResourceFailed;
    inst->interrupted = TRUE;
    g_mutex_unlock(&inst->mutex);
    g_mutex_unlock(&inst->op_lock);
    return;
  }
  rhs_crash_point("recover-after-open");
  if (online) {
    if (inst_is_alive(inst, 0)) {
      g_message("%s: recovered online after a host restart (no restart needed)", rec->name);
      g_mutex_lock(&inst->mutex);
      inst->state = ClusterResourceOnline;
      inst->recovered = TRUE;
      g_mutex_unlock(&inst->mutex);
      inst_start_poll(inst);
    } else {
      inst_fail(inst, "IsAlive returned FALSE when re-adopting after a host restart", TRUE);
    }
    rhs_crash_point("recover-after-isalive");
  } else {
    g_message("%s: the previous host left it %s: failed until stopped", rec->name, rec->state);
    g_mutex_lock(&inst->mutex);
    inst->state = ClusterResourceFailed;
    inst->interrupted = TRUE;
    g_mutex_unlock(&inst->mutex);
  }
  g_mutex_unlock(&inst->op_lock);
}

static void pool_func(gpointer data, gpointer user_data)
{
  Job *job = data;
  RhsHost *host = job->host;
  switch (job->kind) {
  case JOB_DEFER:
    g_private_set(&defer_running, host);
    job->defer_func(job->defer_data, NULL);
    g_private_set(&defer_running, NULL);
    break;
  case JOB_ONLINE:
    job_online(job);
    break;
  case JOB_OFFLINE:
    job_offline(job);
    break;
  case JOB_MONITOR:
    job_monitor(job);
    break;
  case JOB_CONTROL:
    job_control(job);
    break;
  case JOB_LIST:
    job_list(job);
    break;
  case JOB_POLL:
    job_poll(job);
    break;
  case JOB_DEADLINE:
    job_deadline(job);
    break;
  case JOB_RECOVER:
    job_recover(job);
    break;
  case JOB_CLOSE:
    job_close(job);
    break;
  }
  job_free(job);
  g_mutex_lock(&host->jobs_lock);
  host->jobs--;
  g_cond_broadcast(&host->jobs_cond);
  g_mutex_unlock(&host->jobs_lock);
}

/* ---- callbacks from DLLs ------------------------------------------------------------------------
 */

static RhsInstance *handle_ref(RESOURCE_HANDLE h)
{
  g_mutex_lock(&handles_lock);
  RhsInstance *inst = handles != NULL && g_hash_table_contains(handles, h) ? inst_ref(h) : NULL;
  g_mutex_unlock(&handles_lock);
  return inst;
}

static DWORD host_set_status(RESOURCE_HANDLE h, PRESOURCE_STATUS st)
{
  g_autoptr(RhsInstance) inst = handle_ref(h);
  if (inst == NULL)
    return ResourceExitStateTerminate; /* closed: the worker should stop */
  DWORD ret = ResourceExitStateContinue;
  g_mutex_lock(&inst->mutex);
  if (inst->terminating) {
    ret = ResourceExitStateTerminate;
  } else if (inst->pending != NULL) {
    if (rhs_pending_report(inst->pending, st->ResourceState, st->CheckPoint))
      g_debug("%s: SetResourceStatus state %d checkpoint %u", inst->name, st->ResourceState,
              st->CheckPoint);
    /* The DLL's worker is running and has done part of the work (genapp: the process runs). */
    if (st->ResourceState == ClusterResourceOnlinePending)
      rhs_crash_point("online-checkpoint");
    else if (st->ResourceState == ClusterResourceOfflinePending)
      rhs_crash_point("offline-checkpoint");
    if (st->EventHandle != NULL && st->ResourceState == ClusterResourceOnline)
      inst->event = st->EventHandle;
    g_cond_broadcast(&inst->cond);
  } else {
    g_debug("%s: SetResourceStatus outside a pending operation ignored", inst->name);
  }
  g_mutex_unlock(&inst->mutex);
  return ret;
}

static void host_log(RESOURCE_HANDLE h, LOG_LEVEL level, const char *message)
{
  g_autoptr(RhsInstance) inst = handle_ref(h);
  g_autofree char *type = NULL;
  if (inst != NULL) {
    g_mutex_lock(&inst->mutex);
    type = g_strdup(inst->type_name);
    if (level >= LOG_ERROR) {
      g_free(inst->last_error);
      inst->last_error = g_strdup(message);
    }
    g_mutex_unlock(&inst->mutex);
  }
  rhs_log_dll_event((int)level, type != NULL ? type : "?", inst != NULL ? inst->name : "?",
                    message);
  g_log(RHS_LOG_DLL_DOMAIN, rhs_logfmt_glib_level(level), "%s %s: %s", type != NULL ? type : "?",
        inst != NULL ? inst->name : "?", message);
}

/* ---- watchdog ---------------------------------------------------------------------------------
 */

static void on_deadlock(const char *call, const char *resource, gint64 elapsed_ms, gpointer data)
{
  RhsHost *host = data;
  g_critical("DEADLOCK: %s of %s has not returned after %" G_GINT64_FORMAT
             " ms: failing every resource of this host and exiting (it is restarted on demand)",
             call, resource ? resource : "-", elapsed_ms);
  /* Like RHS after a deadlock: every resource of this host is treated as failed. */
  g_mutex_lock(&host->lock);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, host->instances);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    RhsInstance *inst = v;
    if (inst->type_name == NULL || inst_parked_until(inst, NULL) != 0)
      continue; /* parked: stopped, nothing of it runs */
    inst_persist(inst, RHS_STATE_FAILED);
    g_autoptr(GError) error = NULL;
    if (!cg_pacemaker_push_failure_detached(inst->name, inst->node, &error))
      g_warning("%s: failure push failed: %s", inst->name, error->message);
  }
  g_mutex_unlock(&host->lock);
  _exit(2); /* no atexit handlers: threads are stuck inside a DLL */
}

/* ---- public ------------------------------------------------------------------------------------
 */

gboolean rhs_host_check_name(const char *what, const char *name, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (clusres_input_check_name(what, name, &local)) /* the agent's rule too */
    return TRUE;
  g_set_error_literal(error, RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS, local->message);
  return FALSE;
}

gboolean rhs_host_check_startable(const char *resource, GError **error)
{
  gsize len;
  if (rhs_state_name_fits(resource, &len))
    return TRUE;
  g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS,
              "resource name too long for its state file: it escapes to %" G_GSIZE_FORMAT
              " bytes (every byte outside [A-Za-z0-9_] takes 3), at most %d fit",
              len, RHS_STATE_MAX_ESCAPED);
  return FALSE;
}

gboolean rhs_host_check_dll(const char *dll, GError **error)
{
  if (!g_path_is_absolute(dll) || strlen(dll) > 4096) {
    g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS, "dll must be an absolute path");
    return FALSE;
  }
  struct stat st;
  if (stat(dll, &st) != 0 || !S_ISREG(st.st_mode)) {
    g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_NOT_INSTALLED, "%s: not a regular file", dll);
    return FALSE;
  }
  return TRUE;
}

RhsHost *rhs_host_new(const char *separate, RhsHostStateChanged changed, gpointer user_data)
{
  RhsHost *host = g_new0(RhsHost, 1);
  host->separate = g_strdup(separate);
  host->state_dir = rhs_state_dir(separate);
  host->ctx = g_main_context_ref_thread_default();
  host->poll_sched = rhs_poll_sched_new(host->ctx);
  g_mutex_init(&host->deadline_lock);
  host->deadline_source = g_source_new(&deadline_funcs, sizeof(GSource));
  g_source_set_name(host->deadline_source, "rhs-deadlines");
  g_source_set_callback(host->deadline_source, NULL, host, NULL);
  rhs_due_queue_init(&host->deadlines, host->deadline_source);
  g_source_attach(host->deadline_source, host->ctx);
  g_mutex_init(&host->park_lock);
  host->park_source = g_source_new(&park_funcs, sizeof(GSource));
  g_source_set_name(host->park_source, "rhs-parked");
  g_source_set_callback(host->park_source, NULL, host, NULL);
  g_source_attach(host->park_source, host->ctx);
  host->changed = changed;
  host->changed_data = user_data;
  g_mutex_init(&host->lock);
  g_mutex_init(&host->jobs_lock);
  g_cond_init(&host->jobs_cond);
  host->instances =
      g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)inst_unref);
  /* Unbounded: a thread blocked on a DLL lock must never keep Terminate from running. */
  host->pool = g_thread_pool_new(pool_func, host, -1, FALSE, NULL);
  host->wd = rhs_watchdog_new(on_deadlock, host);
  g_mutex_lock(&handles_lock);
  if (handles == NULL)
    handles = g_hash_table_new(NULL, NULL);
  g_mutex_unlock(&handles_lock);
  rhs_dll_set_callbacks(host_set_status, host_log);

  return host;
}

const char *rhs_host_separate(RhsHost *host)
{
  return host->separate;
}

static void wait_jobs(RhsHost *host, gint64 until)
{
  g_mutex_lock(&host->jobs_lock);
  while (host->jobs > 0)
    if (!g_cond_wait_until(&host->jobs_cond, &host->jobs_lock, until))
      break;
  g_mutex_unlock(&host->jobs_lock);
}

void rhs_host_recover(RhsHost *host)
{
  g_autoptr(GPtrArray) recs = rhs_state_load_all(host->state_dir);
  for (guint i = 0; i < recs->len; i++) {
    RhsStateRecord *rec = recs->pdata[i];
    if (host->separate != NULL && strcmp(rec->name, host->separate) != 0)
      continue;
    Job *job = g_new0(Job, 1);
    job->kind = JOB_RECOVER;
    job->host = host;
    job->record = g_steal_pointer(&recs->pdata[i]);
    host_push_job(host, job);
  }
  g_ptr_array_set_free_func(recs, NULL);
  for (guint i = 0; i < recs->len; i++)
    rhs_state_record_free(recs->pdata[i]);
  /* Answer nothing before re-adoption is done: a probe must not see "not running". */
  wait_jobs(host, G_MAXINT64);
}

void rhs_host_shutdown(RhsHost *host)
{
  host->shutting_down = TRUE;
  wait_jobs(host, g_get_monotonic_time() + 10 * G_USEC_PER_SEC);
  g_autoptr(GPtrArray) all = host_instances(host);
  for (guint i = 0; i < all->len; i++) {
    RhsInstance *inst = all->pdata[i];
    inst_stop_poll(inst);
    /* Close of an online instance makes the DLL terminate it (Windows contract), and a host
     * stop must not stop resources: online ones stay open and persisted for the next host. */
    if (!g_mutex_trylock(&inst->op_lock))
      continue;
    if (inst_state(inst) != ClusterResourceOnline && inst->resid != NULL)
      inst_close(inst);
    g_mutex_unlock(&inst->op_lock);
  }
}

void rhs_host_free(RhsHost *host)
{
  if (host == NULL)
    return;
  g_thread_pool_free(host->pool, FALSE, TRUE);
  rhs_watchdog_free(host->wd);
  g_mutex_lock(&handles_lock);
  g_hash_table_remove_all(handles);
  g_mutex_unlock(&handles_lock);
  g_hash_table_unref(host->instances);
  rhs_poll_sched_free(host->poll_sched);
  g_source_destroy(host->deadline_source);
  g_source_unref(host->deadline_source);
  g_source_destroy(host->park_source);
  g_source_unref(host->park_source);
  g_mutex_clear(&host->park_lock);
  /* Operations never answered (the host stops): their deadline jobs are freed, not run. */
  RhsDue *d;
  while ((d = rhs_due_pop(&host->deadlines, G_MAXINT64)) != NULL)
    job_free(g_steal_pointer(&((Op *)d)->deadline_job));
  rhs_due_queue_clear(&host->deadlines);
  g_mutex_clear(&host->deadline_lock);
  g_main_context_unref(host->ctx);
  g_free(host->separate);
  g_free(host->state_dir);

  g_free(host);
}

static Op *op_new(RhsHostDone done, gpointer user_data)
{
  Op *op = g_new0(Op, 1);
  op->ref = 1;
  op->done = done;
  op->user_data = user_data;
  return op;
}

static Job *job_new(RhsHost *host, JobKind kind, Op *op, const char *resource)
{
  Job *job = g_new0(Job, 1);
  job->kind = kind;
  job->host = host;
  job->op = op;
  job->resource = g_strdup(resource);
  return job;
}

void rhs_host_online(RhsHost *host, const char *resource, const char *type, const char *dll,
                     GVariant *params, GVariant *meta, guint32 timeout_ms, RhsHostDone done,
                     gpointer user_data)
{
  Op *op = op_new(done, user_data);
  Job *job = job_new(host, JOB_ONLINE, op, resource);
  job->type = g_strdup(type);
  job->dll = g_strdup(dll);
  job->params = variant_to_table(params);
  job->meta = variant_to_table(meta);
  job->timeout_ms = timeout_ms;
  arm_deadline(host, op, resource, RHS_PENDING_ONLINE, timeout_ms);
  host_start_job(host, job);
}

void rhs_host_offline(RhsHost *host, const char *resource, guint32 timeout_ms, RhsHostDone done,
                      gpointer user_data)
{
  Op *op = op_new(done, user_data);
  Job *job = job_new(host, JOB_OFFLINE, op, resource);
  job->timeout_ms = timeout_ms;
  arm_deadline(host, op, resource, RHS_PENDING_OFFLINE, timeout_ms);
  host_start_job(host, job);
}

void rhs_host_defer(RhsHost *host, GFunc func, gpointer data)
{
  Job *job = g_new0(Job, 1);
  job->kind = JOB_DEFER;
  job->host = host;
  job->defer_func = func;
  job->defer_data = data;
  host_push_job(host, job);
}

/*
 * The answers of a Monitor that need no DLL call, so neither a worker nor the main loop: a
 * pending Online/Offline, and a depth-0 Monitor of an online instance that is either polled by
 * LooksAlive and whose last LooksAlive/IsAlive said TRUE before alive_until, or watched by an
 * event handle that is not signalled (what job_monitor() would find without a DLL call; the
 * fd is polled, not read, so an auto-reset signal stays for the worker).  Any thread.
 */
gboolean rhs_host_monitor_now(RhsHost *host, const char *resource, guint32 depth, int *state,
                              const char **message)
{
  rhs_crash_point("monitor"); /* every Monitor comes through here first */
  g_autoptr(RhsInstance) inst = host_lookup(host, resource);
  if (inst == NULL)
    return FALSE;
  g_mutex_lock(&inst->mutex);
  CLUSTER_RESOURCE_STATE s = inst->state;
  gboolean fresh = FALSE;
  if (s == ClusterResourceOnline && depth < 10 && !inst->terminating) {
    if (inst->degraded != NULL) {
      fresh = FALSE; /* the reason is the DLL's to give, fresh (job_monitor) */
    } else if (inst->event == NULL) {
      fresh = inst->alive_until != 0 && g_get_monotonic_time() < inst->alive_until;
    } else if (inst->event_fd >= 0) {
      struct pollfd pfd = {.fd = inst->event_fd, .events = POLLIN};
      fresh = poll(&pfd, 1, 0) == 0;
    }
  }
  g_mutex_unlock(&inst->mutex);
  if (s == ClusterResourceOnlinePending || s == ClusterResourceOfflinePending) {
    *state = s;
    *message = clusres_state_name(s);
    return TRUE;
  }
  if (fresh) {
    *state = ClusterResourceOnline;
    *message = "online";
    return TRUE;
  }
  return FALSE;
}

void rhs_host_monitor(RhsHost *host, const char *resource, guint32 depth, RhsHostDone done,
                      gpointer user_data)
{
  int state = 0;
  const char *message = NULL;
  if (rhs_host_monitor_now(host, resource, depth, &state, &message)) {
    RhsHostResult r = {.state = state, .message = message};
    done(&r, user_data);
    return;
  }
  Op *op = op_new(done, user_data);
  Job *job = job_new(host, JOB_MONITOR, op, resource);
  job->depth = depth;
  host_push_job(host, job);
}

void rhs_host_control(RhsHost *host, const char *resource, guint32 code, GBytes *input,
                      guint32 out_size, RhsHostDone done, gpointer user_data)
{
  Job *job = job_new(host, JOB_CONTROL, op_new(done, user_data), resource);
  job->code = code;
  job->input = g_bytes_ref(input);
  job->out_size = out_size;
  host_push_job(host, job);
}

void rhs_host_list_instances(RhsHost *host, RhsHostDone done, gpointer user_data)
{
  host_push_job(host, job_new(host, JOB_LIST, op_new(done, user_data), NULL));
}

GVariant *rhs_host_list_types(RhsHost *host)
{
  g_autoptr(GPtrArray) types = rhs_dll_list_types();
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("aa{sv}"));
  for (guint i = 0; i < types->len; i++) {
    RhsType *t = types->pdata[i];
    g_auto(GVariantBuilder) d = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add(&d, "{sv}", "type", g_variant_new_string(t->name));
    g_variant_builder_add(&d, "{sv}", "dll", g_variant_new_string(t->dll->path));
    g_variant_builder_add(&d, "{sv}", "instances", g_variant_new_uint32(t->instances));
    g_variant_builder_add(&d, "{sv}", "version", g_variant_new_uint32(t->version));
    g_variant_builder_add_value(&b, g_variant_builder_end(&d));
  }
  return g_variant_builder_end(&b);
}
