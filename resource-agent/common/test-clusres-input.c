/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The input rules the agent and the host share: what passes, what is refused, and the
 * messages that name it. */
#include "clusres-input.h"

#include <string.h>

#undef NDEBUG

static void expect_refused(gboolean ok, GError *error, const char *needle)
{
  g_assert_false(ok);
  g_assert_error(error, CLUSRES_INPUT_ERROR, CLUSRES_INPUT_ERROR_INVALID);
  g_assert_true(g_utf8_validate(error->message, -1, NULL));
  if (strstr(error->message, needle) == NULL)
    g_error("message \"%s\" lacks \"%s\"", error->message, needle);
}

static void test_text(void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true(clusres_input_check_text("OCF_RESKEY_Label", "caf\xc3\xa9", &error));
  g_assert_no_error(error);
  /* Refused, not repaired: the message shows U+FFFD, never the bytes. */
  gboolean ok = clusres_input_check_text("OCF_RESKEY_Label", "bad\xff", &error);
  expect_refused(ok, error, "OCF_RESKEY_Label \"bad\xef\xbf\xbd\" is not valid UTF-8");
}

static void test_names(void)
{
  static const char *const good[] = {"r1",        "web-1", "clone:0", "[Invalid UTF-8]",
                                     "n\xc3\xa9", "a b"};
  static const char *const bad[] = {"", "a/b", "bad\xff", "tab\there", "nl\n"};
  g_autofree char *longest = g_strnfill(CLUSRES_INPUT_NAME_MAX, 'x');
  g_autofree char *too_long = g_strnfill(CLUSRES_INPUT_NAME_MAX + 1, 'x');

  for (gsize i = 0; i < G_N_ELEMENTS(good); i++)
    g_assert_true(clusres_input_check_name("resource", good[i], NULL));
  g_assert_true(clusres_input_check_name("resource", longest, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    gboolean ok = clusres_input_check_name("OCF_RESOURCE_INSTANCE", bad[i], &error);
    expect_refused(ok, error, "OCF_RESOURCE_INSTANCE");
    g_assert_nonnull(strstr(error->message, "printable UTF-8, no '/'"));
  }
  g_autoptr(GError) error = NULL;
  gboolean ok = clusres_input_check_name("resource", too_long, &error);
  expect_refused(ok, error, "1-128 bytes");
}

static void test_param_names(void)
{
  static const char *const good[] = {"Path", "share_name", "_x", "Weight2", "A"};
  /* The names the state record lost or mangled, and what no shell can name. */
  static const char *const bad[] = {" Label", "Label ", "#x",  "x#",  "a=b",       "[g]",
                                    "",       "2x",     "a-b", "a.b", "n\xc3\xa9", "bad\xff"};
  g_autofree char *longest = g_strnfill(CLUSRES_INPUT_NAME_MAX, 'p');
  g_autofree char *too_long = g_strnfill(CLUSRES_INPUT_NAME_MAX + 1, 'p');

  for (gsize i = 0; i < G_N_ELEMENTS(good); i++)
    g_assert_true(clusres_input_check_param_name("params", good[i], NULL));
  g_assert_true(clusres_input_check_param_name("params", longest, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    gboolean ok = clusres_input_check_param_name("OCF_RESKEY_", bad[i], &error);
    expect_refused(ok, error, "is not a valid parameter name (a letter or '_'");
  }
  g_autoptr(GError) error = NULL;
  gboolean ok = clusres_input_check_param_name("params", too_long, &error);
  expect_refused(ok, error, "at most 128 bytes");
}

static void test_meta(void)
{
  static const struct {
    const char *key, *value;
    gboolean ok;
    const char *needle;
  } rows[] = {
      {"looks_alive_interval", "1", TRUE, NULL},
      {"looks_alive_interval", "0", FALSE, "(1 to 4294967295)"},
      {"is_alive_interval", "-5", FALSE, "is_alive_interval=\"-5\""},
      {"pending_timeout", "9", FALSE, "(10 to"},
      {"deadlock_timeout", "4294967296", FALSE, "deadlock_timeout"},
      {"close_delay", "0", TRUE, NULL},
      {"close_delay", " 5", FALSE, "close_delay"},
      {"separate_monitor", "true", TRUE, NULL},
      {"separate_monitor", "false", TRUE, NULL},
      {"separate_monitor", "banana", FALSE, "meta separate_monitor=\"banana\" is not a boolean"},
      /* The host takes the one spelling the agent sends. */
      {"separate_monitor", "yes", FALSE, "(true or false)"},
      {"separate_monitor", "TRUE", FALSE, "(true or false)"},
      {"on_node", "node-2", TRUE, NULL},
      {"on_node", "", TRUE, NULL},
      {"on_node", "a/b", FALSE, "meta on_node \"a/b\""},
      {"colour", "red", FALSE, "meta colour=\"red\": not a known key (known: looks_alive_interval"},
      {" close_delay", "5", FALSE, "not a known key"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
    g_autoptr(GError) error = NULL;
    gboolean ok = clusres_input_check_meta("meta ", rows[i].key, rows[i].value, &error);
    if (rows[i].ok) {
      g_assert_no_error(error);
      g_assert_true(ok);
    } else {
      expect_refused(ok, error, rows[i].needle);
    }
  }
  g_assert_cmpint(clusres_input_meta_kind("close_delay"), ==, CLUSRES_META_MS);
  g_assert_cmpint(clusres_input_meta_kind("separate_monitor"), ==, CLUSRES_META_BOOL);
  g_assert_cmpint(clusres_input_meta_kind("on_node"), ==, CLUSRES_META_NODE);
  g_assert_cmpint(clusres_input_meta_kind("Path"), ==, CLUSRES_META_NONE);
}

static void test_bool(void)
{
  static const char *const yes[] = {"true", "TRUE", "yes", "on", "1", "y", "Y"};
  static const char *const no[] = {"false", "No", "off", "0", "n"};
  static const char *const neither[] = {"", "2", "banana", "tru", " true"};
  gboolean b;

  for (gsize i = 0; i < G_N_ELEMENTS(yes); i++)
    g_assert_true(clusres_input_parse_bool(yes[i], &b) && b);
  for (gsize i = 0; i < G_N_ELEMENTS(no); i++)
    g_assert_true(clusres_input_parse_bool(no[i], &b) && !b);
  for (gsize i = 0; i < G_N_ELEMENTS(neither); i++)
    g_assert_false(clusres_input_parse_bool(neither[i], &b));
  /* What the agent sends passes the host's strict check. */
  g_assert_true(
      clusres_input_check_meta("meta ", "separate_monitor", clusres_input_bool_text(TRUE), NULL));
  g_assert_true(
      clusres_input_check_meta("meta ", "separate_monitor", clusres_input_bool_text(FALSE), NULL));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/clusres-input/text", test_text);
  g_test_add_func("/clusres-input/names", test_names);
  g_test_add_func("/clusres-input/param-names", test_param_names);
  g_test_add_func("/clusres-input/meta", test_meta);
  g_test_add_func("/clusres-input/bool", test_bool);
  return g_test_run();
}
