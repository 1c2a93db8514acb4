/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctl-props: control codes by name, hex input, NAME=VALUE in the property's format, and the
 * answers decoded as clusresctl prints them. */
#undef NDEBUG
#include "ctl-props.h"

#include "clusres-propvar.h"

static void test_codes(void)
{
  g_autoptr(GError) error = NULL;
  guint32 code = 0;

  g_assert_true(ctl_props_parse_code("GET_RO_PRIVATE_PROPERTIES", &code, NULL));
  g_assert_cmphex(code, ==, CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES);
  g_assert_true(ctl_props_parse_code("clusctl_resource_enum_private_properties", &code, NULL));
  g_assert_cmphex(code, ==, CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES);
  g_assert_true(ctl_props_parse_code("0x01800004", &code, NULL));
  g_assert_cmphex(code, ==, CLUSCTL_RESOURCE_USER_ISALIVE);
  g_assert_true(ctl_props_parse_code("16777345", &code, NULL));
  g_assert_cmphex(code, ==, 0x01000081u);
  g_assert_cmpstr(ctl_props_code_name(code), ==, "GET_PRIVATE_PROPERTIES");
  g_assert_false(ctl_props_parse_code("GET_EVERYTHING", &code, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void test_hex(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) b = ctl_props_parse_hex("01 0a ff", NULL);
  gsize n = 0;
  const guint8 *d = g_bytes_get_data(b, &n);

  g_assert_cmpuint(n, ==, 3);
  g_assert_cmpuint(d[0], ==, 1);
  g_assert_cmpuint(d[2], ==, 0xff);
  g_assert_null(ctl_props_parse_hex("0g", &error));
  g_clear_error(&error);
  g_assert_null(ctl_props_parse_hex("abc", &error));
}

static GVariant *formats(void)
{
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(&b, "{sv}", "Path", g_variant_new_uint32(CLUSPROP_FORMAT_SZ));
  g_variant_builder_add(&b, "{sv}", "StartDelayMs", g_variant_new_uint32(CLUSPROP_FORMAT_DWORD));
  g_variant_builder_add(&b, "{sv}", "Tags", g_variant_new_uint32(CLUSPROP_FORMAT_MULTI_SZ));
  g_variant_builder_add(&b, "{sv}", "Offset", g_variant_new_uint32(CLUSPROP_FORMAT_LONG));
  return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* NAME=VALUE words become a list the DLL's table reads: each in its own format. */
static void test_build_set(void)
{
  g_autoptr(GVariant) fmts = formats();
  const char *const words[] = {"Path=/srv/flag", "StartDelayMs=250", "Tags=a,b", "Offset=-3", NULL};
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) list = ctl_props_build_set(fmts, words, &error);
  gsize n = 0;
  const void *d;
  LPSTR path = NULL;
  DWORD delay = 0;

  g_assert_no_error(error);
  d = g_bytes_get_data(list, &n);
  g_assert_cmpuint(ClusResPropListValidate(d, (DWORD)n), ==, ERROR_SUCCESS);
  g_assert_cmpuint(ResUtilFindSzProperty(d, (DWORD)n, "Path", &path), ==, ERROR_SUCCESS);
  g_assert_cmpstr(path, ==, "/srv/flag");
  ResUtilFree(path);
  g_assert_cmpuint(ResUtilFindDwordProperty(d, (DWORD)n, "StartDelayMs", &delay), ==,
                   ERROR_SUCCESS);
  g_assert_cmpuint(delay, ==, 250);
  g_autoptr(GVariant) v = g_variant_ref_sink(clusres_propvar_from_list(d, n));
  g_autofree char *text = g_variant_print(v, FALSE);
  g_assert_cmpstr(text, ==,
                  "{'Path': <'/srv/flag'>, 'StartDelayMs': <uint32 250>, 'Tags': <['a', 'b']>, "
                  "'Offset': <-3>}");

  const char *const unknown[] = {"Colour=red", NULL};
  g_assert_null(ctl_props_build_set(fmts, unknown, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error(&error);
  const char *const notnum[] = {"StartDelayMs=soon", NULL};
  g_assert_null(ctl_props_build_set(fmts, notnum, &error));
  g_assert_nonnull(strstr(error->message, "StartDelayMs=soon"));
  g_clear_error(&error);
  const char *const noeq[] = {"Path", NULL};
  g_assert_null(ctl_props_build_set(fmts, noeq, &error));
}

static void test_format_output(void)
{
  PCLUSRES_PROPLIST l = ClusResPropListCreate();
  DWORD cb = 0;
  g_autoptr(GString) out = g_string_new(NULL);
  const char *const only[] = {"Content", NULL};

  ClusResPropListAddSz(l, "Path", "/srv/flag");
  ClusResPropListAddSz(l, "Content", "two");
  ClusResPropListAddDword(l, "StartDelayMs", 0);
  const void *buf = ClusResPropListBuffer(l, &cb);
  g_autoptr(GBytes) list = g_bytes_new(buf, cb);
  ClusResPropListFree(l);

  ctl_props_format_output(out, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, 0, list, NULL);
  g_assert_cmpstr(out->str, ==, "Path = /srv/flag\nContent = two\nStartDelayMs = 0\n");
  g_string_truncate(out, 0);
  ctl_props_format_output(out, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, 0, list, only);
  g_assert_cmpstr(out->str, ==, "Content = two\n");

  g_autoptr(GBytes) names = g_bytes_new("Path\0Content\0\0", 15);
  g_string_truncate(out, 0);
  ctl_props_format_output(out, CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES, 0, names, NULL);
  g_assert_cmpstr(out->str, ==, "Path\nContent\n");

  g_string_truncate(out, 0);
  ctl_props_format_output(out, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, ERROR_INVALID_PARAMETER,
                          NULL, NULL);
  g_assert_cmpstr(out->str, ==, "ERROR_INVALID_PARAMETER (87): The parameter is incorrect.\n");

  g_autoptr(GBytes) raw = g_bytes_new("\x01\x02", 2);
  g_string_truncate(out, 0);
  ctl_props_format_output(out, 0x01800004u, 0, raw, NULL);
  g_assert_cmpstr(out->str, ==, "01 02\n");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ctl-props/codes", test_codes);
  g_test_add_func("/ctl-props/hex", test_hex);
  g_test_add_func("/ctl-props/build-set", test_build_set);
  g_test_add_func("/ctl-props/format-output", test_format_output);
  return g_test_run();
}
