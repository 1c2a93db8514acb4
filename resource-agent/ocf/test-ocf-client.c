/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client: name escaping, the call signatures against the generated D-Bus interface (the
 * XML contract), and the no-host paths that must not start anything.
 */
#include "ocf-client.h"

#include "clusres-dbus.h"

#include <glib/gstdio.h>
#include <utime.h>

#undef NDEBUG

static void test_escape(void)
{
  static const struct {
    const char *in, *out;
  } rows[] = {
      {"r1", "r1"},
      {"web_server", "web_server"},
      {"web-server", "web_2dserver"},
      {"a.b/c", "a_2eb_2fc"},
      {"x y", "x_20y"},
      {"\xc3\xa9", "_c3_a9"},
      {"", ""},
      {"1web", "_31web"},
      {"web1", "web1"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
    g_autofree char *e = ocf_client_escape_name(rows[i].in);
    g_assert_cmpstr(e, ==, rows[i].out);
  }
}

static char *signature(GDBusArgInfo **args)
{
  GString *s = g_string_new(NULL);

  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_string_append(s, args[i]->signature);
  return g_string_free(s, FALSE);
}

/* The GVariant formats ocf-actions.c uses, checked against org.clusres.ResourceHost1.xml. */
static void test_contract(void)
{
  static const struct {
    const char *method, *in, *out;
  } calls[] = {
      {"Online", "sssa{ss}a{ss}u", "ius"},
      {"Offline", "su", "ius"},
      {"Monitor", "su", "is"},
      {"Control", "suayu", "uayu"},
  };
  GDBusInterfaceInfo *iface = clusres_dbus_resource_host1_interface_info();

  g_assert_cmpstr(iface->name, ==, "org.clusres.ResourceHost1");
  for (gsize i = 0; i < G_N_ELEMENTS(calls); i++) {
    GDBusMethodInfo *m = g_dbus_interface_info_lookup_method(iface, calls[i].method);
    g_assert_nonnull(m);
    g_autofree char *in = signature(m->in_args);
    g_autofree char *out = signature(m->out_args);
    g_assert_cmpstr(in, ==, calls[i].in);
    g_assert_cmpstr(out, ==, calls[i].out);
  }
}

/* A probe on a node without a host or instance state answers without starting anything. */
static void test_not_running(void)
{
  g_autofree char *run = g_dir_make_tmp("ocf-run-XXXXXX", NULL);
  g_autofree char *marker = g_build_filename(run, "rhs.log", NULL);
  g_autoptr(GError) error = NULL;
  OcfClientOptions opts = {
      .resource = "web-1",
      .deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC,
      .if_configured = TRUE,
  };

  g_setenv("CLUSRES_RUN_DIR", run, TRUE);
  g_setenv("CLUSRES_RHS", "/nonexistent/clusres-rhs", TRUE);
  g_autoptr(OcfClient) c = ocf_client_new(&opts, &error);
  g_assert_null(c);
  g_assert_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING);
  g_assert_false(g_file_test(marker, G_FILE_TEST_EXISTS)); /* no host was spawned */
  g_rmdir(run);
}

/* The instance has state but no host answers: the agent tries to start one and reports that
 * it cannot, within its deadline. */
static void test_configured_no_host(void)
{
  g_autofree char *run = g_dir_make_tmp("ocf-run-XXXXXX", NULL);
  g_autofree char *inst = g_build_filename(run, "instances", NULL);
  g_autofree char *conf = g_build_filename(inst, "web_2d1.conf", NULL);
  g_autofree char *bus = g_strdup_printf("unix:path=%s/no-bus-socket", run);
  g_autoptr(GError) error = NULL;
  OcfClientOptions opts = {
      .resource = "web-1",
      .deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC,
      .if_configured = TRUE,
  };

  g_assert_cmpint(g_mkdir(inst, 0755), ==, 0);
  g_assert_true(g_file_set_contents(conf, "[instance]\n", -1, NULL));
  g_setenv("CLUSRES_RUN_DIR", run, TRUE);
  g_setenv("CLUSRES_RHS", "/nonexistent/clusres-rhs", TRUE);
  g_setenv("DBUS_SYSTEM_BUS_ADDRESS", bus, TRUE);
  g_autoptr(OcfClient) c = ocf_client_new(&opts, &error);
  g_assert_no_error(error);
  g_autoptr(GVariant) r = ocf_client_call(c, "Monitor", g_variant_new("(su)", "web-1", 0u),
                                          G_VARIANT_TYPE("(is)"), &error);
  g_assert_null(r);
  g_assert_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NO_HOST);
  g_assert_nonnull(strstr(error->message, "/nonexistent/clusres-rhs"));
  g_unlink(conf);
  g_rmdir(inst);
  g_rmdir(run);
}

/* A host binary that cannot be executed is reported at once, not at the deadline. */
static void test_exec_failure(void)
{
  g_autofree char *run = g_dir_make_tmp("ocf-run-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename(run, "not-a-program", NULL);
  g_autofree char *bus = g_strdup_printf("unix:path=%s/no-bus-socket", run);
  g_autofree char *log = g_build_filename(run, "rhs.log", NULL);
  g_autoptr(GError) error = NULL;
  OcfClientOptions opts = {
      .resource = "r",
      .deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC,
  };

  g_assert_true(g_file_set_contents(bad, "garbage, no #! and no ELF\n", -1, NULL));
  g_assert_cmpint(g_chmod(bad, 0755), ==, 0);
  g_setenv("CLUSRES_RUN_DIR", run, TRUE);
  g_setenv("CLUSRES_RHS", bad, TRUE);
  g_setenv("DBUS_SYSTEM_BUS_ADDRESS", bus, TRUE);
  g_autoptr(OcfClient) c = ocf_client_new(&opts, &error);
  g_assert_no_error(error);
  gint64 t0 = g_get_monotonic_time();
  g_autoptr(GVariant) r =
      ocf_client_call(c, "Monitor", g_variant_new("(su)", "r", 0u), G_VARIANT_TYPE("(is)"), &error);
  g_assert_null(r);
  g_assert_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NO_HOST);
  g_assert_nonnull(strstr(error->message, "cannot run"));
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
  g_unlink(bad);
  g_unlink(log);
  g_rmdir(run);
}

static void test_host_timeout(void)
{
  g_autofree char *run = g_dir_make_tmp("ocf-run-XXXXXX", NULL);
  g_autofree char *bus = g_strdup_printf("unix:path=%s/no-bus-socket", run);
  OcfClientOptions opts = {
      .resource = "r",
      .deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC,
  };

  g_setenv("CLUSRES_RUN_DIR", run, TRUE);
  g_setenv("DBUS_SYSTEM_BUS_ADDRESS", bus, TRUE);
  g_autoptr(OcfClient) c = ocf_client_new(&opts, NULL);
  g_assert_nonnull(c);
  guint32 t = ocf_client_host_timeout_ms(c);
  /* about 10 s less the 1 s margin (10 %), never past the deadline */
  g_assert_cmpuint(t, <=, 9000);
  g_assert_cmpuint(t, >, 8500);
  g_rmdir(run);
}

static void test_death_text(void)
{
  g_autofree char *segv = ocf_client_death_text("pid=4242 signal=11\n");
  g_autofree char *abrt = ocf_client_death_text("pid=7 signal=6\n");

  g_assert_cmpstr(segv, ==, "the resource host (pid 4242) was killed by signal 11 (SIGSEGV)");
  g_assert_cmpstr(abrt, ==, "the resource host (pid 7) was killed by signal 6 (SIGABRT)");
  g_assert_null(ocf_client_death_text("garbage"));
  g_assert_null(ocf_client_death_text("pid=1 signal=0\n"));
  g_assert_null(ocf_client_death_text(NULL));
}

/* A death record counts only when written after the call began: an old one is another host's
 * (this one may have been killed by SIGKILL, which leaves none). */
static void test_describe_loss(void)
{
  g_autofree char *run = g_dir_make_tmp("ocf-run-XXXXXX", NULL);
  g_autofree char *bus = g_strdup_printf("unix:path=%s/no-bus-socket", run);
  g_autofree char *died = g_build_filename(run, "rhs-sep_2d1.died", NULL);
  OcfClientOptions opts = {
      .resource = "sep-1",
      .separate = TRUE,
      .deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC,
  };
  struct utimbuf old = {.actime = 1000000000, .modtime = 1000000000};

  g_setenv("CLUSRES_RUN_DIR", run, TRUE);
  g_setenv("CLUSRES_RHS", "/nonexistent/clusres-rhs", TRUE);
  g_setenv("DBUS_SYSTEM_BUS_ADDRESS", bus, TRUE);
  g_autoptr(OcfClient) c = ocf_client_new(&opts, NULL);
  g_assert_nonnull(c);
  g_assert_true(g_file_set_contents(died, "pid=99 signal=11\n", -1, NULL));
  g_assert_cmpint(g_utime(died, &old), ==, 0);
  g_autoptr(GVariant) r = ocf_client_call(c, "Monitor", g_variant_new("(su)", "sep-1", 0u),
                                          G_VARIANT_TYPE("(is)"), NULL);
  g_assert_null(r);
  g_autofree char *stale = ocf_client_describe_loss(c);
  g_assert_cmpstr(stale, ==, "the resource host exited during the call");
  g_assert_true(g_file_set_contents(died, "pid=99 signal=11\n", -1, NULL)); /* now: after it */
  g_autofree char *fresh = ocf_client_describe_loss(c);
  g_assert_cmpstr(fresh, ==, "the resource host (pid 99) was killed by signal 11 (SIGSEGV)");
  g_unlink(died);
  g_rmdir(run);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ocf-client/death-text", test_death_text);
  g_test_add_func("/ocf-client/describe-loss", test_describe_loss);
  g_test_add_func("/ocf-client/escape", test_escape);
  g_test_add_func("/ocf-client/contract", test_contract);
  g_test_add_func("/ocf-client/not-running", test_not_running);
  g_test_add_func("/ocf-client/configured-no-host", test_configured_no_host);
  g_test_add_func("/ocf-client/exec-failure", test_exec_failure);
  g_test_add_func("/ocf-client/host-timeout", test_host_timeout);
  return g_test_run();
}
