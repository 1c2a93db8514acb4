/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-dbus: the host's D-Bus face.  The generated org.clusres.ResourceHost1 skeleton is
 * exported at /org/clusres/ResourceHost on the system bus (name org.clusres.ResourceHost, or
 * org.clusres.ResourceHost.Separate.<escaped> for a separate host) and on the peer socket
 * $CLUSRES_RUN_DIR/rhs.sock (rhs-<escaped>.sock, rhs-peer.h), root only, so the OCF agent's
 * monitor skips the bus daemon.  Handlers validate, hand the work to rhs-host and return at
 * once; the reply is sent from the worker that finished it.  A Monitor that needs no DLL call
 * (rhs_host_monitor_now) is answered by a message filter on GDBus's worker thread instead.
 */
#pragma once

#include <gio/gio.h>

#include "rhs-host.h"

typedef struct RhsDbus RhsDbus;

/* The bus name a host serving @separate (or NULL) owns. */
char *rhs_dbus_bus_name(const char *separate);
/* The peer socket path of that host. */
char *rhs_dbus_socket_path(const char *separate);

/* Registers the org.clusres.Error names for RHS_HOST_ERROR. */
void rhs_dbus_register_errors(void);

/*
 * Starts the peer server and requests the bus name.  @lost is called (main thread) if the name
 * cannot be owned, e.g. because another host runs.
 */
RhsDbus *rhs_dbus_new(RhsHost *host, GCallback lost, gpointer lost_data, GError **error);
void rhs_dbus_emit_state_changed(RhsDbus *dbus, const char *resource, int state,
                                 const char *reason);
void rhs_dbus_free(RhsDbus *dbus);
