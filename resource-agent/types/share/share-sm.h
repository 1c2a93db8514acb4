/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * share-sm: the state machines of the share resource (seed 004, FIG. 5-9).
 *
 * Pure logic over an SdDriver, so that every branch can be unit-tested with the fake backend:
 *   - one global state machine (GSM) per resource-host process, with its mutex, the
 *     "Call User Group" flag, NodeShareCount (shares homed here that are online here) and
 *     OPNodeShareCount kept per home node (shares of other nodes taken over here; the seed has
 *     two nodes and one "opposite" node, we have as many as the cluster has);
 *   - one local state machine (LSM) per share.
 *
 * The seed's flows have no error paths; ours are documented at each driver call.  Reporting
 * (SetResourceStatus) and persistence (the LSM in the registry) are callbacks so that this
 * module does not depend on the resource host.
 */
#pragma once

#include <glib.h>

#include "sd-driver.h"

G_BEGIN_DECLS

typedef enum {
  SHARE_GSM_UNKNOWN,
  SHARE_GSM_ONLINE,
  SHARE_GSM_FAILOVER,
  SHARE_GSM_OFFLINE,
} ShareGsm;

typedef enum {
  SHARE_LSM_OFFLINE,
  SHARE_LSM_ONLINE,
  SHARE_LSM_FAILOVER,
} ShareLsm;

/* What a worker reports to the host (FIG. 6B block 76, FIG. 8A block 97, FIG. 8B block 108). */
typedef enum {
  SHARE_REPORT_ONLINE,
  SHARE_REPORT_OFFLINE_PENDING,
  SHARE_REPORT_OFFLINE,
  SHARE_REPORT_FAILED,
} ShareReport;

const char *share_gsm_to_string(ShareGsm gsm);
const char *share_lsm_to_string(ShareLsm lsm);
/** Parses what share_lsm_to_string() wrote; FALSE for anything else. */
gboolean share_lsm_from_string(const char *s, ShareLsm *out);

typedef struct _ShareSm ShareSm;
typedef struct _ShareSmShare ShareSmShare;

/* Called with the GSM mutex held, from the worker thread. */
typedef void (*ShareSmReportFunc)(ShareSmShare *share, ShareReport report, gpointer user_data);
/* Called by the online/offline threads, *without* the GSM mutex, with the LSM to persist:
 * before the mutex with the LSM an online is about to set, after it with Offline (see
 * persist_lsm in share-sm.c: the persisted LSM only counts with the export listed). */
typedef void (*ShareSmPersistFunc)(ShareSmShare *share, ShareLsm lsm, gpointer user_data);

/**
 * share_sm_new:
 * @local_node: [in] this node's name (compared with each share's home node, FIG. 5 block 42)
 *
 * Returns: a GSM in state Unknown with zero counts and Call User Group FALSE.
 */
ShareSm *share_sm_new(const char *local_node);
void share_sm_free(ShareSm *sm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ShareSm, share_sm_free)

const char *share_sm_local_node(ShareSm *sm);

/* A consistent copy of the global state, taken under the GSM mutex. */
typedef struct {
  ShareGsm gsm;
  gboolean call_user_group;
  guint node_share_count;
  guint opnode_share_count;    /* sum over all home nodes */
  GHashTable *opnode_per_home; /* home node -> GUINT_TO_POINTER(count), only counts > 0 */
} ShareSmSnapshot;

void share_sm_snapshot(ShareSm *sm, ShareSmSnapshot *out);
void share_sm_snapshot_clear(ShareSmSnapshot *snap);
/** OPNodeShareCount of one home node (0 when none). */
guint share_sm_opnode_count(ShareSm *sm, const char *home_node);

/**
 * share_sm_share_new:
 * @sm: [in] the GSM this share belongs to (must outlive the share)
 * @driver: [in] the driver making this share available (borrowed, must outlive the share)
 * @def: [in] the resolved share definition (copied)
 * @home_node: [in] the node owning the share (copied)
 *
 * Returns: a share in LSM Offline, not counted.
 */
ShareSmShare *share_sm_share_new(ShareSm *sm, SdDriver *driver, const SdShare *def,
                                 const char *home_node);
void share_sm_share_free(ShareSmShare *share);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ShareSmShare, share_sm_share_free)

void share_sm_share_set_callbacks(ShareSmShare *share, ShareSmReportFunc report,
                                  ShareSmPersistFunc persist, gpointer user_data);
/**
 * Replaces the driver and definition used by the next online (FIG. 6A block 61 "read the resource
 * parameters").  Only while the LSM is Offline: the counted home node and the exported
 * definition must not change under an exported share.  FALSE (and nothing changed) otherwise.
 */
gboolean share_sm_share_update(ShareSmShare *share, SdDriver *driver, const SdShare *def,
                               const char *home_node);

ShareLsm share_sm_share_lsm(ShareSmShare *share);
gboolean share_sm_share_nodes_match(ShareSmShare *share);
const SdShare *share_sm_share_def(ShareSmShare *share);
const char *share_sm_share_home_node(ShareSmShare *share);
SdDriver *share_sm_share_driver(ShareSmShare *share);

/**
 * share_sm_readopt:
 * @share: [in] a share just opened, LSM Offline and not counted
 * @persisted: [in] the LSM found in its registry entry
 * @exported: [in] whether the driver shows its export right now
 *
 * Rebuild rule after a resource-host restart: a share whose persisted LSM is Online or
 * Failover and whose export is present counts again, exactly as FIG. 6B blocks 73/74 counted
 * it (NodeShareCount if it is homed here, else OPNodeShareCount of its home node), and gets
 * that LSM back; anything else stays Offline.  The GSM is then rebuilt from the counts as the
 * flows of FIG. 5 would have left it: Failover if any share of another node is counted, else
 * Online if a local one is (unless it was already Offline/Failover), and Call User Group is
 * FALSE because the traffic gate of a counted share's VIP is open (the driver's nftables
 * table survives the host).  No driver call is made.
 *
 * Returns: TRUE if the share was counted again.
 */
gboolean share_sm_readopt(ShareSmShare *share, ShareLsm persisted, gboolean exported);

/**
 * share_sm_online_request: FIG. 5 blocks 42-52 (block 41, validation, is the caller's: it
 * validated @share's definition before calling).  Sets Nodes Match from the home node, sets
 * Call User Group if the GSM is Unknown, and moves the GSM under its mutex.  Never fails.
 */
void share_sm_online_request(ShareSmShare *share);

/**
 * share_sm_online_worker: FIG. 6A/6B blocks 61-78, run on the online thread.
 *
 * Returns: TRUE when the share is online (reported SHARE_REPORT_ONLINE), FALSE when a driver
 * call failed (reported SHARE_REPORT_FAILED, error set, LSM back to Offline, counts unchanged).
 */
gboolean share_sm_online_worker(ShareSmShare *share, GError **error);

/**
 * share_sm_offline_worker: FIG. 8A/8B blocks 91-111, run on the offline thread (also by
 * Terminate and Close, without reports).
 *
 * Returns: TRUE when the export is gone (reported SHARE_REPORT_OFFLINE), FALSE when the driver
 * could not disable it (reported SHARE_REPORT_FAILED, error set; the share stays counted in
 * its LSM so that a retry or Terminate finds it).
 */
gboolean share_sm_offline_worker(ShareSmShare *share, GError **error);

/**
 * share_sm_close: FIG. 9 blocks 121-124 on the state machine side: a share that is not
 * Offline is taken offline first (the MSCS rule for Close of an online resource), then the
 * share is freed.  The registry side (block 122/123) is the caller's.
 */
void share_sm_close(ShareSmShare *share);

G_END_DECLS
