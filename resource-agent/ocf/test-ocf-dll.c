/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * validate-all and property-list conversion against the test DLL: the table checks name the
 * property, the DLL's own VALIDATE_PRIVATE_PROPERTIES runs on a temporary instance, and the
 * node's registry is never touched.
 */
#include "ocf-ctx.h"
#include "ocf-dll.h"

#include <glib/gstdio.h>
#include <string.h>

#undef NDEBUG

static OcfDll *load(void)
{
  g_autoptr(GError) error = NULL;
  OcfDll *dll = ocf_dll_load(g_getenv("OCF_TEST_DLL"), "ocftest", &error);

  g_assert_no_error(error);
  return dll;
}

/* validate-all with these OCF_RESKEY_ pairs; returns the exit code, message in *msg. */
static int validate(const char *const *pairs, char **msg)
{
  g_autoptr(OcfDll) dll = load();
  g_autoptr(GPtrArray) envp = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;

  g_ptr_array_add(envp, g_strdup("OCF_RESOURCE_INSTANCE=r1"));
  for (guint i = 0; pairs[i] != NULL; i++)
    g_ptr_array_add(envp, g_strconcat("OCF_RESKEY_", pairs[i], NULL));
  g_ptr_array_add(envp, NULL);
  g_autoptr(OcfEnv) env =
      ocf_env_parse((const char *const *)envp->pdata, NULL, OCF_ENV_STRICT, &error);
  g_assert_no_error(error);
  if (ocf_dll_validate(dll, env, &error))
    return 0;
  g_assert_true(error->domain == OCF_EXIT_ERROR);
  *msg = g_strdup(error->message);
  return error->code;
}

typedef struct {
  const char *pairs[5];
  int expect;
  const char *message; /* part of the message, for failures */
} Case;

static void test_validate_cases(void)
{
  static const Case cases[] = {
      {{"Path=/tmp/x", NULL}, 0, NULL},
      {{"Path=/tmp/x", "Weight=100", "Verbose=1", "Label=l", NULL}, 0, NULL},
      {{"Path=/tmp/x", "Weight=0x20", NULL}, 0, NULL}, /* hex, as the host accepts */
      {{"Path=/tmp/x", "Tags=a, b,c", "looks_alive_interval=100", NULL}, 0, NULL},
      {{"Weight=5", NULL}, 6, "required parameter Path"},
      {{"Path=relative/x", NULL}, 6, "Path=\"relative/x\": must be an absolute path"},
      {{"Path=/tmp/../etc/x", NULL}, 6, "must not contain \"..\""},
      {{"Path=/tmp/x", "Weight=abc", NULL}, 6, "Weight=\"abc\": must be an unsigned integer"},
      {{"Path=/tmp/x", "Weight=500", NULL}, 6, "Weight=\"500\": out of range (1 to 100)"},
      {{"Path=/tmp/x", "Weight=0", NULL}, 6, "out of range"},
      {{"Path=/tmp/x", "Verbose=true", NULL}, 6, "Verbose=\"true\": must be an unsigned integer"},
      {{"Path=/tmp/x", "Verbose=2", NULL}, 6, "Verbose=\"2\": out of range (0 to 1)"},
      {{"Path=/tmp/x", "Weight=-1", NULL}, 6, "Weight=\"-1\": must be an unsigned integer"},
      {{"Path=/tmp/x", "Colour=red", NULL}, 6, "unknown parameter Colour"},
      /* the DLL's cross-property rule, seen only by its VALIDATE_PRIVATE_PROPERTIES */
      {{"Path=/tmp/x", "Weight=60", NULL},
       6,
       "(VALIDATE_PRIVATE_PROPERTIES): ERROR_INVALID_PARAMETER (87): The parameter is incorrect."},
      {{"Path=/tmp/x", "Weight=60", "Verbose=1", NULL}, 0, NULL},
      {{"Path=/nonexistent-dir/x", NULL},
       5,
       "ERROR_PATH_NOT_FOUND (3): The system cannot find the path specified."},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *msg = NULL;
    int rc = validate(cases[i].pairs, &msg);
    g_test_message("case %zu: %d %s", i, rc, msg != NULL ? msg : "");
    if (rc != cases[i].expect)
      g_error("case %zu: exit %d, want %d (%s)", i, rc, cases[i].expect, msg);
    if (cases[i].message != NULL && strstr(msg, cases[i].message) == NULL)
      g_error("case %zu: message \"%s\" lacks \"%s\"", i, msg, cases[i].message);
  }
}

/* The temporary registry lives in a directory of its own and is removed. */
static void test_registry_isolated(void)
{
  g_autofree char *reg = g_dir_make_tmp("ocf-reg-XXXXXX", NULL);
  const char *const ok[] = {"Path=/tmp/x", NULL};
  g_autofree char *msg = NULL;

  g_setenv("CLUSRES_REGISTRY_DIR", reg, TRUE);
  g_assert_cmpint(validate(ok, &msg), ==, 0);
  /* the configured registry is untouched and configured again */
  g_autoptr(GDir) d = g_dir_open(reg, 0, NULL);
  g_assert_null(g_dir_read_name(d));
  g_assert_cmpstr(g_getenv("CLUSRES_REGISTRY_DIR"), ==, reg);
  g_rmdir(reg);
  g_unsetenv("CLUSRES_REGISTRY_DIR");
}

static void test_reloadable_list(void)
{
  g_autoptr(OcfDll) dll = load();
  g_autoptr(GHashTable) params = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  LPSTR label = NULL;
  DWORD cb = 0, weight = 0;

  g_hash_table_insert(params, "Path", "/tmp/x");
  g_hash_table_insert(params, "Label", "new label");
  g_hash_table_insert(params, "Weight", "7");
  PCLUSRES_PROPLIST list = ocf_dll_build_proplist(ocf_dll_type_info(dll), params, TRUE, &error);
  g_assert_no_error(error);
  const void *buf = ClusResPropListBuffer(list, &cb);
  g_assert_cmpuint(ClusResPropListValidate(buf, cb), ==, ERROR_SUCCESS);
  g_assert_cmpuint(ResUtilFindSzProperty(buf, cb, "Label", &label), ==, ERROR_SUCCESS);
  g_assert_cmpstr(label, ==, "new label");
  ResUtilFree(label);
  /* not reloadable: left out */
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, cb, "Weight", &weight), ==, ERROR_FILE_NOT_FOUND);
  g_assert_cmpuint(ResUtilFindSzProperty(buf, cb, "Path", &label), ==, ERROR_FILE_NOT_FOUND);
  ClusResPropListFree(list);
}

static void test_full_list(void)
{
  g_autoptr(OcfDll) dll = load();
  g_autoptr(GHashTable) params = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  DWORD cb = 0, v = 0;

  g_hash_table_insert(params, "Path", "/tmp/x");
  g_hash_table_insert(params, "Weight", "42");
  g_hash_table_insert(params, "Verbose", "0x1");
  g_hash_table_insert(params, "Tags", "x,y");
  PCLUSRES_PROPLIST list = ocf_dll_build_proplist(ocf_dll_type_info(dll), params, FALSE, &error);
  g_assert_no_error(error);
  const void *buf = ClusResPropListBuffer(list, &cb);
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, cb, "Weight", &v), ==, ERROR_SUCCESS);
  g_assert_cmpuint(v, ==, 42);
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, cb, "Verbose", &v), ==, ERROR_SUCCESS);
  g_assert_cmpuint(v, ==, 1);
  ClusResPropListFree(list);
}

static void test_load_errors(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcfDll) none = ocf_dll_load("/nonexistent/x.so", "x", &error);

  g_assert_null(none);
  g_assert_error(error, OCF_EXIT_ERROR, OCF_ERR_INSTALLED);
  g_clear_error(&error);
  g_autoptr(OcfDll) wrong = ocf_dll_load(g_getenv("OCF_TEST_DLL"), "othertype", &error);
  g_assert_null(wrong);
  g_assert_error(error, OCF_EXIT_ERROR, OCF_ERR_INSTALLED);
  g_assert_nonnull(strstr(error->message, "does not implement type othertype"));
}

static void test_types_dir(void)
{
  g_setenv("CLUSRES_TYPES_DIR", "/opt/types", TRUE);
  g_autofree char *p = ocf_ctx_dll_path_for_type("genapp");
  g_assert_cmpstr(p, ==, "/opt/types/genapp.so");
  g_unsetenv("CLUSRES_TYPES_DIR");
  g_autofree char *q = ocf_ctx_dll_path_for_type("genapp");
  g_assert_true(g_str_has_suffix(q, "/clusres/types/genapp.so"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ocf-dll/validate-cases", test_validate_cases);
  g_test_add_func("/ocf-dll/registry-isolated", test_registry_isolated);
  g_test_add_func("/ocf-dll/reloadable-list", test_reloadable_list);
  g_test_add_func("/ocf-dll/full-list", test_full_list);
  g_test_add_func("/ocf-dll/load-errors", test_load_errors);
  g_test_add_func("/ocf-dll/types-dir", test_types_dir);
  return g_test_run();
}
