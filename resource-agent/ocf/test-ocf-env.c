/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Environment parsing with fake environments: what goes where, and what is refused. */
#include "ocf-env.h"

#include <string.h>

#undef NDEBUG

static OcfEnv *parse_ok(const char *const *envp, const char *const *agent_keys)
{
  g_autoptr(GError) error = NULL;
  OcfEnv *env = ocf_env_parse(envp, agent_keys, &error);

  g_assert_no_error(error);
  g_assert_nonnull(env);
  return env;
}

static void expect_invalid(const char *const *envp, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfEnv) env = ocf_env_parse(envp, NULL, &error);

  g_assert_null(env);
  g_assert_error(error, OCF_ENV_ERROR, OCF_ENV_ERROR_INVALID);
  if (strstr(error->message, needle) == NULL)
    g_error("message \"%s\" does not name \"%s\"", error->message, needle);
}

static void test_split(void)
{
  const char *const envp[] = {
      "PATH=/usr/bin",
      "OCF_RESOURCE_INSTANCE=web-1",
      "OCF_RESKEY_CommandLine=/bin/sleep 100",
      "OCF_RESKEY_looks_alive_interval=2000",
      "OCF_RESKEY_separate_monitor=yes",
      "OCF_RESKEY_CRM_meta_timeout=90000",
      "OCF_RESKEY_CRM_meta_interval=10000",
      "OCF_RESKEY_CRM_meta_on_node=node2",
      "OCF_RESKEY_CRM_meta_notify=false",
      "OCF_RESKEY_crm_feature_set=3.16.2",
      "OCF_RESKEY_Value=a=b",
      "OCF_CHECK_LEVEL=10",
      "NOEQUALS",
      NULL,
  };
  g_autoptr(OcfEnv) env = parse_ok(envp, NULL);

  g_assert_cmpstr(env->instance, ==, "web-1");
  g_assert_cmpuint(g_hash_table_size(env->params), ==, 2);
  g_assert_cmpstr(g_hash_table_lookup(env->params, "CommandLine"), ==, "/bin/sleep 100");
  g_assert_cmpstr(g_hash_table_lookup(env->params, "Value"), ==, "a=b");
  g_assert_cmpuint(g_hash_table_size(env->common), ==, 2);
  g_assert_cmpstr(g_hash_table_lookup(env->common, "looks_alive_interval"), ==, "2000");
  g_assert_true(env->separate);
  /* Pacemaker's "yes" goes to the host as the one spelling it takes. */
  g_assert_cmpstr(g_hash_table_lookup(env->common, "separate_monitor"), ==, "true");
  g_assert_cmpuint(env->timeout_ms, ==, 90000);
  g_assert_cmpuint(env->interval_ms, ==, 10000);
  g_assert_cmpstr(env->on_node, ==, "node2");
  g_assert_cmpstr(g_hash_table_lookup(env->crm_meta, "notify"), ==, "false");
  g_assert_cmpstr(g_hash_table_lookup(env->crm_meta, "crm_feature_set"), ==, "3.16.2");
  g_assert_cmpuint(env->check_level, ==, 10);
}

static void test_defaults(void)
{
  const char *const envp[] = {NULL};
  g_autoptr(OcfEnv) env = parse_ok(envp, NULL);

  g_assert_null(env->instance);
  g_assert_cmpuint(env->timeout_ms, ==, OCF_ENV_DEFAULT_TIMEOUT_MS);
  g_assert_cmpuint(env->interval_ms, ==, 0);
  g_assert_null(env->on_node);
  g_assert_cmpuint(env->check_level, ==, 0);
  g_assert_false(env->separate);
}

static void test_agent_keys(void)
{
  const char *const keys[] = {"dll", "type", NULL};
  const char *const envp[] = {"OCF_RESKEY_dll=/x/y.so", "OCF_RESKEY_type=ocftest",
                              "OCF_RESKEY_Path=/tmp/m", NULL};
  g_autoptr(OcfEnv) env = parse_ok(envp, keys);

  g_assert_cmpstr(ocf_env_agent_param(env, "dll"), ==, "/x/y.so");
  g_assert_cmpstr(ocf_env_agent_param(env, "type"), ==, "ocftest");
  g_assert_cmpuint(g_hash_table_size(env->params), ==, 1);
  g_assert_false(g_hash_table_contains(env->params, "dll"));
}

static void test_check_levels(void)
{
  static const struct {
    const char *value;
    guint expect;
  } rows[] = {{"0", 0}, {"5", 0}, {"10", 10}, {"15", 10}, {"20", 20}, {"99", 20}};

  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
    g_autofree char *var = g_strconcat("OCF_CHECK_LEVEL=", rows[i].value, NULL);
    const char *const envp[] = {var, NULL};
    g_autoptr(OcfEnv) env = parse_ok(envp, NULL);
    g_assert_cmpuint(env->check_level, ==, rows[i].expect);
  }
}

static void test_invalid(void)
{
  const char *const a[] = {"OCF_RESKEY_pending_timeout=soon", NULL};
  const char *const b[] = {"OCF_RESKEY_is_alive_interval=-5", NULL};
  const char *const c[] = {"OCF_RESKEY_separate_monitor=maybe", NULL};
  const char *const d[] = {"OCF_RESKEY_CRM_meta_timeout=20s", NULL};
  const char *const e[] = {"OCF_CHECK_LEVEL=deep", NULL};
  const char *const f[] = {"OCF_RESKEY_deadlock_timeout=99999999999", NULL};
  const char *const g[] = {"OCF_RESKEY_=x", NULL};

  expect_invalid(a, "OCF_RESKEY_pending_timeout");
  expect_invalid(b, "OCF_RESKEY_is_alive_interval");
  expect_invalid(c, "OCF_RESKEY_separate_monitor");
  expect_invalid(d, "OCF_RESKEY_CRM_meta_timeout");
  expect_invalid(e, "OCF_CHECK_LEVEL");
  expect_invalid(f, "OCF_RESKEY_deadlock_timeout");
  expect_invalid(g, "OCF_RESKEY_");
}

static void test_bool(void)
{
  static const struct {
    const char *value;
    const char *sent;
  } rows[] = {{"TRUE", "true"}, {"off", "false"}, {"1", "true"}, {"n", "false"}};

  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
    g_autofree char *var = g_strconcat("OCF_RESKEY_separate_monitor=", rows[i].value, NULL);
    const char *const envp[] = {var, NULL};
    g_autoptr(OcfEnv) env = parse_ok(envp, NULL);
    g_assert_cmpstr(g_hash_table_lookup(env->common, "separate_monitor"), ==, rows[i].sent);
    g_assert_true(env->separate == (strcmp(rows[i].sent, "true") == 0));
  }
  const char *const two[] = {"OCF_RESKEY_separate_monitor=2", NULL};
  const char *const banana[] = {"OCF_RESKEY_separate_monitor=banana", NULL};
  const char *const empty[] = {"OCF_RESKEY_separate_monitor=", NULL};
  expect_invalid(two, "OCF_RESKEY_separate_monitor=\"2\" is not a boolean");
  expect_invalid(banana, "OCF_RESKEY_separate_monitor=\"banana\" is not a boolean");
  expect_invalid(empty, "OCF_RESKEY_separate_monitor");
  g_assert_true(ocf_env_is_common("deadlock_timeout"));
  g_assert_false(ocf_env_is_common("CommandLine"));
  g_assert_false(ocf_env_is_common("on_node"));
}

/* The host's minimums apply here already: the agent refuses what the host would. */
static void test_common_minimums(void)
{
  const char *const a[] = {"OCF_RESKEY_looks_alive_interval=0", NULL};
  const char *const b[] = {"OCF_RESKEY_pending_timeout=9", NULL};
  const char *const c[] = {"OCF_RESKEY_close_delay=0", NULL};

  expect_invalid(a, "OCF_RESKEY_looks_alive_interval=\"0\" is not a number of milliseconds (1 to");
  expect_invalid(b, "OCF_RESKEY_pending_timeout=\"9\" is not a number of milliseconds (10 to");
  g_autoptr(OcfEnv) env = parse_ok(c, NULL);
  g_assert_cmpstr(g_hash_table_lookup(env->common, "close_delay"), ==, "0");
}

/* Bytes that are not UTF-8 are refused wherever they are, never replaced: two different bad
 * resource ids used to reach the host as the same "[Invalid UTF-8]". */
static void test_invalid_utf8(void)
{
  const char *const id1[] = {"OCF_RESOURCE_INSTANCE=bad\xff", NULL};
  const char *const id2[] = {"OCF_RESOURCE_INSTANCE=bad\xfe", NULL};
  const char *const value[] = {"OCF_RESOURCE_INSTANCE=r1", "OCF_RESKEY_Label=caf\xe9", NULL};
  const char *const name[] = {"OCF_RESKEY_L\xff"
                              "abel=x",
                              NULL};
  const char *const meta[] = {"OCF_RESKEY_CRM_meta_on_node=n\xff", NULL};
  const char *const dll[] = {"OCF_RESKEY_dll=/x/\xff.so", NULL};

  expect_invalid(id1, "OCF_RESOURCE_INSTANCE \"bad\xef\xbf\xbd\" is not a valid name");
  expect_invalid(id2, "OCF_RESOURCE_INSTANCE");
  expect_invalid(value, "OCF_RESKEY_Label \"caf\xef\xbf\xbd\" is not valid UTF-8");
  expect_invalid(name, "environment variable \"OCF_RESKEY_L\xef\xbf\xbd"
                       "abel\"");
  expect_invalid(meta, "OCF_RESKEY_CRM_meta_on_node");
  expect_invalid(dll, "OCF_RESKEY_dll");
  /* The host's other name rules too. */
  const char *const slash[] = {"OCF_RESOURCE_INSTANCE=a/b", NULL};
  expect_invalid(slash, "no '/'");
  const char *const ok[] = {"OCF_RESOURCE_INSTANCE=caf\xc3\xa9:0", "OCF_RESKEY_Label=\xc3\xa9",
                            NULL};
  g_autoptr(OcfEnv) env = parse_ok(ok, NULL);
  g_assert_cmpstr(env->instance, ==, "caf\xc3\xa9:0");
}

/* Parameter names the host's state record cannot keep (a key file drops leading and trailing
 * blanks and reads "#x=1" as a comment) or no shell can name are refused. */
static void test_param_names(void)
{
  static const char *const bad[] = {"OCF_RESKEY_ Label=x", "OCF_RESKEY_Label =x",
                                    "OCF_RESKEY_#x=1",     "OCF_RESKEY_a[b]=1",
                                    "OCF_RESKEY_a-b=1",    "OCF_RESKEY_9lives=1"};

  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    const char *const envp[] = {bad[i], NULL};
    expect_invalid(envp, "is not a valid parameter name (a letter or '_'");
  }
  const char *const good[] = {"OCF_RESKEY_share_name=x", "OCF_RESKEY__private=y", NULL};
  g_autoptr(OcfEnv) env = parse_ok(good, NULL);
  g_assert_cmpuint(g_hash_table_size(env->params), ==, 2);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ocf-env/split", test_split);
  g_test_add_func("/ocf-env/defaults", test_defaults);
  g_test_add_func("/ocf-env/agent-keys", test_agent_keys);
  g_test_add_func("/ocf-env/check-levels", test_check_levels);
  g_test_add_func("/ocf-env/invalid", test_invalid);
  g_test_add_func("/ocf-env/bool", test_bool);
  g_test_add_func("/ocf-env/common-minimums", test_common_minimums);
  g_test_add_func("/ocf-env/invalid-utf8", test_invalid_utf8);
  g_test_add_func("/ocf-env/param-names", test_param_names);
  return g_test_run();
}
