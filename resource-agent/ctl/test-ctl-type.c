/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctl-type: `clusresctl type add|remove` on a types folder and provider folder of the test's
 * own (in the build tree: the loaders' file rules refuse /tmp), with the SDK's FileFlag DLL. */
#undef NDEBUG
#include "ctl-type.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  char *root;
  CtlTypePaths paths;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
  g_autofree char *tmpl =
      g_build_filename(g_getenv("CTL_TEST_TRUSTED_DIR"), "ctl-type-XXXXXX", NULL);

  f->root = g_mkdtemp_full(g_steal_pointer(&tmpl), 0755);
  g_assert_nonnull(f->root);
  f->paths.types_dir = g_build_filename(f->root, "types", NULL);
  f->paths.provider_dir = g_build_filename(f->root, "resource.d", "clusres", NULL);
  f->paths.agent = g_strdup("/usr/libexec/clusres/clusres-ocf");
}

static void teardown(Fixture *f, gconstpointer data)
{
  const char *rm[] = {"rm", "-rf", f->root, NULL}; /* the test's own tree, made by setup */
  g_assert_true(g_spawn_sync(NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                             NULL, NULL));
  g_free(f->root);
  ctl_type_paths_clear(&f->paths);
}

static guint count_entries(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name(d) != NULL)
    n++;
  return n;
}

static void test_add_remove(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new(NULL);
  g_autofree char *so = g_build_filename(f->paths.types_dir, "FileFlag.so", NULL);
  g_autofree char *link = g_build_filename(f->paths.provider_dir, "FileFlag", NULL);
  GStatBuf st;

  g_assert_true(ctl_type_add(&f->paths, "FileFlag", g_getenv("CTL_TEST_DLL"), report, &error));
  g_assert_no_error(error);
  g_assert_cmpint(g_stat(so, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 07777, ==, 0644);
  g_assert_cmpuint(st.st_uid, ==, geteuid());
  g_autofree char *target = g_file_read_link(link, NULL);
  g_assert_cmpstr(target, ==, f->paths.agent);
  g_assert_nonnull(strstr(report->str, "ocf:clusres:FileFlag"));
  g_assert_cmpuint(count_entries(f->paths.types_dir), ==, 1); /* no temporary left */
  /* Again (an upgrade): replaced in place, still one file and one link. */
  g_assert_true(ctl_type_add(&f->paths, "FileFlag", g_getenv("CTL_TEST_DLL"), NULL, &error));
  g_assert_cmpuint(count_entries(f->paths.types_dir), ==, 1);
  g_assert_cmpuint(count_entries(f->paths.provider_dir), ==, 1);

  g_assert_true(ctl_type_remove(&f->paths, "FileFlag", NULL, &error));
  g_assert_no_error(error);
  g_assert_false(g_file_test(so, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
  g_assert_false(ctl_type_remove(&f->paths, "FileFlag", NULL, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* A DLL that does not answer Startup for the name is not installed, and leaves nothing. */
static void test_wrong_type(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false(ctl_type_add(&f->paths, "NotFileFlag", g_getenv("CTL_TEST_DLL"), NULL, &error));
  g_assert_nonnull(error);
  g_test_message("%s", error->message);
  g_assert_nonnull(strstr(error->message, "ERROR_CLUSTER_RESNAME_NOT_FOUND (5080)"));
  g_assert_cmpuint(count_entries(f->paths.types_dir), ==, 0);
  g_assert_false(g_file_test(f->paths.provider_dir, G_FILE_TEST_EXISTS));
  g_clear_error(&error);
  g_assert_false(ctl_type_add(&f->paths, "FileFlag", "/nonexistent/x.so", NULL, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void test_refused_names(Fixture *f, gconstpointer data)
{
  static const char *const bad[] = {"resdll", ".hidden", "a/b", ""};

  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_false(ctl_type_add(&f->paths, bad[i], g_getenv("CTL_TEST_DLL"), NULL, &error));
    g_assert_nonnull(error);
  }
  g_assert_false(g_file_test(f->paths.types_dir, G_FILE_TEST_EXISTS) &&
                 count_entries(f->paths.types_dir) > 0);
}

/* A file in the agent's place that is no link is someone else's: not replaced. */
static void test_foreign_file(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *link = g_build_filename(f->paths.provider_dir, "FileFlag", NULL);

  g_assert_cmpint(g_mkdir_with_parents(f->paths.provider_dir, 0755), ==, 0);
  g_assert_true(g_file_set_contents(link, "#!/bin/sh\n", -1, NULL));
  g_assert_false(ctl_type_add(&f->paths, "FileFlag", g_getenv("CTL_TEST_DLL"), NULL, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error(&error);
  g_assert_false(ctl_type_remove(&f->paths, "FileFlag", NULL, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_true(g_file_test(link, G_FILE_TEST_IS_REGULAR));
}

static void test_all_nodes(void)
{
  char ***add = ctl_type_all_nodes_argv("crm", "/usr/sbin/clusresctl", "FileFlag", "/root/ff.so");
  char ***rm = ctl_type_all_nodes_argv("crm", "/usr/sbin/clusresctl", "FileFlag", NULL);

  g_autofree char *copy = g_strjoinv(" ", add[0]);
  g_assert_cmpstr(copy, ==, "crm cluster copy /root/ff.so");
  g_assert_cmpstr(add[1][2], ==, "run");
  g_assert_cmpstr(add[1][3], ==, "'/usr/sbin/clusresctl' type add 'FileFlag' '/root/ff.so'");
  g_assert_null(add[2]);
  g_assert_cmpstr(rm[0][3], ==, "'/usr/sbin/clusresctl' type remove 'FileFlag'");
  g_assert_null(rm[1]);
  ctl_type_argvs_free(add);
  ctl_type_argvs_free(rm);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add("/ctl-type/add-remove", Fixture, NULL, setup, test_add_remove, teardown);
  g_test_add("/ctl-type/wrong-type", Fixture, NULL, setup, test_wrong_type, teardown);
  g_test_add("/ctl-type/refused-names", Fixture, NULL, setup, test_refused_names, teardown);
  g_test_add("/ctl-type/foreign-file", Fixture, NULL, setup, test_foreign_file, teardown);
  g_test_add_func("/ctl-type/all-nodes", test_all_nodes);
  return g_test_run();
}
