/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clusresctl: admin tool for the clusres resource hosts. */
#include <stdio.h>
#include <string.h>

#include "ctl-commands.h"
#include "ctl-status.h"

static int usage(GOptionContext *ctx)
{
  g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);
  g_printerr("%s", help);
  return 2;
}

int main(int argc, char **argv)
{
  /* Commands with their own arguments (ctl-commands) before GOption sees "--all-nodes". */
  gboolean handled = FALSE;
  int crc = ctl_commands_run(argc, argv, &handled);
  if (handled)
    return crc;
  g_autoptr(GOptionContext) ctx = g_option_context_new("COMMAND");
  g_option_context_set_summary(ctx,
                               "Commands:\n"
                               "  status   every running resource host: types and instances\n"
                               "           (state, last DLL call, duration, age, calls,\n"
                               "           recovered/event/parked flags, type-specific status)\n"
                               "  types    the resource types each host has loaded\n"
                               "  shares   every NFS share, one line each: plain shares and\n"
                               "           the members of share sets (with the set's name),\n"
                               "           state, LSM/GSM, home node, pseudo path, export id\n"
                               "           and why a member failed\n" CTL_COMMANDS_USAGE);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    g_printerr("clusresctl: %s\n", error->message);
    return 2;
  }
  if (argc != 2)
    return usage(ctx);
  CtlReport what;
  if (strcmp(argv[1], "status") == 0)
    what = CTL_REPORT_INSTANCES;
  else if (strcmp(argv[1], "types") == 0)
    what = CTL_REPORT_TYPES;
  else if (strcmp(argv[1], "shares") == 0)
    what = CTL_REPORT_SHARES;
  else
    return usage(ctx);

  g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
  if (bus == NULL) {
    g_printerr("clusresctl: cannot connect to the system bus: %s\n", error->message);
    return 1;
  }
  g_autoptr(GPtrArray) hosts = ctl_find_hosts(bus, &error);
  if (hosts == NULL) {
    g_printerr("clusresctl: %s\n", error->message);
    return 1;
  }
  if (hosts->len == 0) {
    g_printerr("clusresctl: no clusres resource host is running (%s is not on the system bus;\n"
               "it starts on demand with the first start/monitor of a clusres resource)\n",
               CTL_HOST_NAME);
    return 3;
  }
  int rc = 0;
  g_autoptr(GString) out = g_string_new(NULL);
  for (guint i = 0; i < hosts->len; i++) {
    if (!ctl_report_host(out, bus, hosts->pdata[i], what, &error)) {
      g_printerr("clusresctl: %s does not answer: %s\n", (char *)hosts->pdata[i], error->message);
      g_clear_error(&error);
      rc = 1;
    }
  }
  fputs(out->str, stdout);
  return rc;
}
