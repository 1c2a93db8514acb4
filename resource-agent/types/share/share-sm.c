/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The share resource's state machines, block by block after seed 004 (FIG. 5, 6A/6B, 8A/8B,
 * 9).  Block numbers in comments are the seed's.  Where the seed is silent (errors, a second
 * Online, an Offline of a share that never came online, more than one VIP) the choice made is
 * marked "clusres:" with the reason.
 */
#include "share-sm.h"

struct _ShareSm {
  /* FIG. 5 block 47 / 6A block 62 / 8A block 92: "protects the resource from being written to
   * more than once at a given time".  Every field below and every share's LSM/count fields
   * are written only with it held. */
  GMutex gsm_mutex;
  ShareGsm gsm;
  gboolean call_user_group;
  guint node_share_count;
  GHashTable *opnode_per_home; /* char *home -> GUINT_TO_POINTER(count) */
  /* clusres: the seed has one VIP for the cluster; we may have one per home node.  "Call User
   * Group" is still the one global flag of the seed, and block 64 also runs for a VIP whose
   * traffic gate this process has not opened yet, so that a second VIP is not left closed. */
  GHashTable *open_vips; /* char *vip set */
  /* clusres: shares counted online here per VIP (char *vip -> count).  The NFSv4 client state
   * of a VIP goes where the VIP goes: its first share to come online here takes it over (grace,
   * the VIP's clients from the recovery database), whatever the home node. */
  GHashTable *vip_online;
  char *local_node;
};

struct _ShareSmShare {
  ShareSm *sm;
  SdDriver *driver;
  /* The definition (owned strings behind def's const pointers). */
  SdShare def;
  char *name, *path, *pseudo, *clients, *access, *squash, *vip;
  char *home_node;
  /* FIG. 5 blocks 43/44. */
  gboolean nodes_match;
  /* Read without the mutex by LooksAlive/status (atomic), written with it held. */
  gint lsm;
  /* Where this share was counted (FIG. 6B block 73/74), so block 100/101 decrement the same
   * count even if the definition changes: NULL when not counted. */
  char *counted_home;
  char *counted_vip;
  gboolean counted_local;
  ShareSmReportFunc report;
  ShareSmPersistFunc persist;
  gpointer user_data;
};

const char *share_gsm_to_string(ShareGsm gsm)
{
  switch (gsm) {
  case SHARE_GSM_UNKNOWN:
    return "Unknown";
  case SHARE_GSM_ONLINE:
    return "Online";
  case SHARE_GSM_FAILOVER:
    return "Failover";
  case SHARE_GSM_OFFLINE:
    return "Offline";
  }
  return "?";
}

const char *share_lsm_to_string(ShareLsm lsm)
{
  switch (lsm) {
  case SHARE_LSM_OFFLINE:
    return "Offline";
  case SHARE_LSM_ONLINE:
    return "Online";
  case SHARE_LSM_FAILOVER:
    return "Failover";
  }
  return "?";
}

gboolean share_lsm_from_string(const char *s, ShareLsm *out)
{
  static const ShareLsm all[] = {SHARE_LSM_OFFLINE, SHARE_LSM_ONLINE, SHARE_LSM_FAILOVER};
  for (guint i = 0; s && i < G_N_ELEMENTS(all); i++) {
    if (g_str_equal(s, share_lsm_to_string(all[i]))) {
      *out = all[i];
      return TRUE;
    }
  }
  return FALSE;
}

ShareSm *share_sm_new(const char *local_node)
{
  g_return_val_if_fail(local_node != NULL && *local_node, NULL);
  ShareSm *sm = g_new0(ShareSm, 1);
  g_mutex_init(&sm->gsm_mutex);
  sm->gsm = SHARE_GSM_UNKNOWN;
  sm->opnode_per_home = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  sm->open_vips = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  sm->vip_online = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  sm->local_node = g_strdup(local_node);
  return sm;
}

void share_sm_free(ShareSm *sm)
{
  if (!sm)
    return;
  g_mutex_clear(&sm->gsm_mutex);
  g_hash_table_unref(sm->opnode_per_home);
  g_hash_table_unref(sm->open_vips);
  g_hash_table_unref(sm->vip_online);
  g_free(sm->local_node);
  g_free(sm);
}

const char *share_sm_local_node(ShareSm *sm)
{
  return sm->local_node;
}

static guint opnode_total_locked(ShareSm *sm)
{
  GHashTableIter it;
  gpointer value;
  guint total = 0;
  g_hash_table_iter_init(&it, sm->opnode_per_home);
  while (g_hash_table_iter_next(&it, NULL, &value))
    total += GPOINTER_TO_UINT(value);
  return total;
}

void share_sm_snapshot(ShareSm *sm, ShareSmSnapshot *out)
{
  g_mutex_lock(&sm->gsm_mutex);
  out->gsm = sm->gsm;
  out->call_user_group = sm->call_user_group;
  out->node_share_count = sm->node_share_count;
  out->opnode_share_count = opnode_total_locked(sm);
  out->opnode_per_home = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, sm->opnode_per_home);
  while (g_hash_table_iter_next(&it, &key, &value))
    g_hash_table_insert(out->opnode_per_home, g_strdup(key), value);
  g_mutex_unlock(&sm->gsm_mutex);
}

void share_sm_snapshot_clear(ShareSmSnapshot *snap)
{
  g_clear_pointer(&snap->opnode_per_home, g_hash_table_unref);
}

guint share_sm_opnode_count(ShareSm *sm, const char *home_node)
{
  g_mutex_lock(&sm->gsm_mutex);
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(sm->opnode_per_home, home_node));
  g_mutex_unlock(&sm->gsm_mutex);
  return n;
}

/* @def and @home_node may point into @share's own strings: copy first, free after. */
static void share_set_def(ShareSmShare *share, const SdShare *def, const char *home_node)
{
  char *old[] = {share->name,   share->path,   share->pseudo, share->clients,
                 share->access, share->squash, share->vip,    share->home_node};
  share->def.name = share->name = g_strdup(def->name);
  share->def.path = share->path = g_strdup(def->path);
  share->def.pseudo = share->pseudo = g_strdup(def->pseudo);
  share->def.clients = share->clients = g_strdup(def->clients);
  share->def.access = share->access = g_strdup(def->access);
  share->def.squash = share->squash = g_strdup(def->squash);
  share->def.vip = share->vip = g_strdup(def->vip);
  share->def.export_id = def->export_id;
  share->home_node = g_strdup(home_node);
  for (guint i = 0; i < G_N_ELEMENTS(old); i++)
    g_free(old[i]);
}

ShareSmShare *share_sm_share_new(ShareSm *sm, SdDriver *driver, const SdShare *def,
                                 const char *home_node)
{
  g_return_val_if_fail(sm && driver && def && home_node, NULL);
  ShareSmShare *share = g_new0(ShareSmShare, 1);
  share->sm = sm;
  share->driver = driver;
  share_set_def(share, def, home_node);
  share->lsm = SHARE_LSM_OFFLINE;
  /* Known from Open on, so that an Offline of a re-adopted share picks the right branch. */
  share->nodes_match = g_str_equal(home_node, sm->local_node);
  return share;
}

void share_sm_share_free(ShareSmShare *share)
{
  if (!share)
    return;
  g_free(share->name);
  g_free(share->path);
  g_free(share->pseudo);
  g_free(share->clients);
  g_free(share->access);
  g_free(share->squash);
  g_free(share->vip);
  g_free(share->home_node);
  g_free(share->counted_home);
  g_free(share->counted_vip);
  g_free(share);
}

void share_sm_share_set_callbacks(ShareSmShare *share, ShareSmReportFunc report,
                                  ShareSmPersistFunc persist, gpointer user_data)
{
  share->report = report;
  share->persist = persist;
  share->user_data = user_data;
}

gboolean share_sm_share_update(ShareSmShare *share, SdDriver *driver, const SdShare *def,
                               const char *home_node)
{
  ShareSm *sm = share->sm;
  gboolean ok = FALSE;
  g_mutex_lock(&sm->gsm_mutex);
  if (g_atomic_int_get(&share->lsm) == SHARE_LSM_OFFLINE && share->counted_home == NULL) {
    share->driver = driver;
    share_set_def(share, def, home_node);
    share->nodes_match = g_str_equal(home_node, sm->local_node);
    ok = TRUE;
  }
  g_mutex_unlock(&sm->gsm_mutex);
  return ok;
}

ShareLsm share_sm_share_lsm(ShareSmShare *share)
{
  return (ShareLsm)g_atomic_int_get(&share->lsm);
}

gboolean share_sm_share_nodes_match(ShareSmShare *share)
{
  return share->nodes_match;
}

const SdShare *share_sm_share_def(ShareSmShare *share)
{
  return &share->def;
}

const char *share_sm_share_home_node(ShareSmShare *share)
{
  return share->home_node;
}

SdDriver *share_sm_share_driver(ShareSmShare *share)
{
  return share->driver;
}

/* ---- helpers, all called with the GSM mutex held ---------------------------------------- */

static void set_lsm_locked(ShareSmShare *share, ShareLsm lsm)
{
  g_atomic_int_set(&share->lsm, (gint)lsm);
}

/*
 * The persisted LSM is only half of the rebuild rule (share_sm_readopt: it must say Online or
 * Failover *and* the export must be listed), so it is written outside the GSM mutex, whose
 * holder is the one thing all shares of the node wait for (a tenth of the critical section
 * with 1000 shares): the LSM an online thread is about to set before the mutex is taken, so
 * that a share exported by then is never found with a persisted Offline; Offline after the
 * mutex is released, when the export is gone.  A crash in between leaves "Online, not
 * exported", which the rule reads as Offline.  No lock: the host runs one operation per
 * share at a time.
 */
static void persist_lsm(ShareSmShare *share, ShareLsm lsm)
{
  if (share->persist)
    share->persist(share, lsm, share->user_data);
}

static void report_locked(ShareSmShare *share, ShareReport report)
{
  if (share->report)
    share->report(share, report, share->user_data);
}

/* FIG. 6B block 73 / 74: count the share where it belongs. */
static void count_locked(ShareSmShare *share)
{
  ShareSm *sm = share->sm;
  share->counted_local = share->nodes_match;
  share->counted_home = g_strdup(share->home_node);
  if (share->nodes_match) {
    sm->node_share_count++; /* block 73 */
  } else {
    /* block 74: OPNode count, kept per home node */
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(sm->opnode_per_home, share->home_node));
    g_hash_table_insert(sm->opnode_per_home, g_strdup(share->home_node), GUINT_TO_POINTER(n + 1));
  }
  g_hash_table_add(sm->open_vips, g_strdup(share->vip));
  share->counted_vip = g_strdup(share->vip);
  guint v = GPOINTER_TO_UINT(g_hash_table_lookup(sm->vip_online, share->vip));
  g_hash_table_insert(sm->vip_online, g_strdup(share->vip), GUINT_TO_POINTER(v + 1));
}

/* Shares of @vip counted online on this node. */
static guint vip_online_locked(ShareSm *sm, const char *vip)
{
  return GPOINTER_TO_UINT(g_hash_table_lookup(sm->vip_online, vip));
}

/* FIG. 8B block 100 / 101: decrement the count the share was counted in. */
static void uncount_locked(ShareSmShare *share)
{
  ShareSm *sm = share->sm;
  if (!share->counted_home)
    return;
  if (share->counted_local) {
    g_assert(sm->node_share_count > 0);
    sm->node_share_count--; /* block 100 */
  } else {
    /* block 101 */
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(sm->opnode_per_home, share->counted_home));
    g_assert(n > 0);
    if (n == 1)
      g_hash_table_remove(sm->opnode_per_home, share->counted_home);
    else
      g_hash_table_insert(sm->opnode_per_home, g_strdup(share->counted_home),
                          GUINT_TO_POINTER(n - 1));
  }
  guint v = vip_online_locked(sm, share->counted_vip);
  g_assert(v > 0);
  if (v == 1) {
    g_hash_table_remove(sm->vip_online, share->counted_vip);
    sd_driver_vip_left(share->driver, share->counted_vip);
  } else
    g_hash_table_insert(sm->vip_online, g_strdup(share->counted_vip), GUINT_TO_POINTER(v - 1));
  g_clear_pointer(&share->counted_home, g_free);
  g_clear_pointer(&share->counted_vip, g_free);
  share->counted_local = FALSE;
}

/* FIG. 8B blocks 102-105, after a count went down. */
static void after_uncount_locked(ShareSm *sm)
{
  /* Diamond 102: OPNodeShareCount == 0?  Block 103: GSM = Offline (otherwise not
   * reassigned).  With more than two nodes "OPNodeShareCount" is the sum over all home nodes:
   * the GSM leaves Failover only when no other node's share is hosted here.  As in the seed
   * this also happens while local shares are still online. */
  if (opnode_total_locked(sm) == 0)
    sm->gsm = SHARE_GSM_OFFLINE;

  /* Diamond 104: Node + OPNode == 0?  Block 105: Call User Group = TRUE (otherwise not
   * reassigned): the next online does the driver's transition task (block 64) again. */
  if (sm->node_share_count + opnode_total_locked(sm) == 0)
    sm->call_user_group = TRUE;
}

/* ---- re-adoption ------------------------------------------------------------------------- */

gboolean share_sm_readopt(ShareSmShare *share, ShareLsm persisted, gboolean exported)
{
  ShareSm *sm = share->sm;
  gboolean counted = FALSE;
  g_mutex_lock(&sm->gsm_mutex);
  if (persisted != SHARE_LSM_OFFLINE && exported && share->counted_home == NULL) {
    /* The LSM the online worker set (block 69/70) follows from Nodes Match; a persisted LSM
     * that disagrees (home node changed while the host was down) is taken from Nodes Match so
     * that block 93 and 99 stay consistent with the count. */
    count_locked(share);
    /* FIG. 5 blocks 48-51 replayed for the GSM. */
    if (!share->nodes_match)
      sm->gsm = SHARE_GSM_FAILOVER;
    else if (sm->gsm == SHARE_GSM_UNKNOWN)
      sm->gsm = SHARE_GSM_ONLINE;
    /* The gate of this VIP was opened before the restart (block 64 happened). */
    sm->call_user_group = FALSE;
    g_atomic_int_set(&share->lsm,
                     (gint)(share->nodes_match ? SHARE_LSM_ONLINE : SHARE_LSM_FAILOVER));
    counted = TRUE;
  }
  g_mutex_unlock(&sm->gsm_mutex);
  return counted;
}

/* ---- FIG. 5: online request ------------------------------------------------------------- */

void share_sm_online_request(ShareSmShare *share)
{
  ShareSm *sm = share->sm;

  /* Block 41 (check and validate the resource) was done by the caller. */

  /* Block 42: Owner Node Name Match: TRUE when the local server owns the resource. */
  gboolean owner_node_name_match = g_str_equal(share->home_node, sm->local_node);
  /* Diamond 43 / block 44: Nodes Match (otherwise it "remains false"). */
  gboolean nodes_match = FALSE;
  if (owner_node_name_match)
    nodes_match = TRUE;

  /* clusres: the seed reads the GSM (diamond 45) before taking the mutex (block 47); we take
   * it first so that the read and the write of Call User Group are not a data race.  The
   * outcome is the same as the seed's for every interleaving of whole requests. */
  /* Block 47: get the GSM mutex. */
  g_mutex_lock(&sm->gsm_mutex);

  /* clusres: Nodes Match is per share and read by its workers; it only changes while the
   * share is Offline (a share's count must be undone in the branch it was counted in). */
  if (g_atomic_int_get(&share->lsm) == SHARE_LSM_OFFLINE)
    share->nodes_match = nodes_match;

  /* Diamond 45: GSM Unknown?  Block 46: Call User Group = TRUE (else it stays as it is). */
  if (sm->gsm == SHARE_GSM_UNKNOWN)
    sm->call_user_group = TRUE;

  /* Diamond 48: Nodes Match? */
  if (!share->nodes_match) {
    /* Block 51: GSM = Failover. */
    sm->gsm = SHARE_GSM_FAILOVER;
  } else if (sm->gsm == SHARE_GSM_UNKNOWN) {
    /* Diamond 49 / block 50: GSM Unknown -> Online (otherwise not reassigned). */
    sm->gsm = SHARE_GSM_ONLINE;
  }

  /* Block 52: release the GSM mutex.  Blocks 53/54 (schedule the online thread, return
   * Online Pending) are the DLL's. */
  g_mutex_unlock(&sm->gsm_mutex);
}

/* ---- FIG. 6A/6B: online thread ---------------------------------------------------------- */

gboolean share_sm_online_worker(ShareSmShare *share, GError **error)
{
  ShareSm *sm = share->sm;
  SdDriver *drv = share->driver;
  gboolean ok = FALSE;

  /* Block 61: the resource parameters are those of @share, fixed by share_sm_share_update()
   * before the request. */

  /* clusres: the LSM of block 69/70, persisted ahead (see persist_lsm), and the files block 71
   * needs written ahead (sd_driver_prepare_share): both outside the GSM mutex, which every
   * share of the node waits for.  A failure to prepare is block 71's to report. */
  ShareLsm target = share->nodes_match ? SHARE_LSM_ONLINE : SHARE_LSM_FAILOVER;
  gboolean was_offline = g_atomic_int_get(&share->lsm) == SHARE_LSM_OFFLINE;
  if (was_offline) {
    persist_lsm(share, target);
    (void)sd_driver_prepare_share(drv, &share->def, NULL);
  }

  /* Block 62: get the GSM mutex. */
  g_mutex_lock(&sm->gsm_mutex);

  /* clusres: a second Online of a share that is already online (a re-adopted share, or a
   * repeated start) must not count it twice: report Online and change nothing. */
  if (!was_offline) {
    report_locked(share, SHARE_REPORT_ONLINE);
    g_mutex_unlock(&sm->gsm_mutex);
    return TRUE;
  }

  /* Diamond 63: Call User Group?  (clusres: or this VIP's gate not opened yet, see open_vips.) */
  if (sm->call_user_group || !g_hash_table_contains(sm->open_vips, share->vip)) {
    /* Block 64 (driver): network packets are allowed. */
    if (!sd_driver_allow_traffic(drv, share->vip, error))
      goto failed; /* Call User Group stays TRUE: the next online tries again. */
    g_hash_table_add(sm->open_vips, g_strdup(share->vip));
    /* Block 65: Call User Group = FALSE. */
    sm->call_user_group = FALSE;
  }

  /* Diamond 66: Nodes Match? */
  if (share->nodes_match) {
    /* Block 67 (driver): enable the local shares counter. */
    if (!sd_driver_enable_local_counter(drv, error))
      goto failed;
    /* clusres: a VIP coming home takes its clients' state over too, from the node that had it
     * (block 68's takeover, done by the VIP's first share here): without it a client that
     * reclaims on the home node after a failback or a planned move back gets NFS4ERR_NO_GRACE,
     * and its locks are anyone's. */
    if (vip_online_locked(sm, share->vip) == 0 &&
        !sd_driver_enable_failover(drv, share->vip, error)) {
      (void)sd_driver_disable_local_counter(drv, NULL);
      goto failed;
    }
    /* Block 69: LSM = Online. */
    set_lsm_locked(share, SHARE_LSM_ONLINE);
  } else {
    /* Block 68 (driver): enable failover functionality (takeover of the home node's VIP).
     * clusres: once per VIP arrival, by its first share here; a takeover per share would start
     * grace again and count the VIP's clients once more each time, so that grace could never
     * end early. */
    if (vip_online_locked(sm, share->vip) == 0 &&
        !sd_driver_enable_failover(drv, share->vip, error))
      goto failed;
    /* Block 70: LSM = Failover. */
    set_lsm_locked(share, SHARE_LSM_FAILOVER);
  }

  /* Block 71 (driver): enable the share. */
  if (!sd_driver_enable_share(drv, &share->def, error)) {
    /* clusres: undo block 69/70 so the LSM says what is true (not exported), and close the
     * local counter bracket opened at block 67 like block 75 would. */
    set_lsm_locked(share, SHARE_LSM_OFFLINE);
    if (share->nodes_match)
      (void)sd_driver_disable_local_counter(drv, NULL);
    goto failed;
  }

  /* Diamond 72: Nodes Match?  Block 73: NodeShareCount++ / block 74: OPNodeShareCount++ (of
   * the share's home node). */
  count_locked(share);
  if (share->nodes_match) {
    /* Block 75 (driver): disable the local shares counter.  clusres: the share is exported
     * and counted by now; a failure here does not fail the online (debug log only). */
    g_autoptr(GError) local_error = NULL;
    if (!sd_driver_disable_local_counter(drv, &local_error))
      g_debug("share %s: disable_local_counter: %s", share->name, local_error->message);
  }

  /* Block 76: Resource State = Cluster Resource Online. */
  report_locked(share, SHARE_REPORT_ONLINE);
  ok = TRUE;
  goto out;

failed:
  report_locked(share, SHARE_REPORT_FAILED);
out:
  /* Block 77: release the GSM mutex.  Block 78: exit. */
  g_mutex_unlock(&sm->gsm_mutex);
  if (!ok)
    persist_lsm(share, SHARE_LSM_OFFLINE); /* what block 69/70 was going to set did not happen */
  return ok;
}

/* ---- FIG. 8A/8B: offline thread --------------------------------------------------------- */

gboolean share_sm_offline_worker(ShareSmShare *share, GError **error)
{
  ShareSm *sm = share->sm;
  SdDriver *drv = share->driver;
  gboolean ok = FALSE;

  /* Block 91: the resource parameters are those of @share. */

  /* Block 92: get the GSM mutex. */
  g_mutex_lock(&sm->gsm_mutex);

  ShareLsm lsm = (ShareLsm)g_atomic_int_get(&share->lsm);
  /* clusres: the counts below only move for a share the online thread counted; an Offline of
   * a share that is not online (stop of a stopped resource) only makes sure the export is
   * gone (block 98, idempotent) and reports Offline. */
  gboolean counted = share->counted_home != NULL;

  /* Diamond 93: LSM Failover?  Block 94 (driver): enable transition (failback)
   * functionality: release the home node's VIP state. */
  if (lsm == SHARE_LSM_FAILOVER) {
    if (!sd_driver_enable_transition(drv, share->vip, error))
      goto failed;
  }

  /* Diamond 95: Nodes Match?  Block 96 (driver): enable the local shares counter. */
  if (share->nodes_match && counted) {
    if (!sd_driver_enable_local_counter(drv, error))
      goto failed;
  }

  /* Block 97: Resource State = Cluster Resource Offline Pending. */
  report_locked(share, SHARE_REPORT_OFFLINE_PENDING);

  /* Block 98 (driver): disable the share (the driver verifies with its export list). */
  if (!sd_driver_disable_share(drv, &share->def, error)) {
    /* clusres: still exported, so still counted and still in its LSM; close the bracket of
     * block 96 like block 107 would. */
    if (share->nodes_match && counted)
      (void)sd_driver_disable_local_counter(drv, NULL);
    goto failed;
  }

  if (counted) {
    /* Diamond 99: Nodes Match?  Block 100: NodeShareCount-- / block 101: OPNodeShareCount--
     * (of the home node it was counted for). */
    uncount_locked(share);

    /* Blocks 102-105. */
    after_uncount_locked(sm);

    /* Diamond 106: Nodes Match?  Block 107 (driver): disable the local shares counter. */
    if (share->nodes_match) {
      g_autoptr(GError) local_error = NULL;
      if (!sd_driver_disable_local_counter(drv, &local_error))
        g_debug("share %s: disable_local_counter: %s", share->name, local_error->message);
    }
  }

  /* Block 108: Resource State = Cluster Resource Offline. */
  report_locked(share, SHARE_REPORT_OFFLINE);
  /* Block 109: LSM = Offline. */
  set_lsm_locked(share, SHARE_LSM_OFFLINE);
  ok = TRUE;
  goto out;

failed:
  report_locked(share, SHARE_REPORT_FAILED);
out:
  /* Block 110: release the GSM mutex.  Block 111: exit. */
  g_mutex_unlock(&sm->gsm_mutex);
  if (ok && lsm != SHARE_LSM_OFFLINE)
    persist_lsm(share, SHARE_LSM_OFFLINE); /* the export is gone (see persist_lsm) */
  return ok;
}

/* ---- FIG. 9: close ---------------------------------------------------------------------- */

void share_sm_close(ShareSmShare *share)
{
  /* Block 121: verify the validity of the resource entry. */
  if (!share)
    return;
  /* clusres (MSCS Close contract): an instance closed while not offline is terminated first,
   * so that the counts never keep a share that no longer exists. */
  if (share_sm_share_lsm(share) != SHARE_LSM_OFFLINE || share->counted_home) {
    g_autoptr(GError) error = NULL;
    share->report = NULL;
    if (!share_sm_offline_worker(share, &error))
      g_debug("share %s: offline at close: %s", share->name, error->message);
  }
  /* Block 123: delete the resource entry (deallocate it and free its memory).  If the driver
   * could not disable the export, the share is still counted: undo the count so the GSM does
   * not keep a share that has no instance any more. */
  if (share->counted_home) {
    g_mutex_lock(&share->sm->gsm_mutex);
    uncount_locked(share);
    after_uncount_locked(share->sm);
    g_mutex_unlock(&share->sm->gsm_mutex);
  }
  share_sm_share_free(share);
  /* Block 124: exit. */
}
