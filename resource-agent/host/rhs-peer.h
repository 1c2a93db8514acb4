/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-peer: the host's peer-to-peer D-Bus listener ($CLUSRES_RUN_DIR/rhs.sock), root only.
 *
 * Why not GDBusServer: every monitor is a new connection, and GDBusServer hands each one to a
 * thread of a GThreadedSocketService that authenticates it reading one byte per syscall, then
 * (without RUN_IN_THREAD) back to the main loop: two thread hops and some 40 syscalls before
 * the first message is read.  Here the main loop accepts, checks the peer's uid with
 * SO_PEERCRED and answers the SASL lines itself (EXTERNAL only, no fd passing), reading whole
 * lines with MSG_PEEK so that the bytes after BEGIN stay in the socket, then hands the socket
 * to a GDBusConnection created without authentication flags (GDBus then does none).  A client
 * that pipelines its AUTH, BEGIN and first call (ocf-wire does) is served without waiting.
 *
 * Calls that @answer can take without blocking (a Monitor that needs no DLL call) are answered
 * right here, before any GDBusConnection exists: the agent's monitor (connect, Monitor, close)
 * then costs the host one main-loop wake-up and no thread hop.  The first call @answer declines
 * is left unread and the socket goes to GDBus, which sees a fresh connection.
 */
#pragma once

#include <gio/gio.h>

typedef struct RhsPeer RhsPeer;

/* Called on the main thread for every authenticated connection (message processing delayed:
 * the callback exports its objects, then calls g_dbus_connection_start_message_processing). */
typedef void (*RhsPeerNewConnection)(GDBusConnection *conn, gpointer user_data);

/* Main thread: the reply to @call (a method call or not), or NULL to leave it to GDBus.  Must
 * not block.  The reply's serial is set by rhs-peer. */
typedef GDBusMessage *(*RhsPeerAnswer)(GDBusMessage *call, gpointer user_data);

/* Listens on @path (an existing socket file is replaced). */
RhsPeer *rhs_peer_new(const char *path, RhsPeerNewConnection cb, RhsPeerAnswer answer,
                      gpointer user_data, GError **error);
/* Stops listening, drops connections still authenticating and unlinks the socket. */
void rhs_peer_free(RhsPeer *peer);
