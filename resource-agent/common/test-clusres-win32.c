/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clusres-win32: every status resapi.h defines has its name and text, and the description
 * an admin reads has both. */
#undef NDEBUG
#include "clusres-win32.h"

#include <glib.h>
#include <string.h>

/* The header is the list: every "#define ERROR_X Nu" (and NO_ERROR, WAIT_TIMEOUT) in resapi.h
 * must be in the table under its own name or, for NO_ERROR, ERROR_SUCCESS's. */
static void test_header_covered(void)
{
  const char *header = g_getenv("CLUSRES_TEST_RESAPI_H");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) re = g_regex_new("^#define ((?:ERROR|WAIT)_[A-Z_]+|NO_ERROR) ([0-9]+)u$",
                                     G_REGEX_MULTILINE, 0, &error);
  g_autoptr(GMatchInfo) m = NULL;
  guint seen = 0;

  g_assert_nonnull(header);
  g_assert_true(g_file_get_contents(header, &text, NULL, &error));
  g_assert_no_error(error);
  g_regex_match(re, text, 0, &m);
  for (; g_match_info_matches(m); g_match_info_next(m, NULL)) {
    g_autofree char *name = g_match_info_fetch(m, 1);
    g_autofree char *num = g_match_info_fetch(m, 2);
    DWORD code = (DWORD)g_ascii_strtoull(num, NULL, 10);
    if (strcmp(name, "WAIT_OBJECT_0") == 0)
      continue; /* a wait result, not a status */
    const char *want = strcmp(name, "NO_ERROR") == 0 ? "ERROR_SUCCESS" : name;
    g_test_message("%s = %u", name, code);
    g_assert_cmpstr(clusres_win32_name(code), ==, want);
    const char *t = clusres_win32_text(code);
    g_assert_nonnull(t);
    g_assert_true(g_str_has_suffix(t, "."));
    seen++;
  }
  g_assert_cmpuint(seen, >=, 30); /* the pattern did find the list */
}

static void test_describe(void)
{
  char buf[CLUSRES_WIN32_DESCRIBE_MAX];

  g_assert_cmpstr(clusres_win32_describe(ERROR_PATH_NOT_FOUND, buf, sizeof buf), ==,
                  "ERROR_PATH_NOT_FOUND (3): The system cannot find the path specified.");
  g_assert_cmpstr(clusres_win32_describe(5080, buf, sizeof buf), ==,
                  "ERROR_CLUSTER_RESNAME_NOT_FOUND (5080): The cluster resource (type) could not "
                  "be found.");
  g_assert_cmpstr(clusres_win32_describe(12345, buf, sizeof buf), ==, "status 12345");
  g_assert_null(clusres_win32_name(12345));
  g_assert_null(clusres_win32_text(12345));
  /* cut, never overrun */
  char small[8];
  g_assert_cmpstr(clusres_win32_describe(ERROR_ACCESS_DENIED, small, sizeof small), ==, "ERROR_A");
}

/* The longest description fits the documented buffer. */
static void test_max(void)
{
  for (DWORD c = 0; c < 6000; c++) {
    const char *n = clusres_win32_name(c);
    if (n == NULL)
      continue;
    g_autofree char *d = g_strdup_printf("%s (%u): %s", n, c, clusres_win32_text(c));
    g_assert_cmpuint(strlen(d), <, CLUSRES_WIN32_DESCRIBE_MAX);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/clusres-win32/header-covered", test_header_covered);
  g_test_add_func("/clusres-win32/describe", test_describe);
  g_test_add_func("/clusres-win32/max", test_max);
  return g_test_run();
}
