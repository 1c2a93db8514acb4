/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gstdio.h>

#include "sd-driver.h"
#include "sd-epoch.h"

#include <string.h>

typedef struct {
  char *dir;
} Fixture;

static void setup(Fixture *f, gconstpointer unused)
{
  f->dir = g_dir_make_tmp("sd-epoch-XXXXXX", NULL);
  g_assert_nonnull(f->dir);
}

static void teardown(Fixture *f, gconstpointer unused)
{
  g_autofree char *file = g_build_filename(f->dir, SD_EPOCH_FILE, NULL);
  g_autofree char *lock = g_build_filename(f->dir, SD_EPOCH_LOCK, NULL);
  (void)g_unlink(file);
  (void)g_unlink(lock);
  g_assert_cmpint(g_rmdir(f->dir), ==, 0);
  g_free(f->dir);
}

static guint32 next(Fixture *f, guint64 now)
{
  g_autoptr(GError) error = NULL;
  guint32 e = 0;
  g_assert_true(sd_epoch_next(f->dir, now, &e, &error));
  g_assert_no_error(error);
  return e;
}

static char *counter(Fixture *f)
{
  g_autofree char *file = g_build_filename(f->dir, SD_EPOCH_FILE, NULL);
  char *text = NULL;
  g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
  return text;
}

/* Two instances started in the same second (the lab starts both nodes' Ganesha together) get
 * different epochs, and the clock going back never repeats one. */
static void test_increasing(Fixture *f, gconstpointer unused)
{
  g_assert_cmpuint(next(f, 1700000000), ==, 1700000000);
  g_assert_cmpuint(next(f, 1700000000), ==, 1700000001);
  g_assert_cmpuint(next(f, 1600000000), ==, 1700000002);
  g_assert_cmpuint(next(f, 1800000000), ==, 1800000000);
  g_autofree char *text = counter(f);
  g_assert_cmpstr(text, ==, "1800000000\n");
}

/* A counter that is not a number is reported and left as it is: a reset could repeat epochs. */
static void test_corrupt(Fixture *f, gconstpointer unused)
{
  g_autofree char *file = g_build_filename(f->dir, SD_EPOCH_FILE, NULL);
  g_assert_true(g_file_set_contents(file, "12x\n", -1, NULL));
  g_autoptr(GError) error = NULL;
  guint32 e = 7;
  g_assert_false(sd_epoch_next(f->dir, 1700000000, &e, &error));
  g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "does not hold an epoch"));
  g_assert_cmpuint(e, ==, 7);
  g_autofree char *text = counter(f);
  g_assert_cmpstr(text, ==, "12x\n");
}

static void test_exhausted(Fixture *f, gconstpointer unused)
{
  g_assert_cmpuint(next(f, G_MAXUINT32), ==, G_MAXUINT32);
  g_autoptr(GError) error = NULL;
  guint32 e = 0;
  g_assert_false(sd_epoch_next(f->dir, 1, &e, &error));
  g_assert_nonnull(strstr(error->message, "exhausted"));
}

/* Allocations from many threads at once (each its own lock file description, as two nodes'
 * processes are) never hand out the same epoch. */
static gpointer allocate_many(gpointer data)
{
  Fixture *f = data;
  GArray *got = g_array_new(FALSE, FALSE, sizeof(guint32));
  for (int i = 0; i < 50; i++) {
    guint32 e = next(f, 1700000000);
    g_array_append_val(got, e);
  }
  return got;
}

static void test_concurrent(Fixture *f, gconstpointer unused)
{
  GThread *threads[4];
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    threads[i] = g_thread_new("epoch", allocate_many, f);
  g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++) {
    GArray *got = g_thread_join(threads[i]);
    for (guint j = 0; j < got->len; j++) {
      guint32 e = g_array_index(got, guint32, j);
      g_assert_false(g_hash_table_contains(seen, GUINT_TO_POINTER(e)));
      g_hash_table_add(seen, GUINT_TO_POINTER(e));
    }
    g_array_free(got, TRUE);
  }
  g_assert_cmpuint(g_hash_table_size(seen), ==, 200);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add("/sd-epoch/increasing", Fixture, NULL, setup, test_increasing, teardown);
  g_test_add("/sd-epoch/corrupt", Fixture, NULL, setup, test_corrupt, teardown);
  g_test_add("/sd-epoch/exhausted", Fixture, NULL, setup, test_exhausted, teardown);
  g_test_add("/sd-epoch/concurrent", Fixture, NULL, setup, test_concurrent, teardown);
  return g_test_run();
}
