/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clusres-rhs: the per-node resource host (Windows RHS for Pacemaker). */
#include <errno.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clusres-config.h"
#include "rhs-crash.h"
#include "rhs-dbus.h"
#include "rhs-death.h"
#include "rhs-host.h"
#include "rhs-log.h"
#include "rhs-state.h"

/* How long a starting host waits for the previous one's lock (see rhs_state_lock): under the
 * D-Bus activation timeout (25 s), so that the call that activated us is still waiting. */
#define RHS_LOCK_WAIT_MS 20000u

static GMainLoop *loop;
static RhsDbus *dbus;
static int exit_code;

static void on_state_changed(const char *resource, int state, const char *reason, gpointer data)
{
  if (dbus != NULL)
    rhs_dbus_emit_state_changed(dbus, resource, state, reason);
}

static void on_name_lost(gpointer data)
{
  exit_code = 1;
  g_main_loop_quit(loop);
}

static gboolean on_signal(gpointer data)
{
  g_message("received %s: shutting down, leaving online resources running", (const char *)data);
  g_main_loop_quit(loop);
  return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
  g_autofree char *separate = NULL;
  gboolean foreground = TRUE, daemonize = FALSE, verbose = FALSE, version = FALSE;
  GOptionEntry entries[] = {
      {"separate", 's', 0, G_OPTION_ARG_STRING, &separate,
       "Serve only RESOURCE (separate_monitor=true), as "
       "org.clusres.ResourceHost.Separate.<escaped>",
       "RESOURCE"},
      {"foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground, "Stay in the foreground (default)",
       NULL},
      {"daemonize", 'd', 0, G_OPTION_ARG_NONE, &daemonize, "Detach from the terminal", NULL},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log informational and debug messages",
       NULL},
      {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
      {NULL},
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- clusres resource host");
  g_option_context_set_summary(
      ctx, "Loads resource DLLs and keeps their instances for Pacemaker's OCF agent.\n"
           "Serves org.clusres.ResourceHost1 on the system bus and on $CLUSRES_RUN_DIR/rhs.sock.\n"
           "SIGTERM stops the host but leaves online resources running: the next host re-adopts\n"
           "them (Open + IsAlive) from $CLUSRES_RUN_DIR/instances.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    g_printerr("clusres-rhs: %s\n", error->message);
    return 2;
  }
  if (version) {
    g_print("clusres-rhs %s\n", CLUSRES_VERSION);
    return 0;
  }
  if (separate != NULL && !rhs_host_check_name("resource", separate, &error)) {
    g_printerr("clusres-rhs: --separate: %s\n", error->message);
    return 2;
  }
  (void)foreground;
  /* Before any thread exists: fork() only keeps the calling thread. */
  if (daemonize && daemon(0, 0) != 0) {
    g_printerr("clusres-rhs: daemon: %s\n", g_strerror(errno));
    return 1;
  }
  if (verbose)
    g_log_set_debug_enabled(TRUE);
  /* The DLLs' LogEvent lines go to the system log however the host was started. */
  rhs_log_open("clusres-rhs");
  if (daemonize) {
    rhs_log_use_syslog();
  }
  /* D-Bus activation starts the host with an empty environment.  Without PATH, GLib searches
   * only /bin:/usr/bin, so the failure push (crm_resource is in /usr/sbin) would fail and
   * applications started by DLLs would inherit no PATH either. */
  if (g_getenv("PATH") == NULL)
    g_setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", TRUE);

  /* Before any DLL is loaded: a fatal signal in a DLL call is recorded for the caller. */
  if (!rhs_death_install(separate, &error)) {
    g_printerr("clusres-rhs: %s\n", error->message);
    return 1;
  }
  /* Before any thread: crash points may be reached from the first recovery job on. */
  if (!rhs_crash_init(&error)) {
    g_printerr("clusres-rhs: %s\n", error->message);
    return 2;
  }

  /* Before recovery: a second host must not re-open (and maybe terminate) live instances. */
  int lock_fd = rhs_state_lock(separate, RHS_LOCK_WAIT_MS, &error);
  if (lock_fd < 0) {
    g_printerr("clusres-rhs: %s\n", error->message);
    return 1;
  }

  loop = g_main_loop_new(NULL, FALSE);
  RhsHost *host = rhs_host_new(separate, on_state_changed, NULL);
  rhs_host_recover(host);
  dbus = rhs_dbus_new(host, G_CALLBACK(on_name_lost), NULL, &error);
  if (dbus == NULL) {
    g_printerr("clusres-rhs: %s\n", error->message);
    return 1;
  }
  g_unix_signal_add(SIGTERM, on_signal, "SIGTERM");
  g_unix_signal_add(SIGINT, on_signal, "SIGINT");
  g_main_loop_run(loop);

  rhs_dbus_free(dbus);
  dbus = NULL;
  rhs_host_shutdown(host);
  rhs_host_free(host);
  g_main_loop_unref(loop);
  close(lock_fd);
  return exit_code;
}
