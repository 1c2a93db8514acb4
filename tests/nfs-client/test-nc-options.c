/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nc-options.h"

/* Parses a NULL-terminated argument list; returns the error message, or NULL if accepted. */
static char *parse(NcOptions *o, const char *first, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, (gpointer) "clusres-nfs-client");
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
    g_ptr_array_add(args, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(args, NULL);
  g_autoptr(GError) error = NULL;
  if (nc_options_parse(o, (int)args->len - 1, (char **)args->pdata, &error))
    return NULL;
  return g_strdup(error->message);
}

#define BASE "--server", "198.18.0.10", "--export", "/data", "--file", "f"

static void test_defaults(void)
{
  NcOptions o;
  g_autofree char *err = parse(&o, BASE, NULL);
  g_assert_null(err);
  g_assert_cmpstr(o.server, ==, "198.18.0.10");
  g_assert_cmpint(o.interval_ms, ==, 100);
  g_assert_cmpint(o.timeout_ms, ==, 2000);
  g_assert_cmpint(o.connect_timeout_ms, ==, 200);
  g_assert_cmpuint(o.records, ==, 0);
  g_assert_true(o.duration_s == 0);
  g_assert_null(o.report_path);
  g_assert_true(g_str_has_prefix(o.client_id, "nc-"));
  nc_options_clear(&o);
}

static void test_all(void)
{
  NcOptions o;
  g_autofree char *err = parse(&o, BASE, "--interval-ms", "250", "--duration", "1.5", "--records",
                               "10", "--report", "/tmp/x.json", "--id", "c1", NULL);
  g_assert_null(err);
  g_assert_cmpint(o.interval_ms, ==, 250);
  g_assert_cmpfloat(o.duration_s, ==, 1.5);
  g_assert_cmpuint(o.records, ==, 10);
  g_assert_cmpstr(o.report_path, ==, "/tmp/x.json");
  g_assert_cmpstr(o.client_id, ==, "c1");
  nc_options_clear(&o);
}

static void check_bad(const char *want, char *got)
{
  g_assert_nonnull(got);
  if (g_strstr_len(got, -1, want) == NULL)
    g_error("expected '%s' in '%s'", want, got);
  g_free(got);
}

static void test_errors(void)
{
  NcOptions o;
  check_bad("--server is required", parse(&o, "--export", "/d", "--file", "f", NULL));
  nc_options_clear(&o);
  check_bad("--export is required", parse(&o, "--server", "s", "--file", "f", NULL));
  nc_options_clear(&o);
  check_bad("absolute", parse(&o, "--server", "s", "--export", "data", "--file", "f", NULL));
  nc_options_clear(&o);
  check_bad("'..'", parse(&o, "--server", "s", "--export", "/a/..", "--file", "f", NULL));
  nc_options_clear(&o);
  check_bad("--file is required", parse(&o, "--server", "s", "--export", "/d", NULL));
  nc_options_clear(&o);
  check_bad("plain file name", parse(&o, "--server", "s", "--export", "/d", "--file", "a/b", NULL));
  nc_options_clear(&o);
  check_bad("host name", parse(&o, "--server", "a/b", "--export", "/d", "--file", "f", NULL));
  nc_options_clear(&o);
  check_bad("out of range", parse(&o, BASE, "--interval-ms", "5", NULL));
  nc_options_clear(&o);
  check_bad("Cannot parse integer", parse(&o, BASE, "--interval-ms", "fast", NULL));
  nc_options_clear(&o);
  check_bad("--duration", parse(&o, BASE, "--duration", "-1", NULL));
  nc_options_clear(&o);
  check_bad("--records '0'", parse(&o, BASE, "--records", "0", NULL));
  nc_options_clear(&o);
  check_bad("--records 'x'", parse(&o, BASE, "--records", "x", NULL));
  nc_options_clear(&o);
  check_bad("whole seconds", parse(&o, BASE, "--timeout-ms", "1500", NULL));
  nc_options_clear(&o);
  check_bad("out of range", parse(&o, BASE, "--connect-timeout-ms", "50", NULL));
  nc_options_clear(&o);
  check_bad("--id", parse(&o, BASE, "--id", "has space", NULL));
  nc_options_clear(&o);
  check_bad("--id", parse(&o, BASE, "--id", "0123456789012345678901234567890123456", NULL));
  nc_options_clear(&o);
  check_bad("unexpected argument 'extra'", parse(&o, BASE, "extra", NULL));
  nc_options_clear(&o);
  check_bad("Unknown option", parse(&o, BASE, "--bogus", NULL));
  nc_options_clear(&o);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/nc-options/defaults", test_defaults);
  g_test_add_func("/nc-options/all", test_all);
  g_test_add_func("/nc-options/errors", test_errors);
  return g_test_run();
}
