/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Integration test of the share driver against real NFS-Ganesha, a real (private) system bus,
 * real nftables and libnfs as the client.  Run by sd-integration.sh inside a network namespace
 * it created (VIP on its loopback), with:
 *   SD_IT_DIR                  scratch directory (configs, logs, export root, run dir)
 *   SD_IT_VIP                  the address Ganesha serves on
 *   DBUS_SYSTEM_BUS_ADDRESS    the private bus
 *   CLUSRES_RUN_DIR            where the driver writes EXPORT files
 * The cases run in order and share one server timeline: A up, shares, gate, grace, then a
 * switch to server B with the same export, checking a file handle taken on A.
 */
#undef NDEBUG
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw-nfs4.h>
#include <signal.h>
#include <string.h>

#include "sd-driver.h"
#include "sd-gate.h"
#include "sd-ganesha.h"
#include "sd-probe.h"
#include "sd-raw4.h"

#define TIMEOUT_MS 5000
#define FILE_TEXT "hello through the VIP\n"

/* Shows the GError when a call fails, not just "should be TRUE". */
#define ASSERT_OK(call)                                                                            \
  do {                                                                                             \
    gboolean ok_ = (call);                                                                         \
    g_assert_no_error(error);                                                                      \
    g_assert_true(ok_);                                                                            \
  } while (0)

static struct {
  const char *dir;
  const char *vip;
  char *export_root;
  GSubprocess *ganesha;
  char *ganesha_log;
  SdDriver *driver;
  SdShare share;
  GByteArray *handle; /* NFSv4 file handle of FILE taken on server A */
} it;

/* ---- ganesha processes ------------------------------------------------------------------- */

static gboolean ganesha_answers(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdGanesha) g = sd_ganesha_new(1000);
  gboolean grace;
  return sd_ganesha_get_grace(g, &grace, &error);
}

static void ganesha_start(const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = g_strdup_printf("%s/ganesha-%s.conf", it.dir, name);
  g_autofree char *pid = g_strdup_printf("%s/ganesha-%s.pid", it.dir, name);
  g_free(it.ganesha_log);
  it.ganesha_log = g_strdup_printf("%s/ganesha-%s.log", it.dir, name);

  g_assert_null(it.ganesha);
  it.ganesha = g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &error, "ganesha.nfsd", "-F", "-f", conf,
                                "-L", it.ganesha_log, "-p", pid, "-N", "NIV_EVENT", NULL);
  g_assert_no_error(error);
  for (int i = 0; i < 200 && !ganesha_answers(); i++)
    g_usleep(50 * 1000);
  g_assert_true(ganesha_answers());
}

static void ganesha_stop(void)
{
  g_assert_nonnull(it.ganesha);
  g_subprocess_send_signal(it.ganesha, SIGTERM);
  for (int i = 0; i < 200 && g_subprocess_get_identifier(it.ganesha) != NULL; i++)
    g_usleep(50 * 1000);
  if (g_subprocess_get_identifier(it.ganesha) != NULL) {
    g_subprocess_force_exit(it.ganesha);
    g_subprocess_wait(it.ganesha, NULL, NULL);
  }
  g_clear_object(&it.ganesha);
  sd_driver_invalidate_cache();
}

static gboolean log_contains(const char *needle)
{
  g_autofree char *text = NULL;
  return g_file_get_contents(it.ganesha_log, &text, NULL, NULL) && strstr(text, needle) != NULL;
}

/* Probes until the server is out of its grace period (NFS4ERR_GRACE) or @budget_ms passed. */
static gboolean probe_retry(guint depth, const char *file, guint budget_ms, GError **error)
{
  gint64 end = g_get_monotonic_time() + budget_ms * 1000;
  for (;;) {
    g_clear_error(error);
    if (sd_probe_nfs_file(it.vip, it.share.pseudo, depth, file, 2000, error))
      return TRUE;
    if (g_get_monotonic_time() > end)
      return FALSE;
    g_usleep(200 * 1000);
  }
}

/* ---- raw NFSv4 (file handles, sd-raw4) --------------------------------------------------- */

static GByteArray *raw_lookup_handle(const char *pseudo_name, const char *file)
{
  g_autofree char *path = g_strdup_printf("/%s/%s", pseudo_name, file);
  GByteArray *fh = g_byte_array_new();
  g_assert_cmpint(sd_raw4_lookup(it.vip, path, TIMEOUT_MS, fh), ==, NFS4_OK);
  g_assert_cmpuint(fh->len, >, 0);
  return fh;
}

/* PUTFH + READ with the anonymous stateid: works only if the handle is valid on this server. */
static int raw_read_handle(GByteArray *fh, GByteArray *data)
{
  return sd_raw4_read(it.vip, fh, 256, TIMEOUT_MS, data);
}

/* ---- cases ---------------------------------------------------------------------------------- */

static void test_introspection_matches_copy(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
  g_assert_no_error(error);
  g_autofree char *copy = NULL;
  g_assert_true(g_file_get_contents(g_getenv("SD_GANESHA_XML"), &copy, NULL, &error));
  g_autoptr(GDBusNodeInfo) copy_node = g_dbus_node_info_new_for_xml(copy, &error);
  g_assert_no_error(error);

  static const struct {
    const char *path, *iface;
  } objs[] = {{SD_GANESHA_EXPORTMGR_PATH, SD_GANESHA_EXPORTMGR_IFACE},
              {SD_GANESHA_ADMIN_PATH, SD_GANESHA_ADMIN_IFACE}};
  for (gsize o = 0; o < G_N_ELEMENTS(objs); o++) {
    g_autoptr(GVariant) r = g_dbus_connection_call_sync(
        bus, SD_GANESHA_BUS_NAME, objs[o].path, "org.freedesktop.DBus.Introspectable", "Introspect",
        NULL, G_VARIANT_TYPE("(s)"), 0, TIMEOUT_MS, NULL, &error);
    g_assert_no_error(error);
    const char *xml;
    g_variant_get(r, "(&s)", &xml);
    g_autoptr(GDBusNodeInfo) live = g_dbus_node_info_new_for_xml(xml, &error);
    g_assert_no_error(error);
    GDBusInterfaceInfo *li = g_dbus_node_info_lookup_interface(live, objs[o].iface);
    GDBusInterfaceInfo *ci = g_dbus_node_info_lookup_interface(copy_node, objs[o].iface);
    g_assert_nonnull(li);
    g_assert_nonnull(ci);
    /* Same methods with the same argument signatures, both ways. */
    GString *ls = g_string_new(NULL), *cs = g_string_new(NULL);
    g_dbus_interface_info_generate_xml(li, 0, ls);
    g_dbus_interface_info_generate_xml(ci, 0, cs);
    g_assert_cmpstr(ls->str, ==, cs->str);
    g_string_free(ls, TRUE);
    g_string_free(cs, TRUE);
  }
}

static void test_enable_share(void)
{
  g_autoptr(GError) error = NULL;
  gboolean present = FALSE;

  ASSERT_OK(sd_driver_enable_share(it.driver, &it.share, &error));
  g_assert_no_error(error);
  /* idempotent: Ganesha refuses the second AddExport, the driver sees it is ours */
  ASSERT_OK(sd_driver_enable_share(it.driver, &it.share, &error));
  g_assert_no_error(error);
  ASSERT_OK(sd_driver_share_present(it.driver, &it.share, 1000, &present, &error));
  g_assert_true(present);

  /* the generated file and the probe file */
  g_autofree char *conf = g_strdup_printf("%s/run/ganesha/%s.conf", it.dir, it.share.name);
  g_assert_true(g_file_test(conf, G_FILE_TEST_IS_REGULAR));
  g_autofree char *probe = g_build_filename(it.export_root, SD_PROBE_FILE, NULL);
  g_assert_true(g_file_test(probe, G_FILE_TEST_IS_REGULAR));

  /* through the VIP with an NFSv4 client */
  ASSERT_OK(probe_retry(10, NULL, 8000, &error));
  g_assert_no_error(error);
  ASSERT_OK(probe_retry(20, NULL, 8000, &error));
  ASSERT_OK(probe_retry(20, "hello.txt", 8000, &error));
  g_assert_no_error(error);
  g_assert_false(sd_probe_nfs_file(it.vip, it.share.pseudo, 20, "missing.txt", 2000, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED);
}

static void test_gate(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  ASSERT_OK(sd_driver_block_traffic(it.driver, it.vip, &error));
  ASSERT_OK(sd_driver_block_traffic(it.driver, it.vip, &error)); /* idempotent */
  g_assert_no_error(error);
  g_assert_true(g_spawn_command_line_sync("nft list table inet clusres", &out, NULL, NULL, NULL));
  g_assert_nonnull(strstr(out, it.vip));
  /* exactly two rules, however often the gate was changed */
  g_assert_nonnull(strstr(out, "@vips4"));
  g_assert_null(strstr(strstr(out, "@vips4") + 1, "@vips4 tcp"));

  /* dropped packets: the probe gives up at its deadline, not the kernel's connect timeout */
  gint64 t0 = g_get_monotonic_time();
  g_assert_false(sd_probe_nfs(it.vip, it.share.pseudo, 10, 1500, &error));
  gint64 took_ms = (g_get_monotonic_time() - t0) / 1000;
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_TIMEOUT);
  g_clear_error(&error);
  g_assert_cmpint(took_ms, >=, 1400);
  g_assert_cmpint(took_ms, <, 2500);
  g_test_message("blocked probe gave up after %" G_GINT64_FORMAT " ms", took_ms);

  ASSERT_OK(sd_driver_allow_traffic(it.driver, it.vip, &error));
  ASSERT_OK(sd_driver_allow_traffic(it.driver, it.vip, &error)); /* idempotent */
  g_assert_no_error(error);
  ASSERT_OK(sd_probe_nfs(it.vip, it.share.pseudo, 20, 3000, &error));
  g_assert_no_error(error);

  /* cleanup removes the table; twice is fine */
  ASSERT_OK(sd_gate_block("198.18.0.99", TIMEOUT_MS, &error));
  ASSERT_OK(sd_gate_cleanup(TIMEOUT_MS, &error));
  ASSERT_OK(sd_gate_cleanup(TIMEOUT_MS, &error));
  g_assert_no_error(error);
  g_autofree char *tables = NULL;
  g_assert_true(g_spawn_command_line_sync("nft list tables", &tables, NULL, NULL, NULL));
  g_assert_null(strstr(tables, "clusres"));
}

static void test_disable_share(void)
{
  g_autoptr(GError) error = NULL;
  gboolean present = TRUE;

  ASSERT_OK(sd_driver_disable_share(it.driver, &it.share, &error));
  g_assert_no_error(error);
  ASSERT_OK(sd_driver_share_present(it.driver, &it.share, 1000, &present, &error));
  g_assert_false(present);
  g_assert_false(sd_probe_nfs(it.vip, it.share.pseudo, 10, 2000, &error));
  g_assert_nonnull(error);
  g_test_message("probe after disable: %s", error->message);
  g_clear_error(&error);
  /* idempotent */
  ASSERT_OK(sd_driver_disable_share(it.driver, &it.share, &error));
  g_assert_no_error(error);
}

static guint64 file_inode(const char *path)
{
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  return (guint64)st.st_ino;
}

/* prepare_share writes the EXPORT file ahead; enable_share uses it when it is the one it would
 * write (no second write: same inode) and rewrites it when the parameters changed meanwhile. */
static void test_prepare_share(void)
{
  g_autoptr(GError) error = NULL;
  gboolean present = TRUE;
  g_autofree char *conf = g_strdup_printf("%s/run/ganesha/%s.conf", it.dir, it.share.name);
  SdShare ro = it.share;
  ro.access = "ro";

  ASSERT_OK(sd_driver_prepare_share(it.driver, &ro, &error));
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(conf, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "Access_Type = RO;"));
  ASSERT_OK(sd_driver_share_present(it.driver, &it.share, 1000, &present, &error));
  g_assert_false(present); /* no backend call */

  /* Changed parameters between prepare and enable: the file enable needs is written. */
  ASSERT_OK(sd_driver_enable_share(it.driver, &it.share, &error));
  g_clear_pointer(&text, g_free);
  g_assert_true(g_file_get_contents(conf, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "Access_Type = RW;"));
  ASSERT_OK(probe_retry(20, "hello.txt", 8000, &error));
  ASSERT_OK(sd_driver_disable_share(it.driver, &it.share, &error));

  /* Same parameters: enable makes only the call. */
  ASSERT_OK(sd_driver_prepare_share(it.driver, &it.share, &error));
  guint64 ino = file_inode(conf);
  ASSERT_OK(sd_driver_enable_share(it.driver, &it.share, &error));
  g_assert_cmpuint(file_inode(conf), ==, ino);
  ASSERT_OK(sd_driver_share_present(it.driver, &it.share, 1000, &present, &error));
  g_assert_true(present);
  ASSERT_OK(probe_retry(20, "hello.txt", 8000, &error));
  /* Taken once: a later enable (idempotent) writes the file again. */
  ASSERT_OK(sd_driver_enable_share(it.driver, &it.share, &error));
  g_assert_cmpuint(file_inode(conf), !=, ino);
  ASSERT_OK(sd_driver_disable_share(it.driver, &it.share, &error));
}

static void test_grace(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdGanesha) g = sd_ganesha_new(TIMEOUT_MS);
  gboolean grace = TRUE;

  /* let the start-up grace end first */
  for (int i = 0; i < 200 && sd_ganesha_get_grace(g, &grace, NULL) && grace; i++)
    g_usleep(50 * 1000);
  g_assert_false(grace);

  gint64 t0 = g_get_monotonic_time();
  ASSERT_OK(sd_driver_enable_failover(it.driver, "198.18.0.100", &error));
  g_assert_no_error(error);
  gint64 in_grace_us = 0;
  for (;;) {
    ASSERT_OK(sd_ganesha_get_grace(g, &grace, &error));
    in_grace_us = g_get_monotonic_time() - t0;
    if (!grace || in_grace_us > 30 * G_USEC_PER_SEC)
      break;
    g_usleep(5 * 1000);
  }
  g_assert_false(grace);
  g_test_message("grace after enable_failover with no known clients lasted %.0f ms",
                 in_grace_us / 1000.0);
  g_assert_true(log_contains("recovery event 5"));
  g_assert_true(log_contains("ip 198.18.0.100"));

  /* The VIP leaving puts nothing in grace here: Ganesha's release event (2) would stop every
   * other VIP's clients from opening files for Grace_Period. */
  ASSERT_OK(sd_driver_enable_transition(it.driver, "198.18.0.100", &error));
  g_assert_no_error(error);
  g_assert_false(log_contains("recovery event 2"));
  ASSERT_OK(sd_ganesha_get_grace(g, &grace, &error));
  g_assert_false(grace);

  /* a bad key never reaches Ganesha */
  g_assert_false(sd_driver_enable_failover(it.driver, "5:1.2.3.4", &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
}

static void test_switch_servers(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file_name = g_path_get_basename(it.share.pseudo);

  /* a file handle taken on server A ... */
  ASSERT_OK(sd_driver_enable_share(it.driver, &it.share, &error));
  ASSERT_OK(probe_retry(20, "hello.txt", 8000, &error));
  it.handle = raw_lookup_handle(file_name, "hello.txt");
  g_autoptr(GByteArray) before = g_byte_array_new();
  g_assert_cmpint(raw_read_handle(it.handle, before), ==, NFS4_OK);
  g_assert_cmpmem(before->data, before->len, FILE_TEXT, strlen(FILE_TEXT));

  /* ... is still valid on server B, which got the same share from the driver */
  ganesha_stop();
  ganesha_start("B");
  ASSERT_OK(sd_driver_enable_share(it.driver, &it.share, &error));
  g_assert_no_error(error);
  g_autoptr(GByteArray) after = g_byte_array_new();
  int status = -1;
  for (int i = 0; i < 100; i++) {
    g_byte_array_set_size(after, 0);
    status = raw_read_handle(it.handle, after);
    if (status != NFS4ERR_GRACE && status != NFS4ERR_DELAY && status != -1)
      break;
    g_usleep(100 * 1000);
  }
  g_assert_cmpint(status, ==, NFS4_OK);
  g_assert_cmpmem(after->data, after->len, FILE_TEXT, strlen(FILE_TEXT));
  /* and a fresh lookup on B gives the very same handle */
  g_autoptr(GByteArray) again = raw_lookup_handle(file_name, "hello.txt");
  g_assert_cmpmem(again->data, again->len, it.handle->data, it.handle->len);

  ASSERT_OK(sd_driver_disable_share(it.driver, &it.share, &error));
  g_assert_no_error(error);
  g_assert_cmpint(raw_read_handle(it.handle, after), !=, NFS4_OK);
}

/* Ganesha crashed: its exports died with it, so disabling (a stop) succeeds at once, while
 * enabling and the monitor's listing fail with NOT_RUNNING. */
static void test_ganesha_gone(void)
{
  g_autoptr(GError) error = NULL;
  gboolean present = FALSE;

  ASSERT_OK(sd_driver_enable_share(it.driver, &it.share, &error));
  g_assert_no_error(error);
  ganesha_stop();
  ASSERT_OK(sd_driver_disable_share(it.driver, &it.share, &error));
  g_assert_no_error(error);
  g_assert_false(sd_driver_share_present(it.driver, &it.share, 0, &present, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_NOT_RUNNING);
  g_clear_error(&error);
  g_assert_false(sd_driver_enable_share(it.driver, &it.share, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_NOT_RUNNING);
  ganesha_start("B");
}

int main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  g_test_init(&argc, &argv, NULL);
  it.dir = g_getenv("SD_IT_DIR");
  it.vip = g_getenv("SD_IT_VIP");
  if (it.dir == NULL || it.vip == NULL)
    g_error("run me through sd-integration.sh");
  it.export_root = g_build_filename(it.dir, "export", NULL);
  g_autofree char *hello = g_build_filename(it.export_root, "hello.txt", NULL);
  g_assert_cmpint(g_mkdir_with_parents(it.export_root, 0755), ==, 0);
  g_assert_true(g_file_set_contents(hello, FILE_TEXT, -1, NULL));

  it.share = (SdShare){
      .name = "itshare",
      .path = it.export_root,
      .clients = "198.18.0.0/24",
      .access = "rw",
      .squash = "no_root_squash",
      .vip = it.vip,
  };
  it.share.pseudo = "/itshare";
  it.driver = sd_driver_new("ganesha", TIMEOUT_MS, &error);
  g_assert_no_error(error);

  ganesha_start("A");
  g_test_add_func("/sd-integration/introspection", test_introspection_matches_copy);
  g_test_add_func("/sd-integration/enable-share", test_enable_share);
  g_test_add_func("/sd-integration/gate", test_gate);
  g_test_add_func("/sd-integration/disable-share", test_disable_share);
  g_test_add_func("/sd-integration/prepare-share", test_prepare_share);
  g_test_add_func("/sd-integration/grace", test_grace);
  g_test_add_func("/sd-integration/switch-servers", test_switch_servers);
  g_test_add_func("/sd-integration/ganesha-gone", test_ganesha_gone);
  int rc = g_test_run();

  if (it.ganesha != NULL)
    ganesha_stop();
  sd_driver_free(it.driver);
  g_clear_pointer(&it.handle, g_byte_array_unref);
  g_free(it.export_root);
  g_free(it.ganesha_log);
  return rc;
}
