/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Times the share driver against a running NFS-Ganesha (run by run.sh inside a namespace):
 *   bench-sd-ganesha pairs N DIR   enable_share + disable_share of N shares, one after another
 *   bench-sd-ganesha bulk N DIR    enable all N shares, then disable all N
 *   bench-sd-ganesha grace N VIP   enable_failover N times; how long Ganesha stays in grace
 * One SdDriver (one D-Bus connection) for the whole run.  Prints "key value" lines.
 */
#include <glib/gstdio.h>
#include <stdlib.h>

#include "sd-driver.h"
#include "sd-ganesha.h"

static SdShare *make_shares(guint n, const char *dir)
{
  SdShare *shares = g_new0(SdShare, n);
  for (guint i = 0; i < n; i++) {
    char *path = g_strdup_printf("%s/share%04u", dir, i);
    g_mkdir_with_parents(path, 0755);
    shares[i] = (SdShare){
        .name = g_strdup_printf("bench%04u", i),
        .path = path,
        .vip = "198.18.0.10",
        /* explicit ids: hashed ids of 1000 names would collide a few times */
        .export_id = 1000 + i,
    };
  }
  return shares;
}

static void free_shares(SdShare *shares, guint n)
{
  for (guint i = 0; i < n; i++) {
    g_free((char *)shares[i].name);
    g_free((char *)shares[i].path);
  }
  g_free(shares);
}

static void must(gboolean ok, GError *error)
{
  if (!ok)
    g_error("%s", error ? error->message : "failed");
}

static double ms_since(gint64 t0)
{
  return (g_get_monotonic_time() - t0) / 1000.0;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;

  if (argc != 4)
    g_error("usage: %s pairs|bulk|grace N DIR|VIP", argv[0]);
  guint n = (guint)strtoul(argv[2], NULL, 10);
  g_autoptr(SdDriver) d = sd_driver_new("ganesha", 10000, &error);
  must(d != NULL, error);

  if (g_str_equal(argv[1], "grace")) {
    g_autoptr(SdGanesha) g = sd_ganesha_new(10000);
    double *took = g_new(double, n);
    for (guint i = 0; i < n; i++) {
      gboolean grace = TRUE;
      while (sd_ganesha_get_grace(g, &grace, NULL) && grace) /* previous round's grace */
        g_usleep(2000);
      /* Ganesha lifts grace from a periodic thread: start at a random phase of it, or every
       * round would start right after a tick and measure the worst case only. */
      g_usleep((gulong)g_random_int_range(0, 3000) * 1000);
      gint64 t0 = g_get_monotonic_time();
      must(sd_driver_enable_failover(d, argv[3], &error), error);
      do
        must(sd_ganesha_get_grace(g, &grace, &error), error);
      while (grace && (g_usleep(2000), TRUE));
      took[i] = ms_since(t0);
    }
    qsort(took, n, sizeof *took, cmp_double);
    printf("grace_runs %u\ngrace_ms_median %.1f\ngrace_ms_min %.1f\ngrace_ms_max %.1f\n", n,
           took[n / 2], took[0], took[n - 1]);
    g_free(took);
    return 0;
  }

  SdShare *shares = make_shares(n, argv[3]);
  double enable_ms = 0, disable_ms = 0;
  gint64 t_all = g_get_monotonic_time();
  if (g_str_equal(argv[1], "pairs")) {
    for (guint i = 0; i < n; i++) {
      gint64 t0 = g_get_monotonic_time();
      must(sd_driver_enable_share(d, &shares[i], &error), error);
      enable_ms += ms_since(t0);
      t0 = g_get_monotonic_time();
      must(sd_driver_disable_share(d, &shares[i], &error), error);
      disable_ms += ms_since(t0);
    }
  } else {
    gint64 t0 = g_get_monotonic_time();
    for (guint i = 0; i < n; i++)
      must(sd_driver_enable_share(d, &shares[i], &error), error);
    enable_ms = ms_since(t0);
    t0 = g_get_monotonic_time();
    for (guint i = 0; i < n; i++)
      must(sd_driver_disable_share(d, &shares[i], &error), error);
    disable_ms = ms_since(t0);
  }
  double total = ms_since(t_all);
  printf("mode %s\nshares %u\ntotal_ms %.1f\nper_share_ms %.3f\nenable_ms_per_share %.3f\n"
         "disable_ms_per_share %.3f\n",
         argv[1], n, total, total / n, enable_ms / n, disable_ms / n);
  free_shares(shares, n);
  return 0;
}
