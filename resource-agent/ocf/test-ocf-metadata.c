/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Meta-data: generated XML must validate against the OCF 1.1 RNG for the test DLL, for every
 * type DLL in the build tree, for resdll without a DLL, and through the installed-style links.
 */
#include "ocf-dll.h"
#include "ocf-metadata.h"

#include <glib/gstdio.h>
#include <string.h>

#undef NDEBUG

static void assert_valid_xml(const char *xml, const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int fd = g_file_open_tmp("ocf-metadata-XXXXXX.xml", &path, &error);
  int status = 0;

  g_assert_no_error(error);
  g_assert_true(g_file_set_contents(path, xml, -1, &error));
  close(fd);
  const char *argv[] = {g_getenv("OCF_TEST_XMLLINT"), "--noout", "--relaxng",
                        g_getenv("OCF_TEST_RNG"),     path,      NULL};
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                             &status, &error));
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("%s: meta-data does not validate against the OCF 1.1 RNG:\n%s\n%s", what, err, xml);
  g_unlink(path);
}

static void assert_contains(const char *xml, const char *needle)
{
  if (strstr(xml, needle) == NULL)
    g_error("meta-data lacks %s:\n%s", needle, xml);
}

static void test_testdll(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfDll) dll = ocf_dll_load(g_getenv("OCF_TEST_DLL"), "ocftest", &error);

  g_assert_no_error(error);
  g_autofree char *xml = ocf_metadata_generate("ocftest", ocf_dll_type_info(dll), FALSE);
  assert_valid_xml(xml, "ocftest");
  assert_contains(xml, "<resource-agent name=\"ocftest\"");
  assert_contains(xml, "<shortdesc lang=\"en\">Test resource (marker file)</shortdesc>");
  assert_contains(xml,
                  "<parameter name=\"Path\" unique-group=\"Path\" unique=\"1\" required=\"1\">");
  assert_contains(xml, "The file that exists while the resource is online. (absolute path)");
  assert_contains(xml, "<content type=\"integer\" default=\"10\"/>");
  assert_contains(xml, "A number with a range. (1 to 100)");
  assert_contains(xml, "<content type=\"integer\" default=\"0\"/>");
  assert_contains(xml, "<longdesc lang=\"en\">Verbose (0 to 1)</longdesc>");
  assert_contains(xml, "<parameter name=\"Label\" reloadable=\"1\">");
  assert_contains(xml, "default=\"plain &lt;label&gt; &amp; &quot;more&quot;\"");
  assert_contains(xml, "<content type=\"string\" default=\"a,b\"/>");
  assert_contains(xml, "(comma-separated list)");
  assert_contains(xml, "<parameter name=\"looks_alive_interval\">");
  assert_contains(xml, "<content type=\"integer\" default=\"7000\"/>");
  assert_contains(xml, "<parameter name=\"separate_monitor\">");
  assert_contains(xml, "<action name=\"start\" timeout=\"90s\"/>");
  assert_contains(xml, "<action name=\"stop\" timeout=\"90s\"/>");
  assert_contains(xml, "<action name=\"monitor\" timeout=\"20s\" interval=\"7s\" depth=\"0\"/>");
  assert_contains(xml,
                  "<action name=\"monitor\" timeout=\"60s\" interval=\"30500ms\" depth=\"10\"/>");
  assert_contains(xml, "<action name=\"monitor\" timeout=\"60s\" interval=\"305s\" depth=\"20\"/>");
  assert_contains(xml, "<action name=\"validate-all\"");
  assert_contains(xml, "<action name=\"meta-data\"");
  assert_contains(xml, "<action name=\"reload-agent\"");
  g_assert_null(strstr(xml, "name=\"dll\""));
}

static void test_resdll_without_dll(void)
{
  g_autofree char *xml = ocf_metadata_generate("resdll", NULL, TRUE);

  assert_valid_xml(xml, "resdll");
  assert_contains(xml, "<parameter name=\"dll\" required=\"1\">");
  assert_contains(xml, "<parameter name=\"type\" required=\"1\">");
  /* type defaults: 5 s LooksAlive, 60 s IsAlive, 180 s pending */
  assert_contains(xml, "<action name=\"start\" timeout=\"180s\"/>");
  assert_contains(xml, "interval=\"5s\" depth=\"0\"");
  assert_contains(xml, "interval=\"60s\" depth=\"10\"");
  g_assert_null(strstr(xml, "depth=\"20\""));
  g_assert_null(strstr(xml, "reload-agent"));
}

/* Every resource type the project builds (genapp, share, ...), whatever exists by now. */
static void test_built_types(void)
{
  const char *root = g_getenv("OCF_TEST_TYPES_BUILD_DIR");
  g_autoptr(GDir) dir = g_dir_open(root, 0, NULL);
  const char *sub;
  guint n = 0;

  while (dir != NULL && (sub = g_dir_read_name(dir)) != NULL) {
    g_autofree char *file = g_strconcat(sub, ".so", NULL);
    g_autofree char *path = g_build_filename(root, sub, file, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
      continue;
    g_autoptr(OcfDll) dll = ocf_dll_load(path, sub, &error);
    g_assert_no_error(error);
    g_autofree char *xml = ocf_metadata_generate(sub, ocf_dll_type_info(dll), FALSE);
    assert_valid_xml(xml, sub);
    g_test_message("type %s: meta-data valid", sub);
    n++;
  }
  g_test_message("%u built type DLLs checked", n);
}

static void test_durations(void)
{
  g_autofree char *a = ocf_metadata_duration(5000);
  g_autofree char *b = ocf_metadata_duration(1500);
  g_autofree char *c = ocf_metadata_duration(0);

  g_assert_cmpstr(a, ==, "5s");
  g_assert_cmpstr(b, ==, "1500ms");
  g_assert_cmpstr(c, ==, "0s");
}

/* Runs the agent binary as <dir>/<name> <action>; returns the exit status. */
static int run_agent(const char *dir, const char *name, const char *action, char **envp, char **out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *link = g_build_filename(dir, name, NULL);
  g_autofree char *err = NULL;
  int status = 0;

  g_unlink(link);
  g_assert_cmpint(symlink(g_getenv("OCF_TEST_AGENT"), link), ==, 0);
  const char *argv[] = {link, action, NULL};
  g_assert_true(g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_DEFAULT, NULL, NULL, out, &err,
                             &status, &error));
  g_assert_no_error(error);
  g_test_message("%s %s: %s", name, action, err);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_agent_binary(void)
{
  g_autofree char *dir = g_dir_make_tmp("ocf-agent-XXXXXX", NULL);
  g_autofree char *types = g_build_filename(dir, "types", NULL);
  g_autofree char *so = g_build_filename(types, "ocftest.so", NULL);
  g_auto(GStrv) envp = g_get_environ();
  g_autofree char *out = NULL;

  g_assert_cmpint(g_mkdir(types, 0755), ==, 0);
  g_assert_cmpint(symlink(g_getenv("OCF_TEST_DLL"), so), ==, 0);
  envp = g_environ_setenv(envp, "CLUSRES_TYPES_DIR", types, TRUE);

  /* the type comes from the link name */
  g_assert_cmpint(run_agent(dir, "ocftest", "meta-data", envp, &out), ==, 0);
  assert_valid_xml(out, "ocftest via the agent");
  assert_contains(out, "<parameter name=\"Weight\">");
  g_clear_pointer(&out, g_free);

  /* resdll with a bare DLL name in the types directory */
  g_auto(GStrv) env2 = g_strdupv(envp);
  env2 = g_environ_setenv(env2, "OCF_RESKEY_dll", "ocftest", TRUE);
  env2 = g_environ_setenv(env2, "OCF_RESKEY_type", "ocftest", TRUE);
  g_assert_cmpint(run_agent(dir, "resdll", "meta-data", env2, &out), ==, 0);
  assert_valid_xml(out, "resdll dll=ocftest");
  assert_contains(out, "<parameter name=\"dll\" required=\"1\">");
  assert_contains(out, "<parameter name=\"Weight\">");
  g_clear_pointer(&out, g_free);

  g_assert_cmpint(run_agent(dir, "nosuchtype", "meta-data", envp, &out), ==, 5);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run_agent(dir, "ocftest", "frobnicate", envp, &out), ==, 3);
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run_agent(dir, "ocftest", "usage", envp, &out), ==, 0);
  assert_contains(out, "usage: ocftest");
  g_clear_pointer(&out, g_free);
  g_assert_cmpint(run_agent(dir, "clusres-ocf", "meta-data", envp, &out), ==, 2);
  g_clear_pointer(&out, g_free);

  const char *names[] = {"ocftest", "resdll", "nosuchtype", "clusres-ocf"};
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *p = g_build_filename(dir, names[i], NULL);
    g_unlink(p);
  }
  g_unlink(so);
  g_rmdir(types);
  g_rmdir(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ocf-metadata/testdll", test_testdll);
  g_test_add_func("/ocf-metadata/resdll-without-dll", test_resdll_without_dll);
  g_test_add_func("/ocf-metadata/built-types", test_built_types);
  g_test_add_func("/ocf-metadata/durations", test_durations);
  g_test_add_func("/ocf-metadata/agent-binary", test_agent_binary);
  return g_test_run();
}
