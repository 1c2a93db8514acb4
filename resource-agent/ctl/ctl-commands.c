/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-commands.h"

#include "clusres-propvar.h"
#include "ctl-props.h"
#include "ctl-status.h"
#include "ctl-type.h"

#include <stdio.h>
#include <string.h>

static int fail(const char *what, const GError *error)
{
  g_printerr("clusresctl: %s%s%s\n", what != NULL ? what : "", what != NULL ? ": " : "",
             error->message);
  return 1;
}

/* The instances of @type kept by running hosts, so that a type in use is not removed. */
static guint instances_of_type(const char *type)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, NULL);
  g_autoptr(GPtrArray) hosts = bus != NULL ? ctl_find_hosts(bus, NULL) : NULL;
  guint n = 0;

  for (guint i = 0; hosts != NULL && i < hosts->len; i++) {
    g_autoptr(GVariant) r = g_dbus_connection_call_sync(
        bus, hosts->pdata[i], "/org/clusres/ResourceHost", "org.clusres.ResourceHost1", "ListTypes",
        NULL, G_VARIANT_TYPE("(aa{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, NULL);
    g_autoptr(GVariant) list = r != NULL ? g_variant_get_child_value(r, 0) : NULL;
    GVariantIter it;
    GVariant *d;
    if (list == NULL)
      continue;
    g_variant_iter_init(&it, list);
    while ((d = g_variant_iter_next_value(&it)) != NULL) {
      const char *t = NULL;
      guint32 count = 0;
      if (g_variant_lookup(d, "type", "&s", &t) && g_ascii_strcasecmp(t, type) == 0 &&
          g_variant_lookup(d, "instances", "u", &count))
        n += count;
      g_variant_unref(d);
    }
  }
  return n;
}

/* --all-nodes: crmsh runs this very command on every node (ctl_type_all_nodes_argv). */
static int run_all_nodes(const char *name, const char *dll)
{
  const char *crm = g_getenv("CLUSRES_CRM");
  g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
  g_autofree char *abs = dll != NULL ? g_canonicalize_filename(dll, NULL) : NULL;
  char ***argvs = ctl_type_all_nodes_argv(crm != NULL && *crm != '\0' ? crm : "crm",
                                          self != NULL ? self : "clusresctl", name, abs);
  int rc = 0;

  for (gsize i = 0; rc == 0 && argvs[i] != NULL; i++) {
    g_autoptr(GError) error = NULL;
    int status = 0;
    if (!g_spawn_sync(NULL, argvs[i], NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN,
                      NULL, NULL, NULL, NULL, &status, &error) ||
        !g_spawn_check_wait_status(status, &error))
      rc = fail(argvs[i][0], error);
  }
  ctl_type_argvs_free(argvs);
  return rc;
}

static int cmd_type(int argc, char **argv)
{
  g_auto(CtlTypePaths) paths = {0};
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new(NULL);
  gboolean all = argc > 3 && strcmp(argv[3], "--all-nodes") == 0;
  char **args = argv + (all ? 4 : 3);
  int nargs = argc - (all ? 4 : 3);
  gboolean add = argc > 2 && strcmp(argv[2], "add") == 0;

  if (!(add && nargs == 2) && !(argc > 2 && strcmp(argv[2], "remove") == 0 && nargs == 1)) {
    g_printerr("usage: clusresctl type add [--all-nodes] NAME DLL\n"
               "       clusresctl type remove [--all-nodes] NAME\n");
    return 2;
  }
  if (all)
    return run_all_nodes(args[0], add ? args[1] : NULL);
  ctl_type_paths_default(&paths);
  if (!add) {
    guint n = instances_of_type(args[0]);
    if (n > 0) {
      g_printerr("clusresctl: type %s has %u instance%s on this node: stop them first\n", args[0],
                 n, n == 1 ? "" : "s");
      return 1;
    }
  }
  if (add ? !ctl_type_add(&paths, args[0], args[1], report, &error)
          : !ctl_type_remove(&paths, args[0], report, &error))
    return fail(NULL, error);
  fputs(report->str, stdout);
  return 0;
}

/* Connects and finds the host of @resource: 0, or the exit code after a message. */
static int open_resource(const char *resource, GDBusConnection **bus, char **host)
{
  g_autoptr(GError) error = NULL;

  *bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
  if (*bus == NULL)
    return fail("cannot connect to the system bus", error);
  *host = ctl_props_find_host(*bus, resource, &error);
  if (*host == NULL) {
    fail(NULL, error);
    return 3;
  }
  return 0;
}

/* One Control call, printed; the DLL's failure is the exit code 1. */
static int control_print(GDBusConnection *bus, const char *host, const char *resource, guint32 code,
                         GBytes *input, const char *const *only, gboolean quiet_fail)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new(NULL);
  guint32 status = 0;
  g_autoptr(GBytes) output = ctl_props_control(bus, host, resource, code, input, &status, &error);

  if (output == NULL)
    return fail("Control", error);
  if (status != ERROR_SUCCESS && quiet_fail)
    return 1;
  ctl_props_format_output(out, code, status, output, only);
  fputs(out->str, stdout);
  return status == ERROR_SUCCESS || status == ERROR_RESOURCE_PROPERTIES_STORED ? 0 : 1;
}

static int cmd_get(int argc, char **argv)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autofree char *host = NULL;
  const char *const *only = (const char *const *)argv + 3;

  if (argc < 3)
    return 2;
  int rc = open_resource(argv[2], &bus, &host);
  if (rc != 0)
    return rc;
  rc =
      control_print(bus, host, argv[2], CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, NULL, only, FALSE);
  /* The type's own status, where its DLL has one (genapp's, share's GSM/LSM, FileFlag's). */
  if (rc == 0)
    control_print(bus, host, argv[2], CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES, NULL, only, TRUE);
  return rc;
}

static int cmd_set(int argc, char **argv)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GError) error = NULL;
  guint32 status = 0;

  if (argc < 4)
    return 2;
  int rc = open_resource(argv[2], &bus, &host);
  if (rc != 0)
    return rc;
  g_autoptr(GBytes) fmts = ctl_props_control(
      bus, host, argv[2], CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS, NULL, &status, &error);
  if (fmts == NULL)
    return fail("GET_PRIVATE_PROPERTY_FMTS", error);
  gsize n = 0;
  const void *data = g_bytes_get_data(fmts, &n);
  g_autoptr(GVariant) formats = status == ERROR_SUCCESS && n > 0
                                    ? g_variant_ref_sink(clusres_propvar_from_list(data, n))
                                    : NULL;
  if (formats == NULL) {
    g_printerr("clusresctl: %s does not list its property formats\n", argv[2]);
    return 1;
  }
  g_autoptr(GBytes) list = ctl_props_build_set(formats, (const char *const *)argv + 3, &error);
  if (list == NULL)
    return fail(argv[2], error);
  rc =
      control_print(bus, host, argv[2], CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, list, NULL, FALSE);
  if (rc == 0)
    g_printerr("clusresctl: set on the running instance on this node; Pacemaker's configuration "
               "is what the next start uses (crm resource param %s set NAME VALUE keeps it)\n",
               argv[2]);
  return rc;
}

static int cmd_control(int argc, char **argv)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) input = NULL;
  guint32 code = 0;

  if (argc < 4 || argc > 5)
    return 2;
  if (!ctl_props_parse_code(argv[3], &code, &error))
    return fail(NULL, error);
  if (argc == 5 && (input = ctl_props_parse_hex(argv[4], &error)) == NULL)
    return fail(NULL, error);
  int rc = open_resource(argv[2], &bus, &host);
  if (rc != 0)
    return rc;
  return control_print(bus, host, argv[2], code, input, NULL, FALSE);
}

int ctl_commands_run(int argc, char **argv, gboolean *handled)
{
  static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
  } cmds[] = {{"type", cmd_type}, {"get", cmd_get}, {"set", cmd_set}, {"control", cmd_control}};

  *handled = FALSE;
  for (gsize i = 0; argc >= 2 && i < G_N_ELEMENTS(cmds); i++) {
    if (strcmp(argv[1], cmds[i].name) == 0) {
      *handled = TRUE;
      int rc = cmds[i].fn(argc, argv);
      if (rc == 2)
        g_printerr("usage:\n%s\n", CTL_COMMANDS_USAGE);
      return rc;
    }
  }
  return 0;
}
