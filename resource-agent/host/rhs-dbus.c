/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-dbus.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "clusres-config.h"
#include "clusres-dbus.h"
#include "clusres-input.h"
#include "rhs-peer.h"
#include "rhs-state.h"

#define RHS_DEFAULT_TIMEOUT_MS 20000u /* Pacemaker's default op timeout */
#define RHS_MIN_TIMEOUT_MS 100u
#define RHS_MAX_TIMEOUT_MS 86400000u
#define RHS_MAX_BUFFER (1024u * 1024u)
#define RHS_MAX_DEPTH 100u

struct RhsDbus {
  RhsHost *host;
  ClusresDbusResourceHost1 *skeleton;
  RhsPeer *peer;
  char *socket_path;
  GPtrArray *peers; /* GDBusConnection */
  guint owner_id;
  GDBusConnection *bus; /* the shared system bus connection, once acquired */
  guint bus_filter;
  struct MonitorFilter *filter;
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

static gboolean check_resource(RhsHost *host, const char *resource, GError **error)
{
  if (!rhs_host_check_name("resource", resource, error))
    return FALSE;
  const char *sep = rhs_host_separate(host);
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

/* clusres-input's verdict as an InvalidArgs error. */
static gboolean input_ok(gboolean ok, GError **local, GError **error)
{
  if (!ok)
    g_set_error_literal(error, RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS, (*local)->message);
  g_clear_error(local);
  return ok;
}

/* Known keys with values of their kind (clusres-input: the agent's rules), and
 * separate_monitor true exactly on a separate host: a resource must not run where it did not
 * ask to. */
static gboolean check_meta(RhsHost *host, GVariant *meta, GError **error)
{
  GVariantIter it;
  const char *k, *v;
  GError *local = NULL;
  g_variant_iter_init(&it, meta);
  while (g_variant_iter_next(&it, "{&s&s}", &k, &v)) {
    if (!input_ok(clusres_input_check_meta("meta ", k, v, &local), &local, error))
      return FALSE;
    if (strcmp(k, CLUSRES_META_SEPARATE_MONITOR) == 0 &&
        (strcmp(v, "true") == 0) != (rhs_host_separate(host) != NULL)) {
      g_set_error(error, RHS_HOST_ERROR, RHS_HOST_ERROR_INVALID_ARGS,
                  "meta separate_monitor=%s, but this host serves %s", v,
                  rhs_host_separate(host) != NULL ? "only one resource" : "every resource");
      return FALSE;
    }
  }
  return TRUE;
}

/* Names every store keeps as they are (clusres-input.h); values are D-Bus strings (UTF-8). */
static gboolean check_params(GVariant *params, GError **error)
{
  GVariantIter it;
  const char *k, *v;
  GError *local = NULL;
  g_variant_iter_init(&it, params);
  while (g_variant_iter_next(&it, "{&s&s}", &k, &v))
    if (!input_ok(clusres_input_check_param_name("params", k, &local), &local, error))
      return FALSE;
  return TRUE;
}

/* The checks of an Online and an Offline call, for the skeleton's handlers and for the calls
 * the connection filter takes (wire_online/wire_offline): the same errors either way. */
static gboolean check_online(RhsHost *host, const char *resource, const char *type, const char *dll,
                             GVariant *params, GVariant *meta, guint *timeout_ms, GError **error)
{
  return check_resource(host, resource, error) && rhs_host_check_startable(resource, error) &&
         rhs_host_check_name("type", type, error) && rhs_host_check_dll(dll, error) &&
         check_params(params, error) && check_meta(host, meta, error) &&
         check_timeout(timeout_ms, error);
}

static gboolean check_offline(RhsHost *host, const char *resource, guint *timeout_ms,
                              GError **error)
{
  return check_resource(host, resource, error) && check_timeout(timeout_ms, error);
}

/* ---- handlers ---------------------------------------------------------------------------------
 */

static gboolean on_online(ClusresDbusResourceHost1 *obj, GDBusMethodInvocation *inv,
                          const char *resource, const char *type, const char *dll, GVariant *params,
                          GVariant *meta, guint timeout_ms, gpointer data)
{
  RhsDbus *d = data;
  GError *error = NULL;
  if (!check_online(d->host, resource, type, dll, params, meta, &timeout_ms, &error))
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
  if (!check_offline(d->host, resource, &timeout_ms, &error))
    return fail(inv, error);
  rhs_host_offline(d->host, resource, timeout_ms, on_done, call_new(d, inv, M_OFFLINE));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean on_monitor(ClusresDbusResourceHost1 *obj, GDBusMethodInvocation *inv,
                           const char *resource, guint depth, gpointer data)
{
  RhsDbus *d = data;
  GError *error = NULL;
  if (!check_resource(d->host, resource, &error))
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
  if (!check_resource(d->host, resource, &error))
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

/* ---- Monitor on the D-Bus worker thread -------------------------------------------------- */

/*
 * The filters' data.  A filter may still run on a GDBus worker after its removal, and peer
 * connections may outlive this RhsDbus, so it is reference-counted (one per installed filter,
 * dropped by GDBus when no call can come any more) and cut off from the host under its lock.
 */
typedef struct MonitorFilter {
  gint ref;
  GRWLock lock;
  RhsDbus *d; /* NULL once rhs_dbus_free() started */
} MonitorFilter;

static MonitorFilter *filter_ref(MonitorFilter *f)
{
  g_atomic_int_inc(&f->ref);
  return f;
}

static void filter_unref(gpointer data)
{
  MonitorFilter *f = data;
  if (!g_atomic_int_dec_and_test(&f->ref))
    return;
  g_rw_lock_clear(&f->lock);
  g_free(f);
}

static gboolean is_call(GDBusMessage *msg, const char *method, const char *sig);

static gboolean monitor_now(RhsDbus *d, GDBusMessage *msg, int *state, const char **message)
{
  if (!is_call(msg, "Monitor", "su"))
    return FALSE;
  const char *resource = NULL;
  guint32 depth = 0;
  g_variant_get(g_dbus_message_get_body(msg), "(&su)", &resource, &depth);
  return depth <= RHS_MAX_DEPTH && check_resource(d->host, resource, NULL) &&
         rhs_host_monitor_now(d->host, resource, depth, state, message);
}

/* An Online/Offline taken by the filter: answered on whichever thread finishes it. */
typedef struct {
  RhsHost *host;
  GDBusConnection *conn;
  GDBusMessage *call;
} WireCall;

static void wire_call_free(WireCall *c)
{
  g_object_unref(c->call);
  g_object_unref(c->conn);
  g_free(c);
}

static void on_wire_done(const RhsHostResult *r, gpointer data)
{
  WireCall *c = data;
  if (!(g_dbus_message_get_flags(c->call) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)) {
    g_autoptr(GDBusMessage) reply = NULL;
    if (r->error != NULL) {
      /* As g_dbus_method_invocation_return_gerror: the registered name, the GError's text. */
      g_autofree char *name = g_dbus_error_encode_gerror(r->error);
      reply = g_dbus_message_new_method_error_literal(c->call, name, r->error->message);
    } else {
      reply = g_dbus_message_new_method_reply(c->call);
      g_dbus_message_set_body(
          reply, g_variant_new("(ius)", r->state, r->status, r->message != NULL ? r->message : ""));
    }
    g_dbus_connection_send_message(c->conn, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  }
  wire_call_free(c);
}

/* A refused call: the same error the skeleton's handler (on_online/on_offline) answers. */
static void wire_fail(WireCall *c, GError *error)
{
  RhsHostResult r = {.error = error};
  on_wire_done(&r, c);
  g_error_free(error);
}

/* TRUE if msg is a call of method with signature sig on our object. */
static gboolean is_call(GDBusMessage *msg, const char *method, const char *sig)
{
  return g_dbus_message_get_message_type(msg) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
         g_strcmp0(g_dbus_message_get_member(msg), method) == 0 &&
         g_strcmp0(g_dbus_message_get_path(msg), CLUSRES_HOST_OBJECT_PATH) == 0 &&
         g_strcmp0(g_dbus_message_get_interface(msg),
                   clusres_dbus_resource_host1_interface_info()->name) == 0 &&
         g_strcmp0(g_dbus_message_get_signature(msg), sig) == 0;
}

/* On a pool worker (rhs_host_defer): on_online's checks, then the Online itself, here. */
static void wire_online(gpointer data, gpointer unused)
{
  WireCall *c = data;
  const char *resource, *type, *dll;
  guint32 timeout_ms;
  g_autoptr(GVariant) params = NULL;
  g_autoptr(GVariant) meta = NULL;
  g_variant_get(g_dbus_message_get_body(c->call), "(&s&s&s@a{ss}@a{ss}u)", &resource, &type, &dll,
                &params, &meta, &timeout_ms);
  GError *error = NULL;
  if (!check_online(c->host, resource, type, dll, params, meta, &timeout_ms, &error)) {
    wire_fail(c, error);
    return;
  }
  rhs_host_online(c->host, resource, type, dll, params, meta, timeout_ms, on_wire_done, c);
}

static void wire_offline(gpointer data, gpointer unused)
{
  WireCall *c = data;
  const char *resource;
  guint32 timeout_ms;
  g_variant_get(g_dbus_message_get_body(c->call), "(&su)", &resource, &timeout_ms);
  GError *error = NULL;
  if (!check_offline(c->host, resource, &timeout_ms, &error)) {
    wire_fail(c, error);
    return;
  }
  rhs_host_offline(c->host, resource, timeout_ms, on_wire_done, c);
}

/*
 * Online and Offline calls go from GDBus's worker thread straight to a pool worker, which
 * unpacks and checks the arguments and runs the operation (rhs_host_defer): no hop to the main
 * loop (an idle source, a wake-up, the skeleton's signal emission), and nothing but a queue
 * push on the GDBus worker thread, which carries every driver call to Ganesha as well.  Any
 * other call (and a wrong signature) goes to the skeleton as before.
 */
static gboolean take_operation(RhsDbus *d, GDBusConnection *conn, GDBusMessage *msg)
{
  GFunc run;
  if (is_call(msg, "Online", "sssa{ss}a{ss}u"))
    run = wire_online;
  else if (is_call(msg, "Offline", "su"))
    run = wire_offline;
  else
    return FALSE;
  WireCall *c = g_new0(WireCall, 1);
  c->host = d->host;
  c->conn = g_object_ref(conn);
  c->call = g_object_ref(msg);
  rhs_host_defer(d->host, run, c);
  return TRUE;
}

/*
 * A Monitor that needs no DLL call (rhs_host_monitor_now) is answered by this filter on
 * GDBus's worker thread, as soon as the message is read: no hop to the main loop and back, which
 * is most of what a monitor costs the host.  Valid Online/Offline calls are handed to the host
 * from here too (take_operation).  Everything else, including every malformed or refused call,
 * goes on to the skeleton, which answers it as before.
 */
static GDBusMessage *monitor_filter(GDBusConnection *conn, GDBusMessage *msg, gboolean incoming,
                                    gpointer data)
{
  MonitorFilter *f = data;
  int state = 0;
  const char *message = NULL;
  if (!incoming)
    return msg;
  g_rw_lock_reader_lock(&f->lock);
  gboolean now = f->d != NULL && monitor_now(f->d, msg, &state, &message);
  gboolean taken = !now && f->d != NULL && take_operation(f->d, conn, msg);
  g_rw_lock_reader_unlock(&f->lock);
  if (taken) {
    g_object_unref(msg);
    return NULL;
  }
  if (!now)
    return msg;
  if (!(g_dbus_message_get_flags(msg) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)) {
    g_autoptr(GDBusMessage) reply = g_dbus_message_new_method_reply(msg);
    g_dbus_message_set_body(reply, g_variant_new("(is)", state, message));
    g_dbus_connection_send_message(conn, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  }
  g_object_unref(msg);
  return NULL;
}

/* The same answer before a peer connection has a GDBusConnection (rhs-peer.h). */
static GDBusMessage *peer_answer(GDBusMessage *call, gpointer data)
{
  RhsDbus *d = data;
  int state = 0;
  const char *message = NULL;
  if (!monitor_now(d, call, &state, &message))
    return NULL;
  GDBusMessage *reply = g_dbus_message_new_method_reply(call);
  g_dbus_message_set_body(reply, g_variant_new("(is)", state, message));
  return reply;
}

static guint add_monitor_filter(RhsDbus *d, GDBusConnection *conn)
{
  return g_dbus_connection_add_filter(conn, monitor_filter, filter_ref(d->filter), filter_unref);
}

/* ---- peer server --------------------------------------------------------------------------------
 */

static void on_peer_closed(GDBusConnection *conn, gboolean remote_peer_vanished, GError *error,
                           gpointer data)
{
  RhsDbus *d = data;
  g_dbus_interface_skeleton_unexport_from_connection(G_DBUS_INTERFACE_SKELETON(d->skeleton), conn);
  g_signal_handlers_disconnect_by_func(conn, on_peer_closed, d);
  g_ptr_array_remove(d->peers, conn);
}

/* Main thread, message processing not started yet (rhs-peer.h). */
static void on_new_connection(GDBusConnection *conn, gpointer data)
{
  RhsDbus *d = data;
  g_autoptr(GError) error = NULL;
  if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(d->skeleton), conn,
                                        CLUSRES_HOST_OBJECT_PATH, &error)) {
    g_warning("cannot export on a peer connection: %s", error->message);
    return;
  }
  add_monitor_filter(d, conn);
  g_ptr_array_add(d->peers, g_object_ref(conn));
  g_signal_connect(conn, "closed", G_CALLBACK(on_peer_closed), d);
  g_dbus_connection_start_message_processing(conn);
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
  /* A socket left by a killed host is replaced: the bus name (owned after this) and the host
   * lock guard against a live one. */
  d->peer = rhs_peer_new(d->socket_path, on_new_connection, peer_answer, d, error);
  return d->peer != NULL;
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
  else if (d->bus == NULL) {
    d->bus = g_object_ref(conn);
    d->bus_filter = add_monitor_filter(d, conn);
  }
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
  d->filter = g_new0(MonitorFilter, 1);
  d->filter->ref = 1;
  g_rw_lock_init(&d->filter->lock);
  d->filter->d = d;
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
  g_rw_lock_writer_lock(&d->filter->lock);
  d->filter->d = NULL; /* a filter still running is done with d; later ones pass messages on */
  g_rw_lock_writer_unlock(&d->filter->lock);
  filter_unref(d->filter);
  if (d->bus != NULL) {
    g_dbus_connection_remove_filter(d->bus, d->bus_filter);
    g_object_unref(d->bus);
  }
  if (d->owner_id != 0)
    g_bus_unown_name(d->owner_id);
  g_clear_pointer(&d->peer, rhs_peer_free);
  g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(d->skeleton));
  g_ptr_array_unref(d->peers);
  g_clear_object(&d->skeleton);
  g_free(d->socket_path);
  g_free(d);
}
