/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Integration tests of clusres-rhs: a private dbus-daemon, the real host binary and the test
 * DLL (testdll/), all in a temporary directory.  Needs $CLUSRES_TEST_RHS and $CLUSRES_TEST_DLL
 * (set by meson) and dbus-daemon in PATH.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clusres/resapi.h>

#include "clusres-config.h"
#include "clusres-dbus.h"

#define HOST_NAME "org.clusres.ResourceHost"
#define HOST_PATH "/org/clusres/ResourceHost"

static char *tmpdir;
static char *bus_address;
static GSubprocess *bus;
static GDBusConnection *conn;
static const char *rhs_bin;
static const char *dll;
static const char *genapp;      /* the genapp DLL: applications that outlive a killed host */
static GArray *app_pids;        /* every application pid seen, killed at exit if still there */
static gboolean private_mounts; /* this process has its own mount namespace (tmpfs tests) */

typedef struct {
  GSubprocess *proc;
  ClusresDbusResourceHost1 *proxy;
  char *bus_name;
} Host;

/* ---- helpers ---------------------------------------------------------------------------- */

/* Daemons die with the test, even when an assertion aborts it. */
static void die_with_parent(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static char *path_in_tmp(const char *leaf)
{
  return g_build_filename(tmpdir, leaf, NULL);
}

static void write_file(const char *leaf, const char *text)
{
  g_autofree char *p = path_in_tmp(leaf);
  g_assert_true(g_file_set_contents(p, text, -1, NULL));
}

static char *read_file(const char *leaf)
{
  g_autofree char *p = path_in_tmp(leaf);
  char *text = NULL;
  if (!g_file_get_contents(p, &text, NULL, NULL))
    return g_strdup("");
  return text;
}

/* Occurrences of @word at the start of an entry (after the timestamp) in the DLL log. */
static guint count_log(const char *log, const char *word)
{
  g_autofree char *text = read_file(log);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  guint n = 0;
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *sp = strchr(lines[i], ' ');
    if (sp != NULL && g_str_has_prefix(sp + 1, word))
      n++;
  }
  return n;
}

/* Position of the first line starting with @word, or -1. */
static int log_index(const char *log, const char *word)
{
  g_autofree char *text = read_file(log);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++) {
    const char *sp = strchr(lines[i], ' ');
    if (sp != NULL && g_str_has_prefix(sp + 1, word))
      return i;
  }
  return -1;
}

static void iterate_ms(guint ms)
{
  gint64 until = g_get_monotonic_time() + ms * 1000;
  while (g_get_monotonic_time() < until)
    g_main_context_iteration(NULL, FALSE), g_usleep(5000);
}

static gboolean name_has_owner(const char *name)
{
  g_autoptr(GVariant) r = g_dbus_connection_call_sync(
      conn, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
      g_variant_new("(s)", name), G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
  gboolean has = FALSE;
  if (r != NULL)
    g_variant_get(r, "(b)", &has);
  return has;
}

/* @crash_at: armed crash point ($CLUSRES_RHS_CRASH_AT), or NULL. */
static GSubprocessLauncher *host_launcher_armed(const char *crash_at)
{
  GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *run = path_in_tmp("run");
  g_autofree char *reg = path_in_tmp("registry");
  g_autofree char *crm = path_in_tmp("crm_resource");
  g_autofree char *log = path_in_tmp("rhs.log");
  g_subprocess_launcher_setenv(l, "DBUS_SYSTEM_BUS_ADDRESS", bus_address, TRUE);
  g_subprocess_launcher_setenv(l, "CLUSRES_RUN_DIR", run, TRUE);
  g_subprocess_launcher_setenv(l, "CLUSRES_REGISTRY_DIR", reg, TRUE);
  g_subprocess_launcher_setenv(l, "CLUSRES_CRM_RESOURCE", crm, TRUE);
  g_autofree char *supp = path_in_tmp("lsan.supp");
  g_autofree char *lsan = g_strdup_printf("suppressions=%s", supp);
  g_subprocess_launcher_setenv(l, "LSAN_OPTIONS", lsan, TRUE);
  if (crash_at != NULL)
    g_subprocess_launcher_setenv(l, "CLUSRES_RHS_CRASH_AT", crash_at, TRUE);
  else
    g_subprocess_launcher_unsetenv(l, "CLUSRES_RHS_CRASH_AT");
  g_subprocess_launcher_set_child_setup(l, die_with_parent, NULL, NULL);
  /* The host's log (GLib writes info/debug to stdout) must not mix with this test's TAP. */
  int fd = g_open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  g_assert_cmpint(fd, >=, 0);
  g_subprocess_launcher_take_stdout_fd(l, dup(fd));
  g_subprocess_launcher_take_stderr_fd(l, fd);
  return l;
}

static GSubprocessLauncher *host_launcher(void)
{
  return host_launcher_armed(NULL);
}

static void host_start_armed(Host *h, const char *separate, const char *bus_name,
                             const char *crash_at)
{
  g_autoptr(GSubprocessLauncher) l = host_launcher_armed(crash_at);
  g_autoptr(GError) error = NULL;
  if (separate != NULL)
    h->proc =
        g_subprocess_launcher_spawn(l, &error, rhs_bin, "--verbose", "--separate", separate, NULL);
  else
    h->proc = g_subprocess_launcher_spawn(l, &error, rhs_bin, "--verbose", NULL);
  g_assert_no_error(error);
  h->bus_name = g_strdup(bus_name != NULL ? bus_name : HOST_NAME);
  for (int i = 0; i < 500 && !name_has_owner(h->bus_name); i++)
    g_usleep(10000);
  g_assert_true(name_has_owner(h->bus_name));
  h->proxy = clusres_dbus_resource_host1_proxy_new_sync(conn, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                                        h->bus_name, HOST_PATH, NULL, &error);
  g_assert_no_error(error);
  g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(h->proxy), 60000);
}

static void host_start(Host *h, const char *separate, const char *bus_name)
{
  host_start_armed(h, separate, bus_name, NULL);
}

static void host_clear(Host *h)
{
  g_clear_object(&h->proxy);
  g_clear_object(&h->proc);
  g_clear_pointer(&h->bus_name, g_free);
}

/* Stops with SIGTERM (a host stop must leave resources running). */
static void host_stop(Host *h)
{
  g_subprocess_send_signal(h->proc, SIGTERM);
  g_autoptr(GError) error = NULL;
  g_assert_true(g_subprocess_wait(h->proc, NULL, &error));
  g_assert_true(g_subprocess_get_if_exited(h->proc));
  g_assert_cmpint(g_subprocess_get_exit_status(h->proc), ==, 0);
  host_clear(h);
}

static void host_kill9(Host *h)
{
  g_subprocess_force_exit(h->proc);
  g_subprocess_wait(h->proc, NULL, NULL);
  host_clear(h);
}

/* Waits up to 30 s (the machine is busy) for COND, polled every 10 ms; the caller asserts it. */
#define WAIT_FOR(cond)                                                                             \
  G_STMT_START                                                                                     \
  {                                                                                                \
    for (int wait_i_ = 0; wait_i_ < 3000 && !(cond); wait_i_++)                                    \
      g_usleep(10000);                                                                             \
  }                                                                                                \
  G_STMT_END

/* The host killed itself at its armed crash point (SIGKILL, as kill -9). */
static void host_expect_crash(Host *h)
{
  WAIT_FOR(g_subprocess_get_identifier(h->proc) == NULL);
  g_assert_null(g_subprocess_get_identifier(h->proc));
  g_assert_true(g_subprocess_wait(h->proc, NULL, NULL));
  g_assert_true(g_subprocess_get_if_signaled(h->proc));
  g_assert_cmpint(g_subprocess_get_term_sig(h->proc), ==, SIGKILL);
  host_clear(h);
}

/* A host armed at a point it reaches before it owns its name (re-adoption): it must die. */
static void host_run_crashing(const char *crash_at)
{
  g_autoptr(GSubprocessLauncher) l = host_launcher_armed(crash_at);
  g_autoptr(GError) error = NULL;
  Host h = {0};
  h.proc = g_subprocess_launcher_spawn(l, &error, rhs_bin, "--verbose", NULL);
  g_assert_no_error(error);
  host_expect_crash(&h);
}

/* ---- crash tests: genapp applications and host records ---------------------------------- */

/*
 * The parameters of a genapp resource whose application is tmp/app.sh: it writes its pid to
 * tmp/FILES.pid and becomes /bin/sleep (ignoring SIGTERM if @ignore_term); it is ready once
 * tmp/FILES.ready exists.  @extra: more key/value pairs.
 */
static GVariant *app_params(const char *files, gboolean ignore_term, const char *extra[])
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{ss}"));
  g_autofree char *cmd = g_strdup_printf("/bin/sh %s/app.sh %s/%s.pid%s", tmpdir, tmpdir, files,
                                         ignore_term ? " ignore-term" : "");
  g_autofree char *ready = g_strdup_printf("/usr/bin/test -e %s/%s.ready", tmpdir, files);
  g_variant_builder_add(&b, "{ss}", "CommandLine", cmd);
  g_variant_builder_add(&b, "{ss}", "ReadyCommand", ready);
  for (int i = 0; extra != NULL && extra[i] != NULL; i += 2)
    g_variant_builder_add(&b, "{ss}", extra[i], extra[i + 1]);
  return g_variant_builder_end(&b);
}

static void app_ready(const char *files)
{
  g_autofree char *leaf = g_strdup_printf("%s.ready", files);
  write_file(leaf, "");
}

/* The pid tmp/FILES.pid names (0 if none yet), remembered for the clean-up at exit. */
static pid_t app_pid(const char *files)
{
  g_autofree char *leaf = g_strdup_printf("%s.pid", files);
  g_autofree char *text = read_file(leaf);
  guint64 pid = 0;
  if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, 2, G_MAXINT32, &pid, NULL))
    return 0;
  gboolean known = FALSE;
  for (guint i = 0; i < app_pids->len; i++)
    known = known || g_array_index(app_pids, pid_t, i) == (pid_t)pid;
  if (!known) {
    pid_t p = (pid_t)pid;
    g_array_append_val(app_pids, p);
  }
  return (pid_t)pid;
}

/* A live process (a killed application whose parent, the killed host, is gone may stay a
 * zombie: pid 1 here does not reap). */
static gboolean pid_running(pid_t pid)
{
  if (pid <= 0)
    return FALSE;
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
  g_autofree char *stat = NULL;
  if (!g_file_get_contents(path, &stat, NULL, NULL))
    return FALSE;
  const char *rp = strrchr(stat, ')');
  return rp != NULL && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

static gboolean app_running(const char *files)
{
  return pid_running(app_pid(files));
}

/* The state of @name's host record, or NULL if it has none. */
static char *record_state(const char *name)
{
  g_autofree char *leaf = g_strdup_printf("run/instances/%s.conf", name);
  g_autofree char *path = path_in_tmp(leaf);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  return g_key_file_get_string(kf, "instance", "state", NULL);
}

static GVariant *kv(const char *kvs[]);

/* Online of a genapp resource, not waited for (the host is expected to die or to be killed). */
static void genapp_online_async(Host *h, const char *name, GVariant *params)
{
  const char *meta[] = {"on_node", "nodeC", NULL};
  clusres_dbus_resource_host1_call_online(h->proxy, name, "genapp", genapp, params, kv(meta), 30000,
                                          NULL, NULL, NULL);
}

static int genapp_online(Host *h, const char *name, GVariant *params)
{
  const char *meta[] = {"on_node", "nodeC", NULL};
  gint state = -100;
  guint st = 0;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_online_sync(h->proxy, name, "genapp", genapp, params, kv(meta),
                                               30000, &state, &st, &msg, NULL, &error);
  g_assert_no_error(error);
  g_test_message("Online %s -> %d status %u (%s)", name, state, st, msg);
  return state;
}

static void offline_async(Host *h, const char *name)
{
  clusres_dbus_resource_host1_call_offline(h->proxy, name, 30000, NULL, NULL, NULL);
}

static GVariant *params_for(const char *name, const char *extra_kv[])
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{ss}"));
  g_autofree char *log = g_strdup_printf("%s/%s.log", tmpdir, name);
  g_autofree char *health = g_strdup_printf("%s/%s.health", tmpdir, name);
  g_variant_builder_add(&b, "{ss}", "LogFile", log);
  g_variant_builder_add(&b, "{ss}", "HealthFile", health);
  for (int i = 0; extra_kv != NULL && extra_kv[i] != NULL; i += 2)
    g_variant_builder_add(&b, "{ss}", extra_kv[i], extra_kv[i + 1]);
  return g_variant_builder_end(&b);
}

/* A proxy on a host's peer socket @sock (no bus): the client side of the host's SASL peer. */
static ClusresDbusResourceHost1 *peer_proxy_new(const char *sock)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *addr = g_strdup_printf("unix:path=%s", sock);
  g_autoptr(GDBusConnection) peer = g_dbus_connection_new_for_address_sync(
      addr, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
  g_assert_no_error(error);
  ClusresDbusResourceHost1 *proxy = clusres_dbus_resource_host1_proxy_new_sync(
      peer, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, NULL, HOST_PATH, NULL, &error);
  g_assert_no_error(error);
  return proxy;
}

static GVariant *kv(const char *kvs[])
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("a{ss}"));
  for (int i = 0; kvs != NULL && kvs[i] != NULL; i += 2)
    g_variant_builder_add(&b, "{ss}", kvs[i], kvs[i + 1]);
  return g_variant_builder_end(&b);
}

static int online(Host *h, const char *name, const char *params[], const char *meta[],
                  guint timeout, guint *status, gint64 *elapsed_ms)
{
  gint state = -100;
  guint st = 0;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time();
  clusres_dbus_resource_host1_call_online_sync(h->proxy, name, "testdll", dll,
                                               params_for(name, params), kv(meta), timeout, &state,
                                               &st, &msg, NULL, &error);
  g_assert_no_error(error);
  if (elapsed_ms != NULL)
    *elapsed_ms = (g_get_monotonic_time() - t0) / 1000;
  if (status != NULL)
    *status = st;
  g_test_message("Online %s -> %d status %u (%s)", name, state, st, msg);
  return state;
}

static int monitor(Host *h, const char *name, guint depth)
{
  gint state = -100;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_monitor_sync(h->proxy, name, depth, &state, &msg, NULL, &error);
  g_assert_no_error(error);
  return state;
}

/* monitor() with the message, for answers that carry one (degraded). */
static int monitor_msg(Host *h, const char *name, guint depth, char **msg)
{
  gint state = -100;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_monitor_sync(h->proxy, name, depth, &state, msg, NULL, &error);
  g_assert_no_error(error);
  return state;
}

static int offline(Host *h, const char *name, guint timeout)
{
  gint state = -100;
  guint st;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_offline_sync(h->proxy, name, timeout, &state, &st, &msg, NULL,
                                                &error);
  g_assert_no_error(error);
  return state;
}

static char *log_name(const char *name)
{
  return g_strdup_printf("%s.log", name);
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_success_and_args(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  g_autofree char *log = log_name("ok1");
  const char *meta[] = {"on_node", "nodeA", NULL};
  g_assert_cmpint(online(&h, "ok1", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  /* Idempotent: a second Online answers at once without calling the DLL. */
  g_assert_cmpint(online(&h, "ok1", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "Online-begin"), ==, 1);
  g_assert_cmpuint(count_log(log, "Open node=nodeA"), ==, 1);
  g_assert_cmpint(monitor(&h, "ok1", 0), ==, ClusterResourceOnline);
  g_assert_cmpint(monitor(&h, "ok1", 20), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "IsAlive 1 level=20"), ==, 1);
  g_assert_cmpint(monitor(&h, "never", 0), ==, ClusterResourceOffline);

  /* A second host on the node refuses to start (before touching any instance). */
  g_autoptr(GSubprocessLauncher) l2 = host_launcher();
  g_autoptr(GError) err2 = NULL;
  g_autoptr(GSubprocess) second = g_subprocess_launcher_spawn(l2, &err2, rhs_bin, NULL);
  g_assert_no_error(err2);
  g_assert_true(g_subprocess_wait(second, NULL, NULL));
  g_assert_cmpint(g_subprocess_get_exit_status(second), ==, 1);
  g_assert_cmpuint(count_log(log, "Open"), ==, 1);
  /* Control: ERROR_MORE_DATA tells the size; then the property list comes back. */
  {
    guint st = 0, needed = 0;
    g_autoptr(GVariant) out = NULL;
    g_autoptr(GError) cerr = NULL;
    clusres_dbus_resource_host1_call_control_sync(
        h.proxy, "ok1", CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES,
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, NULL, 0, 1), 4, &st, &out, &needed, NULL,
        &cerr);
    g_assert_no_error(cerr);
    g_assert_cmpuint(st, ==, ERROR_MORE_DATA);
    g_assert_cmpuint(needed, >, 4);
    g_clear_pointer(&out, g_variant_unref);
    guint want = needed;
    clusres_dbus_resource_host1_call_control_sync(
        h.proxy, "ok1", CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES,
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, NULL, 0, 1), want, &st, &out, &needed, NULL,
        &cerr);
    g_assert_no_error(cerr);
    g_assert_cmpuint(st, ==, ERROR_SUCCESS);
    g_assert_cmpuint(g_variant_n_children(out), ==, want);
    DWORD count = 0;
    memcpy(&count, g_variant_get_data(out), sizeof count);
    g_assert_cmpuint(count, ==, 2);
    clusres_dbus_resource_host1_call_control_sync(
        h.proxy, "ok1", 0x01000005 /* GET_CHARACTERISTICS: not handled by the DLL */,
        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, NULL, 0, 1), 16, &st, NULL, &needed, NULL,
        &cerr);
    g_assert_no_error(cerr);
    g_assert_cmpuint(st, ==, ERROR_INVALID_FUNCTION);
  }

  /* New parameters: Offline, Close, Open with the new "Parameters", Online. */
  const char *newp[] = {"Interval", "7", NULL};
  g_assert_cmpint(online(&h, "ok1", newp, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "Online-begin"), ==, 2);
  g_assert_cmpuint(count_log(log, "Open node=nodeA"), ==, 2);
  g_assert_cmpuint(count_log(log, "Close"), ==, 1);
  g_assert_cmpint(log_index(log, "Offline-end 0"), <, log_index(log, "Close"));
  g_autofree char *regfile = read_file("registry/ok1.conf");
  g_assert_nonnull(strstr(regfile, "dword:7")); /* typed by the DLL's property table */
  g_assert_cmpint(offline(&h, "ok1", 10000), ==, ClusterResourceOffline);
  g_assert_cmpuint(count_log(log, "Offline-end 0"), ==, 2);
  g_assert_cmpuint(count_log(log, "Close"), ==, 1); /* parked: see /rhs/park */
  g_assert_cmpint(monitor(&h, "ok1", 0), ==, ClusterResourceOffline);
  g_assert_cmpint(offline(&h, "ok1", 10000), ==, ClusterResourceOffline); /* idempotent */

  /* Argument validation and error names. */
  gint state;
  guint st;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_online_sync(h.proxy, "bad/name", "testdll", dll, kv(NULL),
                                               kv(NULL), 1000, &state, &st, &msg, NULL, &error);
  g_assert_nonnull(error);
  g_autofree char *remote = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote, ==, "org.clusres.Error.InvalidArgs");
  g_clear_error(&error);
  clusres_dbus_resource_host1_call_online_sync(h.proxy, "x", "testdll", "relative.so", kv(NULL),
                                               kv(NULL), 1000, &state, &st, &msg, NULL, &error);
  g_autofree char *remote2 = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote2, ==, "org.clusres.Error.InvalidArgs");
  g_clear_error(&error);
  clusres_dbus_resource_host1_call_online_sync(h.proxy, "x", "testdll", "/nonexistent/x.so",
                                               kv(NULL), kv(NULL), 1000, &state, &st, &msg, NULL,
                                               &error);
  g_autofree char *remote3 = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote3, ==, "org.clusres.Error.NotInstalled");
  g_clear_error(&error);
  clusres_dbus_resource_host1_call_online_sync(h.proxy, "x", "othertype", dll, kv(NULL), kv(NULL),
                                               1000, &state, &st, &msg, NULL, &error);
  g_autofree char *remote4 = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote4, ==, "org.clusres.Error.NotInstalled");
  g_clear_error(&error);
  const char *badmeta[] = {"pending_timeout", "soon", NULL};
  clusres_dbus_resource_host1_call_online_sync(h.proxy, "x", "testdll", dll, kv(NULL), kv(badmeta),
                                               1000, &state, &st, &msg, NULL, &error);
  g_autofree char *remote5 = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote5, ==, "org.clusres.Error.InvalidArgs");
  host_stop(&h);
}

/* An Online the host refuses with D-Bus error @name, the message containing @needle. */
static void expect_refused(Host *h, const char *resource, GVariant *params, GVariant *meta,
                           const char *name, const char *needle)
{
  gint state;
  guint st;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_online_sync(h->proxy, resource, "testdll", dll, params, meta,
                                               5000, &state, &st, &msg, NULL, &error);
  g_assert_nonnull(error);
  g_test_message("refused: %s", error->message);
  g_autofree char *remote = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote, ==, name);
  if (strstr(error->message, needle) == NULL)
    g_error("message \"%s\" lacks \"%s\"", error->message, needle);
}

/* Bad input is refused before anything is written or opened, and nothing is left behind:
 * meta booleans, parameter names the state record could not keep, values outside the DLL's
 * property table (validate-all's rules). */
static void test_bad_input(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  const char *const inv = "org.clusres.Error.InvalidArgs";

  const char *banana[] = {"separate_monitor", "banana", NULL};
  expect_refused(&h, "bad", params_for("bad", NULL), kv(banana), inv,
                 "meta separate_monitor=\"banana\" is not a boolean (true or false)");
  const char *yes[] = {"separate_monitor", "yes", NULL}; /* the agent sends true or false */
  expect_refused(&h, "bad", params_for("bad", NULL), kv(yes), inv, "is not a boolean");
  const char *sep[] = {"separate_monitor", "true", NULL};
  expect_refused(&h, "bad", params_for("bad", NULL), kv(sep), inv,
                 "meta separate_monitor=true, but this host serves every resource");
  const char *unknown[] = {"colour", "red", NULL};
  expect_refused(&h, "bad", params_for("bad", NULL), kv(unknown), inv,
                 "meta colour=\"red\": not a known key");

  static const char *const names[] = {" LogFile", "LogFile ", "#x", "a=b", "[x]", ""};
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    const char *p[] = {names[i], "1", NULL};
    expect_refused(&h, "bad", params_for("bad", p), kv(NULL), inv,
                   "is not a valid parameter name (a letter or '_'");
  }

  const char *big[] = {"Interval", "3600001", NULL};
  expect_refused(&h, "bad", params_for("bad", big), kv(NULL), inv,
                 "parameter Interval=\"3600001\": out of range (0 to 3600000)");
  const char *nan[] = {"Interval", "abc", NULL};
  expect_refused(&h, "bad", params_for("bad", nan), kv(NULL), inv,
                 "parameter Interval=\"abc\": must be an unsigned integer");
  const char *colour[] = {"Colour", "red", NULL};
  expect_refused(&h, "bad", params_for("bad", colour), kv(NULL), inv, "unknown parameter Colour");

  /* Nothing of "bad": no instance, no state record, no registry file (not even an empty one),
   * and the DLL never saw it. */
  g_autofree char *reg = path_in_tmp("registry/bad.conf");
  g_autofree char *rec = path_in_tmp("run/instances/bad.conf");
  g_assert_false(g_file_test(reg, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(rec, G_FILE_TEST_EXISTS));
  g_assert_cmpint(monitor(&h, "bad", 0), ==, ClusterResourceOffline);
  g_autofree char *log = log_name("bad");
  g_assert_cmpuint(count_log(log, "Open"), ==, 0);

  /* The largest Interval the table allows starts, and only then is anything written. */
  const char *max[] = {"Interval", "3600000", NULL};
  g_assert_cmpint(online(&h, "bad", max, NULL, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_true(g_file_test(reg, G_FILE_TEST_EXISTS));
  g_assert_true(g_file_test(rec, G_FILE_TEST_EXISTS));
  g_assert_cmpint(offline(&h, "bad", 10000), ==, ClusterResourceOffline);
  host_stop(&h);
}

static void test_pending_and_error(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  const char *pend[] = {"OnlineMode", "pending", "Checkpoints", "3", "Interval", "50", NULL};
  g_assert_cmpint(online(&h, "pend1", pend, NULL, 10000, NULL, NULL), ==, ClusterResourceOnline);

  /* Any error other than IO_PENDING: log, Terminate, Failed. */
  const char *err[] = {"OnlineMode", "error", "ErrorCode", "5", NULL};
  guint status = 0;
  g_autofree char *log = log_name("err1");
  g_assert_cmpint(online(&h, "err1", err, NULL, 10000, &status, NULL), ==, ClusterResourceFailed);
  g_assert_cmpuint(status, ==, ERROR_ACCESS_DENIED);
  g_assert_cmpuint(count_log(log, "Terminate"), ==, 1);
  g_assert_cmpint(monitor(&h, "err1", 0), ==, ClusterResourceFailed);

  /* A pending Online that ends 127 is reported as such, after Terminate. */
  const char *cannot[] = {"OnlineMode", "pending",    "Checkpoints", "1", "Interval",
                          "20",         "FinalState", "127",         NULL};
  g_autofree char *log2 = log_name("c127");
  g_assert_cmpint(online(&h, "c127", cannot, NULL, 10000, NULL, NULL), ==, 127);
  g_assert_cmpuint(count_log(log2, "Terminate"), ==, 1);

  /* Offline error: Terminate, and the stop still succeeds; the instance is closed, not
   * parked (the next start opens it afresh). */
  const char *offerr[] = {"OfflineMode", "error", NULL};
  g_autofree char *log3 = log_name("offerr");
  g_assert_cmpint(online(&h, "offerr", offerr, NULL, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, "offerr", 10000), ==, ClusterResourceOffline);
  g_assert_cmpuint(count_log(log3, "Terminate"), ==, 1);
  g_assert_cmpuint(count_log(log3, "Close"), ==, 1);
  host_stop(&h);
}

static void test_pending_inactivity(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  /* Silent after IO_PENDING: PendingTimeout (inactivity) ends it with Terminate -> Failed. */
  const char *silent[] = {"OnlineMode", "silent", NULL};
  const char *meta[] = {"pending_timeout", "700", NULL};
  gint64 ms = 0;
  guint status = 0;
  g_autofree char *log = log_name("silent1");
  g_assert_cmpint(online(&h, "silent1", silent, meta, 20000, &status, &ms), ==,
                  ClusterResourceFailed);
  g_assert_cmpuint(status, ==, ERROR_TIMEOUT);
  g_assert_cmpint(ms, >=, 650);
  g_assert_cmpint(ms, <, 5000);
  g_assert_cmpuint(count_log(log, "Terminate"), ==, 1);
  g_assert_cmpuint(count_log(log, "Worker-end terminated"), ==, 1);

  /* Slow but checkpointing: 8 x 250 ms = 2 s, far beyond the 700 ms PendingTimeout. */
  const char *slow[] = {"OnlineMode", "pending", "Checkpoints", "8", "Interval", "250", NULL};
  g_autofree char *log2 = log_name("slow1");
  g_assert_cmpint(online(&h, "slow1", slow, meta, 20000, &status, &ms), ==, ClusterResourceOnline);
  g_assert_cmpint(ms, >=, 1900);
  g_assert_cmpuint(count_log(log2, "Terminate"), ==, 0);

  /* The caller's total timeout (minus margin) ends a DLL that checkpoints forever. */
  const char *forever[] = {"OnlineMode", "pending", "Checkpoints", "1000", "Interval", "100", NULL};
  g_assert_cmpint(online(&h, "forever1", forever, meta, 3000, &status, &ms), ==,
                  ClusterResourceFailed);
  g_assert_cmpint(ms, <, 3000);
  g_assert_cmpint(ms, >=, 2000);
  host_stop(&h);
}

static void test_terminate_concurrent(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  /* Online blocks (holding the DLL lock) until Terminate: only a Terminate that bypasses the
   * lock lets it return.  The host must answer before the caller's 2 s run out. */
  const char *block[] = {"OnlineMode", "block", NULL};
  gint64 ms = 0;
  g_autofree char *log = log_name("block1");
  g_assert_cmpint(online(&h, "block1", block, NULL, 2000, NULL, &ms), ==, ClusterResourceFailed);
  g_assert_cmpint(ms, <, 2000);
  iterate_ms(200);
  int term = log_index(log, "Terminate");
  int end = log_index(log, "Online-end");
  g_assert_cmpint(term, >=, 0);
  g_assert_cmpint(end, >, term);
  g_assert_cmpuint(count_log(log, "Online-end 995"), ==, 1); /* returned because of Terminate */
  g_assert_cmpint(monitor(&h, "block1", 0), ==, ClusterResourceFailed);
  g_assert_cmpint(offline(&h, "block1", 5000), ==, ClusterResourceOffline);
  host_stop(&h);
}

typedef struct {
  char *resource;
  int state;
  int count;
} SignalSeen;

static void on_state_changed(GDBusConnection *c, const char *sender, const char *path,
                             const char *iface, const char *signal, GVariant *params, gpointer data)
{
  SignalSeen *s = data;
  const char *res, *reason;
  int state;
  g_variant_get(params, "(&si&s)", &res, &state, &reason);
  g_test_message("ResourceStateChanged %s %d %s", res, state, reason);
  g_free(s->resource);
  s->resource = g_strdup(res);
  s->state = state;
  s->count++;
}

static gboolean wait_signal(SignalSeen *s, guint ms)
{
  gint64 until = g_get_monotonic_time() + ms * 1000;
  while (s->count == 0 && g_get_monotonic_time() < until) {
    g_main_context_iteration(NULL, FALSE);
    g_usleep(2000);
  }
  return s->count > 0;
}

static void test_poll_failure(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  SignalSeen seen = {0};
  guint sub = g_dbus_connection_signal_subscribe(
      conn, NULL, "org.clusres.ResourceHost1", "ResourceStateChanged", HOST_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_state_changed, &seen, NULL);
  const char *meta[] = {
      "looks_alive_interval", "200", "is_alive_interval", "400", "on_node", "nodeP", NULL};
  g_assert_cmpint(online(&h, "poll1", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  iterate_ms(500);
  g_autofree char *log = log_name("poll1");
  g_assert_cmpuint(count_log(log, "LooksAlive 1"), >=, 1);
  g_assert_cmpuint(count_log(log, "IsAlive 1"), >=, 1);
  write_file("poll1.health", "isfail");
  gint64 t0 = g_get_monotonic_time();
  g_assert_true(wait_signal(&seen, 2000));
  g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, <=,
                  700); /* within the IsAlive interval (+slack) */
  g_assert_cmpstr(seen.resource, ==, "poll1");
  g_assert_cmpint(seen.state, ==, ClusterResourceFailed);
  g_assert_cmpuint(count_log(log, "Terminate"), ==, 1);
  g_assert_cmpint(monitor(&h, "poll1", 0), ==, ClusterResourceFailed);
  iterate_ms(500);
  g_autofree char *pushes = read_file("crm.calls");
  g_assert_nonnull(strstr(pushes, "--fail --resource poll1 --node nodeP"));
  /* Polling stopped: no further health checks, no second push. */
  guint calls = count_log(log, "IsAlive");
  iterate_ms(600);
  g_assert_cmpuint(count_log(log, "IsAlive"), ==, calls);
  g_autofree char *pushes2 = read_file("crm.calls");
  g_assert_cmpstr(pushes, ==, pushes2);

  /* LooksAlive FALSE => IsAlive at once; IsAlive TRUE => still online. */
  write_file("poll2.health", "");
  g_assert_cmpint(online(&h, "poll2", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  write_file("poll2.health", "looksfail");
  iterate_ms(500);
  g_autofree char *log2 = log_name("poll2");
  int lf = log_index(log2, "LooksAlive 0");
  g_assert_cmpint(lf, >=, 0);
  g_assert_cmpint(monitor(&h, "poll2", 0), ==, ClusterResourceOnline);
  g_dbus_connection_signal_unsubscribe(conn, sub);
  g_free(seen.resource);
  host_stop(&h);
}

/* One SASL exchange on a raw peer-socket client: sends @line, returns the answer line. */
static char *peer_exchange(int fd, const char *line)
{
  if (line != NULL)
    g_assert_cmpint(write(fd, line, strlen(line)), ==, (gssize)strlen(line));
  char buf[256];
  gsize n = 0;
  while (n < sizeof(buf) - 1) {
    ssize_t r = read(fd, buf + n, 1);
    if (r <= 0)
      break;
    n++;
    if (buf[n - 1] == '\n')
      break;
  }
  buf[n] = '\0';
  return g_strdup(buf);
}

static int peer_connect(const char *path)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
  g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
  return fd;
}

/* Sends @call on a raw authenticated peer socket and reads one whole message back. */
static GDBusMessage *peer_call(int fd, GDBusMessage *call)
{
  gsize size = 0;
  g_autofree guchar *out = g_dbus_message_to_blob(call, &size, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
  g_assert_cmpint(write(fd, out, size), ==, (gssize)size);
  guchar head[16];
  gsize got = 0;
  while (got < sizeof(head)) {
    ssize_t r = read(fd, head + got, sizeof(head) - got);
    g_assert_cmpint(r, >, 0);
    got += (gsize)r;
  }
  gssize need = g_dbus_message_bytes_needed(head, sizeof(head), NULL);
  g_assert_cmpint(need, >=, 16);
  g_autofree guchar *blob = g_malloc((gsize)need);
  memcpy(blob, head, sizeof(head));
  while (got < (gsize)need) {
    ssize_t r = read(fd, blob + got, (gsize)need - got);
    g_assert_cmpint(r, >, 0);
    got += (gsize)r;
  }
  GDBusMessage *reply =
      g_dbus_message_new_from_blob(blob, (gsize)need, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
  g_assert_nonnull(reply);
  g_assert_cmpuint(g_dbus_message_get_reply_serial(reply), ==, g_dbus_message_get_serial(call));
  return reply;
}

static void test_monitor_reuse_and_peer(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  g_autofree char *log = log_name("reuse1");
  /* No poll during the test: the reuse window is MIN(1 s, 60 s / 2) = 1 s. */
  const char *meta[] = {"looks_alive_interval", "60000", "is_alive_interval", "60000", NULL};
  write_file("reuse1.health", "");
  g_assert_cmpint(online(&h, "reuse1", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(monitor(&h, "reuse1", 0), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "LooksAlive"), ==, 1);
  /* Within the window a depth-0 Monitor reuses that TRUE: no DLL call. */
  g_assert_cmpint(monitor(&h, "reuse1", 0), ==, ClusterResourceOnline);
  g_assert_cmpint(monitor(&h, "reuse1", 0), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "LooksAlive"), ==, 1);
  /* A deep Monitor always asks the DLL. */
  g_assert_cmpint(monitor(&h, "reuse1", 10), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "IsAlive 1 level=10"), ==, 1);
  /* After the window: LooksAlive again, and LooksAlive FALSE -> IsAlive FALSE -> Failed. */
  write_file("reuse1.health", "looksfail isfail");
  iterate_ms(1100);
  g_assert_cmpint(monitor(&h, "reuse1", 0), ==, ClusterResourceFailed);
  g_assert_cmpuint(count_log(log, "LooksAlive 0"), ==, 1);
  g_assert_cmpint(monitor(&h, "reuse1", 0), ==, ClusterResourceFailed);
  /* A new Online starts without a reusable answer. */
  write_file("reuse1.health", "");
  g_assert_cmpint(offline(&h, "reuse1", 5000), ==, ClusterResourceOffline);
  g_assert_cmpint(online(&h, "reuse1", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  guint before = count_log(log, "LooksAlive");
  g_assert_cmpint(monitor(&h, "reuse1", 0), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "LooksAlive"), ==, before + 1);

  /* The peer socket's SASL: EXTERNAL only, identity checked against SO_PEERCRED. */
  /* Alive but degraded (ClusResSetDegraded): the Monitor says so with the DLL's reason, every
   * time from the DLL (no reuse window), at depth 0 and deeper; gone once the DLL stops saying
   * it. */
  write_file("reuse1.health", "degraded");
  iterate_ms(1100);
  for (guint depth = 0; depth <= 10; depth += 10) {
    const char *call = depth == 0 ? "LooksAlive 1" : "IsAlive 1 level=10";
    for (int i = 0; i < 2; i++) {
      guint calls = count_log(log, call);
      g_autofree char *msg = NULL;
      g_assert_cmpint(monitor_msg(&h, "reuse1", depth, &msg), ==, CLUSRES_STATE_ONLINE_DEGRADED);
      g_assert_cmpstr(msg, ==, "testdll: part failed");
      g_assert_cmpuint(count_log(log, call), ==, calls + 1);
    }
  }
  write_file("reuse1.health", "");
  g_assert_cmpint(monitor(&h, "reuse1", 0), ==, ClusterResourceOnline);
  g_assert_cmpint(monitor(&h, "reuse1", 0), ==, ClusterResourceOnline);

  g_autofree char *sock = path_in_tmp("run/rhs.sock");
  int fd = peer_connect(sock);
  g_autofree char *a1 = peer_exchange(fd, "AUTH\r\n");
  g_assert_cmpstr(a1, ==, ""); /* no NUL byte first: dropped */
  close(fd);
  fd = peer_connect(sock);
  g_assert_cmpint(write(fd, "", 1), ==, 1);
  /* A line in two pieces (a slow client) is assembled. */
  g_assert_cmpint(write(fd, "AU", 2), ==, 2);
  g_usleep(50000);
  g_autofree char *a2 = peer_exchange(fd, "TH\r\n");
  g_assert_cmpstr(a2, ==, "REJECTED EXTERNAL\r\n");
  g_autofree char *a3 = peer_exchange(fd, "AUTH EXTERNAL 3939\r\n"); /* uid 99 */
  g_assert_cmpstr(a3, ==, "REJECTED EXTERNAL\r\n");
  g_autofree char *a4 = peer_exchange(fd, "AUTH DBUS_COOKIE_SHA1 30\r\n");
  g_assert_cmpstr(a4, ==, "REJECTED EXTERNAL\r\n");
  g_autofree char *a5 = peer_exchange(fd, "BEGIN\r\n"); /* not authenticated yet */
  g_assert_cmpstr(a5, ==, "ERROR\r\n");
  g_autofree char *a6 = peer_exchange(fd, "AUTH EXTERNAL\r\n");
  g_assert_cmpstr(a6, ==, "DATA\r\n");
  g_autofree char *a7 = peer_exchange(fd, "DATA\r\n");
  g_assert_true(g_str_has_prefix(a7, "OK "));
  g_autofree char *a8 = peer_exchange(fd, "NEGOTIATE_UNIX_FD\r\n");
  g_assert_true(g_str_has_prefix(a8, "ERROR"));
  g_assert_cmpint(write(fd, "BEGIN\r\n", 7), ==, 7);
  /* A fresh window: wait the old one out, then a Monitor that calls LooksAlive. */
  iterate_ms(1100);
  guint la = count_log(log, "LooksAlive");
  g_assert_cmpint(monitor(&h, "reuse1", 0), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "LooksAlive"), ==, la + 1);
  /* A Monitor the reuse window answers comes back before GDBus is involved, twice; the next
   * call (ListTypes) hands the same connection over to GDBus, which answers it. */
  for (guint32 serial = 1; serial <= 3; serial++) {
    g_autoptr(GDBusMessage) call = g_dbus_message_new_method_call(
        NULL, HOST_PATH, "org.clusres.ResourceHost1", serial < 3 ? "Monitor" : "ListTypes");
    if (serial < 3)
      g_dbus_message_set_body(call, g_variant_new("(su)", "reuse1", 0u));
    g_dbus_message_set_serial(call, serial);
    g_autoptr(GDBusMessage) reply = peer_call(fd, call);
    g_assert_cmpint(g_dbus_message_get_message_type(reply), ==, G_DBUS_MESSAGE_TYPE_METHOD_RETURN);
    if (serial < 3) {
      gint32 state = -1;
      g_variant_get(g_dbus_message_get_body(reply), "(i&s)", &state, NULL);
      g_assert_cmpint(state, ==, ClusterResourceOnline);
      g_assert_cmpuint(g_dbus_message_get_serial(reply), >=, 0x80000000u); /* rhs-peer's */
    } else {
      g_assert_cmpstr(g_dbus_message_get_signature(reply), ==, "aa{sv}");
      g_assert_cmpuint(g_dbus_message_get_serial(reply), <, 0x80000000u); /* GDBus's */
    }
  }
  close(fd);
  /* Another uid is refused before any SASL (the socket's mode would stop it first: opened up
   * here to reach the check). */
  g_autofree char *run = path_in_tmp("run");
  g_assert_cmpint(g_chmod(tmpdir, 0711) | g_chmod(run, 0711) | g_chmod(sock, 0777), ==, 0);
  pid_t pid = fork();
  if (pid == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0)
      _exit(2);
    int c = peer_connect(sock);
    /* The host may have closed already: the send may fail, the read must get no answer. */
    (void)!send(c, "\0AUTH EXTERNAL 3635353334\r\n", 27, MSG_NOSIGNAL);
    char b[64];
    _exit(read(c, b, sizeof(b)) <= 0 ? 0 : 4);
  }
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  g_assert_cmpint(g_chmod(tmpdir, 0700) | g_chmod(run, 0755) | g_chmod(sock, 0755), ==, 0);
  /* A GDBus client (AUTH, EXTERNAL, NEGOTIATE_UNIX_FD refused, BEGIN) gets a working link. */
  g_autoptr(GError) error = NULL;
  g_autoptr(ClusresDbusResourceHost1) pp = peer_proxy_new(sock);
  for (guint depth = 0; depth <= 10; depth += 10) {
    gint state = -100;
    g_autofree char *msg = NULL;
    clusres_dbus_resource_host1_call_monitor_sync(pp, "reuse1", depth, &state, &msg, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpint(state, ==, ClusterResourceOnline);
  }
  /* Refused arguments still get the skeleton's errors. */
  gint state = -100;
  g_autofree char *msg = NULL;
  clusres_dbus_resource_host1_call_monitor_sync(pp, "reuse1", 101, &state, &msg, NULL, &error);
  g_autofree char *remote = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote, ==, "org.clusres.Error.InvalidArgs");
  g_clear_error(&error);
  g_dbus_connection_close_sync(g_dbus_proxy_get_connection(G_DBUS_PROXY(pp)), NULL, NULL);
  g_clear_object(&pp);
  g_assert_cmpint(offline(&h, "reuse1", 5000), ==, ClusterResourceOffline);
  host_stop(&h);
}

static void test_event_handle(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  SignalSeen seen = {0};
  guint sub = g_dbus_connection_signal_subscribe(
      conn, NULL, "org.clusres.ResourceHost1", "ResourceStateChanged", HOST_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_state_changed, &seen, NULL);
  const char *ev[] = {"OnlineMode", "event", NULL};
  const char *meta[] = {"looks_alive_interval", "100", "is_alive_interval", "60000", NULL};
  g_assert_cmpint(online(&h, "ev1", ev, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  iterate_ms(400);
  g_autofree char *log = log_name("ev1");
  g_assert_cmpuint(count_log(log, "LooksAlive"), ==, 0); /* the event replaces LooksAlive */
  /* A quiet event: a depth-0 Monitor answers Online without any DLL call. */
  g_assert_cmpint(monitor(&h, "ev1", 0), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "LooksAlive") + count_log(log, "IsAlive"), ==, 0);
  write_file("ev1.health", "event isfail");
  g_assert_true(wait_signal(&seen, 2000));
  g_assert_cmpint(seen.state, ==, ClusterResourceFailed);
  g_assert_cmpint(log_index(log, "Event-signalled"), <, log_index(log, "IsAlive 0"));
  g_assert_cmpuint(count_log(log, "Terminate"), ==, 1);
  g_assert_cmpint(monitor(&h, "ev1", 0), ==, ClusterResourceFailed);
  g_dbus_connection_signal_unsubscribe(conn, sub);
  g_free(seen.resource);
  host_stop(&h);
}

static void test_watchdog(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  const char *meta[] = {"looks_alive_interval", "60000", "on_node", "nodeW", NULL};
  g_assert_cmpint(online(&h, "wdok", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  /* A parked instance (stopped, kept open) is not a failure of this node. */
  g_assert_cmpint(online(&h, "wdpark", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, "wdpark", 10000), ==, ClusterResourceOffline);
  /* A hung Online with DeadlockTimeout 1 s: the host fails everything and exits 2. */
  const char *hang[] = {"OnlineMode", "hang", "HangMs", "30000", NULL};
  const char *wmeta[] = {"deadlock_timeout", "1000", "on_node", "nodeW", NULL};
  clusres_dbus_resource_host1_call_online(h.proxy, "wd1", "testdll", dll, params_for("wd1", hang),
                                          kv(wmeta), 20000, NULL, NULL, NULL);
  gint64 t0 = g_get_monotonic_time();
  g_autoptr(GError) error = NULL;
  g_assert_true(g_subprocess_wait(h.proc, NULL, &error));
  g_assert_cmpint((g_get_monotonic_time() - t0) / 1000, <, 5000);
  g_assert_true(g_subprocess_get_if_exited(h.proc));
  g_assert_cmpint(g_subprocess_get_exit_status(h.proc), ==, 2);
  host_clear(&h);
  iterate_ms(300);
  g_autofree char *pushes = read_file("crm.calls");
  g_assert_nonnull(strstr(pushes, "--fail --resource wdok --node nodeW"));
  g_autofree char *state = read_file("run/instances/wdok.conf");
  g_assert_nonnull(strstr(state, "state=failed"));
  g_assert_null(strstr(pushes, "wdpark"));
  g_autofree char *parked_rec = path_in_tmp("run/instances/wdpark.conf");
  g_assert_false(g_file_test(parked_rec, G_FILE_TEST_EXISTS));
  /* The next host keeps them failed until Pacemaker stops or starts them again.  Nothing
   * terminated them (the host exited at once): the stop runs Offline, so that what may still
   * run really stops. */
  host_start(&h, NULL, NULL);
  g_assert_cmpint(monitor(&h, "wdok", 0), ==, ClusterResourceFailed);
  g_autofree char *wdlog = log_name("wdok");
  g_assert_cmpuint(count_log(wdlog, "Offline-begin"), ==, 0);
  g_assert_cmpint(offline(&h, "wdok", 5000), ==, ClusterResourceOffline);
  g_assert_cmpuint(count_log(wdlog, "Offline-begin"), ==, 1);
  g_assert_cmpint(offline(&h, "wd1", 5000), ==, ClusterResourceOffline);
  host_stop(&h);
}

/* @name's dictionary in ListInstances, or NULL. */
static GVariant *instance_info(Host *h, const char *name)
{
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_list_instances_sync(h->proxy, &list, NULL, &error);
  g_assert_no_error(error);
  GVariantIter it;
  GVariant *d;
  g_variant_iter_init(&it, list);
  while ((d = g_variant_iter_next_value(&it)) != NULL) {
    const char *n = NULL;
    if (g_variant_lookup(d, "name", "&s", &n) && strcmp(n, name) == 0)
      return d;
    g_variant_unref(d);
  }
  return NULL;
}

static gboolean is_parked(Host *h, const char *name)
{
  g_autoptr(GVariant) d = instance_info(h, name);
  gboolean parked = FALSE;
  const char *state = NULL;
  if (d == NULL || !g_variant_lookup(d, "parked", "b", &parked) ||
      !g_variant_lookup(d, "state_name", "&s", &state))
    return FALSE;
  return parked && strcmp(state, "Offline") == 0;
}

static gboolean is_listed(Host *h, const char *name)
{
  g_autoptr(GVariant) d = instance_info(h, name);
  return d != NULL;
}

/* A clean stop keeps the instance open for close_delay (the next start skips Open); a failed
 * stop, close_delay 0, the delay running out, an Open that needs what a parked instance
 * holds, and a host stop close it. */
static void test_park(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  const char *keep[] = {"close_delay", "60000", NULL};
  g_autofree char *log = log_name("p1");
  g_assert_cmpint(online(&h, "p1", NULL, keep, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, "p1", 10000), ==, ClusterResourceOffline);
  g_assert_cmpuint(count_log(log, "Offline-end 0"), ==, 1);
  g_assert_cmpuint(count_log(log, "Close"), ==, 0);
  g_assert_true(is_parked(&h, "p1"));
  g_assert_cmpint(monitor(&h, "p1", 0), ==, ClusterResourceOffline);
  g_assert_cmpint(monitor(&h, "p1", 20), ==, ClusterResourceOffline);
  g_assert_cmpuint(count_log(log, "IsAlive"), ==, 0);
  /* Nothing of it runs: the next host must not re-adopt it. */
  g_autofree char *rec = path_in_tmp("run/instances/p1.conf");
  g_assert_false(g_file_test(rec, G_FILE_TEST_EXISTS));
  g_assert_cmpint(offline(&h, "p1", 10000), ==, ClusterResourceOffline); /* stays parked */
  g_assert_true(is_parked(&h, "p1"));

  /* The next start takes it as it is: Online without Open. */
  g_assert_cmpint(online(&h, "p1", NULL, keep, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "Online-begin"), ==, 2);
  g_assert_cmpuint(count_log(log, "Open node="), ==, 1);
  g_assert_false(is_parked(&h, "p1"));
  g_assert_true(g_file_test(rec, G_FILE_TEST_EXISTS));

  /* The close_delay of the last start counts: 300 ms, then Close. */
  const char *brief[] = {"close_delay", "300", NULL};
  g_assert_cmpint(offline(&h, "p1", 10000), ==, ClusterResourceOffline);
  g_assert_cmpint(online(&h, "p1", NULL, brief, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "Open node="), ==, 1);
  g_assert_cmpint(offline(&h, "p1", 10000), ==, ClusterResourceOffline);
  for (int i = 0; i < 300 && count_log(log, "Close") == 0; i++)
    g_usleep(10000);
  g_assert_cmpuint(count_log(log, "Close"), ==, 1);
  g_assert_false(is_listed(&h, "p1"));
  g_assert_cmpint(online(&h, "p1", NULL, keep, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "Open node="), ==, 2);

  /* close_delay 0: Close at the stop. */
  const char *now[] = {"close_delay", "0", NULL};
  g_autofree char *log2 = log_name("p2");
  g_assert_cmpint(online(&h, "p2", NULL, now, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, "p2", 10000), ==, ClusterResourceOffline);
  g_assert_cmpuint(count_log(log2, "Close"), ==, 1);
  g_assert_false(is_listed(&h, "p2")); /* a failed stop closes too: /rhs/online/pending-and-error */

  /* A parked instance holds what a new one needs (a deleted resource's unique name): the
   * failed Open is retried once after closing the parked instances of the type. */
  const char *excl[] = {"Exclusive", "E", NULL};
  g_autofree char *logx1 = log_name("x1");
  g_autofree char *logx2 = log_name("x2");
  g_assert_cmpint(online(&h, "x1", excl, keep, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, "x1", 10000), ==, ClusterResourceOffline);
  g_assert_true(is_parked(&h, "x1"));
  g_assert_cmpint(online(&h, "x2", excl, keep, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(logx2, "Open refused"), ==, 1);
  g_assert_cmpuint(count_log(logx2, "Open node="), ==, 1);
  g_assert_cmpuint(count_log(logx1, "Close"), ==, 1);
  g_assert_false(is_listed(&h, "x1"));
  /* An online holder is not touched: the Open fails. */
  guint status = 0;
  g_assert_cmpint(online(&h, "x3", excl, keep, 10000, &status, NULL), ==, ClusterResourceFailed);
  g_assert_cmpuint(status, ==, ERROR_ALREADY_EXISTS);
  g_assert_cmpint(monitor(&h, "x2", 0), ==, ClusterResourceOnline);

  /* Stop/start races with the close: every start finds an instance, old or new. */
  const char *tiny[] = {"close_delay", "1", NULL};
  g_autofree char *log4 = log_name("p4");
  for (int i = 0; i < 30; i++) {
    g_assert_cmpint(online(&h, "p4", NULL, tiny, 10000, NULL, NULL), ==, ClusterResourceOnline);
    g_assert_cmpint(offline(&h, "p4", 10000), ==, ClusterResourceOffline);
    if (i % 3 == 0)
      g_usleep(5000);
  }
  g_assert_cmpuint(count_log(log4, "Online-begin"), ==, 30);
  for (int i = 0; i < 300 && is_listed(&h, "p4"); i++)
    g_usleep(10000);
  g_assert_false(is_listed(&h, "p4"));
  g_assert_cmpuint(count_log(log4, "Open node="), ==, count_log(log4, "Close"));

  /* A host stop closes parked instances (online ones stay open for the next host). */
  g_assert_cmpint(offline(&h, "x2", 10000), ==, ClusterResourceOffline);
  g_assert_true(is_parked(&h, "x2"));
  host_stop(&h);
  g_assert_cmpuint(count_log(logx2, "Close"), ==, 1);
  g_assert_cmpuint(count_log(log, "Close"), ==, 1);
  host_start(&h, NULL, NULL);
  g_assert_cmpint(monitor(&h, "p1", 0), ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, "p1", 10000), ==, ClusterResourceOffline);
  host_stop(&h);
}

static void test_recovery(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  g_autofree char *log = log_name("rec1");
  const char *meta[] = {"looks_alive_interval", "60000", NULL};
  g_assert_cmpint(online(&h, "rec1", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(online(&h, "rec2", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  host_kill9(&h);
  write_file("rec2.health", "isfail"); /* rec2 died together with the host */
  host_start(&h, NULL, NULL);
  /* Re-adopted: Open + IsAlive, no new Online. */
  g_assert_cmpint(monitor(&h, "rec1", 0), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "Online-begin"), ==, 1);
  g_assert_cmpuint(count_log(log, "Open"), ==, 2);
  g_assert_cmpint(monitor(&h, "rec2", 0), ==, ClusterResourceFailed);
  iterate_ms(300);
  g_autofree char *pushes = read_file("crm.calls");
  g_assert_nonnull(strstr(pushes, "--fail --resource rec2"));

  g_autoptr(GVariant) list = NULL;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_list_instances_sync(h.proxy, &list, NULL, &error);
  g_assert_no_error(error);
  gboolean found = FALSE;
  GVariantIter it;
  GVariant *d;
  g_variant_iter_init(&it, list);
  while ((d = g_variant_iter_next_value(&it)) != NULL) {
    const char *name = NULL;
    gboolean recovered = FALSE;
    g_variant_lookup(d, "name", "&s", &name);
    g_variant_lookup(d, "recovered", "b", &recovered);
    if (g_strcmp0(name, "rec1") == 0) {
      found = TRUE;
      g_assert_true(recovered);
      g_autoptr(GVariant) priv = g_variant_lookup_value(d, "private", G_VARIANT_TYPE_VARDICT);
      g_assert_nonnull(priv);
      const char *mode = NULL;
      g_assert_true(g_variant_lookup(priv, "Mode", "&s", &mode));
    }
    g_variant_unref(d);
  }
  g_assert_true(found);

  /* SIGTERM leaves online resources running: no Offline, Terminate or Close. */
  host_stop(&h);
  g_assert_cmpuint(count_log(log, "Terminate"), ==, 0);
  g_assert_cmpuint(count_log(log, "Close"), ==, 0);
  host_start(&h, NULL, NULL);
  g_assert_cmpint(monitor(&h, "rec1", 0), ==, ClusterResourceOnline);
  g_assert_cmpuint(count_log(log, "Online-begin"), ==, 1);
  g_assert_cmpint(offline(&h, "rec1", 5000), ==, ClusterResourceOffline);
  g_assert_cmpint(offline(&h, "rec2", 5000), ==, ClusterResourceOffline);
  host_stop(&h);
}

static void test_separate(void)
{
  Host h = {0};
  host_start(&h, "sep-1", HOST_NAME ".Separate.sep_2d1");
  const char *meta[] = {"separate_monitor", "true", NULL};
  g_assert_cmpint(online(&h, "sep-1", NULL, meta, 10000, NULL, NULL), ==, ClusterResourceOnline);
  gint state;
  guint st;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_online_sync(h.proxy, "other", "testdll", dll, kv(NULL), kv(NULL),
                                               1000, &state, &st, &msg, NULL, &error);
  g_autofree char *remote = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote, ==, "org.clusres.Error.InvalidArgs");
  g_clear_error(&error);

  /* The peer socket answers without the bus. */
  g_autofree char *sep_sock = g_strdup_printf("%s/run/rhs-sep_2d1.sock", tmpdir);
  g_autoptr(ClusresDbusResourceHost1) pp = peer_proxy_new(sep_sock);
  g_autofree char *msg2 = NULL;
  clusres_dbus_resource_host1_call_monitor_sync(pp, "sep-1", 0, &state, &msg2, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpint(state, ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, "sep-1", 5000), ==, ClusterResourceOffline);
  g_dbus_connection_close_sync(g_dbus_proxy_get_connection(G_DBUS_PROXY(pp)), NULL, NULL);
  g_clear_object(&pp);
  host_stop(&h);
}

static void test_activation(void)
{
  /* The installed activation file, with Exec pointed at the build tree. */
  const char *service = g_getenv("CLUSRES_TEST_SERVICE_FILE");
  g_assert_nonnull(service);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(service, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "[D-BUS Service]\nName=org.clusres.ResourceHost\n"));
  g_assert_nonnull(strstr(text, "\nUser=root\n"));
  g_assert_nonnull(strstr(text, "/clusres/clusres-rhs"));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_autoptr(GString) copy = g_string_new(NULL);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (g_str_has_prefix(lines[i], "Exec="))
      g_string_append_printf(copy, "Exec=%s --foreground\n", rhs_bin);
    else
      g_string_append_printf(copy, "%s\n", lines[i]);
  }
  write_file("services/org.clusres.ResourceHost.service", copy->str);
  g_dbus_connection_call_sync(conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                              "org.freedesktop.DBus", "ReloadConfig", NULL, NULL,
                              G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  g_assert_false(name_has_owner(HOST_NAME));

  /* The first call starts the host. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = g_dbus_connection_call_sync(
      conn, HOST_NAME, HOST_PATH, "org.clusres.ResourceHost1", "Monitor",
      g_variant_new("(su)", "nothing", 0u), G_VARIANT_TYPE("(is)"), G_DBUS_CALL_FLAGS_NONE, 20000,
      NULL, &error);
  g_assert_no_error(error);
  gint state;
  g_variant_get(r, "(i&s)", &state, NULL);
  g_assert_cmpint(state, ==, ClusterResourceOffline);
  g_assert_true(name_has_owner(HOST_NAME));

  g_autoptr(ClusresDbusResourceHost1) proxy = clusres_dbus_resource_host1_proxy_new_sync(
      conn, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, HOST_NAME, HOST_PATH, NULL, &error);
  g_assert_no_error(error);
  guint pid = clusres_dbus_resource_host1_get_pid(proxy);
  g_assert_cmpuint(pid, >, 1);
  g_assert_cmpint(kill((pid_t)pid, SIGTERM), ==, 0);
  for (int i = 0; i < 500 && name_has_owner(HOST_NAME); i++)
    g_usleep(10000);
  g_assert_false(name_has_owner(HOST_NAME));
  g_autofree char *svc = path_in_tmp("services/org.clusres.ResourceHost.service");
  g_unlink(svc);
}

/*
 * Finding: a host killed during a pending Online left no record, so the next host answered
 * "not running" and a stop succeeded without touching the application.  Now the intent is
 * recorded before Open: the next host answers Failed and the stop kills what the DLL started.
 */
static void test_kill9_pending_start(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  /* ReadyCommand false: the start stays pending, its application running. */
  genapp_online_async(&h, "ps1", app_params("ps1", FALSE, NULL));
  WAIT_FOR(app_running("ps1") && monitor(&h, "ps1", 0) == ClusterResourceOnlinePending);
  g_assert_true(app_running("ps1"));
  g_assert_cmpint(monitor(&h, "ps1", 0), ==, ClusterResourceOnlinePending);
  pid_t pid = app_pid("ps1");
  host_kill9(&h);
  host_start(&h, NULL, NULL);
  /* Not "not running" (OCF 7): Pacemaker would take it for stopped and start it elsewhere. */
  g_assert_cmpint(monitor(&h, "ps1", 0), ==, ClusterResourceFailed);
  g_autofree char *rec = record_state("ps1");
  g_assert_cmpstr(rec, ==, "onlining");
  g_assert_true(pid_running(pid)); /* re-adoption reports, it does not stop */
  g_assert_cmpint(offline(&h, "ps1", 20000), ==, ClusterResourceOffline);
  g_assert_false(pid_running(pid));
  g_autofree char *gone = record_state("ps1");
  g_assert_null(gone);
  g_assert_cmpint(monitor(&h, "ps1", 0), ==, ClusterResourceOffline);
  g_assert_cmpint(offline(&h, "ps1", 20000), ==, ClusterResourceOffline); /* idempotent */
  host_stop(&h);
}

/* A host killed during a pending Offline: the record says "offlining", so the next host does
 * not re-adopt the half-stopped application as online; the stop finishes the job. */
static void test_kill9_pending_stop(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  /* 5 s of SIGTERM ignored: time enough to see the stop pending on a busy machine. */
  const char *slow[] = {"StopTimeout", "5000", NULL};
  app_ready("pt1");
  g_assert_cmpint(genapp_online(&h, "pt1", app_params("pt1", TRUE, slow)), ==,
                  ClusterResourceOnline);
  pid_t pid = app_pid("pt1");
  g_assert_true(pid_running(pid));
  /* The application ignores SIGTERM: the stop waits StopTimeout before SIGKILL. */
  offline_async(&h, "pt1");
  WAIT_FOR(monitor(&h, "pt1", 0) == ClusterResourceOfflinePending);
  g_assert_cmpint(monitor(&h, "pt1", 0), ==, ClusterResourceOfflinePending);
  host_kill9(&h);
  g_assert_true(pid_running(pid));
  host_start(&h, NULL, NULL);
  g_assert_cmpint(monitor(&h, "pt1", 0), ==, ClusterResourceFailed);
  g_autofree char *rec = record_state("pt1");
  g_assert_cmpstr(rec, ==, "offlining");
  g_assert_cmpint(offline(&h, "pt1", 20000), ==, ClusterResourceOffline);
  g_assert_false(pid_running(pid));
  g_assert_cmpint(monitor(&h, "pt1", 0), ==, ClusterResourceOffline);
  host_stop(&h);
}

/* Fills the file system of @path (write until ENOSPC); returns the bytes written. */
static gsize fill_fs(int fd)
{
  static const char page[4096];
  gsize total = 0;
  for (;;) {
    ssize_t n = write(fd, page, sizeof page);
    if (n <= 0)
      break;
    total += (gsize)n;
  }
  g_assert_cmpint(errno, ==, ENOSPC);
  return total;
}

/*
 * Finding: a state write that failed (full run file system) was only logged and the start
 * reported success; after a host restart the resource was "not running".  Now a start whose
 * intent cannot be recorded fails before the DLL is called, and one whose final record cannot
 * be written fails (Terminate), its "onlining" record still there for a restarted host.  The
 * state directory is a real tmpfs, full or with exactly one page left.
 */
static void test_state_write_fails(void)
{
  if (!private_mounts) {
    g_test_skip("no private mount namespace (needs root) for a tmpfs");
    return;
  }
  g_autofree char *dir = path_in_tmp("run/instances");
  g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
  g_assert_cmpint(mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0700"), ==, 0);
  g_autofree char *filler = g_build_filename(dir, "filler", NULL);
  int fd = g_open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint(fd, >=, 0);
  gsize full = fill_fs(fd);
  Host h = {0};
  host_start(&h, NULL, NULL);

  /* Full: the intent cannot be written, the DLL is never asked. */
  gint state;
  guint st;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  clusres_dbus_resource_host1_call_online_sync(h.proxy, "full1", "testdll", dll,
                                               params_for("full1", NULL), kv(NULL), 10000, &state,
                                               &st, &msg, NULL, &error);
  g_assert_nonnull(error);
  g_autofree char *remote = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote, ==, "org.clusres.Error.Failed");
  g_assert_nonnull(strstr(error->message, "cannot record full1 as onlining"));
  g_clear_error(&error);
  g_autofree char *log1 = log_name("full1");
  g_assert_cmpuint(count_log(log1, "Online-begin"), ==, 0);
  g_assert_cmpint(monitor(&h, "full1", 0), ==, ClusterResourceOffline);

  /* One page left: "onlining" fits, "online" (a second file, then renamed) does not.  The
   * start fails and is terminated. */
  g_assert_cmpint(ftruncate(fd, (off_t)(full - 4096)), ==, 0);
  g_autofree char *log2 = log_name("full2");
  clusres_dbus_resource_host1_call_online_sync(h.proxy, "full2", "testdll", dll,
                                               params_for("full2", NULL), kv(NULL), 10000, &state,
                                               &st, &msg, NULL, &error);
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "cannot record full2 as online"));
  g_clear_error(&error);
  g_assert_cmpuint(count_log(log2, "Online-end 0"), ==, 1);
  g_assert_cmpuint(count_log(log2, "Terminate"), ==, 1);
  g_assert_cmpint(monitor(&h, "full2", 0), ==, ClusterResourceFailed);
  g_autofree char *rec = record_state("full2");
  g_assert_cmpstr(rec, ==, "onlining");
  /* A restarted host finds it failed, not "not running". */
  host_kill9(&h);
  host_start(&h, NULL, NULL);
  g_assert_cmpint(monitor(&h, "full2", 0), ==, ClusterResourceFailed);
  /* A stop goes on when its intent cannot be written (the disk is still full). */
  g_assert_cmpint(offline(&h, "full2", 10000), ==, ClusterResourceOffline);
  g_assert_cmpuint(count_log(log2, "Offline-begin"), ==, 1);
  g_autofree char *gone = record_state("full2");
  g_assert_null(gone);

  /* Space again: starts work. */
  close(fd);
  g_assert_cmpint(g_unlink(filler), ==, 0);
  g_assert_cmpint(online(&h, "full1", NULL, NULL, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, "full1", 10000), ==, ClusterResourceOffline);
  host_stop(&h);
  g_assert_cmpint(umount2(dir, MNT_DETACH), ==, 0);
}

/*
 * Finding: a 128-byte name could escape to more than a file name holds; its record was never
 * written and the start still succeeded.  Now Online refuses such a name (InvalidArgs, OCF 6),
 * and the longest name that fits really is recorded and re-adopted.
 */
static void test_long_name(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  gint state;
  guint st;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;
  /* 128 bytes escaping to 384: no file name can hold its record. */
  g_autofree char *dashes = g_strnfill(128, '-');
  clusres_dbus_resource_host1_call_online_sync(h.proxy, dashes, "testdll", dll, kv(NULL), kv(NULL),
                                               10000, &state, &st, &msg, NULL, &error);
  g_assert_nonnull(error);
  g_autofree char *remote = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote, ==, "org.clusres.Error.InvalidArgs");
  g_assert_nonnull(strstr(error->message, "escapes to 384 bytes"));
  g_clear_error(&error);
  g_assert_cmpint(monitor(&h, dashes, 0), ==, ClusterResourceOffline);
  g_assert_cmpint(offline(&h, dashes, 10000), ==, ClusterResourceOffline);
  /* 81 dashes escape to 243 bytes, the most that fits ("<escaped>.conf.XXXXXX" = 255); one
   * more byte does not. */
  g_autofree char *fits = g_strnfill(81, '-');
  g_autofree char *too_long = g_strconcat(fits, "a", NULL);
  clusres_dbus_resource_host1_call_online_sync(h.proxy, too_long, "testdll", dll, kv(NULL),
                                               kv(NULL), 10000, &state, &st, &msg, NULL, &error);
  g_autofree char *remote2 = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote2, ==, "org.clusres.Error.InvalidArgs");
  g_clear_error(&error);
  g_autofree char *letters = g_strnfill(128, 'a');
  g_assert_cmpint(online(&h, fits, NULL, NULL, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(online(&h, letters, NULL, NULL, 10000, NULL, NULL), ==, ClusterResourceOnline);
  host_kill9(&h);
  host_start(&h, NULL, NULL);
  g_assert_cmpint(monitor(&h, fits, 0), ==, ClusterResourceOnline);
  g_assert_cmpint(monitor(&h, letters, 0), ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, fits, 10000), ==, ClusterResourceOffline);
  g_assert_cmpint(offline(&h, letters, 10000), ==, ClusterResourceOffline);
  host_stop(&h);
}

/*
 * Finding: a re-Open with changed parameters that failed left the old record (online), so a
 * resource that was stopped came back "recovered online" after a host restart.
 */
static void test_failed_reopen(void)
{
  Host h = {0};
  host_start(&h, NULL, NULL);
  const char *excl[] = {"Exclusive", "R", NULL};
  g_assert_cmpint(online(&h, "holder", excl, NULL, 10000, NULL, NULL), ==, ClusterResourceOnline);
  g_assert_cmpint(online(&h, "ro1", NULL, NULL, 10000, NULL, NULL), ==, ClusterResourceOnline);
  /* New parameters whose Open fails (the online holder has Exclusive=R). */
  guint status = 0;
  g_assert_cmpint(online(&h, "ro1", excl, NULL, 10000, &status, NULL), ==, ClusterResourceFailed);
  g_assert_cmpuint(status, ==, ERROR_ALREADY_EXISTS);
  g_autofree char *log = log_name("ro1");
  g_assert_cmpuint(count_log(log, "Offline-end 0"), ==, 1); /* the old one was stopped */
  g_assert_cmpint(monitor(&h, "ro1", 0), ==, ClusterResourceOffline);
  g_autofree char *rec = record_state("ro1");
  g_assert_null(rec);
  host_kill9(&h);
  host_start(&h, NULL, NULL);
  g_assert_cmpint(monitor(&h, "ro1", 0), ==, ClusterResourceOffline); /* not "recovered" */
  g_assert_cmpuint(count_log(log, "Online-begin"), ==, 1);
  g_assert_cmpint(monitor(&h, "holder", 0), ==, ClusterResourceOnline);
  g_assert_cmpint(offline(&h, "holder", 10000), ==, ClusterResourceOffline);
  host_stop(&h);
}

/* What a host killed at a crash point leaves, as the next host sees it. */
typedef struct {
  const char *point;
  const char *record; /* the record's state, NULL: none */
  int monitor;        /* the next host's Monitor answer */
  gboolean running;   /* the application runs */
} CrashCase;

/*
 * The next host's view after a crash, and the rules that make it safe: an application that
 * runs has a record and is never "not running" to Monitor; "online" only if it runs; a stop
 * ends it, removes the record and is idempotent.
 */
static void check_after_crash(Host *h, const char *name, const char *files, const CrashCase *c)
{
  g_test_message("after a crash at %s", c->point);
  g_autofree char *rec = record_state(name);
  g_assert_cmpstr(rec, ==, c->record);
  gboolean running = app_running(files);
  g_assert_cmpint(running, ==, c->running);
  int m = monitor(h, name, 0);
  g_assert_cmpint(m, ==, c->monitor);
  if (running) {
    g_assert_nonnull(rec);
    g_assert_cmpint(m, !=, ClusterResourceOffline);
  }
  if (m == ClusterResourceOnline)
    g_assert_true(running);
  pid_t pid = app_pid(files);
  g_assert_cmpint(offline(h, name, 20000), ==, ClusterResourceOffline);
  g_assert_false(pid_running(pid));
  g_autofree char *gone = record_state(name);
  g_assert_null(gone);
  g_assert_cmpint(monitor(h, name, 0), ==, ClusterResourceOffline);
  g_assert_cmpint(offline(h, name, 20000), ==, ClusterResourceOffline);
}

static void test_crash_online(void)
{
  if (!CLUSRES_FAULT_INJECTION) {
    g_test_skip("built without -Dfault_injection");
    return;
  }
  static const CrashCase cases[] = {
      {"online-before-intent", NULL, ClusterResourceOffline, FALSE},
      {"online-after-intent", "onlining", ClusterResourceFailed, FALSE},
      {"online-after-open", "onlining", ClusterResourceFailed, FALSE},
      {"online-checkpoint", "onlining", ClusterResourceFailed, TRUE},
      {"online-after-online", "onlining", ClusterResourceFailed, TRUE},
      {"online-after-record", "online", ClusterResourceOnline, TRUE},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const CrashCase *c = &cases[i];
    g_autofree char *name = g_strdup_printf("con%u", i);
    /* Ready at once, but for the checkpoint: a pending start reports while not ready. */
    if (strcmp(c->point, "online-checkpoint") != 0)
      app_ready(name);
    Host h = {0};
    host_start_armed(&h, NULL, NULL, c->point);
    genapp_online_async(&h, name, app_params(name, FALSE, NULL));
    host_expect_crash(&h);
    host_start(&h, NULL, NULL);
    check_after_crash(&h, name, name, c);
    host_stop(&h);
  }
}

static void test_crash_offline(void)
{
  if (!CLUSRES_FAULT_INJECTION) {
    g_test_skip("built without -Dfault_injection");
    return;
  }
  static const CrashCase cases[] = {
      {"offline-before-intent", "online", ClusterResourceOnline, TRUE},
      {"offline-after-intent", "offlining", ClusterResourceFailed, TRUE},
      {"offline-checkpoint", "offlining", ClusterResourceFailed, TRUE},
      {"offline-after-offline", "offlining", ClusterResourceFailed, FALSE},
      {"offline-after-remove", NULL, ClusterResourceOffline, FALSE},
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    const CrashCase *c = &cases[i];
    g_autofree char *name = g_strdup_printf("coff%u", i);
    /* The checkpoint: an application that ignores SIGTERM keeps the stop pending (genapp
     * reports every second of StopTimeout). */
    gboolean slow = strcmp(c->point, "offline-checkpoint") == 0;
    const char *stop[] = {"StopTimeout", "2000", NULL};
    app_ready(name);
    Host h = {0};
    host_start_armed(&h, NULL, NULL, c->point);
    g_assert_cmpint(genapp_online(&h, name, app_params(name, slow, slow ? stop : NULL)), ==,
                    ClusterResourceOnline);
    g_assert_true(app_running(name));
    offline_async(&h, name);
    host_expect_crash(&h);
    host_start(&h, NULL, NULL);
    check_after_crash(&h, name, name, c);
    host_stop(&h);
  }
}

/* Killed while re-adopting, again and again: the record is what it was, the application is not
 * restarted, and the host that finally survives finds what the first one left. */
static void test_crash_recover(void)
{
  if (!CLUSRES_FAULT_INJECTION) {
    g_test_skip("built without -Dfault_injection");
    return;
  }
  static const char *const points[] = {"recover-before-open", "recover-after-open",
                                       "recover-after-isalive"};
  Host h = {0};
  host_start(&h, NULL, NULL);
  app_ready("cre1");
  g_assert_cmpint(genapp_online(&h, "cre1", app_params("cre1", FALSE, NULL)), ==,
                  ClusterResourceOnline);
  pid_t pid = app_pid("cre1");
  /* cre2: a start left pending (never ready). */
  genapp_online_async(&h, "cre2", app_params("cre2", FALSE, NULL));
  WAIT_FOR(app_running("cre2") && monitor(&h, "cre2", 0) == ClusterResourceOnlinePending);
  g_assert_cmpint(monitor(&h, "cre2", 0), ==, ClusterResourceOnlinePending);
  pid_t pid2 = app_pid("cre2");
  host_kill9(&h);
  for (guint i = 0; i < G_N_ELEMENTS(points); i++) {
    /* Two instances: the point is reached once per instance, so crash at either. */
    g_autofree char *at = g_strdup_printf("%s:%u", points[i], i % 2 + 1);
    host_run_crashing(at);
    g_autofree char *rec1 = record_state("cre1");
    g_autofree char *rec2 = record_state("cre2");
    g_assert_cmpstr(rec1, ==, "online");
    g_assert_cmpstr(rec2, ==, "onlining");
    g_assert_true(pid_running(pid));
    g_assert_true(pid_running(pid2));
  }
  host_start(&h, NULL, NULL);
  const CrashCase online = {"recover-*", "online", ClusterResourceOnline, TRUE};
  const CrashCase pending = {"recover-*", "onlining", ClusterResourceFailed, TRUE};
  g_assert_cmpint(app_pid("cre1"), ==, pid); /* never restarted */
  check_after_crash(&h, "cre2", "cre2", &pending);
  check_after_crash(&h, "cre1", "cre1", &online);
  host_stop(&h);
}

/* A start with new parameters stops the old configuration and starts the new one: killed in
 * either half, the record names the configuration that may run, and the stop ends it. */
static void test_crash_reopen(void)
{
  if (!CLUSRES_FAULT_INJECTION) {
    g_test_skip("built without -Dfault_injection");
    return;
  }
  /* Killed while stopping the old application: the record still has the old parameters. */
  Host h = {0};
  host_start_armed(&h, NULL, NULL, "offline-after-intent");
  app_ready("crp1a");
  g_assert_cmpint(genapp_online(&h, "crp1", app_params("crp1a", FALSE, NULL)), ==,
                  ClusterResourceOnline);
  app_ready("crp1b");
  genapp_online_async(&h, "crp1", app_params("crp1b", FALSE, NULL));
  host_expect_crash(&h);
  host_start(&h, NULL, NULL);
  const CrashCase old_runs = {"offline-after-intent (re-open)", "offlining", ClusterResourceFailed,
                              TRUE};
  check_after_crash(&h, "crp1", "crp1a", &old_runs);
  g_assert_false(app_running("crp1b"));
  host_stop(&h);

  /* Killed while the new one starts: the old one is gone, the record has the new parameters. */
  host_start_armed(&h, NULL, NULL, "online-checkpoint");
  app_ready("crp2a");
  g_assert_cmpint(genapp_online(&h, "crp2", app_params("crp2a", FALSE, NULL)), ==,
                  ClusterResourceOnline);
  pid_t old = app_pid("crp2a");
  genapp_online_async(&h, "crp2", app_params("crp2b", FALSE, NULL)); /* never ready */
  host_expect_crash(&h);
  g_assert_false(pid_running(old));
  host_start(&h, NULL, NULL);
  const CrashCase new_runs = {"online-checkpoint (re-open)", "onlining", ClusterResourceFailed,
                              TRUE};
  check_after_crash(&h, "crp2", "crp2b", &new_runs);
  host_stop(&h);
}

/* ---- setup ---------------------------------------------------------------------------------- */

static void start_bus(void)
{
  g_autofree char *sock = path_in_tmp("bus");
  g_autofree char *services = path_in_tmp("services");
  g_assert_cmpint(g_mkdir(services, 0755), ==, 0);
  g_autofree char *conf = g_strdup_printf(
      "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
      " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
      "<busconfig><type>system</type><listen>unix:path=%s</listen><auth>EXTERNAL</auth>\n"
      "<servicedir>%s</servicedir>\n"
      "<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>\n"
      "<allow send_destination=\"*\"/><allow receive_sender=\"*\"/></policy></busconfig>\n",
      sock, services);
  write_file("bus.conf", conf);
  g_autofree char *conf_path = path_in_tmp("bus.conf");
  g_autofree char *arg = g_strdup_printf("--config-file=%s", conf_path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup(l, die_with_parent, NULL, NULL);
  /* Hosts started by bus activation inherit the daemon's environment. */
  g_autofree char *run = path_in_tmp("run");
  g_autofree char *reg = path_in_tmp("registry");
  g_autofree char *crm = path_in_tmp("crm_resource");
  g_subprocess_launcher_setenv(l, "CLUSRES_RUN_DIR", run, TRUE);
  g_subprocess_launcher_setenv(l, "CLUSRES_REGISTRY_DIR", reg, TRUE);
  g_subprocess_launcher_setenv(l, "CLUSRES_CRM_RESOURCE", crm, TRUE);
  bus = g_subprocess_launcher_spawn(l, &error, "dbus-daemon", arg, "--nofork", "--print-address",
                                    NULL);
  g_assert_no_error(error);
  /* The daemon prints its address once it listens; the socket file alone appears at bind(),
   * before listen(), and connecting then is refused. */
  g_autoptr(GDataInputStream) out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(bus));
  g_autofree char *printed = g_data_input_stream_read_line(out, NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(printed);
  bus_address = g_strdup_printf("unix:path=%s", sock);
  conn = g_dbus_connection_new_for_address_sync(bus_address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error(error);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  rhs_bin = g_getenv("CLUSRES_TEST_RHS");
  dll = g_getenv("CLUSRES_TEST_DLL");
  genapp = g_getenv("CLUSRES_TEST_GENAPP");
  g_assert_nonnull(rhs_bin);
  g_assert_nonnull(dll);
  g_assert_nonnull(genapp);
  app_pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
  /* A mount namespace of our own, taken before any thread exists (the namespace is per
   * thread): the tmpfs of /rhs/crash/state-write-fails never shows outside this process and
   * its children. */
  private_mounts =
      unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
  tmpdir = g_dir_make_tmp("test-rhs-host-XXXXXX", NULL);
  g_assert_nonnull(tmpdir);
  /* Records every failure push instead of talking to a cluster. */
  g_autofree char *calls = path_in_tmp("crm.calls");
  g_autofree char *script = g_strdup_printf("#!/bin/sh\necho \"$*\" >> '%s'\n", calls);
  write_file("crm_resource", script);
  g_autofree char *crm = path_in_tmp("crm_resource");
  g_chmod(crm, 0755);
  /* A host stop leaves online instances open on purpose (Close would terminate them), so
   * their DLL data and registry keys are still allocated at exit under LeakSanitizer. */
  write_file("lsan.supp", "leak:clusres-rhs-testdll.so\nleak:write_registry\n");
  /* The genapp tests' application: writes its pid, maybe ignores SIGTERM, becomes sleep. */
  write_file("app.sh", "[ \"$2\" = ignore-term ] && trap '' TERM\n"
                       "echo $$ > \"$1\"\n"
                       "exec /bin/sleep 100000\n");
  start_bus();

  g_test_add_func("/rhs/online/success-and-args", test_success_and_args);
  g_test_add_func("/rhs/online/bad-input", test_bad_input);
  g_test_add_func("/rhs/online/pending-and-error", test_pending_and_error);
  g_test_add_func("/rhs/online/pending-inactivity", test_pending_inactivity);
  g_test_add_func("/rhs/online/terminate-concurrent", test_terminate_concurrent);
  g_test_add_func("/rhs/poll/isalive-failure", test_poll_failure);
  g_test_add_func("/rhs/poll/event-handle", test_event_handle);
  g_test_add_func("/rhs/monitor/reuse-and-peer", test_monitor_reuse_and_peer);
  g_test_add_func("/rhs/watchdog/hung-call", test_watchdog);
  g_test_add_func("/rhs/recovery/kill9-and-sigterm", test_recovery);
  g_test_add_func("/rhs/park", test_park);
  g_test_add_func("/rhs/crash/kill9-pending-start", test_kill9_pending_start);
  g_test_add_func("/rhs/crash/kill9-pending-stop", test_kill9_pending_stop);
  g_test_add_func("/rhs/crash/state-write-fails", test_state_write_fails);
  g_test_add_func("/rhs/crash/long-name", test_long_name);
  g_test_add_func("/rhs/crash/failed-reopen", test_failed_reopen);
  g_test_add_func("/rhs/crash/online-points", test_crash_online);
  g_test_add_func("/rhs/crash/offline-points", test_crash_offline);
  g_test_add_func("/rhs/crash/recover-points", test_crash_recover);
  g_test_add_func("/rhs/crash/reopen-points", test_crash_reopen);
  g_test_add_func("/rhs/separate", test_separate);
  g_test_add_func("/rhs/activation", test_activation);
  int rc = g_test_run();

  /* Applications a failed test may have left behind. */
  for (guint i = 0; i < app_pids->len; i++)
    if (pid_running(g_array_index(app_pids, pid_t, i)))
      kill(g_array_index(app_pids, pid_t, i), SIGKILL);
  g_array_unref(app_pids);
  g_dbus_connection_close_sync(conn, NULL, NULL);
  g_clear_object(&conn);
  g_subprocess_force_exit(bus);
  g_subprocess_wait(bus, NULL, NULL);
  g_clear_object(&bus);
  if (rc == 0 && g_getenv("CLUSRES_TEST_KEEP") == NULL) {
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
      g_printerr("could not remove %s\n", tmpdir);
  } else {
    g_printerr("test files kept in %s\n", tmpdir);
  }
  g_free(bus_address);
  g_free(tmpdir);
  return rc;
}
