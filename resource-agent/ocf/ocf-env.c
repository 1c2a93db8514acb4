/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-env.h"

#include <string.h>

#define RESKEY_PREFIX "OCF_RESKEY_"
#define CRM_META_PREFIX "CRM_meta_"

G_DEFINE_QUARK(ocf - env - error - quark, ocf_env_error)

gboolean ocf_env_is_common(const char *name)
{
  ClusresMetaKind kind = clusres_input_meta_kind(name);

  /* on_node is meta but no parameter: it comes from CRM_meta_on_node. */
  return kind == CLUSRES_META_MS || kind == CLUSRES_META_BOOL;
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

/* clusres-input's error as ours (it already names the variable). */
static gboolean input_ok(gboolean ok, GError **local, GError **error)
{
  if (!ok)
    g_set_error_literal(error, OCF_ENV_ERROR, OCF_ENV_ERROR_INVALID, (*local)->message);
  g_clear_error(local);
  return ok;
}

/* A bad input (@local): the error in OCF_ENV_STRICT.  In OCF_ENV_ADDRESS the input has been
 * left out (nothing was stored for it), and the warning says what is done @instead.
 * Returns: FALSE when parsing must stop. */
static gboolean bad_input(OcfEnv *env, OcfEnvMode mode, GError **local, const char *instead,
                          GError **error)
{
  if (mode == OCF_ENV_STRICT) {
    g_propagate_error(error, g_steal_pointer(local));
    return FALSE;
  }
  g_ptr_array_add(env->warnings, g_strdup_printf("%s; %s", (*local)->message, instead));
  g_clear_error(local);
  return TRUE;
}

/* The host's rules (clusres-input) for what it will be sent: the agent refuses what the host
 * would, naming the variable.  A boolean is taken in Pacemaker's spellings and passed on as the
 * one the host takes. */
static gboolean add_common(OcfEnv *env, const char *name, const char *value, GError **error)
{
  GError *local = NULL;

  if (clusres_input_meta_kind(name) == CLUSRES_META_BOOL) {
    gboolean b = FALSE;
    if (!clusres_input_parse_bool(value, &b)) {
      g_set_error(error, OCF_ENV_ERROR, OCF_ENV_ERROR_INVALID,
                  RESKEY_PREFIX "%s=\"%s\" is not a boolean (true/false, yes/no, on/off, 1/0)",
                  name, value);
      return FALSE;
    }
    if (strcmp(name, OCF_ENV_SEPARATE_MONITOR) == 0) {
      env->separate = b;
      env->separate_unknown = FALSE;
    }
    value = clusres_input_bool_text(b);
  }
  if (!input_ok(clusres_input_check_meta(RESKEY_PREFIX, name, value, &local), &local, error))
    return FALSE;
  g_hash_table_replace(env->common, g_strdup(name), g_strdup(value));
  return TRUE;
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

/* OCF_ENV_ADDRESS: what stop and monitor do without the variable @key. */
static const char *instead_of(const char *key)
{
  if (strcmp(key, RESKEY_PREFIX OCF_ENV_SEPARATE_MONITOR) == 0)
    return "looking for the instance in both the shared host and its own";
  if (strcmp(key, RESKEY_PREFIX CRM_META_PREFIX "timeout") == 0)
    return "ignored, the default timeout applies";
  if (strcmp(key, "OCF_CHECK_LEVEL") == 0)
    return "ignored, monitoring at depth 0";
  return "ignored (stop and monitor use only the resource id and separate_monitor)";
}

/* A value parse_u32 refuses leaves its target alone: 0, the default. */
static gboolean parse_crm_meta(OcfEnv *env, OcfEnvMode mode, GError **error)
{
  const char *v = g_hash_table_lookup(env->crm_meta, "timeout");
  GError *local = NULL;

  if (v != NULL && !parse_u32("OCF_RESKEY_CRM_meta_timeout", v, &env->timeout_ms, &local) &&
      !bad_input(env, mode, &local, instead_of(RESKEY_PREFIX CRM_META_PREFIX "timeout"), error))
    return FALSE;
  if (env->timeout_ms == 0)
    env->timeout_ms = OCF_ENV_DEFAULT_TIMEOUT_MS;
  v = g_hash_table_lookup(env->crm_meta, "interval");
  if (v != NULL && !parse_u32("OCF_RESKEY_CRM_meta_interval", v, &env->interval_ms, &local) &&
      !bad_input(env, mode, &local, instead_of("interval"), error))
    return FALSE;
  env->on_node = g_hash_table_lookup(env->crm_meta, "on_node");
  GError *input = NULL;
  if (env->on_node != NULL &&
      !input_ok(clusres_input_check_meta(RESKEY_PREFIX CRM_META_PREFIX, CLUSRES_META_ON_NODE,
                                         env->on_node, &input),
                &input, &local)) {
    env->on_node = NULL;
    return bad_input(env, mode, &local, instead_of("on_node"), error);
  }
  return TRUE;
}

static gboolean add_reskey(OcfEnv *env, const char *key, const char *value,
                           const char *const *agent_keys, GError **error)
{
  const char *name = key + strlen(RESKEY_PREFIX);
  GError *local = NULL;

  /* Never substituted: the host is sent exactly what Pacemaker gave, or nothing. */
  if (!input_ok(clusres_input_check_text("environment variable", key, &local), &local, error))
    return FALSE;
  if (!input_ok(clusres_input_check_text(key, value, &local), &local, error))
    return FALSE;
  /* Pacemaker's own keys travel with the instance parameters: never the DLL's. */
  if (g_str_has_prefix(name, CRM_META_PREFIX)) {
    g_hash_table_replace(env->crm_meta, g_strdup(name + strlen(CRM_META_PREFIX)), g_strdup(value));
  } else if (strcmp(name, "crm_feature_set") == 0) {
    g_hash_table_replace(env->crm_meta, g_strdup(name), g_strdup(value));
  } else if (ocf_env_is_common(name)) {
    return add_common(env, name, value, error);
  } else if (agent_keys != NULL && g_strv_contains(agent_keys, name)) {
    g_hash_table_replace(env->agent, g_strdup(name), g_strdup(value));
  } else {
    /* Names the state record and the registry keep as they are (clusres-input.h). */
    if (!input_ok(clusres_input_check_param_name(key, name, &local), &local, error))
      return FALSE;
    g_hash_table_replace(env->params, g_strdup(name), g_strdup(value));
  }
  return TRUE;
}

OcfEnv *ocf_env_parse(const char *const *envp, const char *const *agent_keys, OcfEnvMode mode,
                      GError **error)
{
  g_autoptr(OcfEnv) env = g_new0(OcfEnv, 1);

  env->params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  env->common = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  env->agent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  env->crm_meta = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  env->warnings = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; envp != NULL && envp[i] != NULL; i++) {
    const char *eq = strchr(envp[i], '=');
    if (eq == NULL)
      continue;
    g_autofree char *key = g_strndup(envp[i], (gsize)(eq - envp[i]));
    const char *value = eq + 1;
    GError *local = NULL;

    if (g_str_has_prefix(key, RESKEY_PREFIX)) {
      if (add_reskey(env, key, value, agent_keys, &local))
        continue;
      /* Whatever made it bad (its bytes, its kind), an unreadable separate_monitor leaves the
       * instance's host unknown. */
      if (mode == OCF_ENV_ADDRESS && strcmp(key, RESKEY_PREFIX OCF_ENV_SEPARATE_MONITOR) == 0) {
        env->separate = FALSE;
        env->separate_unknown = TRUE;
      }
      if (!bad_input(env, mode, &local, instead_of(key), error))
        return NULL;
    } else if (strcmp(key, "OCF_RESOURCE_INSTANCE") == 0 && *value != '\0') {
      /* The host's rule for resource names: two ids that differ never address one resource.
       * Never ignored: without it there is no instance to act on. */
      if (!clusres_input_check_name(key, value, &local)) {
        g_set_error_literal(error, OCF_ENV_ERROR, OCF_ENV_ERROR_INSTANCE, local->message);
        g_clear_error(&local);
        return NULL;
      }
      g_free(env->instance);
      env->instance = g_strdup(value);
    } else if (strcmp(key, "OCF_CHECK_LEVEL") == 0 && *value != '\0') {
      if (!parse_check_level(env, value, &local) &&
          !bad_input(env, mode, &local, instead_of(key), error))
        return NULL;
    }
  }
  if (!parse_crm_meta(env, mode, error))
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
  g_clear_pointer(&env->warnings, g_ptr_array_unref);
  g_free(env);
}
