/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-actions.h"

#include "ocf-client.h"
#include "ocf-dll.h"
#include "ocf-env.h"
#include "ocf-exit.h"
#include "ocf-metadata.h"
#include "ocf-wire.h"

#include <stdio.h>
#include <string.h>

#define RESDLL "resdll"

/* Part of the op timeout kept for the agent to report after the host answered. */
#define AGENT_MARGIN_MAX_MS 1000u

static const char *const resdll_keys[] = {"dll", "type", NULL};

typedef struct {
  const char *agent;
  const char *action;
  gboolean resdll;
  OcfEnv *env;
  const char *type; /* the type passed to Startup */
  char *dll;        /* the DLL path */
} Ctx;

static void ctx_clear(Ctx *ctx)
{
  g_clear_pointer(&ctx->env, ocf_env_free);
  g_clear_pointer(&ctx->dll, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Ctx, ctx_clear)

static int fail(const Ctx *ctx, int rc, const char *msg)
{
  fprintf(stderr, "%s %s%s%s: %s\n", ctx->agent, ctx->action,
          ctx->env != NULL && ctx->env->instance != NULL ? " " : "",
          ctx->env != NULL && ctx->env->instance != NULL ? ctx->env->instance : "", msg);
  return rc;
}

static int fail_error(const Ctx *ctx, const GError *error)
{
  int rc = OCF_ERR_GENERIC;

  g_autofree char *name = ocf_wire_error_name(error);

  if (error->domain == OCF_EXIT_ERROR)
    rc = error->code;
  else if (name != NULL)
    rc = ocf_exit_from_dbus_error(name);
  return fail(ctx, rc, error->message);
}

/* resdll's dll= may be a bare name in the types directory. */
static char *resdll_path(const char *dll)
{
  if (strchr(dll, '/') != NULL)
    return g_strdup(dll);
  g_autofree char *base =
      g_str_has_suffix(dll, ".so") ? g_strndup(dll, strlen(dll) - 3) : g_strdup(dll);
  return ocf_dll_path_for_type(base);
}

/* Resolves the type and DLL of this agent: its name, or resdll's parameters. */
static gboolean resolve_dll(Ctx *ctx, GError **error)
{
  if (!ctx->resdll) {
    ctx->type = ctx->agent;
    ctx->dll = ocf_dll_path_for_type(ctx->agent);
    return TRUE;
  }
  const char *dll = ocf_env_agent_param(ctx->env, "dll");
  ctx->type = ocf_env_agent_param(ctx->env, "type");
  if (dll == NULL || *dll == '\0' || ctx->type == NULL || *ctx->type == '\0') {
    g_set_error_literal(error, OCF_EXIT_ERROR, OCF_ERR_CONFIGURED,
                        "resdll needs the parameters dll and type");
    return FALSE;
  }
  ctx->dll = resdll_path(dll);
  return TRUE;
}

static gboolean parse_env(Ctx *ctx, const char *const *envp, gboolean need_instance, GError **error)
{
  g_autoptr(GError) local = NULL;

  ctx->env = ocf_env_parse(envp, ctx->resdll ? resdll_keys : NULL, &local);
  if (ctx->env == NULL) {
    g_set_error_literal(error, OCF_EXIT_ERROR, OCF_ERR_CONFIGURED, local->message);
    return FALSE;
  }
  if (need_instance && ctx->env->instance == NULL) {
    g_set_error_literal(error, OCF_EXIT_ERROR, OCF_ERR_CONFIGURED,
                        "OCF_RESOURCE_INSTANCE is not set");
    return FALSE;
  }
  return resolve_dll(ctx, error);
}

static int action_meta_data(Ctx *ctx, const char *const *envp)
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
      path = resdll_path(d);
  } else {
    path = ocf_dll_path_for_type(ctx->agent);
  }
  if (path != NULL) {
    dll = ocf_dll_load(path, type, &error);
    if (dll == NULL)
      return fail_error(ctx, error);
    info = ocf_dll_type_info(dll);
  }
  g_autofree char *xml = ocf_metadata_generate(ctx->agent, info, ctx->resdll);
  fputs(xml, stdout);
  return OCF_SUCCESS;
}

static int action_validate(Ctx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfDll) dll = NULL;

  if (!parse_env(ctx, envp, FALSE, &error))
    return fail_error(ctx, error);
  dll = ocf_dll_load(ctx->dll, ctx->type, &error);
  if (dll == NULL || !ocf_dll_validate(dll, ctx->env, &error))
    return fail_error(ctx, error);
  return OCF_SUCCESS;
}

static GVariant *string_dict(GHashTable *table, const char *on_node)
{
  GVariantBuilder b;
  GHashTableIter it;
  gpointer k, v;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
  g_hash_table_iter_init(&it, table);
  while (g_hash_table_iter_next(&it, &k, &v))
    g_variant_builder_add(&b, "{ss}", (const char *)k, (const char *)v);
  if (on_node != NULL)
    g_variant_builder_add(&b, "{ss}", "on_node", on_node);
  return g_variant_builder_end(&b);
}

static OcfClient *connect_host(const Ctx *ctx, gboolean if_configured, GError **error)
{
  guint32 t = ctx->env->timeout_ms;
  guint32 margin = MIN(AGENT_MARGIN_MAX_MS, t / 10);
  OcfClientOptions opts = {
      .resource = ctx->env->instance,
      .separate = ctx->env->separate,
      .deadline = g_get_monotonic_time() + (gint64)(t - margin) * G_TIME_SPAN_MILLISECOND,
      .if_configured = if_configured,
  };
  return ocf_client_new(&opts, error);
}

static int report_state(const Ctx *ctx, OcfExitAction what, int state, guint32 status,
                        const char *message)
{
  int rc = ocf_exit_from_state(what, state, status);

  if (rc != OCF_SUCCESS && rc != OCF_NOT_RUNNING) {
    g_autofree char *msg = g_strdup_printf("%s (status %u)%s%s", ocf_exit_state_name(state), status,
                                           *message != '\0' ? ": " : "", message);
    return fail(ctx, rc, msg);
  }
  return rc;
}

static int action_start(Ctx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfClient) client = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *message = NULL;
  gint32 state = 0;
  guint32 status = 0;

  if (!parse_env(ctx, envp, TRUE, &error) || !(client = connect_host(ctx, FALSE, &error)))
    return fail_error(ctx, error);
  GVariant *args = g_variant_new("(sss@a{ss}@a{ss}u)", ctx->env->instance, ctx->type, ctx->dll,
                                 string_dict(ctx->env->params, NULL),
                                 string_dict(ctx->env->common, ctx->env->on_node),
                                 ocf_client_host_timeout_ms(client));
  reply = ocf_client_call(client, "Online", args, G_VARIANT_TYPE("(ius)"), &error);
  if (reply == NULL)
    return fail_error(ctx, error);
  g_variant_get(reply, "(ius)", &state, &status, &message);
  return report_state(ctx, OCF_EXIT_START, state, status, message);
}

static int action_stop(Ctx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfClient) client = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *message = NULL;
  gint32 state = 0;
  guint32 status = 0;

  if (!parse_env(ctx, envp, TRUE, &error))
    return fail_error(ctx, error);
  client = connect_host(ctx, TRUE, &error);
  if (client == NULL) {
    if (g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
      return OCF_SUCCESS; /* never started here: already stopped */
    return fail_error(ctx, error);
  }
  reply =
      ocf_client_call(client, "Offline",
                      g_variant_new("(su)", ctx->env->instance, ocf_client_host_timeout_ms(client)),
                      G_VARIANT_TYPE("(ius)"), &error);
  if (reply == NULL)
    return fail_error(ctx, error);
  g_variant_get(reply, "(ius)", &state, &status, &message);
  return report_state(ctx, OCF_EXIT_STOP, state, status, message);
}

static int action_monitor(Ctx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfClient) client = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *message = NULL;
  gint32 state = 0;

  if (!parse_env(ctx, envp, TRUE, &error))
    return fail_error(ctx, error);
  /* A probe on a node that never ran the resource must not start a host. */
  client = connect_host(ctx, TRUE, &error);
  if (client == NULL) {
    if (g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
      return OCF_NOT_RUNNING;
    return fail_error(ctx, error);
  }
  reply = ocf_client_call(client, "Monitor",
                          g_variant_new("(su)", ctx->env->instance, ctx->env->check_level),
                          G_VARIANT_TYPE("(is)"), &error);
  if (reply == NULL)
    return fail_error(ctx, error);
  g_variant_get(reply, "(is)", &state, &message);
  return report_state(ctx, OCF_EXIT_MONITOR, state, 0, message);
}

static int action_reload_agent(Ctx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfDll) dll = NULL;
  g_autoptr(OcfClient) client = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) output = NULL;
  guint32 status = 0, needed = 0;
  DWORD cb = 0;

  if (!parse_env(ctx, envp, TRUE, &error))
    return fail_error(ctx, error);
  /* The DLL's table gives the formats of the reloadable properties. */
  dll = ocf_dll_load(ctx->dll, ctx->type, &error);
  if (dll == NULL)
    return fail_error(ctx, error);
  PCLUSRES_PROPLIST list =
      ocf_dll_build_proplist(ocf_dll_type_info(dll), ctx->env->params, TRUE, &error);
  if (list == NULL)
    return fail_error(ctx, error);
  const void *buf = ClusResPropListBuffer(list, &cb);
  /* a copy: the list can go */
  g_autoptr(GVariant) input =
      g_variant_ref_sink(g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, buf, cb, 1));
  ClusResPropListFree(list);
  client = connect_host(ctx, TRUE, &error);
  if (client == NULL && g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
    return OCF_SUCCESS; /* not running here: the next start uses the new values */
  if (client != NULL)
    reply = ocf_client_call(client, "Control",
                            g_variant_new("(su@ayu)", ctx->env->instance,
                                          CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, input, 0u),
                            G_VARIANT_TYPE("(uayu)"), &error);
  if (reply == NULL)
    return fail_error(ctx, error);
  g_variant_get(reply, "(u@ayu)", &status, &output, &needed);
  if (status == ERROR_RESOURCE_PROPERTIES_STORED) {
    fail(ctx, OCF_SUCCESS, "note: the new values are stored and take effect at the next start");
    return OCF_SUCCESS;
  }
  if (status != ERROR_SUCCESS) {
    g_autofree char *msg = g_strdup_printf("SET_PRIVATE_PROPERTIES failed (status %u)", status);
    return fail(ctx, ocf_exit_from_win32(status), msg);
  }
  return OCF_SUCCESS;
}

void ocf_actions_usage(const char *agent, gboolean to_stderr)
{
  FILE *f = to_stderr ? stderr : stdout;

  fprintf(f,
          "usage: %s {start|stop|monitor|validate-all|meta-data|reload-agent|usage|help}\n"
          "\n"
          "clusres OCF resource agent: runs a Windows-style resource DLL through the clusres\n"
          "resource host.  Install it as <ocf_dir>/clusres/<type> (a link to clusres-ocf);\n"
          "the link name is the resource type (\"resdll\" takes dll= and type=).  Parameters\n"
          "come from OCF_RESKEY_*; see the meta-data action.\n",
          agent);
}

typedef int (*ActionFn)(Ctx *ctx, const char *const *envp);

static const struct {
  const char *name;
  ActionFn fn;
} actions[] = {
    {"start", action_start},           {"stop", action_stop},
    {"monitor", action_monitor},       {"status", action_monitor},
    {"validate-all", action_validate}, {"meta-data", action_meta_data},
    {"metadata", action_meta_data},    {"reload-agent", action_reload_agent},
};

int ocf_actions_run(const char *agent, const char *action, const char *const *envp)
{
  g_auto(Ctx) ctx = {.agent = agent, .action = action, .resdll = strcmp(agent, RESDLL) == 0};

  if (strcmp(action, "usage") == 0 || strcmp(action, "help") == 0) {
    ocf_actions_usage(agent, FALSE);
    return OCF_SUCCESS;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(actions); i++) {
    if (strcmp(actions[i].name, action) == 0)
      return actions[i].fn(&ctx, envp);
  }
  ocf_actions_usage(agent, TRUE);
  return OCF_ERR_UNIMPLEMENTED;
}
