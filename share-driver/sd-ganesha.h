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

/** Writes the EXPORT file atomically and calls AddExport; an export already there is success. */
gboolean sd_ganesha_add_export(SdGanesha *ganesha, const SdShare *share, GError **error);
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

G_END_DECLS
