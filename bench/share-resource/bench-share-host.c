/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Drives clusres-rhs over D-Bus for the share resource benchmark (run by run.sh inside a
 * network namespace): through the host's peer socket when BENCH_HOST_SOCKET names it, as the
 * OCF agent talks to the host, else through the private bus given by DBUS_SYSTEM_BUS_ADDRESS:
 *   bench-share-host online N DIR DLL VIP INFLIGHT LOOKS_MS   Online of shares bench0000..N-1
 *   bench-share-host offline N INFLIGHT                       Offline of the same shares
 * Keeps INFLIGHT calls outstanding on one connection (as several agents would), checks every
 * answer (Online 2 / Offline 3, status 0) and prints "key value" lines: total and per-share
 * wall time.  Share i exports DIR/share%04u with Export_Id 1000 + i (explicit ids: hashed ids
 * of 1000 names collide), homed on this node (on_node = home_node = nodeA).
 */
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>

#define HOST_NAME "org.clusres.ResourceHost"
#define HOST_PATH "/org/clusres/ResourceHost"
#define HOST_IFACE "org.clusres.ResourceHost1"
#define CALL_TIMEOUT_MS 120000
/* The timeout_ms given to the host, as Pacemaker's default operation timeout (20 s). */
#define OP_TIMEOUT_MS 20000

typedef struct {
  GDBusConnection *bus;
  const char *dest; /* the host's bus name; NULL on a peer connection */
  GMainLoop *loop;
  gboolean online;
  guint n, next, done, inflight;
  const char *dir, *dll, *vip, *looks_ms;
  guint failures;
} Bench;

static void issue(Bench *b);

static void on_reply(GObject *source, GAsyncResult *res, gpointer data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish(b->bus, res, &error);
  gint32 state = 0;
  guint32 status = 0;
  const char *message = "";
  if (reply != NULL)
    g_variant_get(reply, "(iu&s)", &state, &status, &message);
  if (reply == NULL || status != 0 || state != (b->online ? 2 : 3)) {
    b->failures++;
    if (b->failures <= 5)
      g_printerr("%s failed: %s\n", b->online ? "Online" : "Offline",
                 error != NULL ? error->message : message);
  }
  b->done++;
  if (b->done == b->n)
    g_main_loop_quit(b->loop);
  else
    issue(b);
}

static GVariant *online_args(Bench *b, guint i)
{
  g_autofree char *name = g_strdup_printf("bench%04u", i);
  g_autofree char *path = g_strdup_printf("%s/share%04u", b->dir, i);
  g_autofree char *pseudo = g_strdup_printf("/bench%04u", i);
  g_autofree char *id = g_strdup_printf("%u", 1000 + i);
  GVariantBuilder params, meta;
  g_variant_builder_init(&params, G_VARIANT_TYPE("a{ss}"));
  g_variant_builder_add(&params, "{ss}", "share_name", name);
  g_variant_builder_add(&params, "{ss}", "path", path);
  g_variant_builder_add(&params, "{ss}", "home_node", "nodeA");
  g_variant_builder_add(&params, "{ss}", "vip", b->vip);
  g_variant_builder_add(&params, "{ss}", "pseudo", pseudo);
  g_variant_builder_add(&params, "{ss}", "export_id", id);
  g_variant_builder_add(&params, "{ss}", "access", "ro");
  g_variant_builder_init(&meta, G_VARIANT_TYPE("a{ss}"));
  g_variant_builder_add(&meta, "{ss}", "on_node", "nodeA");
  g_variant_builder_add(&meta, "{ss}", "looks_alive_interval", b->looks_ms);
  /* Only LooksAlive in the measured window: the deep check is not what is being timed. */
  g_variant_builder_add(&meta, "{ss}", "is_alive_interval", "3600000");
  return g_variant_new("(sss@a{ss}@a{ss}u)", name, "share", b->dll, g_variant_builder_end(&params),
                       g_variant_builder_end(&meta), (guint32)OP_TIMEOUT_MS);
}

static void issue(Bench *b)
{
  while (b->next < b->n && b->next - b->done < b->inflight) {
    guint i = b->next++;
    GVariant *args;
    if (b->online) {
      args = online_args(b, i);
    } else {
      g_autofree char *name = g_strdup_printf("bench%04u", i);
      args = g_variant_new("(su)", name, (guint32)OP_TIMEOUT_MS);
    }
    g_dbus_connection_call(b->bus, b->dest, HOST_PATH, HOST_IFACE, b->online ? "Online" : "Offline",
                           args, G_VARIANT_TYPE("(ius)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                           CALL_TIMEOUT_MS, NULL, on_reply, b);
  }
}

int main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  Bench b = {0};

  if (argc == 8 && g_str_equal(argv[1], "online")) {
    b.online = TRUE;
    b.dir = argv[3];
    b.dll = argv[4];
    b.vip = argv[5];
    b.inflight = (guint)strtoul(argv[6], NULL, 10);
    b.looks_ms = argv[7];
    for (guint i = 0, n = (guint)strtoul(argv[2], NULL, 10); i < n; i++) {
      g_autofree char *path = g_strdup_printf("%s/share%04u", b.dir, i);
      if (g_mkdir_with_parents(path, 0755) != 0)
        g_error("mkdir %s failed", path);
    }
  } else if (argc == 4 && g_str_equal(argv[1], "offline")) {
    b.inflight = (guint)strtoul(argv[3], NULL, 10);
  } else {
    g_printerr("usage: %s online N DIR DLL VIP INFLIGHT LOOKS_MS | offline N INFLIGHT\n", argv[0]);
    return 2;
  }
  b.n = (guint)strtoul(argv[2], NULL, 10);
  if (b.n == 0 || b.inflight == 0)
    g_error("N and INFLIGHT must be positive");
  const char *sock = g_getenv("BENCH_HOST_SOCKET");
  if (sock != NULL && *sock != '\0') {
    g_autofree char *address = g_strconcat("unix:path=", sock, NULL);
    b.bus = g_dbus_connection_new_for_address_sync(
        address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
    if (b.bus == NULL)
      g_error("%s: %s", sock, error->message);
  } else {
    b.bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
    if (b.bus == NULL)
      g_error("system bus: %s", error->message);
    b.dest = HOST_NAME;
  }
  b.loop = g_main_loop_new(NULL, FALSE);

  gint64 t0 = g_get_monotonic_time();
  issue(&b);
  g_main_loop_run(b.loop);
  double ms = (g_get_monotonic_time() - t0) / 1000.0;

  printf("action %s\nshares %u\ninflight %u\ntotal_ms %.1f\nper_share_ms %.3f\nfailures %u\n",
         b.online ? "online" : "offline", b.n, b.inflight, ms, ms / b.n, b.failures);
  g_main_loop_unref(b.loop);
  g_object_unref(b.bus);
  return b.failures == 0 ? 0 : 1;
}
