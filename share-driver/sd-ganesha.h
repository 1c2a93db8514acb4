/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * NFS-Ganesha backend: its D-Bus admin API (org.ganesha.nfsd, see org.ganesha.nfsd.xml) on
 * the system bus ($DBUS_SYSTEM_BUS_ADDRESS when set) and one generated EXPORT file per share.
 */
#pragma once

#include <glib.h>

#include "sd-driver.h"

G_BEGIN_DECLS

#define SD_GANESHA_BUS_NAME "org.ganesha.nfsd"
#define SD_GANESHA_EXPORTMGR_PATH "/org/ganesha/nfsd/ExportMgr"
#define SD_GANESHA_EXPORTMGR_IFACE "org.ganesha.nfsd.exportmgr"
#define SD_GANESHA_ADMIN_PATH "/org/ganesha/nfsd/admin"
#define SD_GANESHA_ADMIN_IFACE "org.ganesha.nfsd.admin"

typedef struct _SdGanesha SdGanesha;

SdGanesha *sd_ganesha_new(guint timeout_ms);
void sd_ganesha_free(SdGanesha *ganesha);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SdGanesha, sd_ganesha_free)

/** The EXPORT block for a validated, resolved share. */
char *sd_ganesha_export_block(const SdShare *share);
/** Where the share's EXPORT file lives: $CLUSRES_RUN_DIR/ganesha/<name>.conf. */
char *sd_ganesha_export_file(const SdShare *share);
/** The reply signature the backend expects from @method (checked against the XML copy). */
const char *sd_ganesha_reply_type(const char *method);

/** Writes @block as the share's EXPORT file (sd_ganesha_export_file), atomically. */
gboolean sd_ganesha_write_export(const SdShare *share, const char *block, GError **error);
/** Writes the EXPORT file atomically and calls AddExport; an export already there is success. */
gboolean sd_ganesha_add_export(SdGanesha *ganesha, const SdShare *share, GError **error);
/** sd_ganesha_add_export() for an EXPORT file written already (sd_ganesha_write_export). */
gboolean sd_ganesha_add_written_export(SdGanesha *ganesha, const SdShare *share, GError **error);
/** RemoveExport(id); the file stays (it is rewritten at the next add). */
gboolean sd_ganesha_remove_export(SdGanesha *ganesha, guint16 export_id, GError **error);
/**
 * DisplayExport(id): *@path is the exported directory, or NULL when Ganesha has no export with
 * that id.  O(1) on the server, unlike ShowExports, so per-share checks use this.
 */
gboolean sd_ganesha_export_path(SdGanesha *ganesha, guint16 export_id, char **path, GError **error);
/** ShowExports as a set of "id\tpath" strings (the pseudo root, id 0, left out). */
GHashTable *sd_ganesha_show_exports(SdGanesha *ganesha, GError **error);
/** Parses a ShowExports reply (exposed for unit tests). */
GHashTable *sd_ganesha_parse_show_exports(GVariant *reply);
/** admin.grace("N:key"). */
gboolean sd_ganesha_grace(SdGanesha *ganesha, const char *event_key, GError **error);
/** admin.get_grace. */
gboolean sd_ganesha_get_grace(SdGanesha *ganesha, gboolean *in_grace, GError **error);

/*
 * Recovery database on shared storage, so that the node taking a VIP over can let that VIP's
 * clients reclaim (layout in README.md, "Grace and reclaim").  Every node's Ganesha has
 * NFSV4 { RecoveryRoot = "<shared_root>/<node>"; } and records its clients (fs backend,
 * Ganesha 4.3) in <shared_root>/<node>/SD_GANESHA_RECOVERY_CLIENTS.  grace("5:<vip>") reads
 * RecoveryRoot/<vip>/v4recov, taking every directory below it as one client name.
 */
#define SD_GANESHA_RECOVERY_CLIENTS "v4recov/node0"
#define SD_GANESHA_RECOVERY_BY_VIP "by-vip"

/** <shared_root>/by-vip/<vip> -> ../<node>/v4recov/node0, replaced atomically: @node serves
 * @vip now, so a later takeover reads @node's clients. */
gboolean sd_ganesha_recovery_claim(const char *shared_root, const char *node, const char *vip,
                                   GError **error);
/** <shared_root>/<node>/<vip>/v4recov -> ../../by-vip/<vip>: where grace("5:<vip>") on @node
 * finds the clients of the VIP's previous server. */
gboolean sd_ganesha_recovery_link(const char *shared_root, const char *node, const char *vip,
                                  GError **error);
/*
 * The VIP's clients that @node's own Ganesha still holds (its recovery database lists them)
 * although they now live at the VIP's current server: client names in both @node's database and
 * the one by-vip/<vip> points at.  Empty when @node is the VIP's current server.  A VIP that
 * left @node and comes back within the clients' lease finds their old client records there
 * still confirmed: EXCHANGE_ID/SETCLIENTID would hand them their old client id, not one that
 * may reclaim (NFS4ERR_NO_GRACE), and an old open owner's seqid (NFS4ERR_BAD_SEQID).  Ganesha
 * has no call to expire a client; it drops one, and its database entry, when the lease ends.
 */
GPtrArray *sd_ganesha_recovery_stale(const char *shared_root, const char *node, const char *vip);
/** Takeover of @vip by @node: waits (until @deadline_us, monotonic; 0: no wait; then it goes on
 * with a warning) until @node's Ganesha holds none of the VIP's clients any more
 * (sd_ganesha_recovery_stale), recovery_link,
 * grace("5:<vip>") (Ganesha reads the previous server's clients before it answers), then
 * recovery_claim.  @shared_root NULL: grace only. */
gboolean sd_ganesha_takeover(SdGanesha *ganesha, const char *shared_root, const char *node,
                             const char *vip, gint64 deadline_us, GError **error);

G_END_DECLS
