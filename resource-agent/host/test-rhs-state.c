/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-state.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static void test_escape(void)
{
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"share1", "share1"},   {"my_res", "my_res"}, {"db 1", "db_201"},
      {"a-b.c", "a_2db_2ec"}, {"1st", "_31st"},     {"\xc3\xa9", "_c3_a9"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *e = rhs_state_escape_name(cases[i].in);
    g_assert_cmpstr(e, ==, cases[i].out);
  }
}

/* A record's file name must fit NAME_MAX with GLib's temporary suffix: "<escaped>.conf.XXXXXX". */
static void test_name_fits(void)
{
  gsize len = 0;
  g_autofree char *letters = g_strnfill(128, 'a');
  g_assert_true(rhs_state_name_fits(letters, &len));
  g_assert_cmpuint(len, ==, 128);
  g_autofree char *dashes = g_strnfill(81, '-'); /* 3 bytes each */
  g_assert_true(rhs_state_name_fits(dashes, &len));
  g_assert_cmpuint(len, ==, RHS_STATE_MAX_ESCAPED);
  g_assert_cmpuint(len + strlen(".conf.XXXXXX"), ==, 255);
  g_autofree char *more = g_strconcat(dashes, "a", NULL);
  g_assert_false(rhs_state_name_fits(more, &len));
  g_assert_cmpuint(len, ==, RHS_STATE_MAX_ESCAPED + 1);
  g_assert_true(rhs_state_name_fits("1\xc3\xa9", &len)); /* a leading digit is escaped too */
  g_assert_cmpuint(len, ==, 9);
}

static void test_dirs(void)
{
  g_setenv("CLUSRES_RUN_DIR", "/x/run", TRUE);
  g_autofree char *main_dir = rhs_state_dir(NULL);
  g_autofree char *sep_dir = rhs_state_dir("db 1");
  g_assert_cmpstr(main_dir, ==, "/x/run/instances");
  g_assert_cmpstr(sep_dir, ==, "/x/run/instances-db_201");
}

static void test_roundtrip(void)
{
  g_autofree char *tmp = g_dir_make_tmp("test-rhs-state-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename(tmp, "instances", NULL);
  RhsStateRecord rec = {
      .name = "web 1",
      .type = "genapp",
      .dll = "/usr/lib/clusres/types/genapp.so",
      .state = "online",
      .params = g_hash_table_new(g_str_hash, g_str_equal),
      .meta = g_hash_table_new(g_str_hash, g_str_equal),
  };
  g_hash_table_insert(rec.params, "CommandLine", "/bin/sleep 100 # ; [x]=y");
  g_hash_table_insert(rec.meta, "on_node", "node1");
  g_autoptr(GError) error = NULL;
  g_assert_true(rhs_state_save(dir, &rec, &error));
  g_assert_no_error(error);
  /* A leftover temporary file of an interrupted save and junk are ignored. */
  g_autofree char *junk = g_build_filename(dir, "half.conf.ABC123", NULL);
  g_assert_true(g_file_set_contents(junk, "[instance", -1, NULL));
  g_autofree char *bad = g_build_filename(dir, "bad.conf", NULL);
  g_assert_true(g_file_set_contents(bad, "[instance]\nname=x\n", -1, NULL));

  g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                        "ignoring incomplete state file*bad.conf");
  g_autoptr(GPtrArray) all = rhs_state_load_all(dir);
  g_test_assert_expected_messages();
  g_unlink(bad);
  g_assert_cmpuint(all->len, ==, 1);
  RhsStateRecord *got = all->pdata[0];
  g_assert_cmpstr(got->name, ==, "web 1");
  g_assert_cmpstr(got->type, ==, "genapp");
  g_assert_cmpstr(got->state, ==, "online");
  g_assert_cmpstr(g_hash_table_lookup(got->params, "CommandLine"), ==, "/bin/sleep 100 # ; [x]=y");
  g_assert_cmpstr(g_hash_table_lookup(got->meta, "on_node"), ==, "node1");

  /* Saving again replaces the record (atomically) instead of adding one. */
  rec.state = "failed";
  g_assert_true(rhs_state_save(dir, &rec, &error));
  g_autoptr(GPtrArray) again = rhs_state_load_all(dir);
  g_assert_cmpuint(again->len, ==, 1);
  g_assert_cmpstr(((RhsStateRecord *)again->pdata[0])->state, ==, "failed");

  /* The longest name that fits is saved and loaded; one byte more is refused, not truncated. */
  g_autofree char *longest = g_strnfill(81, '-');
  RhsStateRecord big = rec;
  big.name = longest;
  g_assert_true(rhs_state_save(dir, &big, &error));
  g_assert_no_error(error);
  g_autofree char *too_long = g_strconcat(longest, "x", NULL);
  big.name = too_long;
  g_assert_false(rhs_state_save(dir, &big, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG);
  g_clear_error(&error);
  g_autoptr(GPtrArray) two = rhs_state_load_all(dir);
  g_assert_cmpuint(two->len, ==, 2);
  g_assert_true(rhs_state_remove(dir, longest, &error));

  g_assert_true(rhs_state_remove(dir, "web 1", &error));
  g_assert_true(rhs_state_remove(dir, "web 1", &error)); /* already gone: fine */
  g_autoptr(GPtrArray) none = rhs_state_load_all(dir);
  g_assert_cmpuint(none->len, ==, 0);
  g_autoptr(GPtrArray) missing = rhs_state_load_all("/nonexistent/dir");
  g_assert_cmpuint(missing->len, ==, 0);

  g_hash_table_unref(rec.params);
  g_hash_table_unref(rec.meta);
  g_unlink(junk);
  g_rmdir(dir);
  g_rmdir(tmp);
}

typedef struct {
  gint started;
  int fd;
  GError *error;
} LockWaiter;

static gpointer lock_waiter(gpointer data)
{
  LockWaiter *w = data;
  g_atomic_int_set(&w->started, 1);
  w->fd = rhs_state_lock(NULL, 60000, &w->error);
  return NULL;
}

/* A host starting while the previous one shuts down (bus name already given up, lock still
 * held) waits for the lock instead of exiting; a lock never let go is still refused. */
static void test_lock_wait(void)
{
  g_autofree char *tmp = g_dir_make_tmp("test-rhs-lockwait-XXXXXX", NULL);
  g_setenv("CLUSRES_RUN_DIR", tmp, TRUE);
  g_autoptr(GError) error = NULL;
  int held = rhs_state_lock(NULL, 0, &error);
  g_assert_no_error(error);
  g_assert_cmpint(rhs_state_lock(NULL, 30, &error), ==, -1);
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_AGAIN);
  g_assert_nonnull(strstr(error->message, "waited 30 ms"));
  g_clear_error(&error);

  LockWaiter w = {0, -1, NULL};
  GThread *t = g_thread_new("lock-waiter", lock_waiter, &w);
  while (!g_atomic_int_get(&w.started))
    g_thread_yield();
  close(held); /* the old host exits */
  g_thread_join(t);
  g_assert_no_error(w.error);
  g_assert_cmpint(w.fd, >=, 0);
  close(w.fd);
  g_autofree char *l1 = g_build_filename(tmp, "rhs.lock", NULL);
  g_unlink(l1);
  g_rmdir(tmp);
}

static void test_lock(void)
{
  g_autofree char *tmp = g_dir_make_tmp("test-rhs-lock-XXXXXX", NULL);
  g_setenv("CLUSRES_RUN_DIR", tmp, TRUE);
  g_autoptr(GError) error = NULL;
  int fd = rhs_state_lock(NULL, 0, &error);
  g_assert_no_error(error);
  g_assert_cmpint(fd, >=, 0);
  /* flock is per open file description: a second open in this process conflicts too. */
  g_assert_cmpint(rhs_state_lock(NULL, 0, &error), ==, -1);
  g_assert_nonnull(error);
  g_clear_error(&error);
  int sep = rhs_state_lock("db 1", 0, &error); /* separate hosts have their own lock */
  g_assert_no_error(error);
  g_assert_cmpint(sep, >=, 0);
  close(fd);
  close(sep);
  int again = rhs_state_lock(NULL, 0, &error);
  g_assert_no_error(error);
  close(again);
  g_autofree char *l1 = g_build_filename(tmp, "rhs.lock", NULL);
  g_autofree char *l2 = g_build_filename(tmp, "rhs-db_201.lock", NULL);
  g_unlink(l1);
  g_unlink(l2);
  g_rmdir(tmp);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/state/escape", test_escape);
  g_test_add_func("/state/name-fits", test_name_fits);
  g_test_add_func("/state/dirs", test_dirs);
  g_test_add_func("/state/roundtrip", test_roundtrip);
  g_test_add_func("/state/lock", test_lock);
  g_test_add_func("/state/lock-wait", test_lock_wait);
  return g_test_run();
}
