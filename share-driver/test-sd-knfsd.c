/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: exportfs argv construction and `exportfs -v` parsing on canned output (there is
 * no knfsd on the build machines). */
#undef NDEBUG
#include "sd-knfsd.h"

static const SdShare share = {
    .name = "home",
    .path = "/srv/nfs/home",
    .pseudo = "/home",
    .clients = "*",
    .access = "rw",
    .squash = "root_squash",
    .vip = "198.18.0.100",
    .export_id = 15089,
};

static void assert_argv(GStrv argv, const char *const *expected)
{
  g_assert_cmpuint(g_strv_length(argv), ==, g_strv_length((char **)expected));
  for (guint i = 0; expected[i]; i++)
    g_assert_cmpstr(argv[i], ==, expected[i]);
}

static void test_argv(void)
{
  g_auto(GStrv) a = sd_knfsd_export_argv(&share);
  const char *const ea[] = {"exportfs", "-o", "rw,sync,no_subtree_check,fsid=15089,root_squash",
                            "*:/srv/nfs/home", NULL};
  assert_argv(a, ea);

  g_auto(GStrv) u = sd_knfsd_unexport_argv(&share);
  const char *const eu[] = {"exportfs", "-u", "*:/srv/nfs/home", NULL};
  assert_argv(u, eu);

  SdShare s = share;
  s.clients = "198.18.0.0/24,2001:db8::/64,client.example.com";
  s.access = "ro";
  s.squash = "no_root_squash";
  s.export_id = 7;
  g_auto(GStrv) b = sd_knfsd_export_argv(&s);
  const char *const eb[] = {"exportfs",
                            "-o",
                            "ro,sync,no_subtree_check,fsid=7,no_root_squash",
                            "198.18.0.0/24:/srv/nfs/home",
                            "[2001:db8::/64]:/srv/nfs/home",
                            "client.example.com:/srv/nfs/home",
                            NULL};
  assert_argv(b, eb);
  g_auto(GStrv) bu = sd_knfsd_unexport_argv(&s);
  g_assert_cmpuint(g_strv_length(bu), ==, 5);
  g_assert_cmpstr(bu[1], ==, "-u");

  /* knfsd has no root_id_squash: the safe neighbour is used */
  s.squash = "root_id_squash";
  g_auto(GStrv) c = sd_knfsd_export_argv(&s);
  g_assert_cmpstr(c[2], ==, "ro,sync,no_subtree_check,fsid=7,root_squash");
  s.squash = "all_squash";
  g_auto(GStrv) d = sd_knfsd_export_argv(&s);
  g_assert_cmpstr(d[2], ==, "ro,sync,no_subtree_check,fsid=7,all_squash");
}

/* Shaped like nfs-utils 2.6 `exportfs -v`: paths padded to a column, long paths on a line of
 * their own with the client indented below, "*" printed as <world>, blanks escaped. */
static const char canned[] =
    "/srv/nfs/home \t<world>(sync,wdelay,hide,no_subtree_check,fsid=15089,sec=sys,rw,secure,"
    "root_squash,no_all_squash)\n"
    "/srv/nfs/data \t198.18.0.0/24(sync,wdelay,hide,no_subtree_check,fsid=7,sec=sys,ro,secure,"
    "no_root_squash,no_all_squash)\n"
    "/srv/nfs/data \tclient.example.com(sync,wdelay,hide,no_subtree_check,fsid=7,sec=sys,ro,"
    "secure,no_root_squash,no_all_squash)\n"
    "/srv/nfs/a/very/long/path/that/does/not/fit/the/column\n"
    "\t\t2001:db8::/64(sync,wdelay,hide,no_subtree_check,fsid=65534,sec=sys,rw)\n"
    "/srv/with\\040blank\t<world>(rw,sync)\n"
    "garbage line without options\n"
    "\n";

static void test_parse(void)
{
  g_autoptr(GPtrArray) e = sd_knfsd_parse_exports(canned);
  g_assert_cmpuint(e->len, ==, 5);
  SdKnfsdEntry *x = e->pdata[0];
  g_assert_cmpstr(x->path, ==, "/srv/nfs/home");
  g_assert_cmpstr(x->client, ==, "*");
  g_assert_cmpuint(sd_knfsd_entry_fsid(x), ==, 15089);
  x = e->pdata[1];
  g_assert_cmpstr(x->path, ==, "/srv/nfs/data");
  g_assert_cmpstr(x->client, ==, "198.18.0.0/24");
  g_assert_cmpuint(sd_knfsd_entry_fsid(x), ==, 7);
  g_assert_true(g_str_has_prefix(x->options, "sync,wdelay"));
  x = e->pdata[2];
  g_assert_cmpstr(x->client, ==, "client.example.com");
  x = e->pdata[3];
  g_assert_cmpstr(x->path, ==, "/srv/nfs/a/very/long/path/that/does/not/fit/the/column");
  g_assert_cmpstr(x->client, ==, "2001:db8::/64");
  g_assert_cmpuint(sd_knfsd_entry_fsid(x), ==, 65534);
  x = e->pdata[4];
  g_assert_cmpstr(x->path, ==, "/srv/with blank");
  g_assert_cmpuint(sd_knfsd_entry_fsid(x), ==, 0);

  g_autoptr(GPtrArray) empty = sd_knfsd_parse_exports("");
  g_assert_cmpuint(empty->len, ==, 0);
  /* a continuation without a path before it is ignored */
  g_autoptr(GPtrArray) orphan = sd_knfsd_parse_exports("\t\t*(rw)\n");
  g_assert_cmpuint(orphan->len, ==, 0);
}

static void test_unavailable(void)
{
  /* No exportfs here: the backend reports itself unavailable instead of failing oddly. */
  g_autoptr(GError) error = NULL;
  g_setenv("CLUSRES_EXPORTFS", "/nonexistent/exportfs", TRUE);
  g_assert_false(sd_knfsd_export(&share, 2000, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_UNAVAILABLE);
  g_clear_error(&error);
  g_assert_null(sd_knfsd_list_exports(2000, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_UNAVAILABLE);
  g_unsetenv("CLUSRES_EXPORTFS");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sd-knfsd/argv", test_argv);
  g_test_add_func("/sd-knfsd/parse", test_parse);
  g_test_add_func("/sd-knfsd/unavailable", test_unavailable);
  return g_test_run();
}
