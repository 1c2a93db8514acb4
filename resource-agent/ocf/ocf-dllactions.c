/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-dllactions.h"

#include "ocf-client.h"
#include "ocf-ctx.h"
#include "ocf-dll.h"
#include "ocf-exit.h"
#include "ocf-metadata.h"

#include <stdio.h>
#include <string.h>

static int action_meta_data(OcfCtx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfDll) dll = NULL;
  const CLUSRES_TYPE_INFO *info = NULL;
  g_autofree char *path = NULL;
  const char *type = ctx->agent;

  /* Pacemaker asks for meta-data without parameters; resdll describes a DLL if given one. */
  if (ctx->resdll) {
    const char *d = g_environ_getenv((char **)envp, "OCF_RESKEY_dll");
    type = g_environ_getenv((char **)envp, "OCF_RESKEY_type");
    if (d != NULL && *d != '\0' && type != NULL && *type != '\0')
      path = ocf_ctx_resdll_path(d);
  } else {
    path = ocf_ctx_dll_path_for_type(ctx->agent);
  }
  if (path != NULL) {
    dll = ocf_dll_load(path, type, &error);
    if (dll == NULL)
      return ocf_ctx_fail_error(ctx, error);
    info = ocf_dll_type_info(dll);
  }
  g_autofree char *xml = ocf_metadata_generate(ctx->agent, info, ctx->resdll);
  fputs(xml, stdout);
  return OCF_SUCCESS;
}

static int action_validate(OcfCtx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfDll) dll = NULL;

  if (!ocf_ctx_parse_env(ctx, envp, FALSE, OCF_ENV_STRICT, &error))
    return ocf_ctx_fail_error(ctx, error);
  dll = ocf_dll_load(ctx->dll, ctx->type, &error);
  if (dll == NULL || !ocf_dll_validate(dll, ctx->env, &error))
    return ocf_ctx_fail_error(ctx, error);
  return OCF_SUCCESS;
}

static int action_reload_agent(OcfCtx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfDll) dll = NULL;
  g_autoptr(OcfClient) client = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) output = NULL;
  guint32 status = 0, needed = 0;
  DWORD cb = 0;

  if (!ocf_ctx_parse_env(ctx, envp, TRUE, OCF_ENV_STRICT, &error))
    return ocf_ctx_fail_error(ctx, error);
  /* The DLL's table gives the formats of the reloadable properties. */
  dll = ocf_dll_load(ctx->dll, ctx->type, &error);
  if (dll == NULL)
    return ocf_ctx_fail_error(ctx, error);
  PCLUSRES_PROPLIST list =
      ocf_dll_build_proplist(ocf_dll_type_info(dll), ctx->env->params, TRUE, &error);
  if (list == NULL)
    return ocf_ctx_fail_error(ctx, error);
  const void *buf = ClusResPropListBuffer(list, &cb);
  /* a copy: the list can go */
  g_autoptr(GVariant) input =
      g_variant_ref_sink(g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, buf, cb, 1));
  ClusResPropListFree(list);
  client = ocf_ctx_connect_host(ctx, ctx->env->separate, TRUE, &error);
  if (client == NULL && g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
    return OCF_SUCCESS; /* not running here: the next start uses the new values */
  if (client != NULL)
    reply = ocf_client_call(client, "Control",
                            g_variant_new("(su@ayu)", ctx->env->instance,
                                          CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, input, 0u),
                            G_VARIANT_TYPE("(uayu)"), &error);
  if (reply == NULL && ocf_client_host_lost(error)) {
    g_autofree char *why = ocf_client_describe_loss(client);
    g_autofree char *msg =
        g_strdup_printf("%s during SET_PRIVATE_PROPERTIES (%s)", why, error->message);
    return ocf_ctx_fail(ctx, OCF_ERR_GENERIC, msg);
  }
  if (reply == NULL)
    return ocf_ctx_fail_error(ctx, error);
  g_variant_get(reply, "(u@ayu)", &status, &output, &needed);
  if (status == ERROR_RESOURCE_PROPERTIES_STORED) {
    ocf_ctx_fail(ctx, OCF_SUCCESS,
                 "note: the new values are stored and take effect at the next start");
    return OCF_SUCCESS;
  }
  if (status != ERROR_SUCCESS) {
    g_autofree char *why = ocf_ctx_describe_status(status);
    g_autofree char *msg = g_strdup_printf("SET_PRIVATE_PROPERTIES failed: %s", why);
    return ocf_ctx_fail(ctx, ocf_exit_from_win32(status), msg);
  }
  return OCF_SUCCESS;
}

int ocf_dllactions_run(const char *agent, const char *action, const char *const *envp)
{
  g_auto(OcfCtx)
      ctx = {.agent = agent, .action = action, .resdll = strcmp(agent, OCF_CTX_RESDLL) == 0};

  if (strcmp(action, "meta-data") == 0 || strcmp(action, "metadata") == 0)
    return action_meta_data(&ctx, envp);
  if (strcmp(action, "validate-all") == 0)
    return action_validate(&ctx, envp);
  if (strcmp(action, "reload-agent") == 0)
    return action_reload_agent(&ctx, envp);
  return OCF_ERR_UNIMPLEMENTED;
}
