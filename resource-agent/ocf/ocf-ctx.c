/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-ctx.h"

#include "clusres-config.h"
#include "clusres-win32.h"
#include "ocf-exit.h"
#include "ocf-wire.h"

#include <stdio.h>
#include <string.h>

/* Part of the op timeout kept for the agent to report after the host answered. */
#define AGENT_MARGIN_MAX_MS 1000u

static const char *const resdll_keys[] = {"dll", "type", NULL};

void ocf_ctx_clear(OcfCtx *ctx)
{
  g_clear_pointer(&ctx->env, ocf_env_free);
  g_clear_pointer(&ctx->dll, g_free);
}

char *ocf_ctx_dll_path_for_type(const char *type)
{
  const char *dir = g_getenv("CLUSRES_TYPES_DIR");
  g_autofree char *file = g_strconcat(type, ".so", NULL);

  return g_build_filename(dir != NULL && *dir != '\0' ? dir : CLUSRES_TYPES_DIR, file, NULL);
}

char *ocf_ctx_resdll_path(const char *dll)
{
  if (strchr(dll, '/') != NULL)
    return g_strdup(dll);
  g_autofree char *base =
      g_str_has_suffix(dll, ".so") ? g_strndup(dll, strlen(dll) - 3) : g_strdup(dll);
  return ocf_ctx_dll_path_for_type(base);
}

/* Resolves the type and DLL of this agent: its name, or resdll's parameters.  Both go to the
 * host as they are, so they follow its rules (clusres-input). */
static gboolean resolve_dll(OcfCtx *ctx, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!ctx->resdll) {
    ctx->type = ctx->agent;
    ctx->dll = ocf_ctx_dll_path_for_type(ctx->agent);
  } else {
    const char *dll = ocf_env_agent_param(ctx->env, "dll");
    ctx->type = ocf_env_agent_param(ctx->env, "type");
    if (dll == NULL || *dll == '\0' || ctx->type == NULL || *ctx->type == '\0') {
      g_set_error_literal(error, OCF_EXIT_ERROR, OCF_ERR_CONFIGURED,
                          "resdll needs the parameters dll and type");
      return FALSE;
    }
    ctx->dll = ocf_ctx_resdll_path(dll);
  }
  if (!clusres_input_check_name(ctx->resdll ? "OCF_RESKEY_type" : "agent name", ctx->type,
                                &local) ||
      !clusres_input_check_text("DLL path", ctx->dll, &local)) {
    g_set_error_literal(error, OCF_EXIT_ERROR, OCF_ERR_CONFIGURED, local->message);
    return FALSE;
  }
  return TRUE;
}

gboolean ocf_ctx_parse_env(OcfCtx *ctx, const char *const *envp, gboolean need_instance,
                           OcfEnvMode mode, GError **error)
{
  g_autoptr(GError) local = NULL;
  gint64 now = g_get_monotonic_time(); /* the operation's budget runs from here */

  ctx->env = ocf_env_parse(envp, ctx->resdll ? resdll_keys : NULL, mode, &local);
  if (ctx->env == NULL) {
    if (mode == OCF_ENV_ADDRESS && g_error_matches(local, OCF_ENV_ERROR, OCF_ENV_ERROR_INSTANCE))
      g_propagate_error(error, g_steal_pointer(&local));
    else
      g_set_error_literal(error, OCF_EXIT_ERROR, OCF_ERR_CONFIGURED, local->message);
    return FALSE;
  }
  if (need_instance && ctx->env->instance == NULL) {
    g_set_error_literal(error, OCF_EXIT_ERROR, OCF_ERR_CONFIGURED,
                        "OCF_RESOURCE_INSTANCE is not set");
    return FALSE;
  }
  guint32 t = ctx->env->timeout_ms;
  ctx->deadline = now + (gint64)(t - MIN(AGENT_MARGIN_MAX_MS, t / 10)) * G_TIME_SPAN_MILLISECOND;
  if (mode == OCF_ENV_ADDRESS) {
    for (guint i = 0; i < ctx->env->warnings->len; i++) {
      g_autofree char *msg =
          g_strconcat("warning: ", (const char *)g_ptr_array_index(ctx->env->warnings, i), NULL);
      ocf_ctx_fail(ctx, OCF_SUCCESS, msg);
    }
    return TRUE; /* stop and monitor use neither the type nor the DLL */
  }
  return resolve_dll(ctx, error);
}

int ocf_ctx_fail(const OcfCtx *ctx, int rc, const char *msg)
{
  fprintf(stderr, "%s %s%s%s: %s\n", ctx->agent, ctx->action,
          ctx->env != NULL && ctx->env->instance != NULL ? " " : "",
          ctx->env != NULL && ctx->env->instance != NULL ? ctx->env->instance : "", msg);
  /* OCF 1.1: Pacemaker keeps the last "ocf-exit-reason:" line of a failed action and shows
   * it in crm_mon's failed actions.  Only for failures: a warning or a 7 is no failure. */
  if (ocf_ctx_is_failure(rc))
    fprintf(stderr, "%s%s\n", OCF_CTX_EXIT_REASON_PREFIX, msg);
  return rc;
}

gboolean ocf_ctx_is_failure(int rc)
{
  return rc != OCF_SUCCESS && rc != OCF_NOT_RUNNING;
}

char *ocf_ctx_describe_status(guint32 status)
{
  char buf[CLUSRES_WIN32_DESCRIBE_MAX];

  return g_strdup(clusres_win32_describe(status, buf, sizeof buf));
}

int ocf_ctx_error_code(const GError *error)
{
  g_autofree char *name = ocf_wire_error_name(error);

  if (error->domain == OCF_EXIT_ERROR)
    return error->code;
  if (name != NULL)
    return ocf_exit_from_dbus_error(name);
  return OCF_ERR_GENERIC;
}

int ocf_ctx_fail_error(const OcfCtx *ctx, const GError *error)
{
  return ocf_ctx_fail(ctx, ocf_ctx_error_code(error), error->message);
}

OcfClient *ocf_ctx_connect_host(const OcfCtx *ctx, gboolean separate, gboolean if_configured,
                                GError **error)
{
  OcfClientOptions opts = {
      .resource = ctx->env->instance,
      .separate = separate,
      .deadline = ctx->deadline,
      .if_configured = if_configured,
  };
  return ocf_client_new(&opts, error);
}
