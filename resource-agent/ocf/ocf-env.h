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
  OCF_ENV_ERROR_INVALID,  /* a bad value: the agent exits OCF_ERR_CONFIGURED */
  OCF_ENV_ERROR_INSTANCE, /* OCF_RESOURCE_INSTANCE breaks the host's name rules (see below) */
} OcfEnvError;

/*
 * What an action needs of the environment.  start, reload-agent and validate-all apply every
 * rule: what they are given becomes the configuration.  stop and monitor only address an
 * instance that a start accepted (or find none): they need the id, and separate_monitor to know
 * which host keeps it.  A stop that fails gets the node fenced and a monitor's 6 is a hard error
 * on every node, so a bad value of anything else (a parameter changed on a running resource)
 * must not fail them: it is ignored, as if it had not been given, with a warning.
 */
typedef enum {
  OCF_ENV_STRICT,  /* every rule; any bad input is an error */
  OCF_ENV_ADDRESS, /* the id only; other bad input ignored and listed in warnings */
} OcfEnvMode;

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
  gboolean separate;    /* separate_monitor (FALSE when unknown) */
  /* OCF_ENV_ADDRESS: separate_monitor was given but cannot be read.  A start refuses such a
   * value, so a running instance was started with an earlier one, true or false: it may be in
   * the shared host or in its own, and both must be asked. */
  gboolean separate_unknown;
  GPtrArray *warnings; /* OCF_ENV_ADDRESS: one message per input ignored (char *) */
} OcfEnv;

/**
 * ocf_env_parse:
 * @envp: an environment (from g_get_environ() in the agent, a fake GStrv in tests)
 * @agent_keys: (nullable): extra parameters that belong to the agent itself and not to the
 *              DLL (e.g. "dll" and "type" for resdll); NULL-terminated
 * @mode: OCF_ENV_STRICT, or OCF_ENV_ADDRESS for stop and monitor
 * @error: OCF_ENV_ERROR_INSTANCE for a bad OCF_RESOURCE_INSTANCE (either mode), else
 *         OCF_ENV_ERROR_INVALID (strict only), with a message naming the bad variable
 *
 * The rules are clusres-input's, which the host applies to Online as well: every
 * OCF_RESOURCE_INSTANCE and OCF_RESKEY_* name and value valid UTF-8 (never substituted), the
 * instance a valid resource name, private parameter names [A-Za-z_][A-Za-z0-9_]*, common
 * parameters of their kind (booleans in Pacemaker's spellings, passed on as true/false).
 * With OCF_ENV_ADDRESS every other bad input is left out as if it had not been given
 * (CRM_meta_timeout: the default; OCF_CHECK_LEVEL: 0), a message for it added to warnings,
 * and an unreadable separate_monitor sets separate_unknown.
 *
 * Returns: (transfer full): the parsed environment, or NULL on a bad value.
 */
OcfEnv *ocf_env_parse(const char *const *envp, const char *const *agent_keys, OcfEnvMode mode,
                      GError **error);

void ocf_env_free(OcfEnv *env);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OcfEnv, ocf_env_free)

/** The value of an agent parameter given in @agent_keys to ocf_env_parse() (or NULL). */
const char *ocf_env_agent_param(const OcfEnv *env, const char *key);

/** TRUE if @name is one of the common parameters. */
gboolean ocf_env_is_common(const char *name);
