/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-dll.h"

#include <stdarg.h>

#include "clusres-dllload.h"
#include "rhs-logfmt.h"

G_DEFINE_QUARK(rhs - dll - error - quark, rhs_dll_error)

static GMutex registry_lock;
static GHashTable *dlls;  /* path -> RhsDll */
static GHashTable *types; /* "type\npath" -> RhsType */
static RhsDllSetStatus host_set_status;
static RhsDllLog host_log;

void rhs_dll_set_callbacks(RhsDllSetStatus set_status, RhsDllLog log)
{
  host_set_status = set_status;
  host_log = log;
}

static DWORD WINAPI cb_set_resource_status(RESOURCE_HANDLE handle, PRESOURCE_STATUS status)
{
  if (host_set_status == NULL || status == NULL)
    return ResourceExitStateContinue;
  return host_set_status(handle, status);
}

static VOID WINAPI cb_log_event(RESOURCE_HANDLE handle, LOG_LEVEL level, LPCSTR format, ...)
{
  va_list ap;
  va_start(ap, format);
  g_autofree char *msg = rhs_logfmt_format(format, ap);
  va_end(ap);
  if (host_log != NULL)
    host_log(handle, level, msg);
}

/* The host's error for a clusres-dllload one: not installed here, or the DLL's fault. */
static void rhs_dll_error_from(GError **error, GError *local)
{
  g_set_error_literal(
      error, RHS_DLL_ERROR,
      g_error_matches(local, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_NOT_INSTALLED)
          ? RHS_DLL_ERROR_NOT_INSTALLED
          : RHS_DLL_ERROR_FAILED,
      local->message);
}

static RhsDll *load_dll(const char *path, GError **error)
{
  RhsDll *dll = g_hash_table_lookup(dlls, path);
  if (dll != NULL)
    return dll;
  /* Refused unless root alone can write it and every directory above it (clusres-dllfile.h):
   * the DLL runs as root in here.  Missing, refused or not loadable: not installed properly on
   * this node, which the agent reports as OCF_ERR_INSTALLED (a hard error for this node only). */
  g_autoptr(GError) local = NULL;
  void *handle = NULL;
  PSTARTUP_ROUTINE startup = clusres_dllload_open(path, &handle, &local);
  if (startup == NULL) {
    rhs_dll_error_from(error, local);
    return NULL;
  }
  dll = g_new0(RhsDll, 1);
  dll->path = g_strdup(path);
  dll->handle = handle; /* kept loaded for the life of the host, like RHS */
  g_mutex_init(&dll->lock);
  g_rw_lock_init(&dll->lifecycle);
  dll->startup = startup;
  g_hash_table_insert(dlls, dll->path, dll);
  return dll;
}

RhsType *rhs_dll_get_type(const char *type, const char *path, RhsWatchdog *wd, guint32 deadlock_ms,
                          GError **error)
{
  g_autofree char *key = g_strconcat(type, "\n", path, NULL);
  g_autoptr(GError) local = NULL;
  /* The registry lock is held across Startup: a second Online of the same type must wait for
   * the first Startup rather than call it twice. */
  g_mutex_lock(&registry_lock);
  if (dlls == NULL) {
    dlls = g_hash_table_new(g_str_hash, g_str_equal);
    types = g_hash_table_new(g_str_hash, g_str_equal);
  }
  RhsType *t = g_hash_table_lookup(types, key);
  if (t != NULL) {
    g_mutex_unlock(&registry_lock);
    return t;
  }
  RhsDll *dll = load_dll(path, error);
  if (dll == NULL) {
    g_mutex_unlock(&registry_lock);
    return NULL;
  }
  /* Every call into the DLL under its lock and the watchdog; the checks are clusres-dllload's,
   * the same as the agent's. */
  g_mutex_lock(&dll->lock);
  guint64 tok = rhs_watchdog_begin(wd, "Startup", type, deadlock_ms);
  const CLRES_V1_FUNCTIONS *fn = clusres_dllload_startup(
      dll->startup, type, path, cb_set_resource_status, cb_log_event, &local);
  rhs_watchdog_end(wd, tok);
  const CLUSRES_TYPE_INFO *info = NULL;
  gboolean info_ok = FALSE;
  if (fn != NULL) {
    tok = rhs_watchdog_begin(wd, "ResourceTypeControl", type, deadlock_ms);
    info_ok = clusres_dllload_type_info(fn, type, &info, &local);
    rhs_watchdog_end(wd, tok);
  }
  g_mutex_unlock(&dll->lock);
  if (fn == NULL || !info_ok) {
    rhs_dll_error_from(error, local);
    g_mutex_unlock(&registry_lock);
    return NULL;
  }
  t = g_new0(RhsType, 1);
  t->name = g_strdup(type);
  t->dll = dll;
  t->fn = fn;
  t->version = CLRES_VERSION_V1_00; /* the only version clusres_dllload_startup accepts */
  t->info = info;
  g_hash_table_insert(types, g_strdup(key), t);
  g_mutex_unlock(&registry_lock);
  g_info("loaded type %s from %s (version 0x%x%s)", type, path, t->version,
         t->info != NULL ? ", with type info" : "");
  return t;
}

GPtrArray *rhs_dll_list_types(void)
{
  GPtrArray *out = g_ptr_array_new();
  g_mutex_lock(&registry_lock);
  if (types != NULL) {
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, types);
    while (g_hash_table_iter_next(&it, NULL, &v))
      g_ptr_array_add(out, v);
  }
  g_mutex_unlock(&registry_lock);
  return out;
}

gboolean rhs_dll_check_params(const RhsType *type, GHashTable *params, ClusresPropList **list,
                              GError **error)
{
  g_autoptr(GError) local = NULL;

  *list = NULL;
  if (type->info == NULL || type->info->Properties == NULL)
    return TRUE; /* no table to read them with: the DLL's Open is their only judge */
  *list = clusres_params_build(type->info, params, FALSE, &local);
  if (*list == NULL) {
    g_set_error(error, RHS_DLL_ERROR,
                g_error_matches(local, CLUSRES_PARAMS_ERROR, CLUSRES_PARAMS_ERROR_INVALID)
                    ? RHS_DLL_ERROR_INVALID_ARGS
                    : RHS_DLL_ERROR_FAILED,
                "type %s: %s", type->name, local->message);
    return FALSE;
  }
  return TRUE;
}

void rhs_dll_type_ref_instance(RhsType *type, int delta)
{
  g_mutex_lock(&registry_lock);
  type->instances = (guint)((int)type->instances + delta);
  g_mutex_unlock(&registry_lock);
}
