/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cg-pacemaker: the Pacemaker side of the cluster glue, on a GLib main loop.
 *  - failure push: tell Pacemaker at once that a resource failed on this node
 *    (crm_resource --fail), asynchronously and bounded by a timeout;
 *  - node name: the name Pacemaker knows this node by.
 * $CLUSRES_CRM_RESOURCE overrides the crm_resource binary (tests point it at a recorder).
 */
#pragma once

#include <gio/gio.h>

/* The crm_resource binary used for pushes. */
const char *cg_pacemaker_crm_resource_path(void);

/*
 * The node name for @hint: @hint itself when set (Pacemaker passes on_node to agents),
 * otherwise the uname nodename, which is what Pacemaker uses unless corosync.conf names nodes.
 */
char *cg_node_name(const char *hint);

/*
 * Runs `crm_resource --fail --resource RESOURCE --node NODE` without blocking the caller.
 * The child is killed after @timeout_ms.  @callback (may be NULL) runs on the thread-default
 * main context of the caller; cg_pacemaker_push_failure_finish() gives the outcome.
 */
void cg_pacemaker_push_failure(const char *resource, const char *node, guint timeout_ms,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean cg_pacemaker_push_failure_finish(GAsyncResult *result, GError **error);

/*
 * Starts the same command and returns at once without waiting (for a process about to exit,
 * e.g. the host's deadlock watchdog).  Returns FALSE if it could not be started.
 */
gboolean cg_pacemaker_push_failure_detached(const char *resource, const char *node, GError **error);
