/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-env.h"

#include <string.h>

#define RESKEY_PREFIX "OCF_RESKEY_"
#define CRM_META_PREFIX "CRM_meta_"

G_DEFINE_QUARK(ocf - env - error - quark, ocf_env_error)

/* The common parameters that are durations in milliseconds. */
static const char *const common_ms[] = {
    OCF_ENV_LOOKS_ALIVE,      OCF_ENV_IS_ALIVE,    OCF_ENV_PENDING_TIMEOUT,
    OCF_ENV_DEADLOCK_TIMEOUT, OCF_ENV_CLOSE_DELAY, NULL,
};

gboolean ocf_env_is_common(const char *name)
{
  return g_strv_contains(common_ms, name) || strcmp(name, OCF_ENV_SEPARATE_MONITOR) == 0;
}

gboolean ocf_env_parse_bool(const char *value, gboolean *out)
{
  static const char *const yes[] = {"true", "yes", "on", "1", "y", NULL};
  static const char *const no[] = {"false", "no", "off", "0", "n", NULL};

  for (guint i = 0; yes[i] != NULL; i++) {
    if (g_ascii_strcasecmp(value, yes[i]) == 0) {
      *out = TRUE;
      return TRUE;
    }
    if (g_ascii_strcasecmp(value, no[i]) == 0) {
      *out = FALSE;
      return TRUE;
    }
  }
  return FALSE;
}

/* A uint32 in decimal; g_ascii_string_to_unsigned rejects signs, blanks and trailing junk. */
static gboolean parse_u32(const char *what, const char *value, guint32 *out, GError **error)
{
  guint64 v = 0;

  if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT32, &v, NULL)) {
    g_set_error(error, OCF_ENV_ERROR, OCF_ENV_ERROR_INVALID,
                "%s=\"%s\" is not a number of milliseconds (0 to %u)", what, value, G_MAXUINT32);
    return FALSE;
  }
  *out = (guint32)v;
  return TRUE;
}

static gboolean check_common(OcfEnv *env, const char *name, const char *value, GError **error)
{
  g_autofree char *var = g_strconcat(RESKEY_PREFIX, name, NULL);

  if (strcmp(name, OCF_ENV_SEPARATE_MONITOR) == 0) {
    if (!ocf_env_parse_bool(value, &env->separate)) {
      g_set_error(error, OCF_ENV_ERROR, OCF_ENV_ERROR_INVALID,
                  "%s=\"%s\" is not a boolean (true or false)", var, value);
      return FALSE;
    }
    return TRUE;
  }
  guint32 ms = 0;
  return parse_u32(var, value, &ms, error);
}

/* OCF reserves the levels other than 0, 10 and 20; the spec recommends running the next lower
 * level that is implemented, so 15 runs as 10 and 99 as 20. */
static gboolean parse_check_level(OcfEnv *env, const char *value, GError **error)
{
  guint64 v = 0;

  if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT32, &v, NULL)) {
    g_set_error(error, OCF_ENV_ERROR, OCF_ENV_ERROR_INVALID,
                "OCF_CHECK_LEVEL=\"%s\" is not 0, 10 or 20", value);
    return FALSE;
  }
  env->check_level = v >= 20 ? 20 : v >= 10 ? 10 : 0;
  return TRUE;
}

static gboolean parse_crm_meta(OcfEnv *env, GError **error)
{
  const char *v = g_hash_table_lookup(env->crm_meta, "timeout");

  if (v != NULL && !parse_u32("OCF_RESKEY_CRM_meta_timeout", v, &env->timeout_ms, error))
    return FALSE;
  if (env->timeout_ms == 0)
    env->timeout_ms = OCF_ENV_DEFAULT_TIMEOUT_MS;
  v = g_hash_table_lookup(env->crm_meta, "interval");
  if (v != NULL && !parse_u32("OCF_RESKEY_CRM_meta_interval", v, &env->interval_ms, error))
    return FALSE;
  env->on_node = g_hash_table_lookup(env->crm_meta, "on_node");
  return TRUE;
}

static gboolean add_reskey(OcfEnv *env, const char *name, const char *value,
                           const char *const *agent_keys, GError **error)
{
  /* Pacemaker's own keys travel with the instance parameters: never the DLL's. */
  if (g_str_has_prefix(name, CRM_META_PREFIX)) {
    g_hash_table_replace(env->crm_meta, g_strdup(name + strlen(CRM_META_PREFIX)), g_strdup(value));
  } else if (strcmp(name, "crm_feature_set") == 0) {
    g_hash_table_replace(env->crm_meta, g_strdup(name), g_strdup(value));
  } else if (ocf_env_is_common(name)) {
    if (!check_common(env, name, value, error))
      return FALSE;
    g_hash_table_replace(env->common, g_strdup(name), g_strdup(value));
  } else if (agent_keys != NULL && g_strv_contains(agent_keys, name)) {
    g_hash_table_replace(env->agent, g_strdup(name), g_strdup(value));
  } else if (*name == '\0') {
    g_set_error_literal(error, OCF_ENV_ERROR, OCF_ENV_ERROR_INVALID,
                        "OCF_RESKEY_ names no parameter");
    return FALSE;
  } else {
    g_hash_table_replace(env->params, g_strdup(name), g_strdup(value));
  }
  return TRUE;
}

OcfEnv *ocf_env_parse(const char *const *envp, const char *const *agent_keys, GError **error)
{
  g_autoptr(OcfEnv) env = g_new0(OcfEnv, 1);

  env->params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  env->common = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  env->agent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  env->crm_meta = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; envp != NULL && envp[i] != NULL; i++) {
    const char *eq = strchr(envp[i], '=');
    if (eq == NULL)
      continue;
    g_autofree char *key = g_strndup(envp[i], (gsize)(eq - envp[i]));
    const char *value = eq + 1;

    if (g_str_has_prefix(key, RESKEY_PREFIX)) {
      if (!add_reskey(env, key + strlen(RESKEY_PREFIX), value, agent_keys, error))
        return NULL;
    } else if (strcmp(key, "OCF_RESOURCE_INSTANCE") == 0 && *value != '\0') {
      g_free(env->instance);
      env->instance = g_strdup(value);
    } else if (strcmp(key, "OCF_CHECK_LEVEL") == 0 && *value != '\0') {
      if (!parse_check_level(env, value, error))
        return NULL;
    }
  }
  if (!parse_crm_meta(env, error))
    return NULL;
  return g_steal_pointer(&env);
}

const char *ocf_env_agent_param(const OcfEnv *env, const char *key)
{
  return g_hash_table_lookup(env->agent, key);
}

void ocf_env_free(OcfEnv *env)
{
  if (env == NULL)
    return;
  g_free(env->instance);
  g_clear_pointer(&env->params, g_hash_table_unref);
  g_clear_pointer(&env->common, g_hash_table_unref);
  g_clear_pointer(&env->agent, g_hash_table_unref);
  g_clear_pointer(&env->crm_meta, g_hash_table_unref);
  g_free(env);
}
