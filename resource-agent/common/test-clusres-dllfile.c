/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may own and write a resource DLL and the directories above it.  Works in a directory
 * under $CLUSRES_TEST_TRUSTED_DIR (the build tree, which must itself pass: HACKING.md), since
 * /tmp is writable by everyone; $CLUSRES_TEST_SO is a real shared object to load.
 */
#include "clusres-dllfile.h"

#include <dlfcn.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#undef NDEBUG

static char *base; /* a fresh directory of ours, 0755, in the trusted tree */

static char *in_base(const char *leaf)
{
  return g_build_filename(base, leaf, NULL);
}

/* A copy of the real shared object at @leaf, mode 0644. */
static char *copy_so(const char *leaf)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  char *path = in_base(leaf);

  g_assert_true(g_file_get_contents(g_getenv("CLUSRES_TEST_SO"), &data, &len, NULL));
  g_assert_true(
      g_file_set_contents_full(path, data, (gssize)len, G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_cmpint(g_chmod(path, 0644), ==, 0);
  return path;
}

static void expect_unsafe(const char *path, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *resolved = clusres_dllfile_check(path, &error);

  g_assert_null(resolved);
  g_assert_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_UNSAFE);
  g_test_message("%s", error->message);
  if (strstr(error->message, needle) == NULL)
    g_error("message \"%s\" lacks \"%s\"", error->message, needle);
  g_assert_nonnull(strstr(error->message, "owned by root and writable by root only"));
  /* The loader refuses the same file before dlopen. */
  g_clear_error(&error);
  g_assert_null(clusres_dllfile_open(path, &error));
  g_assert_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_UNSAFE);
}

static void test_trusted(void)
{
  g_autofree char *so = copy_so("ok.so");
  g_autoptr(GError) error = NULL;
  g_autofree char *resolved = clusres_dllfile_check(so, &error);

  g_assert_no_error(error);
  g_assert_cmpstr(resolved, ==, so);
  void *handle = clusres_dllfile_open(so, &error);
  g_assert_no_error(error);
  g_assert_nonnull(handle);
  dlclose(handle);
}

/* A link from anywhere (here /tmp, writable by everyone) is resolved: what is checked and
 * loaded is its target. */
static void test_symlink(void)
{
  g_autofree char *so = copy_so("target.so");
  g_autofree char *tmp = g_dir_make_tmp("dllfile-XXXXXX", NULL);
  g_autofree char *link = g_build_filename(tmp, "link.so", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint(symlink(so, link), ==, 0);
  g_autofree char *resolved = clusres_dllfile_check(link, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(resolved, ==, so);
  g_unlink(link);
  g_rmdir(tmp);
}

static void test_modes(void)
{
  g_autofree char *gw = copy_so("group-writable.so");
  g_autofree char *ow = copy_so("other-writable.so");
  g_autofree char *sub = in_base("open-dir");
  g_autofree char *in_sub = g_build_filename(sub, "x.so", NULL);

  g_assert_cmpint(g_chmod(gw, 0664), ==, 0);
  expect_unsafe(gw, "group-writable.so is writable by its group (mode 0664");
  g_assert_cmpint(g_chmod(ow, 0646), ==, 0);
  expect_unsafe(ow, "other-writable.so is writable by others (mode 0646");

  g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);
  g_assert_true(g_file_set_contents_full(in_sub, "x", 1, G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_cmpint(g_chmod(sub, 0775), ==, 0);
  g_autofree char *dir_needle = g_strdup_printf("%s is writable by its group", sub);
  expect_unsafe(in_sub, dir_needle);
  /* A sticky directory is still one anyone may add names to. */
  g_assert_cmpint(g_chmod(sub, 01777), ==, 0);
  expect_unsafe(in_sub, "is writable by others (mode 1777");
  g_assert_cmpint(g_chmod(sub, 0755), ==, 0);
  g_autofree char *ok = clusres_dllfile_check(in_sub, NULL);
  g_assert_cmpstr(ok, ==, in_sub);
  /* Higher up, a root-owned sticky directory (as /tmp) is fine: nobody else can rename or
   * remove the root-only directory in it (a checkout below /tmp loads its test DLLs). */
  if (geteuid() == 0) {
    g_autofree char *up = g_path_get_dirname(sub);
    struct stat st;
    g_assert_cmpint(g_stat(up, &st), ==, 0);
    g_assert_cmpint(g_chmod(up, 01777), ==, 0);
    g_autofree char *ok2 = clusres_dllfile_check(in_sub, NULL);
    g_assert_cmpint(g_chmod(up, st.st_mode & 07777), ==, 0);
    g_assert_cmpstr(ok2, ==, in_sub);
  }
}

static void test_owners(void)
{
  if (geteuid() != 0) {
    g_test_skip("needs root to give files away");
    return;
  }
  g_autofree char *theirs = copy_so("theirs.so");
  g_autofree char *sub = in_base("their-dir");
  g_autofree char *in_sub = g_build_filename(sub, "x.so", NULL);

  g_assert_cmpint(chown(theirs, 65534, 0), ==, 0);
  expect_unsafe(theirs, "theirs.so is owned by uid 65534, not root");
  g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);
  g_assert_true(g_file_set_contents_full(in_sub, "x", 1, G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_cmpint(chown(sub, 65534, 65534), ==, 0);
  g_autofree char *needle = g_strdup_printf("%s is owned by uid 65534", sub);
  expect_unsafe(in_sub, needle);
}

static void test_missing_and_bad(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *none = in_base("none.so");
  g_autofree char *not_elf = in_base("text.so");

  g_assert_null(clusres_dllfile_open(none, &error));
  g_assert_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_MISSING);
  g_clear_error(&error);
  g_assert_null(clusres_dllfile_open(base, &error)); /* a directory */
  g_assert_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_MISSING);
  g_clear_error(&error);
  g_assert_true(
      g_file_set_contents_full(not_elf, "not a DLL", -1, G_FILE_SET_CONTENTS_NONE, 0644, NULL));
  g_assert_null(clusres_dllfile_open(not_elf, &error));
  g_assert_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_LOAD);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  const char *trusted = g_getenv("CLUSRES_TEST_TRUSTED_DIR");
  g_assert_nonnull(trusted);
  g_assert_nonnull(g_getenv("CLUSRES_TEST_SO"));
  base = g_build_filename(trusted, "dllfile-XXXXXX", NULL);
  g_assert_nonnull(g_mkdtemp_full(base, 0755));
  g_assert_cmpint(g_chmod(base, 0755), ==, 0); /* whatever the umask */

  g_test_add_func("/clusres-dllfile/trusted", test_trusted);
  g_test_add_func("/clusres-dllfile/symlink", test_symlink);
  g_test_add_func("/clusres-dllfile/modes", test_modes);
  g_test_add_func("/clusres-dllfile/owners", test_owners);
  g_test_add_func("/clusres-dllfile/missing-and-bad", test_missing_and_bad);
  int rc = g_test_run();

  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", base);
  if (system(cmd) != 0)
    g_printerr("could not remove %s\n", base);
  g_free(base);
  return rc;
}
