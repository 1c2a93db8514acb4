/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clusres-dllload: each rule of the loaders (clusres-dllload.h) against a DLL that breaks it. */
#undef NDEBUG
#include "clusres-dllload.h"

#include <glib.h>
#include <string.h>

static DWORD WINAPI host_set_status(RESOURCE_HANDLE h, PRESOURCE_STATUS s)
{
  return ResourceExitStateContinue;
}

static VOID WINAPI host_log(RESOURCE_HANDLE h, LOG_LEVEL l, LPCSTR f, ...)
{
}

static char *dll_path(const char *variant)
{
  return g_strdup_printf("%s/dllload-%s.so", g_getenv("CLUSRES_TEST_DLL_DIR"), variant);
}

/* Loads @variant as both loaders do; the step that failed is in *@error. */
static const CLUSRES_TYPE_INFO *load(const char *variant, const CLRES_V1_FUNCTIONS **fn_out,
                                     GError **error)
{
  g_autofree char *path = dll_path(variant);
  void *handle = NULL;
  const CLUSRES_TYPE_INFO *info = NULL;
  PSTARTUP_ROUTINE startup = clusres_dllload_open(path, &handle, error);
  if (startup == NULL)
    return NULL;
  const CLRES_V1_FUNCTIONS *fn =
      clusres_dllload_startup(startup, "variant", path, host_set_status, host_log, error);
  if (fn_out != NULL)
    *fn_out = fn;
  if (fn == NULL || !clusres_dllload_type_info(fn, "variant", &info, error))
    return NULL;
  return info;
}

static void test_good(void)
{
  g_autoptr(GError) error = NULL;
  const CLRES_V1_FUNCTIONS *fn = NULL;
  const CLUSRES_TYPE_INFO *info = load("good", &fn, &error);
  g_assert_no_error(error);
  g_assert_nonnull(fn);
  g_assert_nonnull(fn->IsAlive);
  g_assert_nonnull(info);
  g_assert_cmpstr(info->ShortDesc, ==, "variant");
}

static void test_not_installed(void)
{
  g_autoptr(GError) error = NULL;
  void *handle = NULL;
  g_autofree char *missing = dll_path("missing");
  g_assert_null(clusres_dllload_open(missing, &handle, &error));
  g_assert_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_NOT_INSTALLED);
  g_clear_error(&error);
  /* A type the DLL does not implement is an installation problem of this node too. */
  g_assert_null(load("noname", NULL, &error));
  g_assert_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_NOT_INSTALLED);
  g_assert_nonnull(strstr(error->message, "does not implement type variant"));
}

/* Startup's table: exactly the version asked for, exactly its size, every required entry. */
static void test_table_rules(void)
{
  static const char *const bad[] = {"failing", "badversion", "badsize", "noentry"};
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    const CLRES_V1_FUNCTIONS *fn = (const CLRES_V1_FUNCTIONS *)&error; /* not left as is */
    g_test_message("variant %s", bad[i]);
    g_assert_null(load(bad[i], &fn, &error));
    g_assert_null(fn);
    g_assert_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_FAILED);
  }
}

/* Type info: none is fine, a Version of at least ours is read, anything else refused. */
static void test_type_info_rules(void)
{
  g_autoptr(GError) error = NULL;
  const CLRES_V1_FUNCTIONS *fn = NULL;
  g_assert_null(load("noinfo", &fn, &error));
  g_assert_no_error(error);
  g_assert_nonnull(fn);

  const CLUSRES_TYPE_INFO *info = load("newinfo", NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(info);
  g_assert_cmpuint(info->Version, ==, CLUSRES_TYPE_INFO_VERSION + 1);

  g_assert_null(load("oldinfo", NULL, &error));
  g_assert_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_FAILED);
  g_clear_error(&error);
  g_assert_null(load("badinfo", NULL, &error));
  g_assert_error(error, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_FAILED);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/clusres-dllload/good", test_good);
  g_test_add_func("/clusres-dllload/not-installed", test_not_installed);
  g_test_add_func("/clusres-dllload/table-rules", test_table_rules);
  g_test_add_func("/clusres-dllload/type-info-rules", test_type_info_rules);
  return g_test_run();
}
