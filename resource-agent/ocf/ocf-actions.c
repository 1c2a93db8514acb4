/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-actions.h"

#include "clusres-config.h"
#include "ocf-client.h"
#include "ocf-ctx.h"
#include "ocf-exit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

static int report_state(const OcfCtx *ctx, OcfExitAction what, int state, guint32 status,
                        const char *message)
{
  int rc = ocf_exit_from_state(what, state, status);

  if (rc != OCF_SUCCESS && rc != OCF_NOT_RUNNING) {
    g_autofree char *msg = g_strdup_printf("%s (status %u)%s%s", ocf_exit_state_name(state), status,
                                           *message != '\0' ? ": " : "", message);
    return ocf_ctx_fail(ctx, rc, msg);
  }
  return rc;
}

static int action_start(OcfCtx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfClient) client = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *message = NULL;
  gint32 state = 0;
  guint32 status = 0;

  if (!ocf_ctx_parse_env(ctx, envp, TRUE, &error) ||
      !(client = ocf_ctx_connect_host(ctx, FALSE, &error)))
    return ocf_ctx_fail_error(ctx, error);
  GVariant *args = g_variant_new("(sss@a{ss}@a{ss}u)", ctx->env->instance, ctx->type, ctx->dll,
                                 string_dict(ctx->env->params, NULL),
                                 string_dict(ctx->env->common, ctx->env->on_node),
                                 ocf_client_host_timeout_ms(client));
  reply = ocf_client_call(client, "Online", args, G_VARIANT_TYPE("(ius)"), &error);
  if (reply == NULL)
    return ocf_ctx_fail_error(ctx, error);
  g_variant_get(reply, "(ius)", &state, &status, &message);
  return report_state(ctx, OCF_EXIT_START, state, status, message);
}

static int action_stop(OcfCtx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfClient) client = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *message = NULL;
  gint32 state = 0;
  guint32 status = 0;

  if (!ocf_ctx_parse_env(ctx, envp, TRUE, &error))
    return ocf_ctx_fail_error(ctx, error);
  client = ocf_ctx_connect_host(ctx, TRUE, &error);
  if (client == NULL) {
    if (g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
      return OCF_SUCCESS; /* never started here: already stopped */
    return ocf_ctx_fail_error(ctx, error);
  }
  /* A host killed during the stop must not fail it (Pacemaker would fence the node): a new
   * host finds the record the old one wrote before Offline and finishes the stop.  Each call
   * gets what is left of the budget. */
  for (;;) {
    reply = ocf_client_call(
        client, "Offline",
        g_variant_new("(su)", ctx->env->instance, ocf_client_host_timeout_ms(client)),
        G_VARIANT_TYPE("(ius)"), &error);
    if (reply != NULL || !ocf_client_host_lost(error))
      break;
    fprintf(stderr,
            "%s stop %s: the resource host went away during the stop (%s): calling a new one\n",
            ctx->agent, ctx->env->instance, error->message);
    g_clear_error(&error);
    if (!ocf_client_reconnect(client, &error))
      break;
  }
  if (reply == NULL && g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
    return OCF_SUCCESS; /* the host that went away had finished: it left no record */
  if (reply == NULL)
    return ocf_ctx_fail_error(ctx, error);
  g_variant_get(reply, "(ius)", &state, &status, &message);
  return report_state(ctx, OCF_EXIT_STOP, state, status, message);
}

static int action_monitor(OcfCtx *ctx, const char *const *envp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfClient) client = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *message = NULL;
  gint32 state = 0;

  if (!ocf_ctx_parse_env(ctx, envp, TRUE, &error))
    return ocf_ctx_fail_error(ctx, error);
  /* A probe on a node that never ran the resource must not start a host. */
  client = ocf_ctx_connect_host(ctx, TRUE, &error);
  if (client == NULL) {
    if (g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
      return OCF_NOT_RUNNING;
    return ocf_ctx_fail_error(ctx, error);
  }
  reply = ocf_client_call(client, "Monitor",
                          g_variant_new("(su)", ctx->env->instance, ctx->env->check_level),
                          G_VARIANT_TYPE("(is)"), &error);
  if (reply == NULL)
    return ocf_ctx_fail_error(ctx, error);
  g_variant_get(reply, "(is)", &state, &message);
  return report_state(ctx, OCF_EXIT_MONITOR, state, 0, message);
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

/*
 * The actions that load the DLL run in clusres-ocf-dll: this program stays free of dlopen and
 * libclusres-resapi (and is linked statically where the build allows it), which is what makes
 * a monitor cheap.  argv and the environment are kept; the type goes first.
 */
static int exec_dll_program(OcfCtx *ctx, char **argv)
{
  const char *prog = g_getenv("CLUSRES_OCF_DLL");
  if (prog == NULL || *prog == '\0')
    prog = CLUSRES_LIBEXEC_DIR "/clusres-ocf-dll";
  guint argc = g_strv_length(argv);
  g_autofree char **args = g_new0(char *, argc + 2);
  args[0] = (char *)prog;
  args[1] = (char *)ctx->agent;
  for (guint i = 1; i < argc; i++)
    args[i + 1] = argv[i];
  execv(prog, args);
  int err = errno;
  g_autofree char *msg = g_strdup_printf("cannot run %s: %s", prog, g_strerror(err));
  return ocf_ctx_fail(ctx, err == ENOENT ? OCF_ERR_INSTALLED : OCF_ERR_GENERIC, msg);
}

typedef int (*ActionFn)(OcfCtx *ctx, const char *const *envp);

static const struct {
  const char *name;
  ActionFn fn; /* NULL: clusres-ocf-dll */
} actions[] = {
    {"start", action_start},    {"stop", action_stop},  {"monitor", action_monitor},
    {"status", action_monitor}, {"validate-all", NULL}, {"meta-data", NULL},
    {"metadata", NULL},         {"reload-agent", NULL},
};

int ocf_actions_run(const char *agent, char **argv, const char *const *envp)
{
  const char *action = argv[1];
  g_auto(OcfCtx)
      ctx = {.agent = agent, .action = action, .resdll = strcmp(agent, OCF_CTX_RESDLL) == 0};

  if (strcmp(action, "usage") == 0 || strcmp(action, "help") == 0) {
    ocf_actions_usage(agent, FALSE);
    return OCF_SUCCESS;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(actions); i++) {
    if (strcmp(actions[i].name, action) == 0)
      return actions[i].fn != NULL ? actions[i].fn(&ctx, envp) : exec_dll_program(&ctx, argv);
  }
  ocf_actions_usage(agent, TRUE);
  return OCF_ERR_UNIMPLEMENTED;
}
