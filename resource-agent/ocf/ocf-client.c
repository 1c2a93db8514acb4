/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-client.h"

#include "clusres-config.h"
#include "ocf-wire.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOST_IFACE "org.clusres.ResourceHost1"
#define SEPARATE_PREFIX CLUSRES_HOST_BUS_NAME ".Separate."

/* The host must answer a little before the agent's own deadline so that its reply (for example
 * "terminated after a timeout") reaches Pacemaker instead of the agent being killed. */
#define HOST_MARGIN_MAX_MS 2000u
/* Longest wait for the system bus to accept us (Hello). */
#define BUS_CONNECT_MAX_US (5 * G_USEC_PER_SEC)
/* Poll period while waiting for a host we started. */
#define HOST_WAIT_POLL_US (10 * G_TIME_SPAN_MILLISECOND)
/* Pause before calling a new host after the previous one vanished during a call. */
#define HOST_LOST_PAUSE_US (100 * G_TIME_SPAN_MILLISECOND)
/* A host's death record this much older than the call still counts (coarse file times). */
#define DEATH_RECORD_SLACK_US (50 * G_TIME_SPAN_MILLISECOND)

G_DEFINE_QUARK(ocf - client - error - quark, ocf_client_error)

struct OcfClient {
  OcfWire *wire;
  char *bus_name; /* NULL on the peer socket */
  char *resource;
  char *socket_path;
  gboolean separate;
  gboolean if_configured;
  gint64 deadline;
  gint64
      call_started; /* wall clock (µs) of the last call: a host's death record after it is ours */
};

char *ocf_client_escape_name(const char *name)
{
  GString *s = g_string_sized_new(strlen(name) + 8);

  for (const guchar *p = (const guchar *)name; *p != '\0'; p++) {
    /* A bus-name element must not start with a digit: the host escapes a leading one too. */
    if ((g_ascii_isalnum(*p) && !(p == (const guchar *)name && g_ascii_isdigit(*p))) || *p == '_')
      g_string_append_c(s, (char)*p);
    else
      g_string_append_printf(s, "_%02x", *p);
  }
  return g_string_free(s, FALSE);
}

const char *ocf_client_run_dir(void)
{
  const char *dir = g_getenv("CLUSRES_RUN_DIR");

  return dir != NULL && *dir != '\0' ? dir : CLUSRES_RUN_DIR;
}

static gint64 remaining_ms(gint64 deadline)
{
  gint64 left = (deadline - g_get_monotonic_time()) / G_TIME_SPAN_MILLISECOND;

  return left > 0 ? left : 0;
}

guint32 ocf_client_host_timeout_ms(const OcfClient *client)
{
  gint64 left = remaining_ms(client->deadline);
  gint64 margin = MIN((gint64)HOST_MARGIN_MAX_MS, left / 10);

  return (guint32)MIN(left - margin, (gint64)G_MAXUINT32);
}

static OcfWire *connect_peer(const char *path, gint64 deadline, GError **error)
{
  g_autofree char *address = g_strconcat("unix:path=", path, NULL);

  return ocf_wire_connect(address, FALSE, deadline, error);
}

/* The host's record of an instance it keeps: instances/<esc>.conf, or
 * instances-<esc>/<esc>.conf for a separate host. */
static gboolean instance_configured(const char *resource, gboolean separate)
{
  g_autofree char *esc = ocf_client_escape_name(resource);
  g_autofree char *file = g_strconcat(esc, ".conf", NULL);
  g_autofree char *dir = separate ? g_strconcat("instances-", esc, NULL) : g_strdup("instances");
  g_autofree char *path = g_build_filename(ocf_client_run_dir(), dir, file, NULL);

  return g_file_test(path, G_FILE_TEST_EXISTS);
}

/* The peer socket, else (unless not configured) the bus; c->wire may stay NULL (no bus). */
static gboolean client_connect(OcfClient *c, GError **error)
{
  /* Fast path: straight to the host, no bus daemon in between. */
  c->wire = connect_peer(c->socket_path, c->deadline, NULL);
  if (c->wire != NULL)
    return TRUE;
  if (c->if_configured && !instance_configured(c->resource, c->separate)) {
    g_set_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NOT_RUNNING,
                "no resource host runs and %s is not configured on this node", c->resource);
    return FALSE;
  }
  g_autofree char *esc = ocf_client_escape_name(c->resource);
  c->bus_name =
      c->separate ? g_strconcat(SEPARATE_PREFIX, esc, NULL) : g_strdup(CLUSRES_HOST_BUS_NAME);
  /* No bus is not fatal: the host we start still listens on its peer socket.  A bus that
   * hangs must not eat the whole budget: half of it at most, and never more than 5 s. */
  gint64 now = g_get_monotonic_time();
  gint64 bus_deadline = MIN(now + (c->deadline - now) / 2, now + BUS_CONNECT_MAX_US);
  c->wire = ocf_wire_connect(ocf_wire_system_bus_address(), TRUE, bus_deadline, NULL);
  return TRUE;
}

OcfClient *ocf_client_new(const OcfClientOptions *opts, GError **error)
{
  g_autoptr(OcfClient) c = g_new0(OcfClient, 1);
  g_autofree char *esc = ocf_client_escape_name(opts->resource);
  g_autofree char *sock =
      opts->separate ? g_strdup_printf("rhs-%s.sock", esc) : g_strdup("rhs.sock");

  c->resource = g_strdup(opts->resource);
  c->separate = opts->separate;
  c->if_configured = opts->if_configured;
  c->deadline = opts->deadline;
  c->socket_path = g_build_filename(ocf_client_run_dir(), sock, NULL);
  if (!client_connect(c, error))
    return NULL;
  return g_steal_pointer(&c);
}

void ocf_client_free(OcfClient *client)
{
  if (client == NULL)
    return;
  g_clear_pointer(&client->wire, ocf_wire_free);
  g_free(client->bus_name);
  g_free(client->resource);
  g_free(client->socket_path);
  g_free(client);
}

static const char *rhs_path(void)
{
  const char *p = g_getenv("CLUSRES_RHS");

  return p != NULL && *p != '\0' ? p : CLUSRES_LIBEXEC_DIR "/clusres-rhs";
}

/* In the first child: new session, second fork, clean descriptors and signals, exec. */
static G_NORETURN void exec_host(const char *const *argv, int null_fd, int log_fd, int report_fd)
{
  static const int reset[] = {SIGPIPE, SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2};
  sigset_t none;

  setsid();
  if (fork() != 0)
    _exit(0);
  dup2(null_fd, STDIN_FILENO);
  dup2(log_fd, STDOUT_FILENO);
  dup2(log_fd, STDERR_FILENO);
  /* pacemaker-execd may hand us other descriptors (its pipes) without CLOEXEC. */
  for (int fd = 3; fd < 1024; fd++) {
    if (fd != report_fd)
      close(fd);
  }
  for (gsize i = 0; i < G_N_ELEMENTS(reset); i++)
    signal(reset[i], SIG_DFL);
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execv(argv[0], (char *const *)argv);
  int e = errno;
  if (write(report_fd, &e, sizeof(e)) < 0)
    _exit(126);
  _exit(127);
}

/*
 * Starts the host in its own session, reparented to init by a double fork, stdio on a log
 * (or /dev/null): pacemaker-execd kills an agent's process group on timeout and waits for
 * the agent's stdout to close, and neither may touch the host.  Only async-signal-safe calls
 * between fork and exec: everything is prepared before.
 */
static gboolean spawn_host(OcfClient *c, GError **error)
{
  g_autofree char *log = g_build_filename(ocf_client_run_dir(), "rhs.log", NULL);
  const char *argv[4] = {rhs_path(), NULL, NULL, NULL};
  int status = 0;

  if (c->separate) {
    argv[1] = "--separate";
    argv[2] = c->resource;
  }
  if (g_access(argv[0], X_OK) != 0) {
    g_set_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NO_HOST, "cannot run %s: %s", argv[0],
                g_strerror(errno));
    return FALSE;
  }
  g_mkdir_with_parents(ocf_client_run_dir(), 0755);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0)
    log_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  /* Reports a failed exec at once (the write end closes on a successful one). */
  int exec_pipe[2] = {-1, -1};
  if (pipe2(exec_pipe, O_CLOEXEC) < 0) {
    g_set_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NO_HOST, "pipe: %s", g_strerror(errno));
    close(null_fd);
    close(log_fd);
    return FALSE;
  }
  pid_t pid = fork();
  if (pid == 0)
    exec_host(argv, null_fd, log_fd, exec_pipe[1]);
  int saved = errno;
  close(null_fd);
  close(log_fd);
  close(exec_pipe[1]);
  if (pid < 0) {
    close(exec_pipe[0]);
    g_set_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NO_HOST, "fork: %s", g_strerror(saved));
    return FALSE;
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  int child_errno = 0;
  ssize_t n;
  while ((n = read(exec_pipe[0], &child_errno, sizeof(child_errno))) < 0 && errno == EINTR)
    ;
  close(exec_pipe[0]);
  if (n == (ssize_t)sizeof(child_errno)) {
    g_set_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NO_HOST, "cannot run %s: %s", argv[0],
                g_strerror(child_errno));
    return FALSE;
  }
  return TRUE;
}

static gboolean name_has_owner(OcfClient *c)
{
  g_autoptr(GVariant) r =
      ocf_wire_call(c->wire, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                    "org.freedesktop.DBus", "NameHasOwner", g_variant_new("(s)", c->bus_name),
                    G_VARIANT_TYPE("(b)"), FALSE, c->deadline, NULL);
  gboolean owned = FALSE;

  if (r != NULL)
    g_variant_get(r, "(b)", &owned);
  return owned;
}

/* Waits (bounded by the deadline) until the spawned host answers, on the bus or its socket. */
static gboolean wait_for_host(OcfClient *c, GError **error)
{
  while (g_get_monotonic_time() < c->deadline) {
    OcfWire *peer = connect_peer(c->socket_path, c->deadline, NULL);
    if (peer != NULL) {
      g_clear_pointer(&c->wire, ocf_wire_free);
      c->wire = peer;
      g_clear_pointer(&c->bus_name, g_free);
      return TRUE;
    }
    if (c->wire != NULL && c->bus_name != NULL && name_has_owner(c))
      return TRUE;
    g_usleep(HOST_WAIT_POLL_US);
  }
  g_set_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NO_HOST,
              "the resource host %s did not come up in time", rhs_path());
  return FALSE;
}

/* The bus could not deliver to the host: not running and not activatable. */
static gboolean host_missing(const GError *error)
{
  static const char *const names[] = {
      "org.freedesktop.DBus.Error.ServiceUnknown",
      "org.freedesktop.DBus.Error.NameHasNoOwner",
      "org.freedesktop.DBus.Error.Spawn.ServiceNotFound",
      "org.freedesktop.DBus.Error.Spawn.ExecFailed",
      "org.freedesktop.DBus.Error.Spawn.ChildExited",
      "org.freedesktop.DBus.Error.Spawn.FileInvalid",
      "org.freedesktop.DBus.Error.Spawn.NoMemory",
      "org.freedesktop.DBus.Error.Spawn.PermissionsInvalid",
      NULL,
  };
  g_autofree char *name = ocf_wire_error_name(error);

  return name != NULL && g_strv_contains(names, name);
}

static GVariant *call_once(OcfClient *c, const char *method, GVariant *params,
                           const GVariantType *reply_type, GError **error)
{
  return ocf_wire_call(c->wire, c->bus_name, CLUSRES_HOST_OBJECT_PATH, HOST_IFACE, method, params,
                       reply_type, TRUE, c->deadline, error);
}

GVariant *ocf_client_call(OcfClient *client, const char *method, GVariant *params,
                          const GVariantType *reply_type, GError **error)
{
  g_autoptr(GVariant) args = g_variant_ref_sink(params);
  g_autoptr(GError) local = NULL;

  client->call_started = g_get_real_time();
  if (client->wire != NULL) {
    GVariant *reply = call_once(client, method, args, reply_type, &local);
    if (reply != NULL || client->bus_name == NULL || !host_missing(local)) {
      if (local != NULL)
        g_propagate_error(error, g_steal_pointer(&local));
      return reply;
    }
    g_clear_error(&local);
  }
  /* No host and no activation (or no bus at all): start one ourselves. */
  if (!spawn_host(client, error) || !wait_for_host(client, error))
    return NULL;
  return call_once(client, method, args, reply_type, error);
}

gboolean ocf_client_host_lost(const GError *error)
{
  /* On the bus: the host disconnected with the call pending, or died while being activated. */
  static const char *const names[] = {
      "org.freedesktop.DBus.Error.NoReply",
      "org.freedesktop.DBus.Error.Disconnected",
      "org.freedesktop.DBus.Error.ServiceUnknown",
      "org.freedesktop.DBus.Error.NameHasNoOwner",
      "org.freedesktop.DBus.Error.Spawn.ChildSignaled",
      "org.freedesktop.DBus.Error.Spawn.ChildExited",
      NULL,
  };
  if (error == NULL)
    return FALSE;
  /* On the peer socket: the connection broke before the reply. */
  if (g_error_matches(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_IO))
    return TRUE;
  g_autofree char *name = ocf_wire_error_name(error);
  return name != NULL && g_strv_contains(names, name);
}

gboolean ocf_client_reconnect(OcfClient *client, GError **error)
{
  if (g_get_monotonic_time() + HOST_LOST_PAUSE_US >= client->deadline) {
    g_set_error(error, OCF_CLIENT_ERROR, OCF_CLIENT_ERROR_NO_HOST,
                "the resource host went away and no time is left to call a new one");
    return FALSE;
  }
  g_usleep(HOST_LOST_PAUSE_US);
  g_clear_pointer(&client->wire, ocf_wire_free);
  g_clear_pointer(&client->bus_name, g_free);
  return client_connect(client, error);
}

char *ocf_client_death_text(const char *record)
{
  unsigned pid = 0;
  int sig = 0;

  if (record == NULL || sscanf(record, "pid=%u signal=%d", &pid, &sig) != 2 || sig <= 0)
    return NULL;
  const char *abbrev = sigabbrev_np(sig);
  return g_strdup_printf("the resource host (pid %u) was killed by signal %d (%s%s)", pid, sig,
                         abbrev != NULL ? "SIG" : "?", abbrev != NULL ? abbrev : "");
}

char *ocf_client_describe_loss(const OcfClient *client)
{
  g_autofree char *esc = ocf_client_escape_name(client->resource);
  g_autofree char *name =
      client->separate ? g_strdup_printf("rhs-%s.died", esc) : g_strdup("rhs.died");
  g_autofree char *path = g_build_filename(ocf_client_run_dir(), name, NULL);
  g_autofree char *record = NULL;
  GStatBuf st;

  /* Only a record written after our call began is about the host that served it (rhs-death.h);
   * without one the agent cannot know why the host went (SIGKILL leaves none).  File times
   * come from the kernel's coarse clock, up to a tick behind g_get_real_time(): allowed for. */
  if (g_stat(path, &st) == 0 &&
      (gint64)st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000 >=
          client->call_started - DEATH_RECORD_SLACK_US &&
      g_file_get_contents(path, &record, NULL, NULL)) {
    char *text = ocf_client_death_text(record);
    if (text != NULL)
      return text;
  }
  return g_strdup("the resource host exited during the call");
}
