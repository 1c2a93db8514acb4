/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-wire: a minimal synchronous D-Bus client (EXTERNAL auth, method calls, little-endian
 * messages, no fds) on GLib alone.  The agent runs for every monitor; libgio and GDBus
 * (its libraries, type registration, worker thread) cost more start-up time than the whole
 * budget of a monitor, so the agent speaks the wire protocol itself.  Values are GVariants:
 * this module converts between them and the D-Bus marshalling (which differs from GVariant's
 * own serialisation).
 */
#pragma once

#include <glib.h>

#define OCF_WIRE_ERROR (ocf_wire_error_quark())
GQuark ocf_wire_error_quark(void);
typedef enum {
  OCF_WIRE_ERROR_CONNECT, /* no such socket, refused, authentication failed */
  OCF_WIRE_ERROR_IO,      /* the connection broke or the peer sent garbage */
  OCF_WIRE_ERROR_TIMEOUT, /* the deadline passed */
  OCF_WIRE_ERROR_REMOTE,  /* an error reply: see ocf_wire_error_name() */
} OcfWireError;

typedef struct OcfWire OcfWire;

/**
 * ocf_wire_connect:
 * @address: a D-Bus address ("unix:path=...", "unix:abstract=...", several separated by ';')
 * @bus: the peer is a message bus: say Hello
 * @deadline: g_get_monotonic_time() limit for connecting
 *
 * On a peer connection nothing is exchanged before the first call (the authentication goes
 * with it), so a refused authentication shows up as that call's OCF_WIRE_ERROR_CONNECT.
 */
OcfWire *ocf_wire_connect(const char *address, gboolean bus, gint64 deadline, GError **error);
void ocf_wire_free(OcfWire *wire);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OcfWire, ocf_wire_free)

/**
 * ocf_wire_call:
 * @dest: (nullable): destination bus name (NULL on a peer connection)
 * @args: (nullable): a tuple; a floating reference is sunk
 * @reply_type: the expected reply tuple type
 * @auto_start: let the bus activate @dest
 *
 * Returns: (transfer full): the reply tuple, or NULL with @error (OCF_WIRE_ERROR).
 */
GVariant *ocf_wire_call(OcfWire *wire, const char *dest, const char *path, const char *iface,
                        const char *method, GVariant *args, const GVariantType *reply_type,
                        gboolean auto_start, gint64 deadline, GError **error);

/**
 * ocf_wire_error_name:
 * Remote errors carry "<D-Bus error name>: <text>" as their message.
 * Returns: (transfer full) (nullable): the D-Bus error name of an OCF_WIRE_ERROR_REMOTE error.
 */
char *ocf_wire_error_name(const GError *error);

/** The system bus address: $DBUS_SYSTEM_BUS_ADDRESS or the standard socket. */
const char *ocf_wire_system_bus_address(void);

/* Marshalling, exposed for the unit test. */
GByteArray *ocf_wire_marshal(GVariant *value);
GVariant *ocf_wire_demarshal(const guint8 *data, gsize size, const GVariantType *type);
