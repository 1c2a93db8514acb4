/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * NFS health probes through the VIP, as a client would see the share (libnfs, NFSv4, TCP).
 *   depth 10: connect, set up the client id, look up the pseudo path and stat it
 *   depth 20: also read the first bytes of a file: @file if given, else .clusres-probe (the
 *             driver creates it at enable time) or the first regular file of the export root
 * Every probe is bounded by @timeout_ms, including a connect to a VIP whose packets are dropped.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SD_PROBE_FILE ".clusres-probe"

gboolean sd_probe_nfs(const char *vip, const char *pseudo, guint depth, guint timeout_ms,
                      GError **error);
/* TRUE if @vip (an address literal) is configured on this host: a depth-10/20 probe through the
 * VIP only says something about this node's server where this node holds the VIP. */
gboolean sd_probe_address_is_local(const char *vip);
gboolean sd_probe_nfs_file(const char *vip, const char *pseudo, guint depth, const char *file,
                           guint timeout_ms, GError **error);

G_END_DECLS
