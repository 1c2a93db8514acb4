/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-props.h"

#include "clusres-propvar.h"
#include "clusres-win32.h"
#include "ctl-status.h"

#include <string.h>

#define HOST_PATH "/org/clusres/ResourceHost"
#define HOST_IFACE "org.clusres.ResourceHost1"
#define FIRST_OUT_SIZE 4096u

static gboolean host_keeps(GDBusConnection *bus, const char *host, const char *resource)
{
  g_autoptr(GVariant) r = g_dbus_connection_call_sync(
      bus, host, HOST_PATH, HOST_IFACE, "ListInstances", NULL, G_VARIANT_TYPE("(aa{sv})"),
      G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, NULL);
  g_autoptr(GVariant) list = NULL;
  GVariantIter it;
  GVariant *d;
  gboolean found = FALSE;

  if (r == NULL)
    return FALSE;
  list = g_variant_get_child_value(r, 0);
  g_variant_iter_init(&it, list);
  while (!found && (d = g_variant_iter_next_value(&it)) != NULL) {
    const char *name = NULL;
    found = g_variant_lookup(d, "name", "&s", &name) && strcmp(name, resource) == 0;
    g_variant_unref(d);
  }
  return found;
}

char *ctl_props_find_host(GDBusConnection *bus, const char *resource, GError **error)
{
  g_autoptr(GPtrArray) hosts = ctl_find_hosts(bus, error);

  if (hosts == NULL)
    return NULL;
  for (guint i = 0; i < hosts->len; i++) {
    if (host_keeps(bus, hosts->pdata[i], resource))
      return g_strdup(hosts->pdata[i]);
  }
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
              "no resource host on this node keeps %s (it runs on another node, or is stopped)",
              resource);
  return NULL;
}

GBytes *ctl_props_control(GDBusConnection *bus, const char *host, const char *resource,
                          guint32 code, GBytes *input, guint32 *status, GError **error)
{
  guint32 size = FIRST_OUT_SIZE;

  for (int attempt = 0; attempt < 2; attempt++) {
    gsize len = 0;
    const void *data = input != NULL ? g_bytes_get_data(input, &len) : NULL;
    GVariant *in = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data != NULL ? data : "", len, 1);
    g_autoptr(GVariant) r = g_dbus_connection_call_sync(
        bus, host, HOST_PATH, HOST_IFACE, "Control",
        g_variant_new("(su@ayu)", resource, code, in, size), G_VARIANT_TYPE("(uayu)"),
        G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, error);
    g_autoptr(GVariant) out = NULL;
    guint32 needed = 0;

    if (r == NULL)
      return NULL;
    g_variant_get(r, "(u@ayu)", status, &out, &needed);
    if (*status != ERROR_MORE_DATA || needed <= size) {
      gsize n = 0;
      const void *bytes = g_variant_get_fixed_array(out, &n, 1);
      return g_bytes_new(bytes, n);
    }
    size = needed; /* the DLL said how much it needs: once more with that */
  }
  return g_bytes_new(NULL, 0);
}

static const struct {
  const char *name;
  guint32 code;
} codes[] = {
    {"UNKNOWN", CLUSCTL_RESOURCE_UNKNOWN},
    {"GET_CHARACTERISTICS", CLUSCTL_RESOURCE_GET_CHARACTERISTICS},
    {"GET_FLAGS", CLUSCTL_RESOURCE_GET_FLAGS},
    {"GET_CLASS_INFO", CLUSCTL_RESOURCE_GET_CLASS_INFO},
    {"GET_REQUIRED_DEPENDENCIES", CLUSCTL_RESOURCE_GET_REQUIRED_DEPENDENCIES},
    {"ENUM_PRIVATE_PROPERTIES", CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES},
    {"GET_RO_PRIVATE_PROPERTIES", CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES},
    {"GET_PRIVATE_PROPERTIES", CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES},
    {"SET_PRIVATE_PROPERTIES", CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES},
    {"VALIDATE_PRIVATE_PROPERTIES", CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES},
    {"GET_PRIVATE_PROPERTY_FMTS", CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS},
    {"USER_ISALIVE", CLUSCTL_RESOURCE_USER_ISALIVE},
};

gboolean ctl_props_parse_code(const char *text, guint32 *code, GError **error)
{
  const char *name = text;
  guint64 v = 0;

  if (g_ascii_strncasecmp(name, "CLUSCTL_RESOURCE_", 17) == 0)
    name += 17;
  for (gsize i = 0; i < G_N_ELEMENTS(codes); i++) {
    if (g_ascii_strcasecmp(codes[i].name, name) == 0) {
      *code = codes[i].code;
      return TRUE;
    }
  }
  gboolean hex = g_str_has_prefix(text, "0x") || g_str_has_prefix(text, "0X");
  if (g_ascii_string_to_unsigned(hex ? text + 2 : text, hex ? 16 : 10, 0, G_MAXUINT32, &v, NULL)) {
    *code = (guint32)v;
    return TRUE;
  }
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
              "unknown control code \"%s\" (a number, 0x..., or a CLUSCTL_RESOURCE_ name such as "
              "GET_RO_PRIVATE_PROPERTIES)",
              text);
  return FALSE;
}

const char *ctl_props_code_name(guint32 code)
{
  for (gsize i = 0; i < G_N_ELEMENTS(codes); i++) {
    if (codes[i].code == code)
      return codes[i].name;
  }
  return NULL;
}

GBytes *ctl_props_parse_hex(const char *text, GError **error)
{
  g_autoptr(GByteArray) b = g_byte_array_new();
  int hi = -1;

  for (const char *p = text; *p != '\0'; p++) {
    if (g_ascii_isspace(*p))
      continue;
    int d = g_ascii_xdigit_value(*p);
    if (d < 0) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "\"%s\" is not hex", text);
      return NULL;
    }
    if (hi < 0) {
      hi = d;
    } else {
      guint8 byte = (guint8)(hi << 4 | d);
      g_byte_array_append(b, &byte, 1);
      hi = -1;
    }
  }
  if (hi >= 0) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "\"%s\": odd number of digits",
                text);
    return NULL;
  }
  return g_byte_array_free_to_bytes(g_steal_pointer(&b));
}

/* One NAME=VALUE into @list in @format. */
static DWORD add_value(PCLUSRES_PROPLIST list, guint32 format, const char *name, const char *value,
                       GError **error)
{
  guint64 u = 0;
  gint64 l = 0;

  switch (format) {
  case CLUSPROP_FORMAT_DWORD:
    if (!g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT32, &u, error))
      return ERROR_INVALID_PARAMETER;
    return ClusResPropListAddDword(list, name, (DWORD)u);
  case CLUSPROP_FORMAT_LONG:
    if (!g_ascii_string_to_signed(value, 10, G_MININT32, G_MAXINT32, &l, error))
      return ERROR_INVALID_PARAMETER;
    return ClusResPropListAddLong(list, name, (LONG)l);
  case CLUSPROP_FORMAT_SZ:
    return ClusResPropListAddSz(list, name, value);
  case CLUSPROP_FORMAT_EXPAND_SZ:
    return ClusResPropListAddExpandSz(list, name, value);
  case CLUSPROP_FORMAT_MULTI_SZ: {
    g_autoptr(GString) multi = g_string_new(NULL);
    g_auto(GStrv) parts = g_strsplit(value, ",", -1);
    for (guint i = 0; parts[i] != NULL; i++) {
      if (*parts[i] != '\0')
        g_string_append_len(multi, parts[i], (gssize)strlen(parts[i]) + 1);
    }
    g_string_append_c(multi, '\0');
    return ClusResPropListAddMultiSz(list, name, multi->str, (DWORD)multi->len);
  }
  case CLUSPROP_FORMAT_BINARY: {
    g_autoptr(GBytes) bin = ctl_props_parse_hex(value, error);
    if (bin == NULL)
      return ERROR_INVALID_PARAMETER;
    gsize n = 0;
    const BYTE *data = g_bytes_get_data(bin, &n);
    return ClusResPropListAddBinary(list, name, data, (DWORD)n);
  }
  default:
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "format %u cannot be set from text",
                format);
    return ERROR_INVALID_PARAMETER;
  }
}

GBytes *ctl_props_build_set(GVariant *formats, const char *const *assignments, GError **error)
{
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  GBytes *result = NULL;

  for (guint i = 0; assignments[i] != NULL; i++) {
    const char *eq = strchr(assignments[i], '=');
    g_autofree char *name = eq != NULL ? g_strndup(assignments[i], eq - assignments[i]) : NULL;
    guint32 format = 0;
    g_autoptr(GError) local = NULL;

    if (name == NULL || *name == '\0') {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "\"%s\" is not NAME=VALUE",
                  assignments[i]);
      goto out;
    }
    if (!g_variant_lookup(formats, name, "u", &format)) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                  "%s is no property of this resource's type", name);
      goto out;
    }
    DWORD st = add_value(list, format, name, eq + 1, &local);
    if (st != ERROR_SUCCESS) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s: %s", assignments[i],
                  local != NULL ? local->message : "cannot be added");
      goto out;
    }
  }
  DWORD cb = 0;
  const void *buf = ClusResPropListBuffer(list, &cb);
  result = g_bytes_new(buf, cb);
out:
  ClusResPropListFree(list);
  return result;
}

static void format_names(GString *out, const guint8 *data, gsize n)
{
  gsize off = 0;

  while (off < n && data[off] != '\0') {
    gsize len = strnlen((const char *)data + off, n - off);
    g_string_append_len(out, (const char *)data + off, (gssize)len);
    g_string_append_c(out, '\n');
    off += len + 1;
  }
}

void ctl_props_format_output(GString *out, guint32 code, guint32 status, GBytes *output,
                             const char *const *only)
{
  gsize n = 0;
  const guint8 *data = output != NULL ? g_bytes_get_data(output, &n) : NULL;

  if (status != ERROR_SUCCESS) {
    char why[CLUSRES_WIN32_DESCRIBE_MAX];
    g_string_append_printf(out, "%s\n", clusres_win32_describe(status, why, sizeof why));
    if (status != ERROR_RESOURCE_PROPERTIES_STORED)
      return;
  }
  if (n == 0)
    return;
  if (code == CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES) {
    format_names(out, data, n);
    return;
  }
  g_autoptr(GVariant) dict = ClusResPropListValidate(data, (DWORD)n) == ERROR_SUCCESS
                                 ? clusres_propvar_from_list(data, n)
                                 : NULL;
  if (dict == NULL) {
    for (gsize i = 0; i < n; i++)
      g_string_append_printf(out, "%02x%s", data[i], (i + 1) % 16 == 0 || i + 1 == n ? "\n" : " ");
    return;
  }
  g_variant_ref_sink(dict);
  GVariantIter it;
  const char *key;
  GVariant *val;
  g_variant_iter_init(&it, dict);
  while (g_variant_iter_next(&it, "{&sv}", &key, &val)) {
    if (only == NULL || only[0] == NULL || g_strv_contains(only, key)) {
      g_string_append_printf(out, "%s = ", key);
      ctl_format_value(out, val);
      g_string_append_c(out, '\n');
    }
    g_variant_unref(val);
  }
}
