/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The share-set resource type: many shares, one Pacemaker resource, one host call, one worker.
 * Each member is a share of seed 004 in the process-wide GSM (share-sm through share-core):
 * FIG. 5 and 6A/6B run per member exactly as for a `share` primitive, so the counts are the
 * same whichever way a share is configured; what the set changes is how often the cluster,
 * the host and the registry are involved:
 *   - one Online for all members, one SetResourceStatus for the set;
 *   - the members' LSMs persisted in two registry batches per pass (targets before, the
 *     failures after), not two writes per member;
 *   - one export listing for the health of every member (share-core's shared cache);
 *   - a broken member (directory missing, enable failed, export gone) is reported, not
 *     exported, and does not fail the set: the set is Online while one member is, and a
 *     monitor answers "degraded" (ClusResSetDegraded) naming the broken members;
 *   - a change of `shares` on a running set (reload-agent: SET_PRIVATE_PROPERTIES) is a diff:
 *     added members enabled, removed ones disabled, a changed path disabled and enabled, no
 *     driver call for the others.
 */
#include "shareset.h"

#include <string.h>

#include <glib.h>

#include "sd-driver.h"
#include "sd-probe.h"
#include "share-core.h"
#include "share-params.h"
#include "share-sm.h"
#include "share.h"
#include "shareset-params.h"

/* The degraded reason names at most this many members (then "and N more"): it ends up in the
 * CIB as the operation's exit reason. */
#define SHARESET_REASON_MEMBERS 5

typedef struct {
  char *name;
  char *path;
  ShareSmShare *share;
  char *failure;     /* why it is not exported (or broken), NULL when fine */
  gboolean removing; /* no longer configured but still exported: its disable failed */
} SetMember;

typedef struct {
  char *name; /* the resource name (Pacemaker's id) */
  RESOURCE_HANDLE handle;
  HKEY params_key; /* Parameters: the host's */
  HKEY state_key;  /* ShareSetState: ours, volatile (each member's LSM) */
  ShareSm *sm;
  SdDriver *driver;
  ShareSetParams params;
  /* The members (SetMember *, in configuration order, then the ones being removed) and their
   * index.  Changed by Open, the online/offline worker, SET_PRIVATE_PROPERTIES and IsAlive's
   * retry, all under @lock; the host never runs two of these at once, the lock is for status
   * and health reads meanwhile. */
  GMutex lock;
  GPtrArray *members;
  GHashTable *by_name;
  gboolean online; /* the set was reported Online and not taken offline since */
  CLUS_WORKER worker;
  gint checkpoint;
  gint quiet; /* Terminate/Close: the host expects no reports */
} ShareSet;

/* ---- small helpers --------------------------------------------------------------------- */

static void set_log(ShareSet *set, LOG_LEVEL level, const char *message)
{
  share_core_log(set->handle, level, message);
}

static void set_report(ShareSet *set, CLUSTER_RESOURCE_STATE state)
{
  if (!g_atomic_int_get(&set->quiet))
    share_core_report(set->handle, state, &set->checkpoint);
}

static void member_free(gpointer p)
{
  SetMember *m = p;
  share_sm_share_free(m->share);
  g_free(m->name);
  g_free(m->path);
  g_free(m->failure);
  g_free(m);
}

static void member_fail(SetMember *m, const char *why)
{
  g_free(m->failure);
  m->failure = g_strdup(why);
}

/* Reads and validates Parameters (FIG. 5 block 41 for every member). */
static DWORD read_params(ShareSet *set, ShareSetParams *params, GPtrArray **entries)
{
  DWORD status =
      share_core_read_block(set->handle, set->params_key, shareset_params_table, (LPBYTE)params);
  if (status != ERROR_SUCCESS)
    return status;
  g_autoptr(GError) error = NULL;
  if (!shareset_params_validate(params, entries, &error)) {
    set_log(set, LOG_ERROR, error->message);
    return ERROR_INVALID_PARAMETER;
  }
  return ERROR_SUCCESS;
}

/* A member's share definition from the set-wide values. */
static void member_def(const ShareSetParams *params, const ShareSetEntry *e, SdShare *def,
                       char **pseudo_buf)
{
  ShareParams view;
  shareset_params_member(params, e, &view);
  share_params_resolve(&view, def, pseudo_buf);
}

/* Callers hold share-core's lock.  A member's name is in use by another resource (a share or
 * another set): two exports of one name would be counted twice. */
static const char *name_taken(ShareSet *set, GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++) {
    const ShareSetEntry *e = entries->pdata[i];
    if (share_core_name_in_use(e->name) &&
        (set->by_name == NULL || !g_hash_table_contains(set->by_name, e->name)))
      return e->name;
  }
  return NULL;
}

/* ---- the members' LSMs in the registry --------------------------------------------------- */

/* One batch for many members: one replacement of the state key instead of one per member (a
 * key file is rewritten whole at each change).  @lsm NULL deletes the values. */
static void persist_members(ShareSet *set, GPtrArray *members, const ShareLsm *lsm)
{
  if (members->len == 0)
    return;
  HREGBATCH batch;
  if (ClusterRegCreateBatch(set->state_key, &batch) != ERROR_SUCCESS)
    return;
  for (guint i = 0; i < members->len; i++) {
    SetMember *m = members->pdata[i];
    if (lsm == NULL) {
      (void)ClusterRegBatchAddCommand(batch, CLUSREG_DELETE_VALUE, m->name, 0, NULL, 0);
    } else {
      const char *v = share_lsm_to_string(*lsm);
      (void)ClusterRegBatchAddCommand(batch, CLUSREG_SET_VALUE, m->name, REG_SZ, v,
                                      (DWORD)strlen(v) + 1);
    }
  }
  LONG failed = -1;
  DWORD status = ClusterRegCloseBatch(batch, TRUE, &failed);
  if (status != ERROR_SUCCESS) {
    g_autofree char *msg = g_strdup_printf("cannot store the members' LSM (command %d, error %u)",
                                           (int)failed, status);
    set_log(set, LOG_WARNING, msg);
  }
}

/* ---- enabling and disabling members -------------------------------------------------------- */

/*
 * FIG. 5 and 6A/6B for each member of @todo, in one pass.  The LSM each is about to get is
 * persisted first, in one batch (share-sm's rule: the persisted LSM only counts with the
 * export listed, so "Online, not exported" after a crash reads as Offline), and Offline again
 * for the ones that failed.  A member whose directory is missing is not tried.  Called with
 * set->lock held.  Returns the number of members of @todo now online.
 */
static guint enable_members(ShareSet *set, GPtrArray *todo)
{
  g_autoptr(GPtrArray) tried = g_ptr_array_new();
  g_autoptr(GPtrArray) failed = g_ptr_array_new();
  for (guint i = 0; i < todo->len; i++) {
    SetMember *m = todo->pdata[i];
    if (share_sm_share_lsm(m->share) != SHARE_LSM_OFFLINE)
      continue;
    if (!g_file_test(m->path, G_FILE_TEST_IS_DIR)) {
      g_autofree char *why = g_strdup_printf("directory %s is missing", m->path);
      member_fail(m, why);
      continue;
    }
    g_ptr_array_add(tried, m);
  }
  /* The target LSM depends on Nodes Match, the same for every member of the set. */
  ShareLsm target = g_str_equal(set->params.home_node, share_sm_local_node(set->sm))
                        ? SHARE_LSM_ONLINE
                        : SHARE_LSM_FAILOVER;
  persist_members(set, tried, &target);
  guint online = 0;
  for (guint i = 0; i < tried->len; i++) {
    SetMember *m = tried->pdata[i];
    g_autoptr(GError) error = NULL;
    share_sm_online_request(m->share);
    if (share_sm_online_worker(m->share, &error)) {
      g_clear_pointer(&m->failure, g_free);
      online++;
    } else {
      g_autofree char *why = g_strdup_printf("enable failed: %s", error->message);
      member_fail(m, why);
      g_ptr_array_add(failed, m);
    }
  }
  const ShareLsm offline = SHARE_LSM_OFFLINE;
  persist_members(set, failed, &offline);
  return online;
}

/* FIG. 8A/8B for one member (set->lock held).  On success its export is gone and it is no
 * longer counted; on failure it stays counted (a retry or Terminate finds it). */
static gboolean disable_member(ShareSet *set, SetMember *m)
{
  g_autoptr(GError) error = NULL;
  if (share_sm_offline_worker(m->share, &error)) {
    g_clear_pointer(&m->failure, g_free);
    return TRUE;
  }
  g_autofree char *why = g_strdup_printf("disable failed: %s", error->message);
  member_fail(m, why);
  set_log(set, LOG_ERROR, why);
  return FALSE;
}

static gboolean member_exported(SetMember *m)
{
  return share_sm_share_lsm(m->share) != SHARE_LSM_OFFLINE;
}

/* Drops the members of @gone (taken offline, or never online) from the set and from the name
 * index.  set->lock held. */
static void drop_members(ShareSet *set, GPtrArray *gone)
{
  if (gone->len == 0)
    return;
  persist_members(set, gone, NULL);
  share_core_lock();
  for (guint i = 0; i < gone->len; i++)
    share_core_name_unref(((SetMember *)gone->pdata[i])->name);
  share_core_unlock();
  for (guint i = 0; i < gone->len; i++) {
    SetMember *m = gone->pdata[i];
    g_hash_table_remove(set->by_name, m->name);
    g_ptr_array_remove(set->members, m); /* frees it */
  }
}

/* Takes every member offline (Offline, Terminate, Close).  Members no longer configured that
 * went offline leave the set.  set->lock held.  FALSE if one could not be disabled. */
static gboolean disable_all(ShareSet *set)
{
  gboolean ok = TRUE;
  g_autoptr(GPtrArray) off = g_ptr_array_new();
  g_autoptr(GPtrArray) gone = g_ptr_array_new();
  for (guint i = 0; i < set->members->len; i++) {
    SetMember *m = set->members->pdata[i];
    if (!member_exported(m)) {
      g_clear_pointer(&m->failure, g_free); /* not exported and not tried: nothing is wrong */
      continue;
    }
    if (disable_member(set, m))
      g_ptr_array_add(m->removing ? gone : off, m);
    else
      ok = FALSE;
  }
  const ShareLsm offline = SHARE_LSM_OFFLINE;
  persist_members(set, off, &offline);
  drop_members(set, gone);
  set->online = FALSE;
  return ok;
}

/*
 * Brings the members in line with @params/@entries (both taken): members no longer listed are
 * disabled and dropped (kept as "removing" when their disable fails), a member whose path
 * changed is disabled and redefined, new members are created; then, if @enable, every member
 * that is not online is enabled, else only the new and redefined ones when the set is online.
 * Members that did not change are not touched.  set->lock held; the caller checked that new
 * names are free.
 */
static void apply_config(ShareSet *set, ShareSetParams *params, GPtrArray *entries, gboolean enable)
{
  g_autoptr(GPtrArray) todo = g_ptr_array_new();
  g_autoptr(GPtrArray) gone = g_ptr_array_new();
  g_autoptr(GHashTable) listed = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(member_free);

  shareset_params_clear(&set->params);
  set->params = *params;
  memset(params, 0, sizeof(*params));

  for (guint i = 0; i < entries->len; i++)
    g_hash_table_add(listed, ((ShareSetEntry *)entries->pdata[i])->name);

  /* Removed members first: their exports go before new ones come (a name moved to another
   * path in the same change is disabled and enabled, never two exports of one id). */
  for (guint i = 0; i < set->members->len; i++) {
    SetMember *m = set->members->pdata[i];
    if (g_hash_table_contains(listed, m->name))
      continue;
    if (!member_exported(m) || disable_member(set, m))
      g_ptr_array_add(gone, m);
    else
      m->removing = TRUE;
  }
  drop_members(set, gone);

  /* The new order: the configured members, then those still being removed. */
  g_autoptr(GPtrArray) fresh = g_ptr_array_new();
  for (guint i = 0; i < entries->len; i++) {
    const ShareSetEntry *e = entries->pdata[i];
    SdShare def;
    g_autofree char *pseudo_buf = NULL;
    member_def(&set->params, e, &def, &pseudo_buf);
    SetMember *m = g_hash_table_lookup(set->by_name, e->name);
    if (m != NULL) {
      m->removing = FALSE;
      if (g_str_equal(m->path, e->path) && share_sm_share_driver(m->share) == set->driver)
        continue;
      /* The definition of an exported share only changes while it is offline. */
      if (member_exported(m) && !disable_member(set, m))
        continue; /* still exported with the old path: failure shown, retried next time */
      g_free(m->path);
      m->path = g_strdup(e->path);
      (void)share_sm_share_update(m->share, set->driver, &def, set->params.home_node);
      g_ptr_array_add(fresh, m);
      continue;
    }
    m = g_new0(SetMember, 1);
    m->name = g_strdup(e->name);
    m->path = g_strdup(e->path);
    m->share = share_sm_share_new(set->sm, set->driver, &def, set->params.home_node);
    g_hash_table_insert(set->by_name, m->name, m);
    g_ptr_array_add(set->members, m);
    share_core_lock();
    share_core_name_ref(m->name);
    share_core_unlock();
    g_ptr_array_add(fresh, m);
  }
  /* Reorder without freeing: steal every member into the configured order. */
  g_ptr_array_set_free_func(set->members, NULL);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add(order,
                    g_hash_table_lookup(set->by_name, ((ShareSetEntry *)entries->pdata[i])->name));
  for (guint i = 0; i < set->members->len; i++) {
    SetMember *m = set->members->pdata[i];
    if (m->removing)
      g_ptr_array_add(order, m);
  }
  g_ptr_array_unref(set->members);
  set->members = g_steal_pointer(&order);

  if (enable) {
    for (guint i = 0; i < set->members->len; i++) {
      SetMember *m = set->members->pdata[i];
      if (!m->removing)
        g_ptr_array_add(todo, m);
    }
  } else if (set->online) {
    g_ptr_array_extend(todo, fresh, NULL, NULL);
  }
  (void)enable_members(set, todo);
}

static guint members_online(ShareSet *set)
{
  guint n = 0;
  for (guint i = 0; i < set->members->len; i++) {
    SetMember *m = set->members->pdata[i];
    if (!m->removing && member_exported(m))
      n++;
  }
  return n;
}

/* ---- Open ------------------------------------------------------------------------------ */

static void set_free(ShareSet *set)
{
  if (set->params_key)
    ClusterRegCloseKey(set->params_key);
  if (set->state_key)
    ClusterRegCloseKey(set->state_key);
  shareset_params_clear(&set->params);
  if (set->members)
    g_ptr_array_unref(set->members);
  if (set->by_name)
    g_hash_table_unref(set->by_name);
  g_mutex_clear(&set->lock);
  g_free(set->name);
  g_free(set);
}

/* Share-core's lock held.  A killed host (simulated): the set vanishes, its members' exports
 * stay. */
static void set_forget(gpointer instance)
{
  ShareSet *set = instance;
  ClusWorkerTerminate(&set->worker);
  for (guint i = 0; i < set->members->len; i++)
    share_core_name_unref(((SetMember *)set->members->pdata[i])->name);
  set_free(set);
}

/*
 * Re-adoption after a host restart (share_sm_readopt for each member): a member whose
 * persisted LSM is Online or Failover and whose export is listed counts again.  One export
 * listing for all members (the first check lists, the others read share-core's cache).
 * set->lock held.  Returns how many were counted; values of members not counted are dropped.
 */
static guint readopt_members(ShareSet *set)
{
  guint counted = 0;
  guint max_age = 0;
  g_autoptr(GPtrArray) stale = g_ptr_array_new();
  for (guint i = 0; i < set->members->len; i++) {
    SetMember *m = set->members->pdata[i];
    g_autofree char *persisted_str = ResUtilGetSzValue(set->state_key, m->name);
    ShareLsm persisted = SHARE_LSM_OFFLINE;
    if (persisted_str == NULL)
      continue;
    if (!share_lsm_from_string(persisted_str, &persisted) || persisted == SHARE_LSM_OFFLINE) {
      g_ptr_array_add(stale, m);
      continue;
    }
    gboolean present = FALSE;
    g_autoptr(GError) error = NULL;
    if (!sd_driver_share_present(set->driver, share_sm_share_def(m->share), max_age, &present,
                                 &error)) {
      set_log(set, LOG_WARNING, error->message);
      present = FALSE;
    }
    max_age = SHARE_CORE_LOOKS_ALIVE_CACHE_MS;
    if (share_sm_readopt(m->share, persisted, present))
      counted++;
    else
      g_ptr_array_add(stale, m);
  }
  persist_members(set, stale, NULL);
  return counted;
}

static RESID WINAPI SetOpen(LPCSTR ResourceName, HKEY ResourceKey, RESOURCE_HANDLE ResourceHandle)
{
  if (ResourceName == NULL || ResourceKey == NULL) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  ShareSet *set = g_new0(ShareSet, 1);
  g_mutex_init(&set->lock);
  set->name = g_strdup(ResourceName);
  set->handle = ResourceHandle;
  set->members = g_ptr_array_new_with_free_func(member_free);
  set->by_name = g_hash_table_new(g_str_hash, g_str_equal);

  ShareSetParams params = {0};
  g_autoptr(GPtrArray) entries = NULL;
  DWORD status = ClusterRegOpenKey(ResourceKey, "Parameters", KEY_ALL_ACCESS, &set->params_key);
  if (status == ERROR_SUCCESS)
    status = read_params(set, &params, &entries);
  if (status == ERROR_SUCCESS)
    status = ClusterRegCreateKeyEx(ResourceKey, SHARESET_STATE_KEY, REG_OPTION_VOLATILE,
                                   KEY_ALL_ACCESS, &set->state_key, NULL);
  if (status != ERROR_SUCCESS) {
    shareset_params_clear(&params);
    set_free(set);
    SetLastError(status);
    return NULL;
  }
  g_autofree char *node = ResUtilGetSzValue(ResourceKey, "NodeName");
  if (node == NULL || *node == '\0') {
    g_free(node);
    node = g_strdup(g_get_host_name());
  }

  share_core_lock();
  const char *taken = share_core_has_instance(set->name) ? NULL : name_taken(set, entries);
  if (share_core_has_instance(set->name) || taken != NULL) {
    share_core_unlock();
    g_autofree char *msg =
        taken ? g_strdup_printf("shares: %s is already used by another resource", taken)
              : g_strdup("the resource name is already open");
    set_log(set, LOG_ERROR, msg);
    shareset_params_clear(&params);
    set_free(set);
    SetLastError(ERROR_ALREADY_EXISTS);
    return NULL;
  }
  g_autoptr(GError) error = NULL;
  set->driver =
      share_core_driver(share_params_backend(&(ShareParams){.driver = params.driver}), &error);
  if (set->driver == NULL) {
    share_core_unlock();
    set_log(set, LOG_ERROR, error->message);
    shareset_params_clear(&params);
    set_free(set);
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  set->sm = share_core_sm(set->handle, node);
  (void)share_core_add_instance(set->name, set, set_forget);
  share_core_unlock();

  g_mutex_lock(&set->lock);
  apply_config(set, &params, entries, FALSE); /* creates the members, enables nothing */
  guint counted = readopt_members(set);
  set->online = counted > 0;
  g_mutex_unlock(&set->lock);
  if (counted > 0) {
    g_autofree char *msg = g_strdup_printf("re-adopted %u exported members", counted);
    set_log(set, LOG_INFORMATION, msg);
  }
  return set;
}

/* ---- Online / Offline -------------------------------------------------------------------- */

typedef struct {
  ShareSet *set;
  ShareSetParams params;
  GPtrArray *entries;
} OnlineJob;

static DWORD WINAPI set_online_thread(PCLUS_WORKER worker, LPVOID param)
{
  OnlineJob *job = param;
  ShareSet *set = job->set;
  g_mutex_lock(&set->lock);
  apply_config(set, &job->params, job->entries, TRUE);
  guint online = members_online(set);
  set->online = online > 0;
  g_mutex_unlock(&set->lock);
  g_ptr_array_unref(job->entries);
  g_free(job);
  if (online == 0) {
    set_log(set, LOG_ERROR, "no member of the set could be brought online");
    set_report(set, ClusterResourceFailed);
    return ERROR_RESOURCE_FAILED;
  }
  set_report(set, ClusterResourceOnline);
  return ERROR_SUCCESS;
}

static DWORD WINAPI SetOnline(RESID Resource, LPHANDLE EventHandle)
{
  ShareSet *set = Resource;
  if (set == NULL)
    return ERROR_INVALID_PARAMETER;
  /* Block 41 for the set: parameters read again and validated, the disk mounted; nothing
   * has changed when this fails.  A member's missing directory only fails that member. */
  OnlineJob *job = g_new0(OnlineJob, 1);
  job->set = set;
  DWORD status = read_params(set, &job->params, &job->entries);
  if (status == ERROR_SUCCESS && job->params.disk && *job->params.disk &&
      !share_params_mounted(NULL, job->params.disk)) {
    set_log(set, LOG_ERROR, "the disk the set depends on is not mounted");
    status = ERROR_NOT_READY;
  }
  g_autoptr(GError) error = NULL;
  SdDriver *drv = NULL;
  if (status == ERROR_SUCCESS) {
    g_mutex_lock(&set->lock);
    share_core_lock();
    const char *taken = name_taken(set, job->entries);
    if (taken != NULL) {
      g_autofree char *msg =
          g_strdup_printf("shares: %s is already used by another resource", taken);
      set_log(set, LOG_ERROR, msg);
      status = ERROR_ALREADY_EXISTS;
    } else {
      drv = share_core_driver(share_params_backend(&(ShareParams){.driver = job->params.driver}),
                              &error);
    }
    share_core_unlock();
    g_mutex_unlock(&set->lock);
  }
  /* The node's Ganesha recovery layout: one setting per node (see share.c). */
  if (status == ERROR_SUCCESS &&
      (drv == NULL || !sd_driver_set_recovery(drv, job->params.recovery_root,
                                              share_sm_local_node(set->sm), &error))) {
    set_log(set, LOG_ERROR, error->message);
    status = ERROR_INVALID_PARAMETER;
  }
  if (status != ERROR_SUCCESS) {
    shareset_params_clear(&job->params);
    if (job->entries)
      g_ptr_array_unref(job->entries);
    g_free(job);
    return status;
  }
  ClusWorkerTerminate(&set->worker);
  g_mutex_lock(&set->lock);
  set->driver = drv; /* members get it when they are (re)defined while offline */
  g_mutex_unlock(&set->lock);
  status = ClusWorkerCreate(&set->worker, set_online_thread, job);
  if (status != ERROR_SUCCESS) {
    shareset_params_clear(&job->params);
    g_ptr_array_unref(job->entries);
    g_free(job);
    return status;
  }
  return ERROR_IO_PENDING;
}

static DWORD WINAPI set_offline_thread(PCLUS_WORKER worker, LPVOID param)
{
  ShareSet *set = param;
  set_report(set, ClusterResourceOfflinePending);
  g_mutex_lock(&set->lock);
  gboolean ok = disable_all(set);
  g_mutex_unlock(&set->lock);
  if (!ok) {
    set_report(set, ClusterResourceFailed);
    return ERROR_RESOURCE_FAILED;
  }
  set_report(set, ClusterResourceOffline);
  return ERROR_SUCCESS;
}

static DWORD WINAPI SetOffline(RESID Resource)
{
  ShareSet *set = Resource;
  if (set == NULL)
    return ERROR_INVALID_PARAMETER;
  ClusWorkerTerminate(&set->worker);
  DWORD status = ClusWorkerCreate(&set->worker, set_offline_thread, set);
  return status != ERROR_SUCCESS ? status : ERROR_IO_PENDING;
}

static VOID WINAPI SetTerminate(RESID Resource)
{
  ShareSet *set = Resource;
  if (set == NULL)
    return;
  ClusWorkerTerminate(&set->worker);
  g_mutex_lock(&set->lock);
  (void)disable_all(set);
  g_mutex_unlock(&set->lock);
}

static VOID WINAPI SetClose(RESID Resource)
{
  ShareSet *set = Resource;
  if (set == NULL)
    return;
  ClusWorkerTerminate(&set->worker);
  g_atomic_int_set(&set->quiet, 1);
  /* MSCS Close of an online resource terminates it; share_sm_close also uncounts a member
   * whose export could not be removed, so the GSM keeps no share without an instance. */
  g_mutex_lock(&set->lock);
  (void)disable_all(set);
  persist_members(set, set->members, NULL);
  g_ptr_array_set_free_func(set->members, NULL);
  share_core_lock();
  for (guint i = 0; i < set->members->len; i++) {
    SetMember *m = set->members->pdata[i];
    share_core_name_unref(m->name);
    share_sm_close(g_steal_pointer(&m->share));
    member_free(m);
  }
  g_ptr_array_set_size(set->members, 0);
  g_mutex_unlock(&set->lock);
  share_core_remove_instance(set->name, FALSE);
  set_free(set);
  share_core_unlock();
}

/* ---- health ------------------------------------------------------------------------------- */

/* The broken members as one line for the cluster: "2 of 100 shares failed: a1 (directory
 * /srv/a1 is missing), b7 (export is gone)". */
static char *degraded_reason(GPtrArray *broken, guint total)
{
  GString *s = g_string_new(NULL);
  g_string_printf(s, "%u of %u shares failed: ", broken->len, total);
  for (guint i = 0; i < broken->len && i < SHARESET_REASON_MEMBERS; i++) {
    SetMember *m = broken->pdata[i];
    g_string_append_printf(s, "%s%s (%s)", i ? ", " : "", m->name,
                           m->failure ? m->failure : "failed");
  }
  if (broken->len > SHARESET_REASON_MEMBERS)
    g_string_append_printf(s, " and %u more", broken->len - SHARESET_REASON_MEMBERS);
  return g_string_free(s, FALSE);
}

/*
 * One health pass (set->lock held).  Every member's export against one listing (share-core's
 * cache, @max_age_ms); with @deep also the disk and each member's directory, and members that
 * failed for lack of their directory are enabled again once it is back.  FALSE when no member
 * is online (or the driver cannot list: then nothing is known to be exported); TRUE otherwise,
 * degraded (ClusResSetDegraded) when a member is broken.
 */
static BOOL health(ShareSet *set, guint max_age_ms, gboolean deep)
{
  if (!set->online)
    return FALSE;
  if (deep && set->params.disk && *set->params.disk &&
      !share_params_mounted(NULL, set->params.disk)) {
    set_log(set, LOG_ERROR, "the disk the set depends on is no longer mounted");
    return FALSE;
  }
  g_autoptr(GPtrArray) retry = g_ptr_array_new();
  guint configured = 0;
  for (guint i = 0; i < set->members->len; i++) {
    SetMember *m = set->members->pdata[i];
    if (m->removing)
      continue;
    configured++;
    if (!member_exported(m)) {
      if (deep && g_file_test(m->path, G_FILE_TEST_IS_DIR))
        g_ptr_array_add(retry, m);
      continue;
    }
    gboolean present = FALSE;
    g_autoptr(GError) error = NULL;
    if (!sd_driver_share_present(share_sm_share_driver(m->share), share_sm_share_def(m->share),
                                 max_age_ms, &present, &error)) {
      set_log(set, LOG_ERROR, error->message);
      return FALSE;
    }
    /* Only the deep check clears a failure: it is the one that looks at the directory too. */
    if (!present)
      member_fail(m, "export is gone");
    else if (deep && !g_file_test(m->path, G_FILE_TEST_IS_DIR))
      member_fail(m, "directory is missing");
    else if (deep)
      g_clear_pointer(&m->failure, g_free);
  }
  /* clusres: a member whose directory came back is enabled at the next IsAlive (the host's
   * poll, or a monitor with OCF_CHECK_LEVEL >= 10): the others are not touched. */
  if (retry->len > 0) {
    guint back = enable_members(set, retry);
    if (back > 0) {
      g_autofree char *msg =
          g_strdup_printf("%u member(s) whose directory is back are online", back);
      set_log(set, LOG_INFORMATION, msg);
    }
  }
  g_autoptr(GPtrArray) broken = g_ptr_array_new();
  guint online = 0;
  for (guint i = 0; i < set->members->len; i++) {
    SetMember *m = set->members->pdata[i];
    if (m->failure != NULL)
      g_ptr_array_add(broken, m);
    else if (!m->removing && member_exported(m))
      online++;
  }
  if (online == 0) {
    set_log(set, LOG_ERROR, "no member of the set is exported");
    return FALSE;
  }
  if (broken->len > 0) {
    g_autofree char *reason = degraded_reason(broken, configured);
    ClusResSetDegraded(reason);
  }
  return TRUE;
}

static BOOL WINAPI SetLooksAlive(RESID Resource)
{
  ShareSet *set = Resource;
  if (set == NULL)
    return FALSE;
  g_mutex_lock(&set->lock);
  BOOL ok = health(set, SHARE_CORE_LOOKS_ALIVE_CACHE_MS, FALSE);
  g_mutex_unlock(&set->lock);
  return ok;
}

static BOOL WINAPI SetIsAlive(RESID Resource)
{
  ShareSet *set = Resource;
  if (set == NULL)
    return FALSE;
  DWORD level = ClusResGetCheckLevel();
  g_mutex_lock(&set->lock);
  BOOL ok = health(set, SHARE_CORE_IS_ALIVE_CACHE_MS, TRUE);
  /* Depth 10/20: one NFS client's view through the VIP, of the first online member (the VIP
   * and the server are the set's; each member's export was checked above). */
  const SdShare *probe = NULL;
  for (guint i = 0; ok && level >= 10 && i < set->members->len && probe == NULL; i++) {
    SetMember *m = set->members->pdata[i];
    if (m->failure == NULL && !m->removing && member_exported(m))
      probe = share_sm_share_def(m->share);
  }
  g_autofree char *vip = probe ? g_strdup(probe->vip) : NULL;
  g_autofree char *pseudo = probe ? g_strdup(probe->pseudo) : NULL;
  g_mutex_unlock(&set->lock);
  if (ok && vip != NULL && sd_probe_address_is_local(vip)) {
    g_autoptr(GError) error = NULL;
    if (!sd_probe_nfs(vip, pseudo, level >= 20 ? 20 : 10, SHARE_CORE_PROBE_TIMEOUT_MS, &error)) {
      set_log(set, LOG_ERROR, error->message);
      ClusResSetDegraded(NULL);
      return FALSE;
    }
  }
  return ok;
}

/* ---- controls ----------------------------------------------------------------------------- */

/* Each member as "NAME\tLSM\tPSEUDO\tEXPORT_ID[\tREASON]" (clusresctl shares reads it). */
static DWORD status_properties(ShareSet *set, PVOID out, DWORD out_size, LPDWORD returned)
{
  ShareSmSnapshot snap;
  share_sm_snapshot(set->sm, &snap);
  g_autoptr(GString) opnode = share_core_opnode_counts(&snap);
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func(g_free);
  guint online = 0, failed = 0;
  g_mutex_lock(&set->lock);
  for (guint i = 0; i < set->members->len; i++) {
    SetMember *m = set->members->pdata[i];
    const SdShare *def = share_sm_share_def(m->share);
    ShareLsm lsm = share_sm_share_lsm(m->share);
    if (m->failure)
      failed++;
    else if (lsm != SHARE_LSM_OFFLINE)
      online++;
    g_autofree char *reason =
        m->removing ? g_strdup_printf("removed, %s", m->failure ? m->failure : "still exported")
                    : g_strdup(m->failure);
    g_ptr_array_add(members, g_strdup_printf("%s\t%s\t%s\t%u%s%s", m->name,
                                             share_lsm_to_string(lsm), def->pseudo, def->export_id,
                                             reason ? "\t" : "", reason ? reason : ""));
  }
  guint total = set->members->len;
  g_autofree char *home = g_strdup(set->params.home_node);
  g_mutex_unlock(&set->lock);

  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  DWORD status = list ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
#define ADD(call)                                                                                  \
  do {                                                                                             \
    if (status == ERROR_SUCCESS)                                                                   \
      status = (call);                                                                             \
  } while (0)
  ADD(ClusResPropListAddSz(list, "GlobalState", share_gsm_to_string(snap.gsm)));
  ADD(ClusResPropListAddDword(list, "CallUserGroup", snap.call_user_group ? 1 : 0));
  ADD(ClusResPropListAddDword(list, "NodeShareCount", snap.node_share_count));
  ADD(ClusResPropListAddDword(list, "OPNodeShareCount", snap.opnode_share_count));
  ADD(ClusResPropListAddMultiSz(list, "OPNodeShareCounts", opnode->str, (DWORD)opnode->len));
  ADD(ClusResPropListAddSz(list, "HomeNode", home));
  ADD(ClusResPropListAddSz(list, "LocalNode", share_sm_local_node(set->sm)));
  ADD(ClusResPropListAddSz(list, "Driver", sd_driver_backend(set->driver)));
  ADD(ClusResPropListAddDword(list, "MemberCount", total));
  ADD(ClusResPropListAddDword(list, "MembersOnline", online));
  ADD(ClusResPropListAddDword(list, "MembersFailed", failed));
  ADD(share_core_add_multi_sz(list, "Members", members));
#undef ADD
  if (status == ERROR_SUCCESS)
    status = ClusResPropListReturn(list, out, out_size, returned);
  if (list)
    ClusResPropListFree(list);
  share_sm_snapshot_clear(&snap);
  return status;
}

/* The current values with @in applied, validated; nothing written.  On success *@merged and
 * *@entries hold the result. */
static DWORD validate_properties(ShareSet *set, PVOID in, DWORD in_size, ShareSetParams *merged,
                                 GPtrArray **entries)
{
  ShareSetParams tmp = {0};
  g_autoptr(GPtrArray) list = NULL;
  DWORD status =
      ResUtilDupParameterBlock((LPBYTE)&tmp, (LPBYTE)&set->params, shareset_params_table);
  if (status == ERROR_SUCCESS)
    status =
        ResUtilVerifyPropertyTable(shareset_params_table, NULL, FALSE, in, in_size, (LPBYTE)&tmp);
  if (status == ERROR_SUCCESS) {
    g_autoptr(GError) error = NULL;
    if (!shareset_params_validate(&tmp, &list, &error)) {
      set_log(set, LOG_ERROR, error->message);
      status = ERROR_INVALID_PARAMETER;
    }
  }
  if (status == ERROR_SUCCESS) {
    /* Lock order everywhere: the set's, then share-core's. */
    g_mutex_lock(&set->lock);
    share_core_lock();
    const char *taken = name_taken(set, list);
    share_core_unlock();
    g_mutex_unlock(&set->lock);
    if (taken != NULL) {
      g_autofree char *msg =
          g_strdup_printf("shares: %s is already used by another resource", taken);
      set_log(set, LOG_ERROR, msg);
      status = ERROR_ALREADY_EXISTS;
    }
  }
  if (status == ERROR_SUCCESS && merged) {
    *merged = tmp;
    *entries = g_steal_pointer(&list);
  } else {
    shareset_params_clear(&tmp);
  }
  return status;
}

/* Only `shares` is applied to a running set: the set-wide values are every member's, and
 * changing one would touch them all (Pacemaker restarts the set for those). */
static gboolean setwide_changed(const ShareSetParams *a, const ShareSetParams *b)
{
  return g_strcmp0(a->home_node, b->home_node) || g_strcmp0(a->vip, b->vip) ||
         g_strcmp0(a->clients, b->clients) || g_strcmp0(a->access, b->access) ||
         g_strcmp0(a->squash, b->squash) || g_strcmp0(a->disk, b->disk) ||
         g_strcmp0(a->driver, b->driver) || g_strcmp0(a->recovery_root, b->recovery_root);
}

static DWORD set_private_properties(ShareSet *set, PVOID in, DWORD in_size)
{
  ShareSetParams merged = {0};
  g_autoptr(GPtrArray) entries = NULL;
  DWORD status = validate_properties(set, in, in_size, &merged, &entries);
  if (status != ERROR_SUCCESS)
    return status;
  g_mutex_lock(&set->lock);
  gboolean live = set->online;
  gboolean setwide = setwide_changed(&set->params, &merged);
  /* Writes the listed values, then takes them into set->params (the old ones are freed). */
  ShareSetParams stored = {0};
  status = ResUtilDupParameterBlock((LPBYTE)&stored, (LPBYTE)&set->params, shareset_params_table);
  if (status == ERROR_SUCCESS)
    status = ResUtilSetPropertyParameterBlock(set->params_key, shareset_params_table, NULL,
                                              (LPBYTE)&merged, in, in_size, (LPBYTE)&stored);
  if (status == ERROR_SUCCESS && live && !setwide) {
    /* The diff: only the members added, removed or moved are touched. */
    apply_config(set, &stored, entries, FALSE);
    set->online = members_online(set) > 0;
  } else if (status == ERROR_SUCCESS) {
    /* Taken by the next Online (which reads Parameters again). */
    shareset_params_clear(&set->params);
    set->params = stored;
    memset(&stored, 0, sizeof stored);
  }
  shareset_params_clear(&stored);
  shareset_params_clear(&merged);
  g_mutex_unlock(&set->lock);
  if (status != ERROR_SUCCESS)
    return status;
  return live && setwide ? ERROR_RESOURCE_PROPERTIES_STORED : ERROR_SUCCESS;
}

static DWORD WINAPI SetResourceControl(RESID Resource, DWORD ControlCode, PVOID InBuffer,
                                       DWORD InBufferSize, PVOID OutBuffer, DWORD OutBufferSize,
                                       LPDWORD BytesReturned)
{
  ShareSet *set = Resource;
  if (BytesReturned)
    *BytesReturned = 0;
  if (set == NULL)
    return ERROR_INVALID_PARAMETER;
  switch (ControlCode) {
  case CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES:
    return status_properties(set, OutBuffer, OutBufferSize, BytesReturned);
  case CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES:
    return validate_properties(set, InBuffer, InBufferSize, NULL, NULL);
  case CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES:
    return set_private_properties(set, InBuffer, InBufferSize);
  case CLUSCTL_RESOURCE_SHARE_GET_DRIVER_JOURNAL:
    return share_core_journal(set->driver, OutBuffer, OutBufferSize, BytesReturned);
  default: {
    /* Enumerate, read and format the private properties: the SDK's common handler. */
    const CLUSRES_PRIVATE_PROPERTIES props = {.PropertyTable = shareset_params_table,
                                              .ParametersKey = set->params_key};
    return ClusResUtilResourceControl(&props, ControlCode, InBuffer, InBufferSize, OutBuffer,
                                      OutBufferSize, BytesReturned);
  }
  }
}

static const CLUSRES_TYPE_INFO shareset_type_info = {
    .Version = CLUSRES_TYPE_INFO_VERSION,
    .ShortDesc = "Highly available NFS shares, many in one resource",
    .LongDesc =
        "Exports many directories over NFS (NFS-Ganesha or knfsd) through one virtual IP, as "
        "one resource: one start, one stop and one monitor for all of them. Each member is the "
        "share an ocf:clusres:share primitive of its name would be (pseudo path /NAME, export "
        "id from NAME, its own local state machine and count). A member whose directory is "
        "missing or whose export fails is not exported and the others are; the monitor then "
        "answers degraded (OCF 190) naming it, which Pacemaker shows under Failed Resource "
        "Actions without recovering the set. A member whose directory is back is exported "
        "again at the next deep check (the host's IsAlive poll or OCF_CHECK_LEVEL 10). "
        "reload-agent applies a change of shares member by member. Status (clusresctl status, "
        "clusresctl shares): the global state machine and counts, and each member's LSM.",
    .Properties = shareset_params_table,
    .Docs = shareset_params_docs,
    .LooksAlivePollInterval = CLUSTER_RESOURCE_DEFAULT_LOOKS_ALIVE,
    .IsAlivePollInterval = CLUSTER_RESOURCE_DEFAULT_IS_ALIVE,
    .PendingTimeout = CLUSTER_RESOURCE_DEFAULT_PENDING_TIMEOUT,
    .MaxCheckLevel = 20,
};

static DWORD WINAPI SetResourceTypeControl(LPCSTR ResourceTypeName, DWORD ControlCode,
                                           PVOID InBuffer, DWORD InBufferSize, PVOID OutBuffer,
                                           DWORD OutBufferSize, LPDWORD BytesReturned)
{
  if (ControlCode == CLUSCTL_RESOURCE_TYPE_SHARE_SIMULATE_HOST_CRASH) {
    if (BytesReturned)
      *BytesReturned = 0;
    return share_core_simulate_host_crash();
  }
  return ClusResUtilResourceTypeControl(&shareset_type_info, ControlCode, InBuffer, InBufferSize,
                                        OutBuffer, OutBufferSize, BytesReturned);
}

static CLRES_V1_FUNCTION_TABLE(shareset_table, CLRES_VERSION_V1_00, Set, NULL, NULL,
                               SetResourceControl, SetResourceTypeControl);

PCLRES_FUNCTION_TABLE shareset_function_table(void)
{
  return &shareset_table;
}
