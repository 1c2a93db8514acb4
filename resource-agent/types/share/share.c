/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The share resource DLL: seed 004's Resource DLL 22 on the clusres Resource API.
 *   FIG. 4 Open      validate, store the resource entry (name, disk dependency, share
 *                    properties, home node) in the cluster registry, re-adopt a live share
 *   FIG. 5 Online    validate, the GSM part of the request (share-sm), schedule the online
 *                    thread (FIG. 6A/6B), return Online Pending
 *   FIG. 7 Offline   validate, schedule the offline thread (FIG. 8A/8B), return Offline Pending
 *   FIG. 9 Close     close the key handles, delete the resource entry
 * The state machines themselves are in share-sm.c; the parameters in share-params.c.
 */
#include "share.h"

#include <string.h>

#include <glib.h>

#include "sd-driver.h"
#include "sd-probe.h"
#include "share-core.h"
#include "share-params.h"
#include "share-sm.h"
#include "shareset.h"

typedef struct {
  char *name; /* the resource name (Pacemaker's id) */
  RESOURCE_HANDLE handle;
  HKEY params_key; /* Parameters: the host's, we read it and write it for SET_PRIVATE_PROPERTIES */
  HKEY entry_key;  /* ShareEntry: ours (FIG. 4), durable */
  HKEY state_key;  /* ShareState: ours, volatile (the LSM: run-time state) */
  ShareSm *sm;     /* share-core's GSM: lives while any instance is open */
  ShareParams params;
  ShareSmShare *share;
  CLUS_WORKER worker;
  gint checkpoint;
  gint quiet;               /* Terminate/Close: the host expects no reports */
  char *indexed_share_name; /* its reference in share-core's name index (under its lock) */
} ShareResource;

static const CLUSRES_TYPE_INFO share_type_info = {
    .Version = CLUSRES_TYPE_INFO_VERSION,
    .ShortDesc = "Highly available NFS share",
    .LongDesc =
        "Exports a directory over NFS (NFS-Ganesha or knfsd) through a virtual IP. Each share "
        "has a home node; brought online on another node it is a failover (the VIP's clients "
        "reclaim their state there), taken offline there a failback. Status (clusresctl status): "
        "global and local state machines, NodeShareCount, OPNodeShareCount per home node, "
        "CallUserGroup. OCF_CHECK_LEVEL 0: export listed; 10: NFS lookup of the pseudo path "
        "through the VIP; 20: also reads a file.",
    .Properties = share_params_table,
    .Docs = share_params_docs,
    .LooksAlivePollInterval = CLUSTER_RESOURCE_DEFAULT_LOOKS_ALIVE,
    .IsAlivePollInterval = CLUSTER_RESOURCE_DEFAULT_IS_ALIVE,
    .PendingTimeout = CLUSTER_RESOURCE_DEFAULT_PENDING_TIMEOUT,
    .MaxCheckLevel = 20,
};

/* ---- small helpers --------------------------------------------------------------------- */

static void share_log(ShareResource *res, LOG_LEVEL level, const char *message)
{
  share_core_log(res ? res->handle : NULL, level, message);
}

/* Reads Parameters into @params and validates them (FIG. 4 input, FIG. 5 block 41). */
static DWORD read_params(ShareResource *res, HKEY params_key, ShareParams *params)
{
  DWORD status = share_core_read_block(res->handle, params_key, share_params_table, (LPBYTE)params);
  if (status != ERROR_SUCCESS)
    return status;
  g_autoptr(GError) error = NULL;
  if (!share_params_validate(params, &error)) {
    share_log(res, LOG_ERROR, error->message);
    return ERROR_INVALID_PARAMETER;
  }
  return ERROR_SUCCESS;
}

static void batch_set_sz(HREGBATCH batch, const char *name, const char *value)
{
  const char *v = value ? value : "";
  (void)ClusterRegBatchAddCommand(batch, CLUSREG_SET_VALUE, name, REG_SZ, v, (DWORD)strlen(v) + 1);
}

/* Ends a batch of ours, logging (not failing) a store error: the entry is informational. */
static void batch_commit(ShareResource *res, HREGBATCH batch, const char *what)
{
  LONG failed = -1;
  DWORD status = ClusterRegCloseBatch(batch, TRUE, &failed);
  if (status != ERROR_SUCCESS) {
    g_autofree char *msg =
        g_strdup_printf("cannot store the %s (command %d, error %u)", what, failed, status);
    share_log(res, LOG_WARNING, msg);
  }
}

/* FIG. 4 blocks 32-35 (also after block 41 of a later Online, so the entry follows SET).  One
 * batch: one durable replacement of the key, and none at all when nothing changed (a host
 * re-opening hundreds of shares writes nothing). */
static void store_entry(ShareResource *res, const ShareParams *params, const SdShare *def,
                        const char *backend)
{
  HREGBATCH batch;
  if (ClusterRegCreateBatch(res->entry_key, &batch) != ERROR_SUCCESS)
    return;
  /* Block 32: the name input by the user. */
  batch_set_sz(batch, "Name", params->share_name);
  /* Block 33: the dependency for a disk drive. */
  batch_set_sz(batch, "DiskDependency", params->disk);
  /* Block 34: the share properties (the exported access to the volume). */
  batch_set_sz(batch, "Path", def->path);
  batch_set_sz(batch, "Pseudo", def->pseudo);
  DWORD export_id = def->export_id;
  (void)ClusterRegBatchAddCommand(batch, CLUSREG_SET_VALUE, "ExportId", REG_DWORD, &export_id,
                                  sizeof export_id);
  batch_set_sz(batch, "Clients", def->clients);
  batch_set_sz(batch, "Access", def->access);
  batch_set_sz(batch, "Squash", def->squash);
  batch_set_sz(batch, "Vip", def->vip);
  batch_set_sz(batch, "Driver", backend);
  /* Block 35: the server name associated with the resource. */
  batch_set_sz(batch, "HomeNode", params->home_node);
  /* clusres: the LSM used to live here (durable); it is run-time state now (ShareState). */
  (void)ClusterRegBatchAddCommand(batch, CLUSREG_DELETE_VALUE, "LSM", 0, NULL, 0);
  batch_commit(res, batch, "resource entry");
}

static const char *const entry_values[] = {"Name",     "DiskDependency", "Path",    "Pseudo",
                                           "ExportId", "Clients",        "Access",  "Squash",
                                           "Vip",      "Driver",         "HomeNode"};

/* The LSM in the volatile ShareState key: not fsynced (an Online changes it twice), kept across
 * a host restart for re-adoption, gone after a reboot, when no share is exported anyway. */
static void state_set_lsm(ShareResource *res, ShareLsm lsm)
{
  const char *v = share_lsm_to_string(lsm);
  DWORD status =
      ClusterRegSetValue(res->state_key, "LSM", REG_SZ, (const BYTE *)v, (DWORD)strlen(v) + 1);
  if (status != ERROR_SUCCESS) {
    g_autofree char *msg = g_strdup_printf("cannot store LSM (error %u)", status);
    share_log(res, LOG_WARNING, msg);
  }
}

/* ---- share-sm callbacks ------------------------------------------------------------------ */

static void report_cb(ShareSmShare *share, ShareReport report, gpointer user_data)
{
  ShareResource *res = user_data;
  if (g_atomic_int_get(&res->quiet))
    return;
  static const CLUSTER_RESOURCE_STATE states[] = {
      [SHARE_REPORT_ONLINE] = ClusterResourceOnline,
      [SHARE_REPORT_OFFLINE_PENDING] = ClusterResourceOfflinePending,
      [SHARE_REPORT_OFFLINE] = ClusterResourceOffline,
      [SHARE_REPORT_FAILED] = ClusterResourceFailed,
  };
  share_core_report(res->handle, states[report], &res->checkpoint);
}

/* The LSM is persisted in the share's state key: one value, replaced atomically by the
 * registry, so a host killed at any point leaves either the old or the new LSM. */
static void persist_cb(ShareSmShare *share, ShareLsm lsm, gpointer user_data)
{
  state_set_lsm(user_data, lsm);
}

/* ---- FIG. 4: Open ------------------------------------------------------------------------ */

/* Callers hold share-core's lock.  Keeps share-core's name index in step with
 * res->params.share_name (Open, and every change of res->params: Online's re-read,
 * SET_PRIVATE_PROPERTIES). */
static void share_name_index_drop(ShareResource *res)
{
  if (res->indexed_share_name == NULL)
    return;
  share_core_name_unref(res->indexed_share_name);
  g_clear_pointer(&res->indexed_share_name, g_free);
}

static void share_name_index_sync(ShareResource *res)
{
  const char *name = res->params.share_name;
  if (g_strcmp0(res->indexed_share_name, name) == 0)
    return;
  share_name_index_drop(res);
  if (name == NULL)
    return;
  share_core_name_ref(name);
  res->indexed_share_name = g_strdup(name);
}

static void resource_free(ShareResource *res)
{
  if (res->params_key)
    ClusterRegCloseKey(res->params_key);
  if (res->entry_key)
    ClusterRegCloseKey(res->entry_key);
  if (res->state_key)
    ClusterRegCloseKey(res->state_key);
  share_params_clear(&res->params);
  g_free(res->indexed_share_name);
  g_free(res->name);
  g_free(res);
}

/* A killed host (simulated): the instance vanishes, its share stays exported.  Called with
 * share-core's lock held. */
static void share_forget(gpointer instance)
{
  ShareResource *res = instance;
  ClusWorkerTerminate(&res->worker);
  share_sm_share_free(g_steal_pointer(&res->share));
  share_name_index_drop(res);
  resource_free(res);
}

static RESID WINAPI ShareOpen(LPCSTR ResourceName, HKEY ResourceKey, RESOURCE_HANDLE ResourceHandle)
{
  if (ResourceName == NULL || ResourceKey == NULL) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  ShareResource *res = g_new0(ShareResource, 1);
  res->name = g_strdup(ResourceName);
  res->handle = ResourceHandle;

  /* Start bubble 31.  The input the user gave: Parameters, validated before anything is
   * written or driven. */
  DWORD status = ClusterRegOpenKey(ResourceKey, "Parameters", KEY_ALL_ACCESS, &res->params_key);
  if (status == ERROR_SUCCESS)
    status = read_params(res, res->params_key, &res->params);
  if (status != ERROR_SUCCESS) {
    resource_free(res);
    SetLastError(status);
    return NULL;
  }

  g_autofree char *node = ResUtilGetSzValue(ResourceKey, "NodeName");
  if (node == NULL || *node == '\0') {
    g_free(node);
    node = g_strdup(g_get_host_name());
  }

  share_core_lock();
  /* share_name is unique (shares and set members): two instances exporting the same share
   * would count it twice. */
  if (share_core_has_instance(res->name) || share_core_name_in_use(res->params.share_name)) {
    share_core_unlock();
    share_log(res, LOG_ERROR, "share_name is already used by another resource");
    resource_free(res);
    SetLastError(ERROR_ALREADY_EXISTS);
    return NULL;
  }

  g_autoptr(GError) error = NULL;
  const char *backend = share_params_backend(&res->params);
  SdDriver *drv = share_core_driver(backend, &error);
  if (drv == NULL) {
    share_core_unlock();
    share_log(res, LOG_ERROR, error->message);
    resource_free(res);
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  res->sm = share_core_sm(res->handle, node);

  /* The FIG. 4 entry lives from Open to Close (FIG. 9 deletes it) and is derived from
   * Parameters, so it is volatile: no fsync on every start/stop cycle, gone after a reboot. */
  status = ClusterRegCreateKeyEx(ResourceKey, SHARE_ENTRY_KEY, REG_OPTION_VOLATILE, KEY_ALL_ACCESS,
                                 &res->entry_key, NULL);
  if (status == ERROR_SUCCESS)
    status = ClusterRegCreateKeyEx(ResourceKey, SHARE_STATE_KEY, REG_OPTION_VOLATILE,
                                   KEY_ALL_ACCESS, &res->state_key, NULL);
  if (status != ERROR_SUCCESS) {
    share_core_remove_instance(res->name, FALSE); /* drops the GSM again if it is unused */
    share_core_unlock();
    resource_free(res);
    SetLastError(status);
    return NULL;
  }

  /* The LSM a previous host process left (before block 32 rewrites the entry).  clusres: a
   * host of the previous version kept it in the durable entry; store_entry removes it there. */
  g_autofree char *persisted_str = ResUtilGetSzValue(res->state_key, "LSM");
  if (persisted_str == NULL)
    persisted_str = ResUtilGetSzValue(res->entry_key, "LSM");
  ShareLsm persisted = SHARE_LSM_OFFLINE;
  if (persisted_str && !share_lsm_from_string(persisted_str, &persisted))
    persisted = SHARE_LSM_OFFLINE;

  SdShare def;
  g_autofree char *pseudo_buf = NULL;
  share_params_resolve(&res->params, &def, &pseudo_buf);

  /* Blocks 32-35. */
  store_entry(res, &res->params, &def, backend);

  res->share = share_sm_share_new(res->sm, drv, &def, res->params.home_node);
  share_sm_share_set_callbacks(res->share, report_cb, persist_cb, res);

  /* Re-adoption (see share_sm_readopt for the rule): Open never changes the share, it only
   * looks whether the export a previous host left is still there. */
  gboolean counted = FALSE;
  if (persisted != SHARE_LSM_OFFLINE) {
    gboolean present = FALSE;
    g_autoptr(GError) perr = NULL;
    if (!sd_driver_share_present(drv, &def, 0, &present, &perr)) {
      share_log(res, LOG_WARNING, perr->message);
      present = FALSE;
    }
    counted = share_sm_readopt(res->share, persisted, present);
    if (counted)
      share_log(res, LOG_INFORMATION, "re-adopted an exported share");
  }
  if (!counted)
    state_set_lsm(res, SHARE_LSM_OFFLINE); /* no write if it already says so */
  else if (persisted_str != NULL)
    state_set_lsm(res, persisted); /* moves a previous version's durable LSM */

  (void)share_core_add_instance(res->name, res, share_forget);
  share_name_index_sync(res);
  share_core_unlock();
  /* Block 36: end. */
  return res;
}

/* ---- FIG. 5 / 6A / 6B: Online ------------------------------------------------------------ */

static DWORD WINAPI share_online_thread(PCLUS_WORKER worker, LPVOID param)
{
  ShareResource *res = param;
  g_autoptr(GError) error = NULL;
  if (!share_sm_online_worker(res->share, &error)) {
    share_log(res, LOG_ERROR, error->message);
    return ERROR_RESOURCE_FAILED;
  }
  return ERROR_SUCCESS;
}

static DWORD WINAPI ShareOnline(RESID Resource, LPHANDLE EventHandle)
{
  ShareResource *res = Resource;
  if (res == NULL)
    return ERROR_INVALID_PARAMETER;

  /* Block 41: check and validate the resource.  Parameters are read again (SET may have
   * changed them) and validated; the disk dependency must be mounted and the directory there.
   * Nothing has been changed yet when any of this fails. */
  ShareParams params = {0};
  DWORD status = read_params(res, res->params_key, &params);
  if (status != ERROR_SUCCESS) {
    share_params_clear(&params);
    return status;
  }
  if (params.disk && *params.disk && !share_params_mounted(NULL, params.disk)) {
    share_log(res, LOG_ERROR, "the disk the share depends on is not mounted");
    share_params_clear(&params);
    return ERROR_NOT_READY;
  }
  if (!g_file_test(params.path, G_FILE_TEST_IS_DIR)) {
    share_log(res, LOG_ERROR, "path is not a directory");
    share_params_clear(&params);
    return ERROR_PATH_NOT_FOUND;
  }

  /* The previous worker (if any) has reported; a CLUS_WORKER must be idle to be reused. */
  ClusWorkerTerminate(&res->worker);

  if (share_sm_share_lsm(res->share) == SHARE_LSM_OFFLINE) {
    g_autoptr(GError) error = NULL;
    const char *backend = share_params_backend(&params);
    share_core_lock();
    SdDriver *drv = share_core_driver(backend, &error);
    share_core_unlock();
    if (!drv) {
      share_log(res, LOG_ERROR, error->message);
      share_params_clear(&params);
      return ERROR_INVALID_PARAMETER;
    }
    /* The node's Ganesha recovery layout: one setting per node, so every share carries the
     * same value (validated with the parameters); the latest Online's applies. */
    if (!sd_driver_set_recovery(drv, params.recovery_root, share_sm_local_node(res->sm), &error)) {
      share_log(res, LOG_ERROR, error->message);
      share_params_clear(&params);
      return ERROR_INVALID_PARAMETER;
    }
    SdShare def;
    g_autofree char *pseudo_buf = NULL;
    share_params_resolve(&params, &def, &pseudo_buf);
    if (share_sm_share_update(res->share, drv, &def, params.home_node))
      store_entry(res, &params, &def, backend);
    share_params_clear(&res->params);
    res->params = params;
    share_core_lock();
    share_name_index_sync(res);
    share_core_unlock();
  } else {
    share_params_clear(&params);
  }

  /* Blocks 42-52: Owner Node Name Match, Nodes Match, Call User Group, GSM (share-sm). */
  share_sm_online_request(res->share);

  /* Block 53: schedule the online thread (FIG. 6A/6B). */
  status = ClusWorkerCreate(&res->worker, share_online_thread, res);
  if (status != ERROR_SUCCESS)
    return status;
  /* Block 54: return Online Pending. */
  return ERROR_IO_PENDING;
}

/* ---- FIG. 7 / 8A / 8B: Offline ----------------------------------------------------------- */

static DWORD WINAPI share_offline_thread(PCLUS_WORKER worker, LPVOID param)
{
  ShareResource *res = param;
  g_autoptr(GError) error = NULL;
  if (!share_sm_offline_worker(res->share, &error)) {
    share_log(res, LOG_ERROR, error->message);
    return ERROR_RESOURCE_FAILED;
  }
  return ERROR_SUCCESS;
}

static DWORD WINAPI ShareOffline(RESID Resource)
{
  ShareResource *res = Resource;
  /* Block 81: check and validate the offline resource. */
  if (res == NULL || res->share == NULL)
    return ERROR_INVALID_PARAMETER;
  /* An online thread still running finishes first (it holds the GSM mutex anyway). */
  ClusWorkerTerminate(&res->worker);
  /* Block 82: schedule the offline thread. */
  DWORD status = ClusWorkerCreate(&res->worker, share_offline_thread, res);
  if (status != ERROR_SUCCESS)
    return status;
  /* Block 83: return Offline Pending. */
  return ERROR_IO_PENDING;
}

static VOID WINAPI ShareTerminate(RESID Resource)
{
  ShareResource *res = Resource;
  if (res == NULL)
    return;
  ClusWorkerTerminate(&res->worker);
  /* The offline flow, synchronously and without reports: Terminate cannot fail and the host
   * has already decided the outcome. */
  g_atomic_int_set(&res->quiet, 1);
  if (share_sm_share_lsm(res->share) != SHARE_LSM_OFFLINE) {
    g_autoptr(GError) error = NULL;
    if (!share_sm_offline_worker(res->share, &error))
      share_log(res, LOG_ERROR, error->message);
  }
  g_atomic_int_set(&res->quiet, 0);
}

/* ---- FIG. 9: Close ----------------------------------------------------------------------- */

static VOID WINAPI ShareClose(RESID Resource)
{
  ShareResource *res = Resource;
  /* Block 121: verify the validity of the resource entry. */
  if (res == NULL)
    return;
  ClusWorkerTerminate(&res->worker);
  g_atomic_int_set(&res->quiet, 1);

  share_core_lock();
  share_name_index_drop(res);
  /* A share closed while not offline is taken offline first (MSCS: Close of an online
   * resource must Terminate it), and its state-machine entry freed. */
  share_sm_close(g_steal_pointer(&res->share));

  /* Block 123 (first half): delete the resource entry FIG. 4 stored.  Only our ShareEntry
   * values: Parameters belong to the host (Pacemaker's attributes), and the resource key is
   * the host's to delete (ClusterRegDeleteResourceKey would take Parameters with it).  The
   * values are deleted through our handle, so this happens just before block 122. */
  HREGBATCH batch;
  if (ClusterRegCreateBatch(res->entry_key, &batch) == ERROR_SUCCESS) {
    for (guint i = 0; i < G_N_ELEMENTS(entry_values); i++)
      (void)ClusterRegBatchAddCommand(batch, CLUSREG_DELETE_VALUE, entry_values[i], 0, NULL, 0);
    batch_commit(res, batch, "deletion of the resource entry");
  }
  (void)ClusterRegDeleteValue(res->state_key, "LSM");

  /* Block 122: close all registry key handles; block 123 (second half): deallocate the
   * entry and free its memory. */
  share_core_remove_instance(res->name, FALSE);
  resource_free(res);
  share_core_unlock();
  /* Block 124: exit. */
}

/* ---- health ------------------------------------------------------------------------------- */

static BOOL WINAPI ShareLooksAlive(RESID Resource)
{
  ShareResource *res = Resource;
  if (res == NULL || share_sm_share_lsm(res->share) == SHARE_LSM_OFFLINE)
    return FALSE;
  gboolean present = FALSE;
  g_autoptr(GError) error = NULL;
  if (!sd_driver_share_present(share_sm_share_driver(res->share), share_sm_share_def(res->share),
                               SHARE_CORE_LOOKS_ALIVE_CACHE_MS, &present, &error)) {
    share_log(res, LOG_WARNING, error->message);
    return FALSE;
  }
  return present;
}

static BOOL WINAPI ShareIsAlive(RESID Resource)
{
  ShareResource *res = Resource;
  if (res == NULL || share_sm_share_lsm(res->share) == SHARE_LSM_OFFLINE)
    return FALSE;
  DWORD level = ClusResGetCheckLevel();
  const SdShare *def = share_sm_share_def(res->share);
  g_autoptr(GError) error = NULL;

  /* Depth 0: the disk dependency is still mounted and the export is listed. */
  if (res->params.disk && *res->params.disk && !share_params_mounted(NULL, res->params.disk)) {
    share_log(res, LOG_ERROR, "the disk the share depends on is no longer mounted");
    return FALSE;
  }
  gboolean present = FALSE;
  if (!sd_driver_share_present(share_sm_share_driver(res->share), def, SHARE_CORE_IS_ALIVE_CACHE_MS,
                               &present, &error)) {
    share_log(res, LOG_ERROR, error->message);
    return FALSE;
  }
  if (!present) {
    share_log(res, LOG_ERROR, "the export is gone");
    return FALSE;
  }
  /* Depth 10: an NFS client's view through the VIP (lookup and stat of the pseudo path);
   * depth 20: also read a file.  Only where this node holds the VIP: in a group the shares
   * start before their VIP (so that clients never reach a server without the export, which
   * they would see as stale handles), and elsewhere the probe would test another node. */
  if (level >= 10 && sd_probe_address_is_local(def->vip)) {
    if (!sd_probe_nfs(def->vip, def->pseudo, level >= 20 ? 20 : 10, SHARE_CORE_PROBE_TIMEOUT_MS,
                      &error)) {
      share_log(res, LOG_ERROR, error->message);
      return FALSE;
    }
  }
  return TRUE;
}

/* ---- controls ----------------------------------------------------------------------------- */

static DWORD status_properties(ShareResource *res, PVOID out, DWORD out_size, LPDWORD returned)
{
  ShareSmSnapshot snap;
  share_sm_snapshot(res->sm, &snap);
  const SdShare *def = share_sm_share_def(res->share);
  /* "node=count" for every home node with shares here, sorted so the output is stable. */
  GString *multi = share_core_opnode_counts(&snap);

  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  DWORD status = list ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
#define ADD(call)                                                                                  \
  do {                                                                                             \
    if (status == ERROR_SUCCESS)                                                                   \
      status = (call);                                                                             \
  } while (0)
  ADD(ClusResPropListAddSz(list, "GlobalState", share_gsm_to_string(snap.gsm)));
  ADD(ClusResPropListAddSz(list, "LocalState",
                           share_lsm_to_string(share_sm_share_lsm(res->share))));
  ADD(ClusResPropListAddDword(list, "NodesMatch", share_sm_share_nodes_match(res->share) ? 1 : 0));
  ADD(ClusResPropListAddDword(list, "CallUserGroup", snap.call_user_group ? 1 : 0));
  ADD(ClusResPropListAddDword(list, "NodeShareCount", snap.node_share_count));
  ADD(ClusResPropListAddDword(list, "OPNodeShareCount", snap.opnode_share_count));
  ADD(ClusResPropListAddMultiSz(list, "OPNodeShareCounts", multi->str, (DWORD)multi->len));
  ADD(ClusResPropListAddSz(list, "HomeNode", share_sm_share_home_node(res->share)));
  ADD(ClusResPropListAddSz(list, "LocalNode", share_sm_local_node(res->sm)));
  ADD(ClusResPropListAddSz(list, "Driver", sd_driver_backend(share_sm_share_driver(res->share))));
  ADD(ClusResPropListAddSz(list, "Pseudo", def->pseudo));
  ADD(ClusResPropListAddDword(list, "ExportId", def->export_id));
#undef ADD
  if (status == ERROR_SUCCESS)
    status = ClusResPropListReturn(list, out, out_size, returned);
  if (list)
    ClusResPropListFree(list);
  g_string_free(multi, TRUE);
  share_sm_snapshot_clear(&snap);
  return status;
}

/* VALIDATE_PRIVATE_PROPERTIES: the current values with the list applied must pass
 * share_params_validate().  Nothing is written.  On success *@merged (if given) holds the
 * result, for SET to store. */
static DWORD validate_properties(ShareResource *res, PVOID in, DWORD in_size, ShareParams *merged)
{
  ShareParams tmp = {0};
  DWORD status = ResUtilDupParameterBlock((LPBYTE)&tmp, (LPBYTE)&res->params, share_params_table);
  if (status == ERROR_SUCCESS)
    status = ResUtilVerifyPropertyTable(share_params_table, NULL, FALSE, in, in_size, (LPBYTE)&tmp);
  if (status == ERROR_SUCCESS) {
    g_autoptr(GError) error = NULL;
    if (!share_params_validate(&tmp, &error)) {
      share_log(res, LOG_ERROR, error->message);
      status = ERROR_INVALID_PARAMETER;
    }
  }
  if (status == ERROR_SUCCESS && merged)
    *merged = tmp;
  else
    share_params_clear(&tmp);
  return status;
}

static DWORD WINAPI ShareResourceControl(RESID Resource, DWORD ControlCode, PVOID InBuffer,
                                         DWORD InBufferSize, PVOID OutBuffer, DWORD OutBufferSize,
                                         LPDWORD BytesReturned)
{
  ShareResource *res = Resource;
  DWORD status;
  if (BytesReturned)
    *BytesReturned = 0;
  if (res == NULL)
    return ERROR_INVALID_PARAMETER;

  switch (ControlCode) {
  case CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES:
    return status_properties(res, OutBuffer, OutBufferSize, BytesReturned);
  case CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES:
    return validate_properties(res, InBuffer, InBufferSize, NULL);
  case CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES: {
    ShareParams merged = {0};
    status = validate_properties(res, InBuffer, InBufferSize, &merged);
    if (status != ERROR_SUCCESS)
      return status;
    /* Writes the listed values from the validated block, then takes them into res->params. */
    status =
        ResUtilSetPropertyParameterBlock(res->params_key, share_params_table, NULL, (LPBYTE)&merged,
                                         InBuffer, InBufferSize, (LPBYTE)&res->params);
    share_params_clear(&merged);
    share_core_lock();
    share_name_index_sync(res); /* res->params may hold a new share_name now */
    share_core_unlock();
    if (status != ERROR_SUCCESS)
      return status;
    /* Nothing is reloadable live: an exported share keeps its definition until the next
     * online (FIG. 6A block 61 reads the parameters then). */
    return share_sm_share_lsm(res->share) == SHARE_LSM_OFFLINE ? ERROR_SUCCESS
                                                               : ERROR_RESOURCE_PROPERTIES_STORED;
  }
  case CLUSCTL_RESOURCE_SHARE_GET_DRIVER_JOURNAL:
    return share_core_journal(share_sm_share_driver(res->share), OutBuffer, OutBufferSize,
                              BytesReturned);
  default: {
    /* Enumerate, read and format the private properties: the SDK's common handler. */
    const CLUSRES_PRIVATE_PROPERTIES props = {.PropertyTable = share_params_table,
                                              .ParametersKey = res->params_key};
    return ClusResUtilResourceControl(&props, ControlCode, InBuffer, InBufferSize, OutBuffer,
                                      OutBufferSize, BytesReturned);
  }
  }
}

static DWORD WINAPI ShareResourceTypeControl(LPCSTR ResourceTypeName, DWORD ControlCode,
                                             PVOID InBuffer, DWORD InBufferSize, PVOID OutBuffer,
                                             DWORD OutBufferSize, LPDWORD BytesReturned)
{
  if (ControlCode == CLUSCTL_RESOURCE_TYPE_SHARE_SIMULATE_HOST_CRASH) {
    if (BytesReturned)
      *BytesReturned = 0;
    return share_core_simulate_host_crash();
  }
  return ClusResUtilResourceTypeControl(&share_type_info, ControlCode, InBuffer, InBufferSize,
                                        OutBuffer, OutBufferSize, BytesReturned);
}

/* ---- Startup ------------------------------------------------------------------------------ */

static CLRES_V1_FUNCTION_TABLE(share_function_table, CLRES_VERSION_V1_00, Share, NULL, NULL,
                               ShareResourceControl, ShareResourceTypeControl);

CLUSRES_EXPORT DWORD WINAPI Startup(LPCSTR ResourceType, DWORD MinVersionSupported,
                                    DWORD MaxVersionSupported,
                                    PSET_RESOURCE_STATUS_ROUTINE SetResourceStatus,
                                    PLOG_EVENT_ROUTINE LogEvent,
                                    PCLRES_FUNCTION_TABLE *FunctionTable);

CLUSRES_EXPORT DWORD WINAPI Startup(LPCSTR ResourceType, DWORD MinVersionSupported,
                                    DWORD MaxVersionSupported,
                                    PSET_RESOURCE_STATUS_ROUTINE SetResourceStatus,
                                    PLOG_EVENT_ROUTINE LogEvent,
                                    PCLRES_FUNCTION_TABLE *FunctionTable)
{
  if (MinVersionSupported > CLRES_VERSION_V1_00 || MaxVersionSupported < CLRES_VERSION_V1_00)
    return ERROR_REVISION_MISMATCH;
  /* One DLL, two types (as one MSCS DLL may implement several): both share one GSM. */
  PCLRES_FUNCTION_TABLE table = NULL;
  if (ResourceType != NULL && g_str_equal(ResourceType, SHARE_TYPE_NAME))
    table = &share_function_table;
  else if (ResourceType != NULL && g_str_equal(ResourceType, SHARESET_TYPE_NAME))
    table = shareset_function_table();
  if (table == NULL)
    return ERROR_CLUSTER_RESNAME_NOT_FOUND;
  if (FunctionTable == NULL)
    return ERROR_INVALID_PARAMETER;
  share_core_set_callbacks(SetResourceStatus, LogEvent);
  *FunctionTable = table;
  return ERROR_SUCCESS;
}
