/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sd-epoch: a server epoch for every NFS-Ganesha instance of the cluster, distinct across nodes
 * and restarts.  Ganesha puts its epoch in the high half of every client id and answers a client
 * id of another epoch with NFS4ERR_STALE_CLIENTID (RFC 7530 16.33.5: the signal on which a
 * client starts reclaiming), but one of its own epoch that it does not know with
 * NFS4ERR_EXPIRED (no reclaim: the client re-opens and loses its locks).  Ganesha takes the
 * epoch from its start time unless `-E` is given, so two nodes started in the same second take
 * each other's client ids for their own.  The counter lives on the shared storage, next to the
 * recovery databases, and is taken under an exclusive lock on it: each allocation is larger than
 * every earlier one, on any node.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SD_EPOCH_FILE "epoch"
#define SD_EPOCH_LOCK "epoch.lock"

/*
 * Allocates the next epoch in @dir (created if missing): max(@now, last + 1), written durably
 * (temp file, fsync, rename) before it is returned, so a crash never hands the same epoch out
 * twice.  @now is the wall clock in seconds (a fresh counter starts above every epoch Ganesha
 * took from its start time before).  A counter file that does not hold a number is an error,
 * not a reset.  The result fits Ganesha's 32-bit epoch.
 */
gboolean sd_epoch_next(const char *dir, guint64 now, guint32 *epoch, GError **error);

G_END_DECLS
