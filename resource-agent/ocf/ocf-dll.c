/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-dll.h"

#include "clusres-config.h"
#include "clusres-dllload.h"
#include "clusres-params.h"
#include "ocf-ctx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

struct OcfDll {
  void *handle;
  char *type;
  const CLRES_V1_FUNCTIONS *fn;
  const CLUSRES_TYPE_INFO *info;
  CLUSRES_TYPE_INFO no_info; /* for DLLs that do not describe themselves */
};

/* LogEvent has no context argument the agent controls, and the agent handles exactly one
 * type and resource per process: the prefix lives here. */
static char *log_prefix;
static char dummy_resource;

#define MAX_INSERTS 99

typedef enum { INSERT_NONE, INSERT_STRING, INSERT_INT, INSERT_INT64, INSERT_POINTER } InsertKind;

typedef struct {
  InsertKind kind;
  union {
    const char *s;
    guint32 u;
    guint64 u64;
    void *p;
  };
} Insert;

/* The printf conversion of a FormatMessage insert ("u", "08x", "s", "I64u"...). */
static InsertKind insert_kind(const char *spec, gsize len)
{
  char conv = len > 0 ? spec[len - 1] : 's';

  if (conv == 's' || conv == 'S')
    return INSERT_STRING;
  if (conv == 'p')
    return INSERT_POINTER;
  if (g_strstr_len(spec, (gssize)len, "I64") != NULL || g_strstr_len(spec, (gssize)len, "ll"))
    return INSERT_INT64;
  return INSERT_INT;
}

/* Walks FormatString; calls @fn for each literal run and insert. Returns the highest insert. */
typedef void (*InsertFn)(GString *out, guint n, const char *spec, gsize len, Insert *args);

static guint format_walk(const char *fmt, GString *out, Insert *args, InsertFn fn)
{
  guint max = 0;

  for (const char *p = fmt; *p != '\0'; p++) {
    if (*p != '%' || !g_ascii_isdigit(p[1]) || p[1] == '0') {
      if (*p == '%' && p[1] == '%')
        p++;
      if (out != NULL)
        g_string_append_c(out, *p);
      continue;
    }
    guint n = 0;
    p++;
    while (g_ascii_isdigit(*p) && n < 100)
      n = n * 10 + (guint)(*p++ - '0');
    const char *spec = "s";
    gsize len = 1;
    if (*p == '!' && strchr(p + 1, '!') != NULL) {
      spec = p + 1;
      len = (gsize)(strchr(spec, '!') - spec);
      p = spec + len;
    } else {
      p--;
    }
    if (n >= 1 && n <= MAX_INSERTS) {
      max = MAX(max, n);
      fn(out, n, spec, len, args);
    }
  }
  return max;
}

static void collect_kind(GString *out, guint n, const char *spec, gsize len, Insert *args)
{
  args[n].kind = insert_kind(spec, len);
}

static void render_insert(GString *out, guint n, const char *spec, gsize len, Insert *args)
{
  g_autofree char *conv = g_strdup_printf("%%%.*s", (int)len, spec);

  switch (args[n].kind) {
  case INSERT_STRING:
    g_string_append(out, args[n].s != NULL ? args[n].s : "(null)");
    break;
  case INSERT_POINTER:
    g_string_append_printf(out, "%p", args[n].p);
    break;
  case INSERT_INT64:
    g_string_append_printf(out, "%" G_GUINT64_FORMAT, args[n].u64);
    break;
  case INSERT_INT: {
    /* Only the flags/width and the conversion letter are kept: u d i x X o. */
    char c = len > 0 ? spec[len - 1] : 'u';
    if (strchr("udixXo", c) == NULL)
      c = 'u';
    conv[strlen(conv) - 1] = c;
    g_string_append_printf(out, conv, args[n].u);
    break;
  }
  case INSERT_NONE:
    break;
  }
}

/* The LogEvent a DLL gets inside the agent: FormatMessage inserts, consumed in insert-number
 * order like Windows, written to stderr (Pacemaker logs an agent's stderr). */
static VOID WINAPI local_log_event(RESOURCE_HANDLE resource, LOG_LEVEL level, LPCSTR fmt, ...)
{
  static const char *const level_names[] = {"info", "warning", "error", "severe"};
  Insert args[MAX_INSERTS + 1] = {0};
  g_autoptr(GString) msg = g_string_new(NULL);
  va_list ap;

  if (fmt == NULL)
    return;
  guint max = format_walk(fmt, NULL, args, collect_kind);
  va_start(ap, fmt);
  for (guint n = 1; n <= max; n++) {
    switch (args[n].kind) {
    case INSERT_STRING:
      args[n].s = va_arg(ap, const char *);
      break;
    case INSERT_POINTER:
      args[n].p = va_arg(ap, void *);
      break;
    case INSERT_INT64:
      args[n].u64 = va_arg(ap, guint64);
      break;
    case INSERT_INT:
    case INSERT_NONE: /* an unused number: assume a DWORD, as most inserts are */
      args[n].u = va_arg(ap, guint32);
      break;
    }
  }
  va_end(ap);
  format_walk(fmt, msg, args, render_insert);
  if (msg->len > CLUSRES_LOG_EVENT_MAX)
    g_string_truncate(msg, CLUSRES_LOG_EVENT_MAX);
  while (msg->len > 0 && msg->str[msg->len - 1] == '\n')
    g_string_truncate(msg, msg->len - 1);
  fprintf(stderr, "%s: %s: %s\n", level_names[(guint)level < 4 ? level : LOG_ERROR],
          log_prefix != NULL ? log_prefix : "clusres", msg->str);
}

/* No operation is ever pending inside the agent: any worker should stop. */
static DWORD WINAPI local_set_status(RESOURCE_HANDLE resource, PRESOURCE_STATUS status)
{
  return ResourceExitStateTerminate;
}

/* A clusres-dllload error as the agent's exit: not installed on this node 5, otherwise 1. */
static void dll_error_from(GError **error, GError *local)
{
  g_set_error_literal(
      error, OCF_EXIT_ERROR,
      g_error_matches(local, CLUSRES_DLLLOAD_ERROR, CLUSRES_DLLLOAD_ERROR_NOT_INSTALLED)
          ? OCF_ERR_INSTALLED
          : OCF_ERR_GENERIC,
      local->message);
}

OcfDll *ocf_dll_load(const char *path, const char *type, GError **error)
{
  g_autoptr(OcfDll) dll = g_new0(OcfDll, 1);

  dll->type = g_strdup(type);
  g_free(log_prefix);
  log_prefix = g_strdup(type);
  /* The host's loader and this one apply the same file rules and the same checks of Startup's
   * table and the type info (clusres-dllload.h). */
  g_autoptr(GError) local = NULL;
  PSTARTUP_ROUTINE startup = clusres_dllload_open(path, &dll->handle, &local);
  if (startup != NULL)
    dll->fn =
        clusres_dllload_startup(startup, type, path, local_set_status, local_log_event, &local);
  if (dll->fn == NULL || !clusres_dllload_type_info(dll->fn, type, &dll->info, &local)) {
    dll_error_from(error, local);
    return NULL;
  }
  if (dll->info == NULL) {
    /* A DLL that does not describe itself: meta-data with the common parameters only. */
    dll->no_info.Version = CLUSRES_TYPE_INFO_VERSION;
    dll->info = &dll->no_info;
  }
  return g_steal_pointer(&dll);
}

void ocf_dll_free(OcfDll *dll)
{
  if (dll == NULL)
    return;
  /* The DLL stays mapped: a DLL may have left threads running, and the agent exits soon. */
  g_free(dll->type);
  g_free(dll);
}

const CLUSRES_TYPE_INFO *ocf_dll_type_info(const OcfDll *dll)
{
  return dll->info;
}

const CLUSRES_PROPERTY_DOC *ocf_dll_find_doc(const CLUSRES_TYPE_INFO *info, const char *name)
{
  return clusres_params_find_doc(info, name);
}

PCLUSRES_PROPLIST ocf_dll_build_proplist(const CLUSRES_TYPE_INFO *info, GHashTable *params,
                                         gboolean reloadable_only, GError **error)
{
  g_autoptr(GError) local = NULL;
  PCLUSRES_PROPLIST list = clusres_params_build(info, params, reloadable_only, &local);

  if (list == NULL)
    g_set_error_literal(error, OCF_EXIT_ERROR,
                        g_error_matches(local, CLUSRES_PARAMS_ERROR, CLUSRES_PARAMS_ERROR_INVALID)
                            ? OCF_ERR_CONFIGURED
                            : OCF_ERR_GENERIC,
                        local->message);
  return list;
}

/* Writes the parameters where Open expects them, the way the host does before its Open: the
 * resource key's "Parameters" subkey, numbers as REG_DWORD, everything else as REG_SZ. */
static gboolean write_registry(const CLUSRES_TYPE_INFO *info, const char *name, GHashTable *params,
                               HKEY *out_key, GError **error)
{
  HKEY key = NULL, pkey = NULL;
  DWORD st = ClusterRegOpenResourceKey(name, KEY_ALL_ACCESS, &key);

  if (st == ERROR_SUCCESS)
    st = ClusterRegCreateKey(key, "Parameters", KEY_ALL_ACCESS, &pkey);
  for (const RESUTIL_PROPERTY_ITEM *it = info->Properties;
       st == ERROR_SUCCESS && it != NULL && it->Name != NULL; it++) {
    const char *value = g_hash_table_lookup(params, it->Name);
    const char *vname = it->KeyName != NULL ? it->KeyName : it->Name;
    gint64 v = 0;
    if (value == NULL)
      continue;
    if ((it->Format == CLUSPROP_FORMAT_DWORD || it->Format == CLUSPROP_FORMAT_LONG) &&
        clusres_params_parse_number(it, value, &v)) {
      DWORD dw = (DWORD)v;
      st = ClusterRegSetValue(pkey, vname, REG_DWORD, (const BYTE *)&dw, sizeof(dw));
    } else {
      st = ClusterRegSetValue(pkey, vname, REG_SZ, (const BYTE *)value, (DWORD)strlen(value) + 1);
    }
  }
  if (pkey != NULL)
    ClusterRegCloseKey(pkey);
  if (st != ERROR_SUCCESS) {
    if (key != NULL)
      ClusterRegCloseKey(key);
    g_set_error(error, OCF_EXIT_ERROR, OCF_ERR_GENERIC,
                "cannot write the temporary registry (status %u)", st);
    return FALSE;
  }
  *out_key = key;
  return TRUE;
}

static void remove_tree(const char *path)
{
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    g_autofree char *child = g_build_filename(path, name, NULL);
    if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
      remove_tree(child);
    else
      g_unlink(child);
  }
  g_rmdir(path);
}

/* Open, VALIDATE_PRIVATE_PROPERTIES, Close on a throw-away instance. */
static gboolean validate_instance(OcfDll *dll, const OcfEnv *env, const void *buf, DWORD cb,
                                  GError **error)
{
  const CLRES_V1_FUNCTIONS *fn = dll->fn;
  const char *name = env->instance != NULL ? env->instance : "validate-all";
  HKEY key = NULL;
  DWORD returned = 0;

  if (fn->ResourceControl == NULL || fn->Open == NULL)
    return TRUE;
  if (!write_registry(dll->info, name, env->params, &key, error))
    return FALSE;
  g_free(log_prefix);
  log_prefix = g_strdup_printf("%s %s", dll->type, name);
  SetLastError(ERROR_SUCCESS);
  RESID resid = fn->Open(name, key, (RESOURCE_HANDLE)(void *)&dummy_resource);
  if (resid == NULL) {
    DWORD st = GetLastError();
    ClusterRegCloseKey(key);
    g_autofree char *why = ocf_ctx_describe_status(st);
    g_set_error(error, OCF_EXIT_ERROR,
                st == ERROR_SUCCESS ? OCF_ERR_GENERIC : ocf_exit_from_win32(st),
                "Open of a temporary %s instance failed: %s", dll->type, why);
    return FALSE;
  }
  ClusResSetCheckLevel(env->check_level);
  DWORD st = fn->ResourceControl(resid, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, (PVOID)buf,
                                 cb, NULL, 0, &returned);
  ClusResSetCheckLevel(0);
  if (fn->Close != NULL)
    fn->Close(resid);
  ClusterRegCloseKey(key);
  if (st == ERROR_SUCCESS || st == ERROR_INVALID_FUNCTION)
    return TRUE;
  g_autofree char *why = ocf_ctx_describe_status(st);
  g_set_error(error, OCF_EXIT_ERROR, ocf_exit_from_win32(st),
              "%s rejected the parameters (VALIDATE_PRIVATE_PROPERTIES): %s", dll->type, why);
  return FALSE;
}

gboolean ocf_dll_validate(OcfDll *dll, const OcfEnv *env, GError **error)
{
  PCLUSRES_PROPLIST list = ocf_dll_build_proplist(dll->info, env->params, FALSE, error);
  g_autofree char *tmp = NULL;
  gboolean ok = FALSE;

  if (list == NULL)
    return FALSE;
  /* The temporary instance must never touch the node's real registry. */
  tmp = g_dir_make_tmp("clusres-validate-XXXXXX", NULL);
  if (tmp == NULL) {
    g_set_error(error, OCF_EXIT_ERROR, OCF_ERR_GENERIC, "mkdtemp: %s", g_strerror(errno));
  } else {
    DWORD cb = 0;
    const void *buf = ClusResPropListBuffer(list, &cb);
    /* Both stores: durable keys and the volatile (run-time) ones. */
    g_autofree char *saved = g_strdup(g_getenv("CLUSRES_REGISTRY_DIR"));
    g_autofree char *saved_run = g_strdup(g_getenv("CLUSRES_RUN_DIR"));
    g_setenv("CLUSRES_REGISTRY_DIR", tmp, TRUE);
    g_setenv("CLUSRES_RUN_DIR", tmp, TRUE);
    ok = validate_instance(dll, env, buf, cb, error);
    remove_tree(tmp);
    if (saved != NULL)
      g_setenv("CLUSRES_REGISTRY_DIR", saved, TRUE);
    else
      g_unsetenv("CLUSRES_REGISTRY_DIR");
    if (saved_run != NULL)
      g_setenv("CLUSRES_RUN_DIR", saved_run, TRUE);
    else
      g_unsetenv("CLUSRES_RUN_DIR");
  }
  ClusResPropListFree(list);
  return ok;
}
