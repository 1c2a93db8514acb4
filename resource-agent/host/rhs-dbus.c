/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-dbus.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "clusres-config.h"
#include "clusres-dbus.h"
#include "rhs-state.h"

#define RHS_DEFAULT_TIMEOUT_MS 20000u /* Pacemaker's default op timeout */
#define RHS_MIN_TIMEOUT_MS 100u
#define RHS_MAX_TIMEOUT_MS 86400000u
#define RHS_MAX_BUFFER (1024u * 1024u)
#define RHS_MAX_DEPTH 100u

struct RhsDbus {
  RhsHost *host;
  ClusresDbusResourceHost1 *skeleton;
  GDBusServer *server;
  GDBusAuthObserver *observer;
  char *socket_path;
  GPtrArray *peers; /* GDBusConnection */
  guint owner_id;
  GCallback lost;
  gpointer lost_data;
};

char *rhs_dbus_bus_name(const char *separate)
{
  if (separate == NULL)
    return g_strdup(CLUSRES_HOST_BUS_NAME);
  g_autofree char *esc = rhs_state_escape_name(separate);
  return g_strconcat(CLUSRES_HOST_BUS_NAME ".Separate.", esc, NULL);
}

char *rhs_dbus_socket_path(const char *separate)
{
  if (separate == NULL)
    return g_build_filename(rhs_state_run_dir(), "rhs.sock", NULL);
  g_autofree char *esc = rhs_state_escape_name(separate);
  g_autofree char *leaf = g_strdup_printf("rhs-%s.sock", esc);
  return g_build_filename(rhs_state_run_dir(), leaf, NULL);
}

void rhs_dbus_register_errors(void)
{
  g_dbus_error_register_error(RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS,
                              "org.clusres.Error.InvalidArgs");
  g_dbus_error_register_error(RHS_HOST_ERROR, RHS_HOST_ERROR_NOT_INSTALLED,
                              "org.clusres.Error.NotInstalled");
  g_dbus_error_register_error(RHS_HOST_ERROR, RHS_HOST_ERROR_FAILED, "org.clusres.Error.Failed");
}

/* ---- replies ------------------------------------------------------------------------------ */

typedef enum { M_ONLINE, M_OFFLINE, M_MONITOR, M_CONTROL, M_LIST } Method;

typedef struct {
  ClusresDbusResourceHost1 *skeleton;
  GDBusMethodInvocation *invocation;
  Method method;
} Call;

static Call *call_new(RhsDbus *d, GDBusMethodInvocation *inv, Method m)
{
  Call *c = g_new0(Call, 1);
  c->skeleton = g_object_ref(d->skeleton);
  c->invocation = g_object_ref(inv);
  c->method = m;
  return c;
}

/* Runs on whichever thread finished the work: completing an invocation is thread-safe. */
static void on_done(const RhsHostResult *r, gpointer data)
{
  Call *c = data;
  if (r->error != NULL) {
    g_dbus_method_invocation_return_gerror(c->invocation, r->error);
  } else {
    const char *msg = r->message != NULL ? r->message : "";
    switch (c->method) {
    case M_ONLINE:
      clusres_dbus_resource_host1_complete_online(c->skeleton, c->invocation, r->state, r->status,
                                                  msg);
      break;
    case M_OFFLINE:
      clusres_dbus_resource_host1_complete_offline(c->skeleton, c->invocation, r->state, r->status,
                                                   msg);
      break;
    case M_MONITOR:
      clusres_dbus_resource_host1_complete_monitor(c->skeleton, c->invocation, r->state, msg);
      break;
    case M_CONTROL: {
      gsize n = 0;
      const void *p = r->output != NULL ? g_bytes_get_data(r->output, &n) : NULL;
      clusres_dbus_resource_host1_complete_control(
          c->skeleton, c->invocation, r->status,
          g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, p, n, 1), r->needed);
      break;
    }
    case M_LIST:
      clusres_dbus_resource_host1_complete_list_instances(c->skeleton, c->invocation, r->list);
      break;
    }
  }
  g_object_unref(c->invocation);
  g_object_unref(c->skeleton);
  g_free(c);
}

static gboolean fail(GDBusMethodInvocation *inv, GError *error)
{
  g_dbus_method_invocation_return_gerror(inv, error);
  g_error_free(error);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean check_resource(RhsDbus *d, const char *resource, GError **error)
{
  if (!rhs_host_check_name("resource", resource, error))
    return FALSE;
  const char *sep = rhs_host_separate(d->host);
  if (sep != NULL && strcmp(sep, resource) != 0) {
    g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS,
                "this separate host serves only %s", sep);
    return FALSE;
  }
  return TRUE;
}

static gboolean check_timeout(guint *timeout_ms, GError **error)
{
  if (*timeout_ms == 0)
    *timeout_ms = RHS_DEFAULT_TIMEOUT_MS;
  if (*timeout_ms < RHS_MIN_TIMEOUT_MS || *timeout_ms > RHS_MAX_TIMEOUT_MS) {
    g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS,
                "timeout_ms must be 0 (default) or %u..%u", RHS_MIN_TIMEOUT_MS, RHS_MAX_TIMEOUT_MS);
    return FALSE;
  }
  return TRUE;
}

static gboolean check_meta(GVariant *meta, GError **error)
{
  static const struct {
    const char *key;
    guint64 min;
  } numeric[] = {
      {"looks_alive_interval", 1},
      {"is_alive_interval", 1},
      {"pending_timeout", 10},
      {"deadlock_timeout", 10},
  };
  GVariantIter it;
  const char *k, *v;
  g_variant_iter_init(&it, meta);
  while (g_variant_iter_next(&it, "{&s&s}", &k, &v)) {
    for (gsize i = 0; i < G_N_ELEMENTS(numeric); i++) {
      guint64 n;
      if (strcmp(k, numeric[i].key) == 0 &&
          !g_ascii_string_to_unsigned(v, 10, numeric[i].min, G_MAXUINT32, &n, NULL)) {
        g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS,
                    "meta %s=%s: expected milliseconds >= %" G_GUINT64_FORMAT, k, v,
                    numeric[i].min);
        return FALSE;
      }
    }
    if (strcmp(k, "on_node") == 0 && *v != '\0' && !rhs_host_check_name("node", v, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean check_params(GVariant *params, GError **error)
{
  GVariantIter it;
  const char *k, *v;
  g_variant_iter_init(&it, params);
  while (g_variant_iter_next(&it, "{&s&s}", &k, &v))
    if (!rhs_host_check_name("parameter", k, error))
      return FALSE;
  return TRUE;
}

/* ---- handlers ---------------------------------------------------------------------------------
 */

static gboolean on_online(ClusresDbusResourceHost1 *obj, GDBusMethodInvocation *inv,
                          const char *resource, const char *type, const char *dll, GVariant *params,
                          GVariant *meta, guint timeout_ms, gpointer data)
{
  RhsDbus *d = data;
  GError *error = NULL;
  if (!check_resource(d, resource, &error) || !rhs_host_check_name("type", type, &error) ||
      !rhs_host_check_dll(dll, &error) || !check_params(params, &error) ||
      !check_meta(meta, &error) || !check_timeout(&timeout_ms, &error))
    return fail(inv, error);
  rhs_host_online(d->host, resource, type, dll, params, meta, timeout_ms, on_done,
                  call_new(d, inv, M_ONLINE));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_offline(ClusresDbusResourceHost1 *obj, GDBusMethodInvocation *inv,
                           const char *resource, guint timeout_ms, gpointer data)
{
  RhsDbus *d = data;
  GError *error = NULL;
  if (!check_resource(d, resource, &error) || !check_timeout(&timeout_ms, &error))
    return fail(inv, error);
  rhs_host_offline(d->host, resource, timeout_ms, on_done, call_new(d, inv, M_OFFLINE));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_monitor(ClusresDbusResourceHost1 *obj, GDBusMethodInvocation *inv,
                           const char *resource, guint depth, gpointer data)
{
  RhsDbus *d = data;
  GError *error = NULL;
  if (!check_resource(d, resource, &error))
    return fail(inv, error);
  if (depth > RHS_MAX_DEPTH)
    return fail(inv, g_error_new(RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS,
                                 "depth must be at most %u", RHS_MAX_DEPTH));
  rhs_host_monitor(d->host, resource, depth, on_done, call_new(d, inv, M_MONITOR));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_control(ClusresDbusResourceHost1 *obj, GDBusMethodInvocation *inv,
                           const char *resource, guint code, GVariant *input, guint out_size,
                           gpointer data)
{
  RhsDbus *d = data;
  GError *error = NULL;
  if (!check_resource(d, resource, &error))
    return fail(inv, error);
  gsize n = 0;
  const void *p = g_variant_get_fixed_array(input, &n, 1);
  if (n > RHS_MAX_BUFFER || out_size > RHS_MAX_BUFFER)
    return fail(inv, g_error_new(RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS,
                                 "control buffers are limited to %u bytes", RHS_MAX_BUFFER));
  g_autoptr(GBytes) bytes = g_bytes_new(p, n);
  rhs_host_control(d->host, resource, code, bytes, out_size, on_done, call_new(d, inv, M_CONTROL));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_list_instances(ClusresDbusResourceHost1 *obj, GDBusMethodInvocation *inv,
                                  gpointer data)
{
  RhsDbus *d = data;
  rhs_host_list_instances(d->host, on_done, call_new(d, inv, M_LIST));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_list_types(ClusresDbusResourceHost1 *obj, GDBusMethodInvocation *inv,
                              gpointer data)
{
  RhsDbus *d = data;
  clusres_dbus_resource_host1_complete_list_types(obj, inv, rhs_host_list_types(d->host));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- peer server --------------------------------------------------------------------------------
 */

static gboolean on_authorize(GDBusAuthObserver *obs, GIOStream *stream, GCredentials *creds,
                             gpointer data)
{
  /* The peer socket bypasses the bus policy, so it enforces the same rule: root only. */
  if (creds == NULL)
    return FALSE;
  GError *error = NULL;
  uid_t uid = g_credentials_get_unix_user(creds, &error);
  if (error != NULL) {
    g_error_free(error);
    return FALSE;
  }
  if (uid != 0)
    g_message("peer connection from uid %u refused", (unsigned)uid);
  return uid == 0;
}

static gboolean on_allow_mechanism(GDBusAuthObserver *obs, const char *mechanism, gpointer data)
{
  return g_strcmp0(mechanism, "EXTERNAL") == 0;
}

static void on_peer_closed(GDBusConnection *conn, gboolean remote_peer_vanished, GError *error,
                           gpointer data)
{
  RhsDbus *d = data;
  g_dbus_interface_skeleton_unexport_from_connection(G_DBUS_INTERFACE_SKELETON(d->skeleton), conn);
  g_signal_handlers_disconnect_by_func(conn, on_peer_closed, d);
  g_ptr_array_remove(d->peers, conn);
}

static gboolean on_new_connection(GDBusServer *server, GDBusConnection *conn, gpointer data)
{
  RhsDbus *d = data;
  g_autoptr(GError) error = NULL;
  if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(d->skeleton), conn,
                                        CLUSRES_HOST_OBJECT_PATH, &error)) {
    g_warning("cannot export on a peer connection: %s", error->message);
    return FALSE;
  }
  g_ptr_array_add(d->peers, g_object_ref(conn));
  g_signal_connect(conn, "closed", G_CALLBACK(on_peer_closed), d);
  return TRUE;
}

static gboolean start_server(RhsDbus *d, GError **error)
{
  d->socket_path = rhs_dbus_socket_path(rhs_host_separate(d->host));
  g_autofree char *dir = g_path_get_dirname(d->socket_path);
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    int err = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "cannot create %s: %s", dir,
                g_strerror(err));
    return FALSE;
  }
  /* A socket left by a killed host: the bus name (owned after this) guards against a live one. */
  g_unlink(d->socket_path);
  g_autofree char *address = g_strdup_printf("unix:path=%s", d->socket_path);
  g_autofree char *guid = g_dbus_generate_guid();
  d->observer = g_dbus_auth_observer_new();
  g_signal_connect(d->observer, "authorize-authenticated-peer", G_CALLBACK(on_authorize), d);
  g_signal_connect(d->observer, "allow-mechanism", G_CALLBACK(on_allow_mechanism), d);
  d->server =
      g_dbus_server_new_sync(address, G_DBUS_SERVER_FLAGS_NONE, guid, d->observer, NULL, error);
  if (d->server == NULL)
    return FALSE;
  g_signal_connect(d->server, "new-connection", G_CALLBACK(on_new_connection), d);
  g_dbus_server_start(d->server);
  return TRUE;
}

/* ---- bus name
 * ------------------------------------------------------------------------------------ */

static void on_bus_acquired(GDBusConnection *conn, const char *name, gpointer data)
{
  RhsDbus *d = data;
  g_autoptr(GError) error = NULL;
  if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(d->skeleton), conn,
                                        CLUSRES_HOST_OBJECT_PATH, &error))
    g_warning("cannot export on the system bus: %s", error->message);
}

static void on_name_acquired(GDBusConnection *conn, const char *name, gpointer data)
{
  g_message("serving %s", name);
}

static void on_name_lost(GDBusConnection *conn, const char *name, gpointer data)
{
  RhsDbus *d = data;
  g_warning("cannot own %s on the system bus%s", name,
            conn == NULL ? " (no bus connection)" : " (another host runs?)");
  if (d->lost != NULL)
    ((void (*)(gpointer))d->lost)(d->lost_data);
}

RhsDbus *rhs_dbus_new(RhsHost *host, GCallback lost, gpointer lost_data, GError **error)
{
  rhs_dbus_register_errors();
  RhsDbus *d = g_new0(RhsDbus, 1);
  d->host = host;
  d->lost = lost;
  d->lost_data = lost_data;
  d->peers = g_ptr_array_new_with_free_func(g_object_unref);
  d->skeleton = clusres_dbus_resource_host1_skeleton_new();
  clusres_dbus_resource_host1_set_version(d->skeleton, CLUSRES_VERSION);
  clusres_dbus_resource_host1_set_pid(d->skeleton, (guint)getpid());
  g_signal_connect(d->skeleton, "handle-online", G_CALLBACK(on_online), d);
  g_signal_connect(d->skeleton, "handle-offline", G_CALLBACK(on_offline), d);
  g_signal_connect(d->skeleton, "handle-monitor", G_CALLBACK(on_monitor), d);
  g_signal_connect(d->skeleton, "handle-control", G_CALLBACK(on_control), d);
  g_signal_connect(d->skeleton, "handle-list-instances", G_CALLBACK(on_list_instances), d);
  g_signal_connect(d->skeleton, "handle-list-types", G_CALLBACK(on_list_types), d);
  if (!start_server(d, error)) {
    rhs_dbus_free(d);
    return NULL;
  }
  g_autofree char *name = rhs_dbus_bus_name(rhs_host_separate(host));
  d->owner_id = g_bus_own_name(G_BUS_TYPE_SYSTEM, name, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                               on_bus_acquired, on_name_acquired, on_name_lost, d, NULL);
  return d;
}

void rhs_dbus_emit_state_changed(RhsDbus *d, const char *resource, int state, const char *reason)
{
  clusres_dbus_resource_host1_emit_resource_state_changed(d->skeleton, resource, state, reason);
}

void rhs_dbus_free(RhsDbus *d)
{
  if (d == NULL)
    return;
  if (d->owner_id != 0)
    g_bus_unown_name(d->owner_id);
  if (d->server != NULL) {
    g_dbus_server_stop(d->server);
    g_unlink(d->socket_path);
  }
  g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(d->skeleton));
  g_ptr_array_unref(d->peers);
  g_clear_object(&d->server);
  g_clear_object(&d->observer);
  g_clear_object(&d->skeleton);
  g_free(d->socket_path);
  g_free(d);
}
