/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-metadata.h"

#include "clusres-config.h"
#include "ocf-dll.h"
#include "ocf-env.h"

#include <string.h>

/* Op timeouts we recommend for the actions that do not depend on the type. */
#define MONITOR_TIMEOUT_MS 20000u
#define DEEP_MONITOR_TIMEOUT_MS 60000u
#define VALIDATE_TIMEOUT_MS 30000u
#define METADATA_TIMEOUT_MS 5000u
#define RELOAD_TIMEOUT_MS 30000u

/* The heavy check (depth 20) runs this many times less often than IsAlive: two monitors of
 * the same action must differ in interval for Pacemaker, and OCF calls level 20 infrequent. */
#define DEPTH20_INTERVAL_FACTOR 10u

char *ocf_metadata_duration(guint64 ms)
{
  if (ms % 1000 == 0)
    return g_strdup_printf("%" G_GUINT64_FORMAT "s", ms / 1000);
  return g_strdup_printf("%" G_GUINT64_FORMAT "ms", ms);
}

static guint32 or_default(guint32 v, guint32 dflt)
{
  return v != 0 ? v : dflt;
}

typedef struct {
  const char *name;
  const char *shortdesc;
  const char *longdesc;
  const char *type; /* string, integer, boolean */
  const char *dflt; /* NULL: none */
  gboolean required;
  gboolean unique;
  gboolean reloadable;
} Param;

static void append_param(GString *xml, const Param *p)
{
  g_autofree char *head = g_markup_printf_escaped("<parameter name=\"%s\"", p->name);

  g_string_append(xml, head);
  if (p->unique) {
    g_autofree char *group = g_markup_printf_escaped(" unique-group=\"%s\" unique=\"1\"", p->name);
    g_string_append(xml, group);
  }
  if (p->required)
    g_string_append(xml, " required=\"1\"");
  if (p->reloadable)
    g_string_append(xml, " reloadable=\"1\"");
  g_autofree char *body = g_markup_printf_escaped(
      ">\n<longdesc lang=\"en\">%s</longdesc>\n<shortdesc lang=\"en\">%s</shortdesc>\n"
      "<content type=\"%s\"",
      p->longdesc, p->shortdesc, p->type);
  g_string_append(xml, body);
  if (p->dflt != NULL) {
    g_autofree char *d = g_markup_printf_escaped(" default=\"%s\"", p->dflt);
    g_string_append(xml, d);
  }
  g_string_append(xml, "/>\n</parameter>\n");
}

/* A MULTI_SZ default (strings ended by an empty one) as the comma list the agent accepts. */
static char *multi_sz_text(const char *ms)
{
  g_autoptr(GString) s = g_string_new(NULL);

  for (const char *p = ms; p != NULL && *p != '\0'; p += strlen(p) + 1) {
    if (s->len > 0)
      g_string_append_c(s, ',');
    g_string_append(s, p);
  }
  return g_string_free(g_steal_pointer(&s), FALSE);
}

static char *item_default(const RESUTIL_PROPERTY_ITEM *it)
{
  switch (it->Format) {
  case CLUSPROP_FORMAT_DWORD: /* the host reads DWORDs unsigned */
    return g_strdup_printf("%u", it->Default);
  case CLUSPROP_FORMAT_LONG:
    return g_strdup_printf("%d", (gint32)it->Default);
  case CLUSPROP_FORMAT_SZ:
  case CLUSPROP_FORMAT_EXPAND_SZ:
    return it->lpDefault != NULL ? g_strdup(it->lpDefault) : NULL;
  case CLUSPROP_FORMAT_MULTI_SZ:
    return it->lpDefault != NULL ? multi_sz_text(it->lpDefault) : NULL;
  default:
    return NULL;
  }
}

/* The long description plus what an administrator must know to write a valid value. */
static char *item_longdesc(const RESUTIL_PROPERTY_ITEM *it, const CLUSRES_PROPERTY_DOC *doc)
{
  g_autoptr(GString) s = g_string_new(NULL);
  const char *base = doc != NULL && doc->LongDesc != NULL    ? doc->LongDesc
                     : doc != NULL && doc->ShortDesc != NULL ? doc->ShortDesc
                                                             : it->Name;

  g_autofree char *max = g_strdup_printf("%u", it->Maximum);

  g_string_append(s, base);
  /* Hints the DLL's own text may already give are not repeated. */
  if (it->Format == CLUSPROP_FORMAT_DWORD && it->Maximum > it->Minimum && strstr(base, max) == NULL)
    g_string_append_printf(s, " (%u to %u)", it->Minimum, it->Maximum);
  if (it->Format == CLUSPROP_FORMAT_MULTI_SZ)
    g_string_append(s, " (comma-separated list)");
  if (it->Format == CLUSPROP_FORMAT_BINARY)
    g_string_append(s, " (hexadecimal bytes)");
  if (doc != NULL && (doc->Flags & CLUSRES_PROPDOC_PATH) && strstr(base, "bsolute path") == NULL)
    g_string_append(s, " (absolute path)");
  return g_string_free(g_steal_pointer(&s), FALSE);
}

static void append_private(GString *xml, const CLUSRES_TYPE_INFO *info)
{
  for (const RESUTIL_PROPERTY_ITEM *it = info->Properties; it != NULL && it->Name != NULL; it++) {
    if (it->Flags & RESUTIL_PROPITEM_READ_ONLY)
      continue; /* status, not configuration */
    const CLUSRES_PROPERTY_DOC *doc = ocf_dll_find_doc(info, it->Name);
    g_autofree char *longdesc = item_longdesc(it, doc);
    g_autofree char *dflt = item_default(it);
    guint32 flags = doc != NULL ? doc->Flags : 0;
    gboolean number = it->Format == CLUSPROP_FORMAT_DWORD || it->Format == CLUSPROP_FORMAT_LONG;
    Param p = {
        .name = it->Name,
        .shortdesc = doc != NULL && doc->ShortDesc != NULL ? doc->ShortDesc : it->Name,
        .longdesc = longdesc,
        .type = number ? "integer" : "string",
        .dflt = dflt,
        .required = (it->Flags & RESUTIL_PROPITEM_REQUIRED) != 0,
        .unique = (flags & CLUSRES_PROPDOC_UNIQUE) != 0,
        .reloadable = (flags & CLUSRES_PROPDOC_RELOADABLE) != 0,
    };
    append_param(xml, &p);
  }
}

static void append_common(GString *xml, const CLUSRES_TYPE_INFO *info)
{
  g_autofree char *la = g_strdup_printf(
      "%u", or_default(info->LooksAlivePollInterval, CLUSTER_RESOURCE_DEFAULT_LOOKS_ALIVE));
  g_autofree char *ia = g_strdup_printf(
      "%u", or_default(info->IsAlivePollInterval, CLUSTER_RESOURCE_DEFAULT_IS_ALIVE));
  g_autofree char *pt = g_strdup_printf(
      "%u", or_default(info->PendingTimeout, CLUSTER_RESOURCE_DEFAULT_PENDING_TIMEOUT));
  g_autofree char *dt = g_strdup_printf("%u", CLUSTER_RESOURCE_DEFAULT_DEADLOCK_TIMEOUT);
  const Param common[] = {
      {OCF_ENV_LOOKS_ALIVE, "LooksAlive poll interval (ms)",
       "How often the resource host calls the cheap LooksAlive check between monitors (ms).",
       "integer", la, FALSE, FALSE, FALSE},
      {OCF_ENV_IS_ALIVE, "IsAlive poll interval (ms)",
       "How often the resource host calls the thorough IsAlive check between monitors (ms).",
       "integer", ia, FALSE, FALSE, FALSE},
      {OCF_ENV_PENDING_TIMEOUT, "Pending timeout (ms)",
       "How long a pending start or stop may go without progress before the resource host "
       "terminates the resource (ms).",
       "integer", pt, FALSE, FALSE, FALSE},
      {OCF_ENV_DEADLOCK_TIMEOUT, "Deadlock timeout (ms)",
       "How long one call into the resource DLL may block before the resource host treats it "
       "as deadlocked (ms).",
       "integer", dt, FALSE, FALSE, FALSE},
      {OCF_ENV_CLOSE_DELAY, "Close delay after a stop (ms)",
       "How long the resource host keeps a cleanly stopped instance open, so that a start on "
       "this node within that time skips the DLL's Open; 0 closes the instance at every stop.",
       "integer", "600000", FALSE, FALSE, FALSE},
      {OCF_ENV_SEPARATE_MONITOR, "Run in a separate resource host",
       "Run this resource in its own resource host process, isolated from the other "
       "resources' DLLs.",
       "boolean", "false", FALSE, FALSE, FALSE},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(common); i++)
    append_param(xml, &common[i]);
}

static void append_resdll(GString *xml)
{
  const Param p[] = {
      {"dll", "Resource DLL",
       "The resource DLL to run: an absolute path, or a name in the clusres types directory.",
       "string", NULL, TRUE, FALSE, FALSE},
      {"type", "Resource type", "The resource type name the DLL's Startup is called with.",
       "string", NULL, TRUE, FALSE, FALSE},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(p); i++)
    append_param(xml, &p[i]);
}

static void append_action(GString *xml, const char *name, guint64 timeout_ms, guint64 interval_ms,
                          int depth)
{
  g_autofree char *t = ocf_metadata_duration(timeout_ms);

  g_string_append_printf(xml, "<action name=\"%s\" timeout=\"%s\"", name, t);
  if (interval_ms > 0) {
    g_autofree char *i = ocf_metadata_duration(interval_ms);
    g_string_append_printf(xml, " interval=\"%s\"", i);
  }
  if (depth >= 0)
    g_string_append_printf(xml, " depth=\"%d\"", depth);
  g_string_append(xml, "/>\n");
}

static gboolean any_reloadable(const CLUSRES_TYPE_INFO *info)
{
  for (const CLUSRES_PROPERTY_DOC *d = info->Docs; d != NULL && d->Name != NULL; d++) {
    if (d->Flags & CLUSRES_PROPDOC_RELOADABLE)
      return TRUE;
  }
  return FALSE;
}

static void append_actions(GString *xml, const CLUSRES_TYPE_INFO *info)
{
  guint64 pending = or_default(info->PendingTimeout, CLUSTER_RESOURCE_DEFAULT_PENDING_TIMEOUT);
  guint64 looks = or_default(info->LooksAlivePollInterval, CLUSTER_RESOURCE_DEFAULT_LOOKS_ALIVE);
  guint64 is = or_default(info->IsAlivePollInterval, CLUSTER_RESOURCE_DEFAULT_IS_ALIVE);

  /* Pacemaker keys recurring ops by interval: keep the IsAlive monitor distinct. */
  if (is == looks)
    is += 1000;
  g_string_append(xml, "<actions>\n");
  append_action(xml, "start", pending, 0, -1);
  append_action(xml, "stop", pending, 0, -1);
  append_action(xml, "monitor", MONITOR_TIMEOUT_MS, looks, 0);
  /* Every DLL has IsAlive: depth 10 runs it even when the DLL makes no finer distinction. */
  append_action(xml, "monitor", DEEP_MONITOR_TIMEOUT_MS, is, 10);
  if (info->MaxCheckLevel >= 20)
    append_action(xml, "monitor", DEEP_MONITOR_TIMEOUT_MS, is * DEPTH20_INTERVAL_FACTOR, 20);
  append_action(xml, "validate-all", VALIDATE_TIMEOUT_MS, 0, -1);
  append_action(xml, "meta-data", METADATA_TIMEOUT_MS, 0, -1);
  if (any_reloadable(info))
    append_action(xml, "reload-agent", RELOAD_TIMEOUT_MS, 0, -1);
  g_string_append(xml, "</actions>\n");
}

char *ocf_metadata_generate(const char *agent, const CLUSRES_TYPE_INFO *info, gboolean resdll)
{
  static const CLUSRES_TYPE_INFO no_info = {.Version = CLUSRES_TYPE_INFO_VERSION};
  g_autoptr(GString) xml = g_string_new("<?xml version=\"1.0\"?>\n");

  if (info == NULL)
    info = &no_info;
  const char *shortdesc = info->ShortDesc != NULL ? info->ShortDesc : agent;
  const char *longdesc = info->LongDesc != NULL ? info->LongDesc : shortdesc;
  g_autofree char *head = g_markup_printf_escaped(
      "<resource-agent name=\"%s\" version=\"%s\">\n<version>1.1</version>\n"
      "<longdesc lang=\"en\">%s%s</longdesc>\n<shortdesc lang=\"en\">%s</shortdesc>\n",
      agent, CLUSRES_VERSION, longdesc,
      resdll ? " Runs any clusres resource DLL given by the dll and type parameters." : "",
      shortdesc);
  g_string_append(xml, head);
  g_string_append(xml, "<parameters>\n");
  if (resdll)
    append_resdll(xml);
  append_private(xml, info);
  append_common(xml, info);
  g_string_append(xml, "</parameters>\n");
  append_actions(xml, info);
  g_string_append(xml, "</resource-agent>\n");
  return g_string_free(g_steal_pointer(&xml), FALSE);
}
