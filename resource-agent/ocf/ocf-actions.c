/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-actions.h"

#include "clusres-config.h"
#include "clusres-state.h"
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

/* Prints @msg, prefixed with the host it is about when two are asked (@where), and returns
 * @rc. */
static int fail_in(const OcfCtx *ctx, const char *where, int rc, const char *msg)
{
  if (where == NULL)
    return ocf_ctx_fail(ctx, rc, msg);
  g_autofree char *m = g_strdup_printf("in %s: %s", where, msg);
  return ocf_ctx_fail(ctx, rc, m);
}

static int fail_error_in(const OcfCtx *ctx, const char *where, const GError *error)
{
  return fail_in(ctx, where, ocf_ctx_error_code(error), error->message);
}

/* A call cut by the host's death (a DLL that crashed it): the signal when the host could
 * record it, instead of the bare "connection closed". */
static int fail_host_lost(const OcfCtx *ctx, const OcfClient *client, const char *call,
                          const GError *error)
{
  g_autofree char *why = ocf_client_describe_loss(client);
  g_autofree char *msg = g_strdup_printf("%s during %s (%s)", why, call, error->message);
  return ocf_ctx_fail(ctx, OCF_ERR_GENERIC, msg);
}

static int report_state(const OcfCtx *ctx, const char *where, OcfExitAction what, int state,
                        guint32 status, const char *message)
{
  int rc = ocf_exit_from_state(what, state, status);

  if (rc == OCF_DEGRADED) {
    /* Running: the reason (which members failed, why) is what crm_mon shows. */
    fprintf(stderr, OCF_EXIT_REASON_PREFIX "%s%s%s\n", where ? where : "", where ? ": " : "",
            message);
    return rc;
  }
  if (rc != OCF_SUCCESS && rc != OCF_NOT_RUNNING) {
    g_autofree char *why = ocf_ctx_describe_status(status);
    g_autofree char *msg = g_strdup_printf("%s (%s)%s%s", clusres_state_name(state), why,
                                           *message != '\0' ? ": " : "", message);
    return fail_in(ctx, where, rc, msg);
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

  /* Every rule: what a start is given becomes the configuration. */
  if (!ocf_ctx_parse_env(ctx, envp, TRUE, OCF_ENV_STRICT, &error) ||
      !(client = ocf_ctx_connect_host(ctx, ctx->env->separate, FALSE, &error)))
    return ocf_ctx_fail_error(ctx, error);
  GVariant *args = g_variant_new("(sss@a{ss}@a{ss}u)", ctx->env->instance, ctx->type, ctx->dll,
                                 string_dict(ctx->env->params, NULL),
                                 string_dict(ctx->env->common, ctx->env->on_node),
                                 ocf_client_host_timeout_ms(client));
  reply = ocf_client_call(client, "Online", args, G_VARIANT_TYPE("(ius)"), &error);
  if (reply == NULL && ocf_client_host_lost(error))
    return fail_host_lost(ctx, client, "Online", error);
  if (reply == NULL)
    return ocf_ctx_fail_error(ctx, error);
  g_variant_get(reply, "(ius)", &state, &status, &message);
  return report_state(ctx, NULL, OCF_EXIT_START, state, status, message);
}

/* stop or monitor in one host (@separate: the instance's own); @where names it in messages
 * when both are asked, else NULL. */
typedef int (*HostActionFn)(OcfCtx *ctx, gboolean separate, const char *where);

/* The arguments of one call to the host: made again for each call, since a call made after a
 * host loss gets only what is left of the op's budget. */
typedef GVariant *(*HostArgsFn)(OcfCtx *ctx, OcfClient *client);

/* Calls @method; when the host goes away during the call (killed, crashed), calls it again on
 * a new host, which re-adopts the instance from the record the old one kept, until the call
 * is answered or the op's budget runs out. */
static GVariant *call_surviving_host(OcfCtx *ctx, OcfClient *client, const char *action,
                                     const char *method, HostArgsFn args,
                                     const GVariantType *reply_type, GError **error)
{
  for (;;) {
    g_autoptr(GError) local = NULL;
    GVariant *reply = ocf_client_call(client, method, args(ctx, client), reply_type, &local);
    if (reply != NULL)
      return reply;
    if (!ocf_client_host_lost(local)) {
      g_propagate_error(error, g_steal_pointer(&local));
      return NULL;
    }
    g_autofree char *why = ocf_client_describe_loss(client);
    fprintf(stderr,
            "%s %s %s: the resource host went away during the %s (%s; %s): calling a new "
            "one\n",
            ctx->agent, action, ctx->env->instance, action, why, local->message);
    if (!ocf_client_reconnect(client, error))
      return NULL;
  }
}

static GVariant *offline_args(OcfCtx *ctx, OcfClient *client)
{
  return g_variant_new("(su)", ctx->env->instance, ocf_client_host_timeout_ms(client));
}

static GVariant *monitor_args(OcfCtx *ctx, OcfClient *client)
{
  (void)client;
  return g_variant_new("(su)", ctx->env->instance, ctx->env->check_level);
}

static int stop_in(OcfCtx *ctx, gboolean separate, const char *where)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfClient) client = ocf_ctx_connect_host(ctx, separate, TRUE, &error);
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *message = NULL;
  gint32 state = 0;
  guint32 status = 0;

  if (client == NULL) {
    if (g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
      return OCF_SUCCESS; /* never started here: already stopped */
    return fail_error_in(ctx, where, error);
  }
  /* A host killed during the stop must not fail it (Pacemaker would fence the node): a new
   * host finds the record the old one wrote before Offline and finishes the stop. */
  reply = call_surviving_host(ctx, client, "stop", "Offline", offline_args, G_VARIANT_TYPE("(ius)"),
                              &error);
  if (reply == NULL && g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
    return OCF_SUCCESS; /* the host that went away had finished: it left no record */
  if (reply == NULL)
    return fail_error_in(ctx, where, error);
  g_variant_get(reply, "(ius)", &state, &status, &message);
  return report_state(ctx, where, OCF_EXIT_STOP, state, status, message);
}

static int monitor_in(OcfCtx *ctx, gboolean separate, const char *where)
{
  g_autoptr(GError) error = NULL;
  /* A probe on a node that never ran the resource must not start a host. */
  g_autoptr(OcfClient) client = ocf_ctx_connect_host(ctx, separate, TRUE, &error);
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *message = NULL;
  gint32 state = 0;

  if (client == NULL) {
    if (g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
      return OCF_NOT_RUNNING;
    return fail_error_in(ctx, where, error);
  }
  /* A host killed during the monitor says nothing about the resource: a new host re-adopts it
   * (or reports it failed if it was mid-action) and answers instead.  Answering 1 would make
   * Pacemaker restart a resource that may be healthy. */
  reply = call_surviving_host(ctx, client, "monitor", "Monitor", monitor_args,
                              G_VARIANT_TYPE("(is)"), &error);
  if (reply == NULL && g_error_matches(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING))
    return OCF_NOT_RUNNING; /* the host that went away had stopped it: it left no record */
  if (reply == NULL)
    return fail_error_in(ctx, where, error);
  g_variant_get(reply, "(is)", &state, &message);
  return report_state(ctx, where, OCF_EXIT_MONITOR, state, 0, message);
}

/*
 * stop and monitor address an instance a start accepted: they read the id and
 * separate_monitor, and ignore (with a warning) the rest, which they do not use: a stop that
 * fails gets the node fenced, a monitor's 6 is a hard error on every node, and both run with
 * parameters an admin may have changed on the running resource (OcfEnvMode).  @absent: the
 * answer for an id no instance can have (a start refuses it): stop 0, monitor 7.
 */
static int address_instance(OcfCtx *ctx, const char *const *envp, OcfExitAction what, int absent,
                            HostActionFn fn)
{
  g_autoptr(GError) error = NULL;

  if (!ocf_ctx_parse_env(ctx, envp, TRUE, OCF_ENV_ADDRESS, &error)) {
    if (g_error_matches(error, OCF_ENV_ERROR, OCF_ENV_ERROR_INSTANCE)) {
      g_autofree char *msg = g_strdup_printf(
          "%s: no instance can have it (a start refuses it), so none runs", error->message);
      return ocf_ctx_fail(ctx, absent, msg);
    }
    return ocf_ctx_fail_error(ctx, error);
  }
  if (!ctx->env->separate_unknown)
    return fn(ctx, ctx->env->separate, NULL);
  /* A start refuses an unreadable separate_monitor, so the instance was started with an
   * earlier value, true or false.  Both hosts are asked, neither is started for it unless it
   * keeps a record of the instance (if_configured), and they share one deadline. */
  int shared = fn(ctx, FALSE, "the shared host");
  int own = fn(ctx, TRUE, "its own host");
  return ocf_exit_merge(what, shared, own);
}

static int action_stop(OcfCtx *ctx, const char *const *envp)
{
  return address_instance(ctx, envp, OCF_EXIT_STOP, OCF_SUCCESS, stop_in);
}

static int action_monitor(OcfCtx *ctx, const char *const *envp)
{
  return address_instance(ctx, envp, OCF_EXIT_MONITOR, OCF_NOT_RUNNING, monitor_in);
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
          "come from OCF_RESKEY_*; see the meta-data action.  Names are [A-Za-z_][A-Za-z0-9_]*,\n"
          "names and values UTF-8, and start checks them as validate-all does: bad input exits\n"
          "6 and changes nothing.  stop and monitor use only the resource id and\n"
          "separate_monitor and warn about other bad input instead of failing; an id no start\n"
          "accepts has no instance (stop 0, monitor 7), an unreadable separate_monitor makes\n"
          "them ask both the shared host and the resource's own.  A DLL that anyone but root\n"
          "can write is not loaded (exit 5).\n",
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
