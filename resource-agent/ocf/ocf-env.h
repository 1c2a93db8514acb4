/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-env: what Pacemaker tells the agent through the environment (OCF_RESOURCE_INSTANCE,
 * OCF_RESKEY_*, OCF_CHECK_LEVEL), split into the resource's private properties, the clusres
 * common properties and Pacemaker's CRM_meta_* context, and validated once.
 */
#pragma once

#include "clusres-input.h"

#include <glib.h>

#define OCF_ENV_ERROR (ocf_env_error_quark())
GQuark ocf_env_error_quark(void);
typedef enum {
  OCF_ENV_ERROR_INVALID, /* a bad value: the agent exits OCF_ERR_CONFIGURED */
} OcfEnvError;

/* The common (non-DLL) parameters every clusres agent accepts (clusres-input.h). */
#define OCF_ENV_LOOKS_ALIVE CLUSRES_META_LOOKS_ALIVE
#define OCF_ENV_IS_ALIVE CLUSRES_META_IS_ALIVE
#define OCF_ENV_PENDING_TIMEOUT CLUSRES_META_PENDING_TIMEOUT
#define OCF_ENV_DEADLOCK_TIMEOUT CLUSRES_META_DEADLOCK_TIMEOUT
#define OCF_ENV_SEPARATE_MONITOR CLUSRES_META_SEPARATE_MONITOR
#define OCF_ENV_CLOSE_DELAY CLUSRES_META_CLOSE_DELAY

/* Pacemaker's default op timeout (ms), used when CRM_meta_timeout is absent (manual runs). */
#define OCF_ENV_DEFAULT_TIMEOUT_MS 20000u

typedef struct {
  char *instance;       /* OCF_RESOURCE_INSTANCE; NULL when unset (meta-data, usage) */
  GHashTable *params;   /* private properties: name -> value (OCF_RESKEY_ stripped) */
  GHashTable *common;   /* common properties given (validated, booleans as true/false) */
  GHashTable *agent;    /* the agent's own parameters (agent_keys): name -> value */
  GHashTable *crm_meta; /* CRM_meta_* with the prefix stripped: name -> value */
  guint32 timeout_ms;   /* CRM_meta_timeout, or OCF_ENV_DEFAULT_TIMEOUT_MS */
  guint32 interval_ms;  /* CRM_meta_interval; 0 = probe or one-shot */
  const char *on_node;  /* CRM_meta_on_node (points into crm_meta) or NULL */
  guint32 check_level;  /* OCF_CHECK_LEVEL rounded down to 0, 10 or 20 */
  gboolean separate;    /* separate_monitor */
} OcfEnv;

/**
 * ocf_env_parse:
 * @envp: an environment (from g_get_environ() in the agent, a fake GStrv in tests)
 * @agent_keys: (nullable): extra parameters that belong to the agent itself and not to the
 *              DLL (e.g. "dll" and "type" for resdll); NULL-terminated
 * @error: OCF_ENV_ERROR_INVALID with a message naming the bad variable
 *
 * The rules are clusres-input's, which the host applies to Online as well: every
 * OCF_RESOURCE_INSTANCE and OCF_RESKEY_* name and value valid UTF-8 (never substituted), the
 * instance a valid resource name, private parameter names [A-Za-z_][A-Za-z0-9_]*, common
 * parameters of their kind (booleans in Pacemaker's spellings, passed on as true/false).
 *
 * Returns: (transfer full): the parsed environment, or NULL on a bad value.
 */
OcfEnv *ocf_env_parse(const char *const *envp, const char *const *agent_keys, GError **error);

void ocf_env_free(OcfEnv *env);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OcfEnv, ocf_env_free)

/** The value of an agent parameter given in @agent_keys to ocf_env_parse() (or NULL). */
const char *ocf_env_agent_param(const OcfEnv *env, const char *key);

/** TRUE if @name is one of the common parameters. */
gboolean ocf_env_is_common(const char *name);
