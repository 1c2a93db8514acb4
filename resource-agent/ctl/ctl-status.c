/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-status.h"

#include <string.h>

#include "clusres-dbus.h"

#define HOST_PATH "/org/clusres/ResourceHost"

static int compare_str(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *ctl_find_hosts(GDBusConnection *bus, GError **error)
{
  g_autoptr(GVariant) r = g_dbus_connection_call_sync(
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames",
      NULL, G_VARIANT_TYPE("(as)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, error);
  if (r == NULL)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GVariantIter) it = NULL;
  const char *name;
  g_variant_get(r, "(as)", &it);
  while (g_variant_iter_next(it, "&s", &name))
    if (strcmp(name, CTL_HOST_NAME) == 0 || g_str_has_prefix(name, CTL_SEPARATE_PREFIX))
      g_ptr_array_add(out, g_strdup(name));
  g_ptr_array_sort(out, compare_str);
  return out;
}

static const char *lookup_s(GVariant *d, const char *key)
{
  const char *s = NULL;
  return g_variant_lookup(d, key, "&s", &s) ? s : "";
}

void ctl_format_types(GString *out, GVariant *types)
{
  GVariantIter it;
  GVariant *d;
  if (g_variant_n_children(types) == 0)
    g_string_append(out, "  (no types loaded)\n");
  g_variant_iter_init(&it, types);
  while ((d = g_variant_iter_next_value(&it)) != NULL) {
    guint32 n = 0, version = 0;
    g_variant_lookup(d, "instances", "u", &n);
    g_variant_lookup(d, "version", "u", &version);
    g_string_append_printf(out, "  %-16s v%u.%02u  %u instance%s  %s\n", lookup_s(d, "type"),
                           version >> 8, version & 0xFF, n, n == 1 ? "" : "s", lookup_s(d, "dll"));
    g_variant_unref(d);
  }
}

static void format_value(GString *out, GVariant *v)
{
  if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
    g_string_append(out, g_variant_get_string(v, NULL));
    return;
  }
  g_autofree char *s = g_variant_print(v, FALSE);
  g_string_append(out, s);
}

void ctl_format_instances(GString *out, GVariant *instances)
{
  if (g_variant_n_children(instances) == 0) {
    g_string_append(out, "  (no instances)\n");
    return;
  }
  g_string_append_printf(out, "  %-20s %-12s %-14s %-16s %10s %10s %7s  %s\n", "RESOURCE", "TYPE",
                         "STATE", "LAST CALL", "DURATION", "AGE", "CALLS", "FLAGS");
  GVariantIter it;
  GVariant *d;
  g_variant_iter_init(&it, instances);
  while ((d = g_variant_iter_next_value(&it)) != NULL) {
    double ms = 0, age = -1;
    guint64 calls = 0;
    gboolean recovered = FALSE, event = FALSE, parked = FALSE, interrupted = FALSE;
    g_variant_lookup(d, "last_call_ms", "d", &ms);
    g_variant_lookup(d, "last_call_age_s", "d", &age);
    g_variant_lookup(d, "calls", "t", &calls);
    g_variant_lookup(d, "recovered", "b", &recovered);
    g_variant_lookup(d, "event_handle", "b", &event);
    g_variant_lookup(d, "parked", "b", &parked);
    /* Left half-way by a host that died: failed until a stop runs Offline on it. */
    g_variant_lookup(d, "interrupted", "b", &interrupted);
    g_autofree char *dur = g_strdup_printf("%.1f ms", ms);
    g_autofree char *agestr = age >= 0 ? g_strdup_printf("%.1f s", age) : g_strdup("-");
    g_autofree char *flags =
        g_strjoin(",", recovered ? "recovered" : "", event ? "event" : "", parked ? "parked" : "",
                  interrupted ? "interrupted" : "", NULL);
    g_strstrip(g_strdelimit(flags, ",", ' '));
    g_string_append_printf(out, "  %-20s %-12s %-14s %-16s %10s %10s %7" G_GUINT64_FORMAT "  %s\n",
                           lookup_s(d, "name"), lookup_s(d, "type"), lookup_s(d, "state_name"),
                           *lookup_s(d, "last_call") ? lookup_s(d, "last_call") : "-", dur, agestr,
                           calls, *flags ? flags : "-");
    g_autoptr(GVariant) priv = g_variant_lookup_value(d, "private", G_VARIANT_TYPE_VARDICT);
    if (priv != NULL && g_variant_n_children(priv) > 0) {
      g_string_append(out, "      status:");
      GVariantIter pit;
      const char *key;
      GVariant *val;
      g_variant_iter_init(&pit, priv);
      while (g_variant_iter_next(&pit, "{&sv}", &key, &val)) {
        g_string_append_printf(out, " %s=", key);
        format_value(out, val);
        g_variant_unref(val);
      }
      g_string_append_c(out, '\n');
    }
    g_variant_unref(d);
  }
}

static const char *priv_s(GVariant *priv, const char *key)
{
  const char *s = NULL;
  return priv != NULL && g_variant_lookup(priv, key, "&s", &s) ? s : "-";
}

static void share_line(GString *out, const char *share, GVariant *inst, GVariant *priv,
                       const char *lsm, const char *pseudo, const char *export_id,
                       const char *reason)
{
  g_string_append_printf(out, "  %-20s %-20s %-9s %-10s %-9s %-9s %-10s %-22s %6s  %s\n", share,
                         lookup_s(inst, "name"), lookup_s(inst, "type"),
                         lookup_s(inst, "state_name"), lsm, priv_s(priv, "GlobalState"),
                         priv_s(priv, "HomeNode"), pseudo, export_id, reason);
}

void ctl_format_shares(GString *out, GVariant *instances)
{
  g_string_append_printf(out, "  %-20s %-20s %-9s %-10s %-9s %-9s %-10s %-22s %6s  %s\n", "SHARE",
                         "RESOURCE", "TYPE", "STATE", "LSM", "GSM", "HOME", "PSEUDO", "EXPORT",
                         "REASON");
  GVariantIter it;
  GVariant *d;
  g_variant_iter_init(&it, instances);
  while ((d = g_variant_iter_next_value(&it)) != NULL) {
    const char *type = lookup_s(d, "type");
    g_autoptr(GVariant) priv = g_variant_lookup_value(d, "private", G_VARIANT_TYPE_VARDICT);
    if (strcmp(type, "share") == 0) {
      guint32 id = 0;
      if (priv != NULL)
        g_variant_lookup(priv, "ExportId", "u", &id);
      g_autofree char *ids = g_strdup_printf("%u", id);
      const char *pseudo = priv_s(priv, "Pseudo");
      share_line(out, *pseudo == '/' ? pseudo + 1 : pseudo, d, priv, priv_s(priv, "LocalState"),
                 pseudo, ids, "");
    } else if (strcmp(type, "shareset") == 0) {
      g_autofree const char **members = NULL;
      if (priv != NULL)
        g_variant_lookup(priv, "Members", "^a&s", &members);
      /* "NAME\tLSM\tPSEUDO\tEXPORT_ID[\tREASON]" (the set's status). */
      for (guint i = 0; members != NULL && members[i]; i++) {
        g_auto(GStrv) f = g_strsplit(members[i], "\t", 5);
        if (g_strv_length(f) < 4)
          continue;
        share_line(out, f[0], d, priv, f[1], f[2], f[3], f[4] ? f[4] : "");
      }
    }
    g_variant_unref(d);
  }
}

gboolean ctl_report_host(GString *out, GDBusConnection *bus, const char *name, CtlReport what,
                         GError **error)
{
  g_autoptr(ClusresDbusResourceHost1) proxy = clusres_dbus_resource_host1_proxy_new_sync(
      bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, name, HOST_PATH, NULL, error);
  if (proxy == NULL)
    return FALSE;
  g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(proxy), 10000);
  g_autoptr(GVariant) types = NULL;
  if (!clusres_dbus_resource_host1_call_list_types_sync(proxy, &types, NULL, error))
    return FALSE;
  const char *version = clusres_dbus_resource_host1_get_version(proxy);
  g_string_append_printf(out, "%s (pid %u, version %s)\n", name,
                         clusres_dbus_resource_host1_get_pid(proxy), version ? version : "?");
  if (what != CTL_REPORT_SHARES) {
    g_string_append(out, " types:\n");
    ctl_format_types(out, types);
  }
  if (what != CTL_REPORT_TYPES) {
    g_autoptr(GVariant) list = NULL;
    if (!clusres_dbus_resource_host1_call_list_instances_sync(proxy, &list, NULL, error))
      return FALSE;
    g_string_append(out, what == CTL_REPORT_SHARES ? " shares:\n" : " instances:\n");
    if (what == CTL_REPORT_SHARES)
      ctl_format_shares(out, list);
    else
      ctl_format_instances(out, list);
  }
  return TRUE;
}

void ctl_format_value(GString *out, GVariant *v)
{
  format_value(out, v);
}
