/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Environment parsing with fake environments: what goes where, and what is refused. */
#include "ocf-env.h"

#include <string.h>

#undef NDEBUG

static OcfEnv *parse_mode_ok(const char *const *envp, const char *const *agent_keys,
                             OcfEnvMode mode)
{
  g_autoptr(GError) error = NULL;
  OcfEnv *env = ocf_env_parse(envp, agent_keys, mode, &error);

  g_assert_no_error(error);
  g_assert_nonnull(env);
  return env;
}

static OcfEnv *parse_ok(const char *const *envp, const char *const *agent_keys)
{
  OcfEnv *env = parse_mode_ok(envp, agent_keys, OCF_ENV_STRICT);

  g_assert_cmpuint(env->warnings->len, ==, 0);
  return env;
}

static void expect_error(const char *const *envp, OcfEnvMode mode, gint code, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfEnv) env = ocf_env_parse(envp, NULL, mode, &error);

  g_assert_null(env);
  g_assert_error(error, OCF_ENV_ERROR, code);
  if (strstr(error->message, needle) == NULL)
    g_error("message \"%s\" does not name \"%s\"", error->message, needle);
}

static void expect_invalid(const char *const *envp, const char *needle)
{
  expect_error(envp, OCF_ENV_STRICT, OCF_ENV_ERROR_INVALID, needle);
}

/* A bad id is its own error in either mode: stop and monitor answer it themselves. */
static void expect_bad_instance(const char *const *envp, const char *needle)
{
  expect_error(envp, OCF_ENV_STRICT, OCF_ENV_ERROR_INSTANCE, needle);
  expect_error(envp, OCF_ENV_ADDRESS, OCF_ENV_ERROR_INSTANCE, needle);
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

  expect_bad_instance(id1, "OCF_RESOURCE_INSTANCE \"bad\xef\xbf\xbd\" is not a valid name");
  expect_bad_instance(id2, "OCF_RESOURCE_INSTANCE");
  expect_invalid(value, "OCF_RESKEY_Label \"caf\xef\xbf\xbd\" is not valid UTF-8");
  expect_invalid(name, "environment variable \"OCF_RESKEY_L\xef\xbf\xbd"
                       "abel\"");
  expect_invalid(meta, "OCF_RESKEY_CRM_meta_on_node");
  expect_invalid(dll, "OCF_RESKEY_dll");
  /* The host's other name rules too. */
  const char *const slash[] = {"OCF_RESOURCE_INSTANCE=a/b", NULL};
  expect_bad_instance(slash, "no '/'");
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

/* The warning about @var in @env names it and says what is done instead. */
static void assert_warned(const OcfEnv *env, const char *var, const char *instead)
{
  g_assert_cmpuint(env->warnings->len, ==, 1);
  const char *w = g_ptr_array_index(env->warnings, 0);
  if (strstr(w, var) == NULL || strstr(w, instead) == NULL)
    g_error("warning \"%s\" does not name \"%s\" and \"%s\"", w, var, instead);
}

/* stop and monitor: every input strict parsing refuses, other than the id, is left out with a
 * warning, and the rest of the environment is still read. */
static void test_address_ignores(void)
{
  static const struct {
    const char *var;    /* the bad variable */
    const char *named;  /* how the message names it */
    const char *absent; /* where it must not be: params (p), common (c), crm_meta (m) */
  } rows[] = {
      {"OCF_RESKEY_looks_alive_interval=0", "OCF_RESKEY_looks_alive_interval", "c"},
      {"OCF_RESKEY_pending_timeout=soon", "OCF_RESKEY_pending_timeout", "c"},
      {"OCF_RESKEY_deadlock_timeout=99999999999", "OCF_RESKEY_deadlock_timeout", "c"},
      {"OCF_RESKEY_close_delay=-1", "OCF_RESKEY_close_delay", "c"},
      {"OCF_RESKEY_#x=1", "OCF_RESKEY_#x", "p"},
      {"OCF_RESKEY_ Label=x", "OCF_RESKEY_ Label", "p"},
      {"OCF_RESKEY_9lives=1", "OCF_RESKEY_9lives", "p"},
      {"OCF_RESKEY_=x", "OCF_RESKEY_", "p"},
      {"OCF_RESKEY_Label=caf\xe9", "OCF_RESKEY_Label", "p"},
      {"OCF_RESKEY_L\xff"
       "abel=x",
       "OCF_RESKEY_L\xef\xbf\xbd"
       "abel",
       "p"},
      {"OCF_RESKEY_CRM_meta_on_node=n\xff", "OCF_RESKEY_CRM_meta_on_node", "m"},
      {"OCF_RESKEY_CRM_meta_on_node=a/b", "OCF_RESKEY_CRM_meta_on_node", ""},
      {"OCF_RESKEY_CRM_meta_interval=10s", "OCF_RESKEY_CRM_meta_interval", ""},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
    const char *const envp[] = {"OCF_RESOURCE_INSTANCE=web-1", rows[i].var,
                                "OCF_RESKEY_Path=/srv/x",      "OCF_RESKEY_is_alive_interval=500",
                                "OCF_CHECK_LEVEL=10",          NULL};
    /* What start refuses ... */
    expect_invalid(envp, rows[i].named);
    /* ... stop and monitor read around. */
    g_autoptr(OcfEnv) env = parse_mode_ok(envp, NULL, OCF_ENV_ADDRESS);
    g_assert_cmpstr(env->instance, ==, "web-1");
    assert_warned(env, rows[i].named, "ignored (stop and monitor use only the resource id");
    g_assert_cmpstr(g_hash_table_lookup(env->params, "Path"), ==, "/srv/x");
    g_assert_cmpstr(g_hash_table_lookup(env->common, "is_alive_interval"), ==, "500");
    g_assert_cmpuint(env->check_level, ==, 10);
    g_assert_false(env->separate);
    g_assert_false(env->separate_unknown);
    g_assert_null(env->on_node);
    g_assert_cmpuint(env->interval_ms, ==, 0);
    if (strchr(rows[i].absent, 'p'))
      g_assert_cmpuint(g_hash_table_size(env->params), ==, 1);
    if (strchr(rows[i].absent, 'c'))
      g_assert_cmpuint(g_hash_table_size(env->common), ==, 1);
    if (strchr(rows[i].absent, 'm'))
      g_assert_cmpuint(g_hash_table_size(env->crm_meta), ==, 0);
  }
}

/* Ignored inputs that stop and monitor do use behave as if they had not been given. */
static void test_address_defaults(void)
{
  const char *const timeout[] = {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_CRM_meta_timeout=20s",
                                 NULL};
  const char *const timeout8[] = {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_CRM_meta_timeout=9\xff",
                                  NULL};
  const char *const level[] = {"OCF_RESOURCE_INSTANCE=r", "OCF_CHECK_LEVEL=deep", NULL};
  g_autoptr(OcfEnv) a = parse_mode_ok(timeout, NULL, OCF_ENV_ADDRESS);
  g_autoptr(OcfEnv) b = parse_mode_ok(timeout8, NULL, OCF_ENV_ADDRESS);
  g_autoptr(OcfEnv) c = parse_mode_ok(level, NULL, OCF_ENV_ADDRESS);

  g_assert_cmpuint(a->timeout_ms, ==, OCF_ENV_DEFAULT_TIMEOUT_MS);
  assert_warned(a, "OCF_RESKEY_CRM_meta_timeout", "the default timeout applies");
  g_assert_cmpuint(b->timeout_ms, ==, OCF_ENV_DEFAULT_TIMEOUT_MS);
  assert_warned(b, "OCF_RESKEY_CRM_meta_timeout", "the default timeout applies");
  g_assert_cmpuint(c->check_level, ==, 0);
  assert_warned(c, "OCF_CHECK_LEVEL", "monitoring at depth 0");
  expect_invalid(timeout, "OCF_RESKEY_CRM_meta_timeout");
  expect_invalid(level, "OCF_CHECK_LEVEL");
}

/* separate_monitor says which host keeps the instance: unreadable, it is unknown. */
static void test_address_separate(void)
{
  static const char *const unreadable[] = {"banana", "2", "", "tru\xff"};

  for (gsize i = 0; i < G_N_ELEMENTS(unreadable); i++) {
    g_autofree char *var = g_strconcat("OCF_RESKEY_separate_monitor=", unreadable[i], NULL);
    const char *const envp[] = {"OCF_RESOURCE_INSTANCE=r", var, NULL};
    g_autoptr(OcfEnv) env = parse_mode_ok(envp, NULL, OCF_ENV_ADDRESS);
    g_assert_false(env->separate);
    g_assert_true(env->separate_unknown);
    g_assert_false(g_hash_table_contains(env->common, "separate_monitor"));
    assert_warned(env, "OCF_RESKEY_separate_monitor",
                  "looking for the instance in both the shared host and its own");
    expect_invalid(envp, "OCF_RESKEY_separate_monitor");
  }
  const char *const yes[] = {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=yes", NULL};
  const char *const none[] = {"OCF_RESOURCE_INSTANCE=r", NULL};
  g_autoptr(OcfEnv) y = parse_mode_ok(yes, NULL, OCF_ENV_ADDRESS);
  g_autoptr(OcfEnv) n = parse_mode_ok(none, NULL, OCF_ENV_ADDRESS);
  g_assert_true(y->separate);
  g_assert_false(y->separate_unknown);
  g_assert_cmpuint(y->warnings->len, ==, 0);
  g_assert_false(n->separate);
  g_assert_false(n->separate_unknown);
  g_assert_cmpuint(n->warnings->len, ==, 0);
}

/* A good environment reads the same in both modes, without warnings. */
static void test_address_good(void)
{
  const char *const envp[] = {"OCF_RESOURCE_INSTANCE=web-1",
                              "OCF_RESKEY_CommandLine=/bin/sleep 100",
                              "OCF_RESKEY_separate_monitor=on",
                              "OCF_RESKEY_CRM_meta_timeout=90000",
                              "OCF_RESKEY_CRM_meta_on_node=node2",
                              "OCF_CHECK_LEVEL=20",
                              NULL};
  g_autoptr(OcfEnv) env = parse_mode_ok(envp, NULL, OCF_ENV_ADDRESS);

  g_assert_cmpuint(env->warnings->len, ==, 0);
  g_assert_cmpstr(env->instance, ==, "web-1");
  g_assert_true(env->separate);
  g_assert_false(env->separate_unknown);
  g_assert_cmpuint(env->timeout_ms, ==, 90000);
  g_assert_cmpstr(env->on_node, ==, "node2");
  g_assert_cmpuint(env->check_level, ==, 20);
  g_assert_cmpstr(g_hash_table_lookup(env->params, "CommandLine"), ==, "/bin/sleep 100");
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
  g_test_add_func("/ocf-env/address/ignores", test_address_ignores);
  g_test_add_func("/ocf-env/address/defaults", test_address_defaults);
  g_test_add_func("/ocf-env/address/separate", test_address_separate);
  g_test_add_func("/ocf-env/address/good", test_address_good);
  return g_test_run();
}
