/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process-wide state of the share DLL, shared by its two types (share-core.h).
 */
#include "share-core.h"

#include <string.h>

typedef struct {
  gpointer instance;
  GDestroyNotify forget;
} CoreInstance;

static struct {
  GMutex lock; /* everything below */
  PSET_RESOURCE_STATUS_ROUTINE set_status;
  PLOG_EVENT_ROUTINE log_event;
  ShareSm *sm;
  GHashTable *drivers;   /* backend name -> SdDriver * */
  GHashTable *instances; /* resource name -> CoreInstance * */
  /* share_name -> number of references: Open's uniqueness check is a lookup, not a scan of
   * every instance (1000 shares made the scan ~7 % of an Online's CPU). */
  GHashTable *share_names;
} g_core;

void share_core_set_callbacks(PSET_RESOURCE_STATUS_ROUTINE set_status, PLOG_EVENT_ROUTINE log_event)
{
  g_core.set_status = set_status;
  g_core.log_event = log_event;
}

void share_core_lock(void)
{
  g_mutex_lock(&g_core.lock);
}

void share_core_unlock(void)
{
  g_mutex_unlock(&g_core.lock);
}

void share_core_log(RESOURCE_HANDLE handle, LOG_LEVEL level, const char *message)
{
  if (g_core.log_event)
    g_core.log_event(handle, level, "%1!s!", message);
}

void share_core_report(RESOURCE_HANDLE handle, CLUSTER_RESOURCE_STATE state, gint *checkpoint)
{
  if (!g_core.set_status)
    return;
  RESOURCE_STATUS status;
  ResUtilInitializeResourceStatus(&status);
  status.ResourceState = state;
  status.CheckPoint = (DWORD)g_atomic_int_add(checkpoint, 1) + 1;
  (void)g_core.set_status(handle, &status);
}

ShareSm *share_core_sm(RESOURCE_HANDLE handle, const char *node)
{
  if (!g_core.sm)
    g_core.sm = share_sm_new(node);
  else if (!g_str_equal(share_sm_local_node(g_core.sm), node))
    share_core_log(handle, LOG_WARNING,
                   "NodeName differs from the one of the first resource opened");
  return g_core.sm;
}

ShareSm *share_core_sm_peek(void)
{
  return g_core.sm;
}

SdDriver *share_core_driver(const char *backend, GError **error)
{
  if (!g_core.drivers)
    g_core.drivers =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)sd_driver_free);
  SdDriver *drv = g_hash_table_lookup(g_core.drivers, backend);
  if (!drv) {
    drv = sd_driver_new(backend, SHARE_CORE_DRIVER_TIMEOUT_MS, error);
    if (!drv)
      return NULL;
    g_hash_table_insert(g_core.drivers, g_strdup(backend), drv);
  }
  return drv;
}

gboolean share_core_add_instance(const char *name, gpointer instance, GDestroyNotify forget)
{
  if (!g_core.instances)
    g_core.instances = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  if (g_hash_table_contains(g_core.instances, name))
    return FALSE;
  CoreInstance *ci = g_new0(CoreInstance, 1);
  ci->instance = instance;
  ci->forget = forget;
  g_hash_table_insert(g_core.instances, g_strdup(name), ci);
  return TRUE;
}

gboolean share_core_has_instance(const char *name)
{
  return g_core.instances && g_hash_table_contains(g_core.instances, name);
}

static void release_if_idle(gboolean keep_drivers)
{
  if (g_core.instances && g_hash_table_size(g_core.instances) == 0) {
    g_clear_pointer(&g_core.instances, g_hash_table_unref);
    g_clear_pointer(&g_core.share_names, g_hash_table_unref);
    g_clear_pointer(&g_core.sm, share_sm_free);
    if (!keep_drivers)
      g_clear_pointer(&g_core.drivers, g_hash_table_unref);
  }
}

void share_core_remove_instance(const char *name, gboolean keep_drivers)
{
  if (g_core.instances)
    g_hash_table_remove(g_core.instances, name);
  release_if_idle(keep_drivers);
}

gboolean share_core_name_in_use(const char *share_name)
{
  return g_core.share_names && g_hash_table_contains(g_core.share_names, share_name);
}

void share_core_name_ref(const char *share_name)
{
  if (!g_core.share_names)
    g_core.share_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(g_core.share_names, share_name));
  g_hash_table_insert(g_core.share_names, g_strdup(share_name), GUINT_TO_POINTER(n + 1));
}

void share_core_name_unref(const char *share_name)
{
  if (g_core.share_names == NULL)
    return;
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(g_core.share_names, share_name));
  if (n <= 1)
    g_hash_table_remove(g_core.share_names, share_name);
  else
    g_hash_table_insert(g_core.share_names, g_strdup(share_name), GUINT_TO_POINTER(n - 1));
}

DWORD share_core_simulate_host_crash(void)
{
  share_core_lock();
  SdDriver *fake = g_core.drivers ? g_hash_table_lookup(g_core.drivers, "fake") : NULL;
  if (!fake || g_hash_table_size(g_core.drivers) != 1) {
    share_core_unlock();
    return ERROR_INVALID_FUNCTION;
  }
  if (g_core.instances) {
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, g_core.instances);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
      CoreInstance *ci = value;
      ci->forget(ci->instance);
      g_hash_table_iter_remove(&it);
    }
  }
  release_if_idle(TRUE);
  g_clear_pointer(&g_core.sm, share_sm_free);
  share_core_unlock();
  return ERROR_SUCCESS;
}

DWORD share_core_read_block(RESOURCE_HANDLE handle, HKEY key, const RESUTIL_PROPERTY_ITEM *table,
                            LPBYTE block)
{
  LPSTR bad = NULL;
  DWORD status = ResUtilGetPropertiesToParameterBlock(key, table, block, TRUE, &bad);
  if (status != ERROR_SUCCESS) {
    g_autofree char *msg =
        g_strdup_printf("cannot read parameter %s (error %u)", bad ? bad : "?", status);
    share_core_log(handle, LOG_ERROR, msg);
    ResUtilFree(bad);
    return ERROR_INVALID_PARAMETER;
  }
  return ERROR_SUCCESS;
}

DWORD share_core_add_multi_sz(PCLUSRES_PROPLIST list, const char *name, GPtrArray *items)
{
  g_autoptr(GString) multi = g_string_new(NULL);
  for (guint i = 0; i < items->len; i++)
    g_string_append_len(multi, items->pdata[i], (gssize)strlen(items->pdata[i]) + 1);
  g_string_append_c(multi, '\0');
  return ClusResPropListAddMultiSz(list, name, multi->str, (DWORD)multi->len);
}

DWORD share_core_journal(SdDriver *driver, PVOID out, DWORD out_size, LPDWORD returned)
{
  if (driver == NULL || !g_str_equal(sd_driver_backend(driver), "fake"))
    return ERROR_INVALID_FUNCTION;
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  if (!list)
    return ERROR_NOT_ENOUGH_MEMORY;
  DWORD status = share_core_add_multi_sz(list, "Journal", sd_driver_fake_journal(driver));
  if (status == ERROR_SUCCESS)
    status = ClusResPropListReturn(list, out, out_size, returned);
  ClusResPropListFree(list);
  return status;
}

/* GLib 2.74 has no g_ptr_array_sort_values(). */
static gint compare_strp(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

GString *share_core_opnode_counts(const ShareSmSnapshot *snap)
{
  g_autoptr(GPtrArray) homes = g_ptr_array_new_with_free_func(g_free);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, snap->opnode_per_home);
  while (g_hash_table_iter_next(&it, &key, &value))
    g_ptr_array_add(homes, g_strdup_printf("%s=%u", (char *)key, GPOINTER_TO_UINT(value)));
  g_ptr_array_sort(homes, compare_strp);
  GString *multi = g_string_new(NULL);
  for (guint i = 0; i < homes->len; i++)
    g_string_append_len(multi, homes->pdata[i], (gssize)strlen(homes->pdata[i]) + 1);
  g_string_append_c(multi, '\0');
  return multi;
}
