/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: share validation, default export ids, the fake backend and the listing cache. */
#undef NDEBUG
#include <string.h>

#include "sd-driver.h"
#include "sd-probe.h"

static SdShare good_share(void)
{
  SdShare s = {
      .name = "home",
      .path = "/srv/nfs/home",
      .pseudo = "/home",
      .clients = "198.18.0.0/24,client-1.example.com",
      .access = "rw",
      .squash = "root_squash",
      .vip = "198.18.0.100",
      .export_id = 0,
  };
  return s;
}

typedef enum { F_NAME, F_PATH, F_PSEUDO, F_CLIENTS, F_ACCESS, F_SQUASH, F_VIP } Field;

static const struct {
  Field field;
  const char *value;
} bad_values[] = {
    /* names */
    {F_NAME, ""},
    {F_NAME, NULL},
    {F_NAME, "a b"},
    {F_NAME, "a;rm -rf /"},
    {F_NAME, "../etc"},
    {F_NAME, ".hidden"},
    {F_NAME, "-o"},
    {F_NAME, "a/b"},
    {F_NAME, "a\"b"},
    {F_NAME, "a\nb"},
    {F_NAME, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
    /* paths: quotes, braces, semicolons, control chars, '..', relative, separators */
    {F_PATH, ""},
    {F_PATH, NULL},
    {F_PATH, "srv/nfs"},
    {F_PATH, "./srv"},
    {F_PATH, "/srv/../etc"},
    {F_PATH, "/srv/.."},
    {F_PATH, "/.."},
    {F_PATH, "/srv\"; } EXPORT { Path = \"/"},
    {F_PATH, "/srv'x"},
    {F_PATH, "/srv{x}"},
    {F_PATH, "/srv}"},
    {F_PATH, "/srv;x"},
    {F_PATH, "/srv\nEXPORT"},
    {F_PATH, "/srv\rx"},
    {F_PATH, "/srv\tx"},
    {F_PATH, "/srv\x1b[0m"},
    {F_PATH, "/srv\x7f"},
    {F_PATH, "/srv x"},
    {F_PATH, "/srv#comment"},
    {F_PATH, "/srv:x"},
    {F_PATH, "/srv,x"},
    {F_PATH, "/srv(rw)"},
    {F_PATH, "/srv$(id)"},
    {F_PATH, "/srv`id`"},
    {F_PATH, "/srv\\x"},
    {F_PATH, "/srv/\xc3\xa9"},
    /* pseudo paths */
    {F_PSEUDO, "home"},
    {F_PSEUDO, "/"},
    {F_PSEUDO, "/a/../b"},
    {F_PSEUDO, "/a\";"},
    {F_PSEUDO, ""},
    /* clients */
    {F_CLIENTS, ""},
    {F_CLIENTS, "a,,b"},
    {F_CLIENTS, ",a"},
    {F_CLIENTS, "a b"},
    {F_CLIENTS, "a;b"},
    {F_CLIENTS, "a\"b"},
    {F_CLIENTS, "a(rw,no_root_squash)"},
    {F_CLIENTS, "a}"},
    {F_CLIENTS, "a\n"},
    {F_CLIENTS, "-o"},
    {F_CLIENTS, "x,-u"},
    {F_CLIENTS, "@netgroup"},
    {F_CLIENTS, "a=b"},
    /* words */
    {F_ACCESS, "RW"},
    {F_ACCESS, "rw;"},
    {F_ACCESS, "none"},
    {F_ACCESS, ""},
    {F_SQUASH, "no_squash"},
    {F_SQUASH, "root_squash,insecure"},
    {F_SQUASH, "Root_Squash"},
    /* VIP literals */
    {F_VIP, ""},
    {F_VIP, "198.18.0.256"},
    {F_VIP, "198.18.0"},
    {F_VIP, "198.18.0.1/24"},
    {F_VIP, "198.18.0.1 "},
    {F_VIP, "198.18.0.1;flush ruleset"},
    {F_VIP, "fe80::1%eth0"},
    {F_VIP, "host.example.com"},
    {F_VIP, "::g"},
    {F_VIP, "1.2.3.4}"},
};

static void set_field(SdShare *s, Field f, const char *value)
{
  switch (f) {
  case F_NAME:
    s->name = value;
    break;
  case F_PATH:
    s->path = value;
    break;
  case F_PSEUDO:
    s->pseudo = value;
    break;
  case F_CLIENTS:
    s->clients = value;
    break;
  case F_ACCESS:
    s->access = value;
    break;
  case F_SQUASH:
    s->squash = value;
    break;
  case F_VIP:
    s->vip = value;
    break;
  }
}

static void test_validate_rejects(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(bad_values); i++) {
    SdShare s = good_share();
    g_autoptr(GError) error = NULL;
    set_field(&s, bad_values[i].field, bad_values[i].value);
    if (sd_share_validate(&s, &error))
      g_error("accepted bad value #%zu '%s'", i, bad_values[i].value);
    g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
  }
  /* too long values */
  g_autofree char *long_path = g_strnfill(1100, 'a');
  long_path[0] = '/';
  SdShare s = good_share();
  s.path = long_path;
  g_assert_false(sd_share_validate(&s, NULL));
  g_autofree char *long_clients = g_strnfill(600, 'c');
  s = good_share();
  s.clients = long_clients;
  g_assert_false(sd_share_validate(&s, NULL));
  /* export ids */
  s = good_share();
  s.export_id = 1;
  g_assert_false(sd_share_validate(&s, NULL));
  s.export_id = 65536;
  g_assert_false(sd_share_validate(&s, NULL));
}

static void test_validate_accepts(void)
{
  static const char *const good_clients[] = {
      "*", "198.18.0.7", "198.18.0.0/24", "2001:db8::/64", "*.example.com", "a,b,c", "host_1",
  };
  static const char *const good_vips[] = {"198.18.0.100", "2001:db8::1", "::1"};
  SdShare s = good_share();
  g_assert_true(sd_share_validate(&s, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS(good_clients); i++) {
    s = good_share();
    s.clients = good_clients[i];
    g_assert_true(sd_share_validate(&s, NULL));
  }
  for (gsize i = 0; i < G_N_ELEMENTS(good_vips); i++) {
    s = good_share();
    s.vip = good_vips[i];
    g_assert_true(sd_share_validate(&s, NULL));
  }
  /* optional fields may be NULL, then defaults apply */
  SdShare minimal = {.name = "data", .path = "/srv/data.v2/a_b-c+d@e~f"};
  g_assert_true(sd_share_validate(&minimal, NULL));
  g_autofree char *pseudo_buf = NULL;
  SdShare r;
  sd_share_resolve(&minimal, &r, &pseudo_buf);
  g_assert_cmpstr(r.pseudo, ==, "/data");
  g_assert_cmpstr(r.clients, ==, "*");
  g_assert_cmpstr(r.access, ==, "rw");
  g_assert_cmpstr(r.squash, ==, "root_squash");
  g_assert_cmpuint(r.export_id, ==, sd_share_default_export_id("data"));
  /* an explicit export id wins */
  minimal.export_id = 4242;
  g_autofree char *pseudo_buf2 = NULL;
  sd_share_resolve(&minimal, &r, &pseudo_buf2);
  g_assert_cmpuint(r.export_id, ==, 4242);
}

static void test_export_id(void)
{
  /* Fixed values: these ids are in file handles on clients, so they must never change between
   * releases.  The literals were computed with an independent FNV-1a (Python). */
  guint32 h = 2166136261u;
  for (const char *p = "home"; *p; p++) {
    h ^= (unsigned char)*p;
    h *= 16777619u;
  }
  g_assert_cmpuint(sd_share_default_export_id("home"), ==, h % 65533u + 2u);
  g_assert_cmpuint(sd_share_default_export_id(""), ==, 2166136261u % 65533u + 2u);
  g_assert_cmpuint(sd_share_default_export_id("home"), ==, 15089);
  g_assert_cmpuint(sd_share_default_export_id("data"), ==, 27654);

  /* range and spread over many names */
  g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (guint i = 0; i < 1000; i++) {
    g_autofree char *name = g_strdup_printf("share%u", i);
    guint32 id = sd_share_default_export_id(name);
    g_assert_cmpuint(id, >=, 2);
    g_assert_cmpuint(id, <=, 65534);
    g_assert_cmpuint(id, ==, sd_share_default_export_id(name));
    g_hash_table_add(seen, GUINT_TO_POINTER(id));
  }
  /* birthday bound for 1000 in 65533: ~7 collisions expected */
  g_assert_cmpuint(g_hash_table_size(seen), >, 980);
}

static void assert_journal(SdDriver *d, const char *const *expected)
{
  GPtrArray *j = sd_driver_fake_journal(d);
  guint n = g_strv_length((char **)expected);
  for (guint i = 0; i < MIN(n, j->len); i++)
    g_assert_cmpstr(j->pdata[i], ==, expected[i]);
  g_assert_cmpuint(j->len, ==, n);
}

static void test_fake_backend(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdDriver) d = sd_driver_new("fake", 1000, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(sd_driver_backend(d), ==, "fake");
  SdShare s = good_share();
  gboolean present = TRUE;

  sd_driver_invalidate_cache();
  g_assert_true(sd_driver_block_traffic(d, "198.18.0.100", &error));
  g_assert_true(sd_driver_enable_local_counter(d, &error));
  g_assert_true(sd_driver_enable_share(d, &s, &error));
  g_assert_true(sd_driver_disable_local_counter(d, &error));
  g_assert_cmpuint(sd_driver_local_shares(d), ==, 1);
  g_assert_true(sd_driver_allow_traffic(d, "198.18.0.100", &error));
  g_assert_true(sd_driver_enable_failover(d, "198.18.0.100", &error));
  g_assert_true(sd_driver_share_present(d, &s, 1000, &present, &error));
  g_assert_true(present);
  g_assert_true(sd_driver_enable_transition(d, "198.18.0.100", &error));
  g_assert_true(sd_driver_disable_share(d, &s, &error));
  g_assert_no_error(error);
  g_assert_true(sd_driver_share_present(d, &s, 1000, &present, &error));
  g_assert_false(present);
  /* idempotent disable: nothing to remove is fine, the listing says it is gone */
  g_assert_true(sd_driver_disable_share(d, &s, &error));
  /* counter was off: the count is unchanged */
  g_assert_cmpuint(sd_driver_local_shares(d), ==, 1);

  const char *const expected[] = {
      "block_traffic 198.18.0.100",
      "enable_local_counter",
      "enable_share home",
      "disable_local_counter",
      "allow_traffic 198.18.0.100",
      "enable_failover 198.18.0.100",
      "list_exports",
      "enable_transition 198.18.0.100",
      "disable_share home",
      "list_exports",
      "list_exports",
      "disable_share home",
      "list_exports",
      NULL,
  };
  assert_journal(d, expected);
}

static void test_fake_errors(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdDriver) d = sd_driver_new("fake", 0, NULL);
  SdShare s = good_share();

  g_assert_null(sd_driver_new("nfs-kernel", 0, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
  g_clear_error(&error);

  /* invalid shares and VIPs never reach the backend */
  s.path = "/srv\";";
  g_assert_false(sd_driver_enable_share(d, &s, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_false(sd_driver_allow_traffic(d, "1.2.3.4; flush ruleset", &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_false(sd_driver_enable_failover(d, "not-an-ip", &error));
  g_clear_error(&error);
  g_assert_cmpuint(sd_driver_fake_journal(d)->len, ==, 0);

  /* injected failure: once */
  s = good_share();
  sd_driver_fake_fail_next(d, "enable_share");
  g_assert_false(sd_driver_enable_share(d, &s, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED);
  g_clear_error(&error);
  g_assert_true(sd_driver_enable_share(d, &s, &error));
  /* a failing removal is reported when the share is still there */
  sd_driver_fake_fail_next(d, "disable_share");
  g_assert_false(sd_driver_disable_share(d, &s, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED);
  g_clear_error(&error);
}

static void test_cache(void)
{
  g_autoptr(SdDriver) d = sd_driver_new("fake", 0, NULL);
  g_autoptr(GError) error = NULL;
  SdShare a = good_share();
  SdShare b = good_share();
  b.name = "other";
  b.path = "/srv/other";
  gboolean present;

  sd_driver_invalidate_cache();
  g_assert_true(sd_driver_enable_share(d, &a, &error));
  g_ptr_array_set_size(sd_driver_fake_journal(d), 0);
  /* many shares, one listing */
  for (int i = 0; i < 50; i++) {
    g_assert_true(sd_driver_share_present(d, &a, 60000, &present, &error));
    g_assert_true(present);
    g_assert_true(sd_driver_share_present(d, &b, 60000, &present, &error));
    g_assert_false(present);
  }
  g_assert_cmpuint(sd_driver_fake_journal(d)->len, ==, 1);
  /* max_age 0: always fresh */
  g_usleep(2000);
  g_assert_true(sd_driver_share_present(d, &a, 0, &present, &error));
  g_assert_cmpuint(sd_driver_fake_journal(d)->len, ==, 2);
  /* enable invalidates the cached listing */
  g_assert_true(sd_driver_enable_share(d, &b, &error));
  g_assert_true(sd_driver_share_present(d, &b, 60000, &present, &error));
  g_assert_true(present);
  /* a listing failure is reported, not cached */
  sd_driver_invalidate_cache();
  sd_driver_fake_fail_next(d, "list_exports");
  g_assert_false(sd_driver_share_present(d, &a, 60000, &present, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED);
}

typedef struct {
  SdDriver *driver;
  int ok;
} ThreadArg;

static gpointer cache_thread(gpointer data)
{
  ThreadArg *arg = data;
  SdShare s = good_share();
  for (int i = 0; i < 200; i++) {
    gboolean present = FALSE;
    if (sd_driver_share_present(arg->driver, &s, 50, &present, NULL) && present)
      g_atomic_int_inc(&arg->ok);
  }
  return NULL;
}

static void test_cache_threads(void)
{
  g_autoptr(SdDriver) d = sd_driver_new("fake", 0, NULL);
  SdShare s = good_share();
  ThreadArg arg = {d, 0};
  GThread *threads[8];

  sd_driver_invalidate_cache();
  g_assert_true(sd_driver_enable_share(d, &s, NULL));
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    threads[i] = g_thread_new("cache", cache_thread, &arg);
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    g_thread_join(threads[i]);
  g_assert_cmpint(arg.ok, ==, 8 * 200);
  sd_driver_invalidate_cache();
}

/* The recovery layout setting is validated like an export path: it ends up in symlinks on the
 * shared storage. */
static void test_set_recovery(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdDriver) drv = sd_driver_new("fake", 1000, &error);
  g_assert_no_error(error);
  g_assert_true(sd_driver_set_recovery(drv, "/srv/nfs/.recovery", "node1", &error));
  g_assert_no_error(error);
  g_assert_true(sd_driver_set_recovery(drv, NULL, NULL, &error)); /* off */
  g_assert_true(sd_driver_set_recovery(drv, "", "node1", &error));
  const char *bad_roots[] = {"relative/dir", "/srv/../etc", "/srv/nfs\"",
                             "/srv/nfs x",   "/srv/{nfs}",  "/srv/nfs;rm"};
  for (guint i = 0; i < G_N_ELEMENTS(bad_roots); i++) {
    g_assert_false(sd_driver_set_recovery(drv, bad_roots[i], "node1", &error));
    g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
    g_clear_error(&error);
  }
  const char *bad_nodes[] = {"", "../node1", "node 1", "-n", ".hidden"};
  for (guint i = 0; i < G_N_ELEMENTS(bad_nodes); i++) {
    g_assert_false(sd_driver_set_recovery(drv, "/srv/nfs/.recovery", bad_nodes[i], &error));
    g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
    g_clear_error(&error);
  }
  g_assert_false(sd_driver_set_recovery(drv, "/srv/nfs/.recovery", NULL, &error));
  g_clear_error(&error);
}

/* Where the depth-10 probe may go: only to a VIP this host holds. */
static void test_address_is_local(void)
{
  g_assert_true(sd_probe_address_is_local("127.0.0.1"));
  g_assert_false(sd_probe_address_is_local("192.0.2.1")); /* TEST-NET-1, never configured */
  g_assert_false(sd_probe_address_is_local("2001:db8::1"));
  g_assert_false(sd_probe_address_is_local("not-an-address"));
  g_assert_false(sd_probe_address_is_local(""));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sd-driver/validate/rejects", test_validate_rejects);
  g_test_add_func("/sd-driver/validate/accepts", test_validate_accepts);
  g_test_add_func("/sd-driver/export-id", test_export_id);
  g_test_add_func("/sd-driver/fake/sequence", test_fake_backend);
  g_test_add_func("/sd-driver/fake/errors", test_fake_errors);
  g_test_add_func("/sd-driver/cache/shared", test_cache);
  g_test_add_func("/sd-driver/cache/threads", test_cache_threads);
  g_test_add_func("/sd-driver/probe/address-is-local", test_address_is_local);
  g_test_add_func("/sd-driver/recovery/validation", test_set_recovery);
  return g_test_run();
}
