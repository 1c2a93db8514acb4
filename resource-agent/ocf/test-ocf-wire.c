/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-wire against GDBus: our marshalling must produce the bytes GDBusMessage produces for the
 * same body, read GDBus-made messages back, and reject malformed input.  A call round trip
 * runs against a GDBusServer peer (the transport the host offers).
 */
#include "ocf-wire.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#undef NDEBUG

/* The body bytes GDBus puts on the wire for @body (little endian). */
static GBytes *gdbus_body(GVariant *body)
{
  g_autoptr(GDBusMessage) m = g_dbus_message_new_method_call(NULL, "/a", "a.b", "C");
  g_autoptr(GError) error = NULL;
  gsize size = 0;

  g_dbus_message_set_body(m, body);
  g_dbus_message_set_byte_order(m, G_DBUS_MESSAGE_BYTE_ORDER_LITTLE_ENDIAN);
  g_autofree guchar *blob = g_dbus_message_to_blob(m, &size, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
  g_assert_no_error(error);
  guint32 body_len, fields_len;
  memcpy(&body_len, blob + 4, 4);
  memcpy(&fields_len, blob + 12, 4);
  gsize off = (16 + fields_len + 7) / 8 * 8;
  g_assert_cmpuint(off + body_len, ==, size);
  return g_bytes_new(blob + off, body_len);
}

static GVariant *sample(guint i)
{
  GVariantBuilder dict;
  static const guint8 bytes[] = {0, 1, 2, 255, 7};

  switch (i) {
  case 0:
    g_variant_builder_init(&dict, G_VARIANT_TYPE("a{ss}"));
    g_variant_builder_add(&dict, "{ss}", "CommandLine", "/bin/sleep 100");
    g_variant_builder_add(&dict, "{ss}", "é", "");
    return g_variant_new("(sss@a{ss}a{ss}u)", "r1", "genapp", "/x/genapp.so",
                         g_variant_builder_end(&dict), NULL, 42u);
  case 1:
    return g_variant_new("(su@ayu)", "r", 0x01400086u,
                         g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, bytes, 5, 1), 0u);
  case 2:
    return g_variant_new("(ius)", -1, 5024u, "stored");
  case 3:
    return g_variant_new("(ybnqiuxtdsogv)", 7, TRUE, -2, 3, -4, 5u, G_GINT64_CONSTANT(-6),
                         G_GUINT64_CONSTANT(7), 8.5, "s", "/o/p", "a{sv}",
                         g_variant_new("(yt)", 1, G_GUINT64_CONSTANT(2)));
  case 4:
    return g_variant_new_parsed("(@aa{sv} [{'x': <uint32 1>, 'y': <@ay [1,2,3]>}, {}], "
                                "@a(yv) [(1, <'a'>), (8, <@g 'su'>)], @as [])");
  default:
    return NULL;
  }
}

static void test_marshal_like_gdbus(void)
{
  for (guint i = 0;; i++) {
    g_autoptr(GVariant) v = sample(i);
    if (v == NULL)
      break;
    g_variant_ref_sink(v);
    g_autoptr(GBytes) want = gdbus_body(v);
    g_autoptr(GByteArray) got = ocf_wire_marshal(v);
    gsize n = 0;
    const guint8 *w = g_bytes_get_data(want, &n);
    g_assert_cmpmem(got->data, got->len, w, n);
    /* and back */
    g_autoptr(GVariant) back = ocf_wire_demarshal(w, n, g_variant_get_type(v));
    g_assert_nonnull(back);
    g_assert_true(g_variant_equal(back, v));
  }
}

static void test_demarshal_rejects(void)
{
  static const guint8 short_str[] = {5, 0, 0, 0, 'a', 'b'};
  static const guint8 no_nul[] = {1, 0, 0, 0, 'a', 'b'};
  static const guint8 bad_bool[] = {2, 0, 0, 0};
  static const guint8 bad_utf8[] = {1, 0, 0, 0, 0xff, 0};
  static const guint8 long_array[] = {0xff, 0xff, 0, 0, 1};
  static const guint8 bad_path[] = {2, 0, 0, 0, 'a', 'b', 0};

  g_assert_null(ocf_wire_demarshal(short_str, sizeof(short_str), G_VARIANT_TYPE("(s)")));
  g_assert_null(ocf_wire_demarshal(no_nul, sizeof(no_nul), G_VARIANT_TYPE("(s)")));
  g_assert_null(ocf_wire_demarshal(bad_bool, sizeof(bad_bool), G_VARIANT_TYPE("(b)")));
  g_assert_null(ocf_wire_demarshal(bad_utf8, sizeof(bad_utf8), G_VARIANT_TYPE("(s)")));
  g_assert_null(ocf_wire_demarshal(long_array, sizeof(long_array), G_VARIANT_TYPE("(ay)")));
  g_assert_null(ocf_wire_demarshal(bad_path, sizeof(bad_path), G_VARIANT_TYPE("(o)")));
}

/* ---- a GDBus peer server, like the host's peer socket ---- */

typedef struct {
  GMainContext *ctx;
  GDBusServer *server;
  GDBusNodeInfo *node;
  GThread *thread;
  gboolean quit;
  char *path;
} Peer;

static void on_call(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
                    const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer data)
{
  if (strcmp(method, "Echo") == 0) {
    const char *s;
    guint32 u;
    g_variant_get(params, "(&su)", &s, &u);
    g_dbus_method_invocation_return_value(inv, g_variant_new("(su)", s, u + 1));
  } else {
    g_dbus_method_invocation_return_dbus_error(inv, "org.clusres.Error.InvalidArgs", "bad Weight");
  }
}

static gboolean on_new_connection(GDBusServer *server, GDBusConnection *conn, gpointer data)
{
  Peer *p = data;
  static const GDBusInterfaceVTable vtable = {on_call, NULL, NULL, {0}};

  g_dbus_connection_register_object(conn, "/t", p->node->interfaces[0], &vtable, NULL, NULL, NULL);
  g_object_ref(conn);
  return TRUE;
}

static gpointer peer_thread(gpointer data)
{
  Peer *p = data;

  g_main_context_push_thread_default(p->ctx);
  while (!g_atomic_int_get(&p->quit))
    g_main_context_iteration(p->ctx, TRUE);
  g_main_context_pop_thread_default(p->ctx);
  return NULL;
}

static gboolean wake(gpointer data)
{
  return G_SOURCE_REMOVE;
}

static void test_peer_calls(void)
{
  Peer p = {0};
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("ocf-wire-XXXXXX", NULL);
  g_autofree char *guid = g_dbus_generate_guid();

  p.path = g_build_filename(dir, "peer.sock", NULL);
  g_autofree char *address = g_strconcat("unix:path=", p.path, NULL);
  p.ctx = g_main_context_new();
  p.node = g_dbus_node_info_new_for_xml(
      "<node><interface name='t.T'><method name='Echo'><arg type='s' direction='in'/>"
      "<arg type='u' direction='in'/><arg type='s' direction='out'/>"
      "<arg type='u' direction='out'/></method><method name='Fail'/></interface></node>",
      &error);
  g_assert_no_error(error);
  g_main_context_push_thread_default(p.ctx);
  p.server = g_dbus_server_new_sync(address, G_DBUS_SERVER_FLAGS_NONE, guid, NULL, NULL, &error);
  g_main_context_pop_thread_default(p.ctx);
  g_assert_no_error(error);
  g_signal_connect(p.server, "new-connection", G_CALLBACK(on_new_connection), &p);
  g_dbus_server_start(p.server);
  p.thread = g_thread_new("peer", peer_thread, &p);

  gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  g_autoptr(OcfWire) w = ocf_wire_connect(address, FALSE, deadline, &error);
  g_assert_no_error(error);
  for (guint i = 0; i < 3; i++) {
    g_autoptr(GVariant) r =
        ocf_wire_call(w, NULL, "/t", "t.T", "Echo", g_variant_new("(su)", "héllo", i),
                      G_VARIANT_TYPE("(su)"), FALSE, deadline, &error);
    g_assert_no_error(error);
    const char *s;
    guint32 u;
    g_variant_get(r, "(&su)", &s, &u);
    g_assert_cmpstr(s, ==, "héllo");
    g_assert_cmpuint(u, ==, i + 1);
  }
  g_autoptr(GVariant) bad = ocf_wire_call(w, NULL, "/t", "t.T", "Fail", NULL, G_VARIANT_TYPE("()"),
                                          FALSE, deadline, &error);
  g_assert_null(bad);
  g_assert_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_REMOTE);
  g_autofree char *name = ocf_wire_error_name(error);
  g_assert_cmpstr(name, ==, "org.clusres.Error.InvalidArgs");
  g_assert_nonnull(strstr(error->message, "bad Weight"));
  g_clear_error(&error);
  /* a reply of the wrong type is an error, not a crash */
  g_autoptr(GVariant) wrong =
      ocf_wire_call(w, NULL, "/t", "t.T", "Echo", g_variant_new("(su)", "x", 1u),
                    G_VARIANT_TYPE("(s)"), FALSE, deadline, &error);
  g_assert_null(wrong);
  g_assert_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_IO);
  g_clear_error(&error);

  g_autoptr(OcfWire) none =
      ocf_wire_connect("unix:path=/nonexistent/sock", FALSE, deadline, &error);
  g_assert_null(none);
  g_assert_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_CONNECT);

  g_atomic_int_set(&p.quit, TRUE);
  GSource *s = g_idle_source_new();
  g_source_set_callback(s, wake, NULL, NULL);
  g_source_attach(s, p.ctx);
  g_source_unref(s);
  g_thread_join(p.thread);
  g_dbus_server_stop(p.server);
  g_object_unref(p.server);
  g_dbus_node_info_unref(p.node);
  g_main_context_unref(p.ctx);
  g_unlink(p.path);
  g_free(p.path);
  g_rmdir(dir);
}

static void test_system_bus_address(void)
{
  g_setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/tmp/x", TRUE);
  g_assert_cmpstr(ocf_wire_system_bus_address(), ==, "unix:path=/tmp/x");
  g_unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  g_assert_cmpstr(ocf_wire_system_bus_address(), ==, "unix:path=/var/run/dbus/system_bus_socket");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ocf-wire/marshal-like-gdbus", test_marshal_like_gdbus);
  g_test_add_func("/ocf-wire/demarshal-rejects", test_demarshal_rejects);
  g_test_add_func("/ocf-wire/peer-calls", test_peer_calls);
  g_test_add_func("/ocf-wire/system-bus-address", test_system_bus_address);
  return g_test_run();
}
