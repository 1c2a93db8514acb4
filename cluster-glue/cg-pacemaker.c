/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cg-pacemaker.h"

#include <sys/utsname.h>

const char *cg_pacemaker_crm_resource_path(void)
{
  const char *path = g_getenv("CLUSRES_CRM_RESOURCE");
  return path != NULL && *path != '\0' ? path : "crm_resource";
}

char *cg_node_name(const char *hint)
{
  if (hint != NULL && *hint != '\0')
    return g_strdup(hint);
  struct utsname u;
  if (uname(&u) == 0)
    return g_strdup(u.nodename);
  return g_strdup(g_get_host_name());
}

typedef struct {
  GSubprocess *proc;
  GSource *timeout;
  gboolean timed_out;
} PushData;

static void push_data_free(PushData *d)
{
  if (d->timeout != NULL) {
    g_source_destroy(d->timeout);
    g_source_unref(d->timeout);
  }
  g_clear_object(&d->proc);
  g_free(d);
}

static GSubprocess *spawn_push(const char *resource, const char *node, GError **error)
{
  const char *argv[] = {
      cg_pacemaker_crm_resource_path(), "--fail", "--resource", resource, "--node", node, NULL};
  /* stdout is not needed; stderr is kept for the error message. */
  return g_subprocess_newv(argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           error);
}

static gboolean on_push_timeout(gpointer user_data)
{
  GTask *task = user_data;
  PushData *d = g_task_get_task_data(task);
  d->timed_out = TRUE;
  g_subprocess_force_exit(d->proc);
  return G_SOURCE_REMOVE;
}

static void on_push_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PushData *d = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autofree char *err_text = NULL;
  if (d->timeout != NULL)
    g_source_destroy(d->timeout);
  if (!g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), res, NULL, &err_text, &error)) {
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  if (d->timed_out) {
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s timed out",
                            cg_pacemaker_crm_resource_path());
    return;
  }
  if (!g_subprocess_get_successful(d->proc)) {
    g_strstrip(err_text);
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s --fail exited with %d: %s",
                            cg_pacemaker_crm_resource_path(), g_subprocess_get_exit_status(d->proc),
                            err_text != NULL ? err_text : "");
    return;
  }
  g_task_return_boolean(task, TRUE);
}

void cg_pacemaker_push_failure(const char *resource, const char *node, guint timeout_ms,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
  g_task_set_source_tag(task, cg_pacemaker_push_failure);
  g_autoptr(GError) error = NULL;
  PushData *d = g_new0(PushData, 1);
  g_task_set_task_data(task, d, (GDestroyNotify)push_data_free);
  d->proc = spawn_push(resource, node, &error);
  if (d->proc == NULL) {
    g_task_return_error(task, g_steal_pointer(&error));
    return;
  }
  d->timeout = g_timeout_source_new(timeout_ms);
  g_source_set_callback(d->timeout, on_push_timeout, task, NULL);
  g_source_attach(d->timeout, g_main_context_get_thread_default());
  g_subprocess_communicate_utf8_async(d->proc, NULL, cancellable, on_push_done,
                                      g_steal_pointer(&task));
}

gboolean cg_pacemaker_push_failure_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

gboolean cg_pacemaker_push_failure_detached(const char *resource, const char *node, GError **error)
{
  g_autoptr(GSubprocess) proc = spawn_push(resource, node, error);
  return proc != NULL;
}
