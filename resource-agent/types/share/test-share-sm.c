/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of share-sm against the fake share driver: table-driven scenarios walking every
 * branch of FIG. 5, 6A/6B, 8A/8B (and 9, and the re-adoption rule), checking after each step
 * the GSM, Call User Group, NodeShareCount, OPNodeShareCount per home node, the LSM, the
 * reports, the persisted LSMs and the exact journal of driver calls; then 200 shares online
 * and offline from parallel threads.
 */
#undef NDEBUG
#include <glib.h>
#include <string.h>

#include "sd-driver.h"
#include "share-sm.h"

#define LOCAL "n1"

typedef struct {
  const char *name, *home, *vip;
} ShareSpec;

/* a, b: homed here; x, y: homed on n2; z: homed on n3.  One VIP per home node. */
static const ShareSpec specs[] = {
    {"a", "n1", "198.18.0.1"}, {"b", "n1", "198.18.0.1"}, {"c", "n1", "198.18.0.1"},
    {"x", "n2", "198.18.0.2"}, {"y", "n2", "198.18.0.2"}, {"z", "n3", "198.18.0.3"},
};

typedef struct {
  ShareSm *sm;
  SdDriver *drv;
  GHashTable *shares;   /* name -> ShareSmShare */
  GHashTable *reports;  /* name -> GString */
  GHashTable *persists; /* name -> GString */
  guint journal_pos;
} Ctx;

static void append(GHashTable *table, const char *name, const char *what)
{
  GString *s = g_hash_table_lookup(table, name);
  if (!s) {
    s = g_string_new(NULL);
    g_hash_table_insert(table, g_strdup(name), s);
  }
  if (s->len)
    g_string_append_c(s, '|');
  g_string_append(s, what);
}

static char *take(GHashTable *table, const char *name)
{
  GString *s = g_hash_table_lookup(table, name);
  char *out = g_strdup(s ? s->str : "");
  if (s)
    g_string_truncate(s, 0);
  return out;
}

static void report_cb(ShareSmShare *share, ShareReport report, gpointer user_data)
{
  static const char *const names[] = {"online", "offline_pending", "offline", "failed"};
  Ctx *ctx = user_data;
  append(ctx->reports, share_sm_share_def(share)->name, names[report]);
}

static void persist_cb(ShareSmShare *share, ShareLsm lsm, gpointer user_data)
{
  Ctx *ctx = user_data;
  append(ctx->persists, share_sm_share_def(share)->name, share_lsm_to_string(lsm));
}

static void string_free(gpointer p)
{
  g_string_free(p, TRUE);
}

static void ctx_init(Ctx *ctx)
{
  g_autoptr(GError) error = NULL;
  memset(ctx, 0, sizeof(*ctx));
  ctx->sm = share_sm_new(LOCAL);
  ctx->drv = sd_driver_new("fake", 1000, &error);
  g_assert_no_error(error);
  ctx->shares =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)share_sm_share_free);
  ctx->reports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, string_free);
  ctx->persists = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, string_free);
}

static void ctx_clear(Ctx *ctx)
{
  g_hash_table_unref(ctx->shares);
  g_hash_table_unref(ctx->reports);
  g_hash_table_unref(ctx->persists);
  sd_driver_free(ctx->drv);
  share_sm_free(ctx->sm);
}

static ShareSmShare *make_share(ShareSm *sm, SdDriver *drv, const char *name, const char *home,
                                const char *vip)
{
  g_autofree char *path = g_strconcat("/srv/", name, NULL);
  SdShare in = {.name = name, .path = path, .vip = vip};
  SdShare def;
  g_autofree char *pseudo = NULL;
  sd_share_resolve(&in, &def, &pseudo);
  return share_sm_share_new(sm, drv, &def, home);
}

static ShareSmShare *ctx_share(Ctx *ctx, const char *name)
{
  ShareSmShare *share = g_hash_table_lookup(ctx->shares, name);
  if (share)
    return share;
  for (guint i = 0; i < G_N_ELEMENTS(specs); i++) {
    if (g_str_equal(specs[i].name, name)) {
      share = make_share(ctx->sm, ctx->drv, name, specs[i].home, specs[i].vip);
      share_sm_share_set_callbacks(share, report_cb, persist_cb, ctx);
      g_hash_table_insert(ctx->shares, g_strdup(name), share);
      return share;
    }
  }
  g_assert_not_reached();
}

static char *journal_take(Ctx *ctx)
{
  GPtrArray *j = sd_driver_fake_journal(ctx->drv);
  GString *s = g_string_new(NULL);
  for (guint i = ctx->journal_pos; i < j->len; i++) {
    if (s->len)
      g_string_append_c(s, '|');
    g_string_append(s, j->pdata[i]);
  }
  ctx->journal_pos = j->len;
  return g_string_free(s, FALSE);
}

/* GLib 2.74 has no g_ptr_array_sort_values(). */
static gint compare_strp(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static char *opnode_string(const ShareSmSnapshot *snap)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, snap->opnode_per_home);
  while (g_hash_table_iter_next(&it, &key, &value))
    g_ptr_array_add(items, g_strdup_printf("%s=%u", (char *)key, GPOINTER_TO_UINT(value)));
  g_ptr_array_sort(items, compare_strp);
  g_ptr_array_add(items, NULL);
  return g_strjoinv(",", (char **)items->pdata);
}

/* ---- the table ------------------------------------------------------------------------- */

typedef struct {
  const char *op;       /* request | worker | online | offline | close | readopt */
  const char *share;    /* a name from specs */
  const char *fail;     /* fake op made to fail on its next call */
  const char *readopt;  /* for readopt: "<persisted LSM>:<exported 0|1>" */
  gboolean fails;       /* the worker returns FALSE */
  const char *gsm;      /* expected GSM */
  const char *cug;      /* expected Call User Group: "T" / "F" */
  guint node;           /* expected NodeShareCount */
  const char *opnode;   /* expected OPNodeShareCount per home node ("n2=1,n3=2"), NULL = none */
  guint opnode_total;   /* expected sum */
  const char *lsm;      /* expected LSM of the share (NULL: not checked, e.g. after close) */
  const char *journal;  /* exact driver calls of this step, '|'-separated (NULL = none) */
  const char *reports;  /* exact reports of this step (NULL = none) */
  const char *persists; /* exact LSMs persisted in this step (NULL = none) */
} Step;

typedef struct {
  const char *name;
  const Step *steps;
  guint n_steps;
} Scenario;

#define J_ON_LOCAL(s) "enable_local_counter|enable_share " s "|disable_local_counter"
#define J_OFF_LOCAL(s) "enable_local_counter|disable_share " s "|list_exports|disable_local_counter"
/* The first share of a VIP to come online here takes the VIP's client state over (clusres). */
#define J_ON_ARRIVE(s, vip)                                                                        \
  "enable_local_counter|enable_failover " vip "|enable_share " s "|disable_local_counter"

/* FIG. 5 45/46/48-51, FIG. 6 63-76 (local branch), FIG. 8 93-109 (local branch). */
static const Step local_steps[] = {
    /* 45 yes -> 46 CUG; 48 yes, 49 yes -> 50 GSM Online; no driver call yet. */
    {.op = "request", .share = "a", .gsm = "Online", .cug = "T", .lsm = "Offline"},
    /* 63 yes -> 64, 65; 66 yes -> 67, 69; 71; 72 yes -> 73, 75; 76. */
    {.op = "worker",
     .share = "a",
     .gsm = "Online",
     .cug = "F",
     .node = 1,
     .lsm = "Online",
     .journal = "allow_traffic 198.18.0.1|" J_ON_ARRIVE("a", "198.18.0.1"),
     .reports = "online",
     .persists = "Online"},
    /* 93 no; 95 yes -> 96; 97; 98; 99 yes -> 100; 102 yes -> 103; 104 yes -> 105; 106 yes
     * -> 107; 108; 109. */
    {.op = "offline",
     .share = "a",
     .gsm = "Offline",
     .cug = "T",
     .node = 0,
     .lsm = "Offline",
     .journal = J_OFF_LOCAL("a"),
     .reports = "offline_pending|offline",
     .persists = "Offline"},
    /* 45 no (GSM Offline): CUG stays TRUE; 49 no: the GSM stays Offline (as the seed says);
     * 63 yes again. */
    {.op = "online",
     .share = "a",
     .gsm = "Offline",
     .cug = "F",
     .node = 1,
     .lsm = "Online",
     .journal = "allow_traffic 198.18.0.1|" J_ON_ARRIVE("a", "198.18.0.1"),
     .reports = "online",
     .persists = "Online"},
    /* 63 no: no traffic call for a second share on an open VIP. */
    {.op = "online",
     .share = "b",
     .gsm = "Offline",
     .cug = "F",
     .node = 2,
     .lsm = "Online",
     .journal = J_ON_LOCAL("b"),
     .reports = "online",
     .persists = "Online"},
    /* 104 no: CUG not reassigned. */
    {.op = "offline",
     .share = "a",
     .gsm = "Offline",
     .cug = "F",
     .node = 1,
     .lsm = "Offline",
     .journal = J_OFF_LOCAL("a"),
     .reports = "offline_pending|offline",
     .persists = "Offline"},
};

/* FIG. 5 51, FIG. 6 68/70/74, FIG. 8 93 yes -> 94, 95 no, 101, 102 no. */
static const Step failover_steps[] = {
    /* 48 no -> 51 GSM Failover (from Unknown, with 46). */
    {.op = "request", .share = "x", .gsm = "Failover", .cug = "T", .lsm = "Offline"},
    /* 66 no -> 68, 70; 72 no -> 74. */
    {.op = "worker",
     .share = "x",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Failover",
     .journal = "allow_traffic 198.18.0.2|enable_failover 198.18.0.2|enable_share x",
     .reports = "online",
     .persists = "Failover"},
    /* 49 no: a local share does not move the GSM out of Failover; its VIP is opened once. */
    {.op = "online",
     .share = "a",
     .gsm = "Failover",
     .cug = "F",
     .node = 1,
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Online",
     .journal = "allow_traffic 198.18.0.1|" J_ON_ARRIVE("a", "198.18.0.1"),
     .reports = "online",
     .persists = "Online"},
    /* 102 no: an OPNode share is still here, the GSM stays Failover; 104 no. */
    {.op = "offline",
     .share = "a",
     .gsm = "Failover",
     .cug = "F",
     .node = 0,
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Offline",
     .journal = J_OFF_LOCAL("a"),
     .reports = "offline_pending|offline",
     .persists = "Offline"},
    /* 93 yes -> 94; 95 no; 99 no -> 101; 102 yes -> 103; 104 yes -> 105; 106 no. */
    {.op = "offline",
     .share = "x",
     .gsm = "Offline",
     .cug = "T",
     .lsm = "Offline",
     .journal = "enable_transition 198.18.0.2|disable_share x|list_exports",
     .reports = "offline_pending|offline",
     .persists = "Offline"},
    /* 45 no with GSM Offline; 48 no -> 51 Failover again; 63 yes (CUG). */
    {.op = "online",
     .share = "y",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Failover",
     .journal = "allow_traffic 198.18.0.2|enable_failover 198.18.0.2|enable_share y",
     .reports = "online",
     .persists = "Failover"},
};

/* OPNodeShareCount per home node with three nodes. */
static const Step three_node_steps[] = {
    {.op = "online",
     .share = "x",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Failover",
     .journal = "allow_traffic 198.18.0.2|enable_failover 198.18.0.2|enable_share x",
     .reports = "online",
     .persists = "Failover"},
    {.op = "online",
     .share = "z",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1,n3=1",
     .opnode_total = 2,
     .lsm = "Failover",
     .journal = "allow_traffic 198.18.0.3|enable_failover 198.18.0.3|enable_share z",
     .reports = "online",
     .persists = "Failover"},
    {.op = "online",
     .share = "y",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=2,n3=1",
     .opnode_total = 3,
     .lsm = "Failover",
     .journal = "enable_share y",
     .reports = "online",
     .persists = "Failover"},
    {.op = "online",
     .share = "a",
     .gsm = "Failover",
     .cug = "F",
     .node = 1,
     .opnode = "n2=2,n3=1",
     .opnode_total = 3,
     .lsm = "Online",
     .journal = "allow_traffic 198.18.0.1|" J_ON_ARRIVE("a", "198.18.0.1"),
     .reports = "online",
     .persists = "Online"},
    {.op = "offline",
     .share = "x",
     .gsm = "Failover",
     .cug = "F",
     .node = 1,
     .opnode = "n2=1,n3=1",
     .opnode_total = 2,
     .lsm = "Offline",
     .journal = "enable_transition 198.18.0.2|disable_share x|list_exports",
     .reports = "offline_pending|offline",
     .persists = "Offline"},
    /* n2 has nothing left here but n3 has: 102 sees the sum, the GSM stays Failover. */
    {.op = "offline",
     .share = "y",
     .gsm = "Failover",
     .cug = "F",
     .node = 1,
     .opnode = "n3=1",
     .opnode_total = 1,
     .lsm = "Offline",
     .journal = "enable_transition 198.18.0.2|disable_share y|list_exports",
     .reports = "offline_pending|offline",
     .persists = "Offline"},
    /* 102 yes -> 103 although a local share is still online; 104 no. */
    {.op = "offline",
     .share = "z",
     .gsm = "Offline",
     .cug = "F",
     .node = 1,
     .lsm = "Offline",
     .journal = "enable_transition 198.18.0.3|disable_share z|list_exports",
     .reports = "offline_pending|offline",
     .persists = "Offline"},
    {.op = "offline",
     .share = "a",
     .gsm = "Offline",
     .cug = "T",
     .node = 0,
     .lsm = "Offline",
     .journal = J_OFF_LOCAL("a"),
     .reports = "offline_pending|offline",
     .persists = "Offline"},
};

/* Every driver call of the online thread failing once.  The LSM of block 69/70 is persisted
 * before the GSM mutex is taken (persist_lsm), so every failure persists it, then Offline. */
static const Step online_error_steps[] = {
    /* Block 64 fails: CUG stays TRUE, nothing counted. */
    {.op = "online",
     .share = "a",
     .fail = "allow_traffic",
     .fails = TRUE,
     .gsm = "Online",
     .cug = "T",
     .lsm = "Offline",
     .journal = "allow_traffic 198.18.0.1",
     .reports = "failed",
     .persists = "Online|Offline"},
    /* Block 67 fails after 64/65 succeeded. */
    {.op = "online",
     .share = "a",
     .fail = "enable_local_counter",
     .fails = TRUE,
     .gsm = "Online",
     .cug = "F",
     .lsm = "Offline",
     .journal = "allow_traffic 198.18.0.1|enable_local_counter",
     .reports = "failed",
     .persists = "Online|Offline"},
    /* Block 71 fails: LSM back to Offline, the counter bracket closed. */
    {.op = "online",
     .share = "a",
     .fail = "enable_share",
     .fails = TRUE,
     .gsm = "Online",
     .cug = "F",
     .lsm = "Offline",
     .journal = J_ON_ARRIVE("a", "198.18.0.1"),
     .reports = "failed",
     .persists = "Online|Offline"},
    /* Block 68 fails. */
    {.op = "online",
     .share = "x",
     .fail = "enable_failover",
     .fails = TRUE,
     .gsm = "Failover",
     .cug = "F",
     .lsm = "Offline",
     .journal = "allow_traffic 198.18.0.2|enable_failover 198.18.0.2",
     .reports = "failed",
     .persists = "Failover|Offline"},
    /* Block 71 fails on the failover branch. */
    {.op = "online",
     .share = "x",
     .fail = "enable_share",
     .fails = TRUE,
     .gsm = "Failover",
     .cug = "F",
     .lsm = "Offline",
     .journal = "enable_failover 198.18.0.2|enable_share x",
     .reports = "failed",
     .persists = "Failover|Offline"},
    {.op = "online",
     .share = "x",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Failover",
     .journal = "enable_failover 198.18.0.2|enable_share x",
     .reports = "online",
     .persists = "Failover"},
    {.op = "online",
     .share = "a",
     .gsm = "Failover",
     .cug = "F",
     .node = 1,
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Online",
     .journal = J_ON_ARRIVE("a", "198.18.0.1"),
     .reports = "online",
     .persists = "Online"},
};

/* Every driver call of the offline thread failing once: the share stays counted. */
static const Step offline_error_steps[] = {
    {.op = "online",
     .share = "x",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Failover",
     .journal = "allow_traffic 198.18.0.2|enable_failover 198.18.0.2|enable_share x",
     .reports = "online",
     .persists = "Failover"},
    /* Block 94 fails. */
    {.op = "offline",
     .share = "x",
     .fail = "enable_transition",
     .fails = TRUE,
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Failover",
     .journal = "enable_transition 198.18.0.2",
     .reports = "failed"},
    /* Block 98 fails (the export is verified still there). */
    {.op = "offline",
     .share = "x",
     .fail = "disable_share",
     .fails = TRUE,
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Failover",
     .journal = "enable_transition 198.18.0.2|disable_share x|list_exports",
     .reports = "offline_pending|failed"},
    {.op = "online",
     .share = "a",
     .gsm = "Failover",
     .cug = "F",
     .node = 1,
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Online",
     .journal = "allow_traffic 198.18.0.1|" J_ON_ARRIVE("a", "198.18.0.1"),
     .reports = "online",
     .persists = "Online"},
    /* Block 96 fails. */
    {.op = "offline",
     .share = "a",
     .fail = "enable_local_counter",
     .fails = TRUE,
     .gsm = "Failover",
     .cug = "F",
     .node = 1,
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Online",
     .journal = "enable_local_counter",
     .reports = "failed"},
    /* Block 98 fails on the local branch: bracket closed, still counted. */
    {.op = "offline",
     .share = "a",
     .fail = "disable_share",
     .fails = TRUE,
     .gsm = "Failover",
     .cug = "F",
     .node = 1,
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Online",
     .journal = J_OFF_LOCAL("a"),
     .reports = "offline_pending|failed"},
    /* Block 107 failing does not fail the offline: the export is gone. */
    {.op = "offline",
     .share = "a",
     .fail = "disable_local_counter",
     .gsm = "Failover",
     .cug = "F",
     .node = 0,
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Offline",
     .journal = J_OFF_LOCAL("a"),
     .reports = "offline_pending|offline",
     .persists = "Offline"},
    {.op = "offline",
     .share = "x",
     .gsm = "Offline",
     .cug = "T",
     .lsm = "Offline",
     .journal = "enable_transition 198.18.0.2|disable_share x|list_exports",
     .reports = "offline_pending|offline",
     .persists = "Offline"},
};

/* Offline of an offline share, Online of an online share: idempotent, counted once. */
static const Step repeat_steps[] = {
    /* An Offline of an offline share writes no LSM (it already says Offline). */
    {.op = "offline",
     .share = "a",
     .gsm = "Unknown",
     .cug = "F",
     .lsm = "Offline",
     .journal = "disable_share a|list_exports",
     .reports = "offline_pending|offline"},
    {.op = "online",
     .share = "a",
     .gsm = "Online",
     .cug = "F",
     .node = 1,
     .lsm = "Online",
     .journal = "allow_traffic 198.18.0.1|" J_ON_ARRIVE("a", "198.18.0.1"),
     .reports = "online",
     .persists = "Online"},
    {.op = "online",
     .share = "a",
     .gsm = "Online",
     .cug = "F",
     .node = 1,
     .lsm = "Online",
     .reports = "online"},
    {.op = "offline",
     .share = "a",
     .gsm = "Offline",
     .cug = "T",
     .node = 0,
     .lsm = "Offline",
     .journal = J_OFF_LOCAL("a"),
     .reports = "offline_pending|offline",
     .persists = "Offline"},
    {.op = "offline",
     .share = "a",
     .gsm = "Offline",
     .cug = "T",
     .node = 0,
     .lsm = "Offline",
     .journal = "disable_share a|list_exports",
     .reports = "offline_pending|offline"},
};

/* Rebuild after a host restart: counted again only if persisted non-Offline and exported. */
static const Step readopt_steps[] = {
    {.op = "readopt",
     .share = "x",
     .readopt = "Failover:1",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Failover"},
    {.op = "readopt",
     .share = "a",
     .readopt = "Online:0",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Offline"},
    {.op = "readopt",
     .share = "c",
     .readopt = "Offline:1",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Offline"},
    /* A persisted Failover of a share homed here comes back as Online (Nodes Match rules). */
    {.op = "readopt",
     .share = "b",
     .readopt = "Failover:1",
     .gsm = "Failover",
     .cug = "F",
     .node = 1,
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Online"},
    {.op = "offline",
     .share = "x",
     .gsm = "Offline",
     .cug = "F",
     .node = 1,
     .lsm = "Offline",
     .journal = "enable_transition 198.18.0.2|disable_share x|list_exports",
     .reports = "offline_pending|offline",
     .persists = "Offline"},
    /* The VIP of b was opened before the restart: no traffic call. */
    {.op = "online",
     .share = "a",
     .gsm = "Offline",
     .cug = "F",
     .node = 2,
     .lsm = "Online",
     .journal = J_ON_LOCAL("a"),
     .reports = "online",
     .persists = "Online"},
    {.op = "offline",
     .share = "b",
     .gsm = "Offline",
     .cug = "F",
     .node = 1,
     .lsm = "Offline",
     .journal = J_OFF_LOCAL("b"),
     .reports = "offline_pending|offline",
     .persists = "Offline"},
};

/* A fresh GSM re-adopting only local shares goes Unknown -> Online. */
static const Step readopt_local_steps[] = {
    {.op = "readopt",
     .share = "a",
     .readopt = "Online:1",
     .gsm = "Online",
     .cug = "F",
     .node = 1,
     .lsm = "Online"},
    {.op = "readopt",
     .share = "x",
     .readopt = "Failover:0",
     .gsm = "Online",
     .cug = "F",
     .node = 1,
     .lsm = "Offline"},
};

/* FIG. 9: Close of an online share takes it offline first (no reports), and a share whose
 * export cannot be removed is still uncounted when its entry is deleted. */
static const Step close_steps[] = {
    {.op = "online",
     .share = "x",
     .gsm = "Failover",
     .cug = "F",
     .opnode = "n2=1",
     .opnode_total = 1,
     .lsm = "Failover",
     .journal = "allow_traffic 198.18.0.2|enable_failover 198.18.0.2|enable_share x",
     .reports = "online",
     .persists = "Failover"},
    {.op = "close",
     .share = "x",
     .gsm = "Offline",
     .cug = "T",
     .journal = "enable_transition 198.18.0.2|disable_share x|list_exports",
     .persists = "Offline"},
    {.op = "online",
     .share = "a",
     .gsm = "Offline",
     .cug = "F",
     .node = 1,
     .lsm = "Online",
     .journal = "allow_traffic 198.18.0.1|" J_ON_ARRIVE("a", "198.18.0.1"),
     .reports = "online",
     .persists = "Online"},
    {.op = "close",
     .share = "a",
     .fail = "disable_share",
     .gsm = "Offline",
     .cug = "T",
     .node = 0,
     .journal = J_OFF_LOCAL("a")},
    {.op = "close", .share = "b", .gsm = "Offline", .cug = "T", .node = 0},
};

#define SCENARIO(n, s)                                                                             \
  {                                                                                                \
    n, s, G_N_ELEMENTS(s)                                                                          \
  }
static const Scenario scenarios[] = {
    SCENARIO("local", local_steps),
    SCENARIO("failover", failover_steps),
    SCENARIO("three-nodes", three_node_steps),
    SCENARIO("online-errors", online_error_steps),
    SCENARIO("offline-errors", offline_error_steps),
    SCENARIO("repeat", repeat_steps),
    SCENARIO("readopt", readopt_steps),
    SCENARIO("readopt-local", readopt_local_steps),
    SCENARIO("close", close_steps),
};

static void run_step(Ctx *ctx, const Scenario *sc, guint i)
{
  const Step *st = &sc->steps[i];
  g_autofree char *where = g_strdup_printf("%s step %u (%s %s)", sc->name, i, st->op, st->share);
  ShareSmShare *share = ctx_share(ctx, st->share);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (st->fail)
    sd_driver_fake_fail_next(ctx->drv, st->fail);
  if (g_str_equal(st->op, "request")) {
    share_sm_online_request(share);
  } else if (g_str_equal(st->op, "worker")) {
    ok = share_sm_online_worker(share, &error);
  } else if (g_str_equal(st->op, "online")) {
    share_sm_online_request(share);
    ok = share_sm_online_worker(share, &error);
  } else if (g_str_equal(st->op, "offline")) {
    ok = share_sm_offline_worker(share, &error);
  } else if (g_str_equal(st->op, "close")) {
    gpointer key = NULL, value = NULL;
    g_assert_true(g_hash_table_steal_extended(ctx->shares, st->share, &key, &value));
    share_sm_close(value);
    g_free(key);
    share = NULL;
  } else if (g_str_equal(st->op, "readopt")) {
    g_auto(GStrv) parts = g_strsplit(st->readopt, ":", 2);
    ShareLsm lsm;
    g_assert_true(share_lsm_from_string(parts[0], &lsm));
    gboolean counted = share_sm_readopt(share, lsm, g_str_equal(parts[1], "1"));
    g_assert_cmpint(counted, ==, lsm != SHARE_LSM_OFFLINE && g_str_equal(parts[1], "1"));
  } else {
    g_assert_not_reached();
  }

  if (st->fails) {
    g_assert_false(ok);
    g_assert_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED);
  } else {
    if (!ok)
      g_printerr("%s: %s\n", where, error ? error->message : "?");
    g_assert_true(ok);
  }

  ShareSmSnapshot snap;
  share_sm_snapshot(ctx->sm, &snap);
  g_autofree char *opnode = opnode_string(&snap);
  g_autofree char *journal = journal_take(ctx);
  g_autofree char *reports = take(ctx->reports, st->share);
  g_autofree char *persists = take(ctx->persists, st->share);
  g_test_message("%s: gsm=%s cug=%d node=%u opnode=%s journal=%s reports=%s", where,
                 share_gsm_to_string(snap.gsm), snap.call_user_group, snap.node_share_count, opnode,
                 journal, reports);
  g_assert_cmpstr(share_gsm_to_string(snap.gsm), ==, st->gsm);
  g_assert_cmpstr(snap.call_user_group ? "T" : "F", ==, st->cug);
  g_assert_cmpuint(snap.node_share_count, ==, st->node);
  g_assert_cmpstr(opnode, ==, st->opnode ? st->opnode : "");
  g_assert_cmpuint(snap.opnode_share_count, ==, st->opnode_total);
  for (guint n = 2; n <= 3; n++) {
    g_autofree char *home = g_strdup_printf("n%u", n);
    g_assert_cmpuint(share_sm_opnode_count(ctx->sm, home), ==,
                     GPOINTER_TO_UINT(g_hash_table_lookup(snap.opnode_per_home, home)));
  }
  if (st->lsm) {
    g_assert_nonnull(share);
    g_assert_cmpstr(share_lsm_to_string(share_sm_share_lsm(share)), ==, st->lsm);
  }
  g_assert_cmpstr(journal, ==, st->journal ? st->journal : "");
  g_assert_cmpstr(reports, ==, st->reports ? st->reports : "");
  g_assert_cmpstr(persists, ==, st->persists ? st->persists : "");
  share_sm_snapshot_clear(&snap);
}

static void test_scenario(gconstpointer data)
{
  const Scenario *sc = data;
  Ctx ctx;
  ctx_init(&ctx);
  for (guint i = 0; i < sc->n_steps; i++)
    run_step(&ctx, sc, i);
  ctx_clear(&ctx);
}

/* FIG. 5 on its own: every (GSM, Nodes Match) pair, checking GSM and Call User Group. */
static void test_online_request_table(void)
{
  static const struct {
    const char *setup; /* shares brought online first */
    const char *share; /* then requested */
    const char *gsm_before, *gsm_after;
    gboolean cug_before, cug_after;
  } rows[] = {
      {"", "a", "Unknown", "Online", FALSE, TRUE},   /* 45 yes, 48 yes, 49 yes */
      {"", "x", "Unknown", "Failover", FALSE, TRUE}, /* 45 yes, 48 no */
      {"a", "b", "Online", "Online", FALSE, FALSE},  /* 45 no, 49 no */
      {"a", "x", "Online", "Failover", FALSE, FALSE},
      {"x", "a", "Failover", "Failover", FALSE, FALSE},
      {"x", "y", "Failover", "Failover", FALSE, FALSE},
      {"a-", "b", "Offline", "Offline", TRUE, TRUE}, /* "-": taken offline again */
      {"a-", "x", "Offline", "Failover", TRUE, TRUE},
  };
  for (guint r = 0; r < G_N_ELEMENTS(rows); r++) {
    Ctx ctx;
    ctx_init(&ctx);
    if (*rows[r].setup) {
      ShareSmShare *s = ctx_share(&ctx, (char[]){rows[r].setup[0], 0});
      share_sm_online_request(s);
      g_assert_true(share_sm_online_worker(s, NULL));
      if (rows[r].setup[1] == '-')
        g_assert_true(share_sm_offline_worker(s, NULL));
    }
    ShareSmSnapshot snap;
    share_sm_snapshot(ctx.sm, &snap);
    g_assert_cmpstr(share_gsm_to_string(snap.gsm), ==, rows[r].gsm_before);
    g_assert_cmpint(snap.call_user_group, ==, rows[r].cug_before);
    share_sm_snapshot_clear(&snap);
    g_free(journal_take(&ctx)); /* the setup's calls */

    ShareSmShare *s = ctx_share(&ctx, rows[r].share);
    share_sm_online_request(s);
    share_sm_snapshot(ctx.sm, &snap);
    g_assert_cmpstr(share_gsm_to_string(snap.gsm), ==, rows[r].gsm_after);
    g_assert_cmpint(snap.call_user_group, ==, rows[r].cug_after);
    g_assert_cmpint(share_sm_share_nodes_match(s), ==,
                    g_str_equal(share_sm_share_home_node(s), LOCAL));
    share_sm_snapshot_clear(&snap);
    /* The request itself never calls the driver. */
    g_autofree char *after = journal_take(&ctx);
    g_assert_cmpstr(after, ==, "");
    ctx_clear(&ctx);
  }
}

static void test_update(void)
{
  Ctx ctx;
  ctx_init(&ctx);
  ShareSmShare *a = ctx_share(&ctx, "a");
  SdShare def = *share_sm_share_def(a);
  def.path = "/srv/other";
  /* Offline: the definition and home can change, and Nodes Match follows the home. */
  g_assert_true(share_sm_share_update(a, ctx.drv, &def, "n2"));
  g_assert_false(share_sm_share_nodes_match(a));
  g_assert_cmpstr(share_sm_share_def(a)->path, ==, "/srv/other");
  share_sm_online_request(a);
  g_assert_true(share_sm_online_worker(a, NULL));
  g_assert_cmpuint(share_sm_opnode_count(ctx.sm, "n2"), ==, 1);
  /* Online: refused, nothing changes under an exported share. */
  g_assert_false(share_sm_share_update(a, ctx.drv, &def, "n1"));
  g_assert_cmpstr(share_sm_share_home_node(a), ==, "n2");
  g_assert_true(share_sm_offline_worker(a, NULL));
  g_assert_cmpuint(share_sm_opnode_count(ctx.sm, "n2"), ==, 0);
  ctx_clear(&ctx);
}

/* ---- concurrency --------------------------------------------------------------------------- */

#define N_SHARES 200
#define N_THREADS 8
#define ROUNDS 3

typedef struct {
  ShareSm *sm;
  ShareSmShare **shares;
  guint first, count;
  gint *done;
  GMutex *lock;
  GCond *cond;
  gboolean offline_phase;
  gint failures;
} Worker;

static gpointer worker_main(gpointer data)
{
  Worker *w = data;
  for (guint i = w->first; i < w->first + w->count; i++) {
    ShareSmShare *s = w->shares[i];
    if (!w->offline_phase) {
      /* Online, offline and online again: the counts must still end exact. */
      for (guint r = 0; r < ROUNDS; r++) {
        share_sm_online_request(s);
        if (!share_sm_online_worker(s, NULL))
          g_atomic_int_inc(&w->failures);
        if (r + 1 < ROUNDS && !share_sm_offline_worker(s, NULL))
          g_atomic_int_inc(&w->failures);
      }
    } else if (!share_sm_offline_worker(s, NULL)) {
      g_atomic_int_inc(&w->failures);
    }
  }
  g_mutex_lock(w->lock);
  g_atomic_int_inc(w->done);
  g_cond_signal(w->cond);
  g_mutex_unlock(w->lock);
  return NULL;
}

static void run_phase(ShareSm *sm, ShareSmShare **shares, gboolean offline_phase)
{
  GMutex lock;
  GCond cond;
  gint done = 0;
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  g_mutex_init(&lock);
  g_cond_init(&cond);
  for (guint t = 0; t < N_THREADS; t++) {
    workers[t] = (Worker){.sm = sm,
                          .shares = shares,
                          .first = t * (N_SHARES / N_THREADS),
                          .count = N_SHARES / N_THREADS,
                          .done = &done,
                          .lock = &lock,
                          .cond = &cond,
                          .offline_phase = offline_phase};
    threads[t] = g_thread_new("share-worker", worker_main, &workers[t]);
  }
  /* Bounded: a deadlock fails the test instead of hanging it. */
  gint64 deadline = g_get_monotonic_time() + 60 * G_TIME_SPAN_SECOND;
  g_mutex_lock(&lock);
  while (g_atomic_int_get(&done) < N_THREADS) {
    if (!g_cond_wait_until(&cond, &lock, deadline))
      g_error("workers did not finish within 60 s: deadlock?");
  }
  g_mutex_unlock(&lock);
  for (guint t = 0; t < N_THREADS; t++) {
    g_thread_join(threads[t]);
    g_assert_cmpint(workers[t].failures, ==, 0);
  }
  g_cond_clear(&cond);
  g_mutex_clear(&lock);
}

static guint journal_count(SdDriver *drv, const char *prefix)
{
  GPtrArray *j = sd_driver_fake_journal(drv);
  guint n = 0;
  for (guint i = 0; i < j->len; i++)
    n += g_str_has_prefix(j->pdata[i], prefix);
  return n;
}

static void test_concurrency(void)
{
  static const char *const homes[] = {"n1", "n2", "n3", "n4"};
  static const char *const vips[] = {"198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.4"};
  g_autoptr(GError) error = NULL;
  g_autoptr(ShareSm) sm = share_sm_new(LOCAL);
  g_autoptr(SdDriver) drv = sd_driver_new("fake", 1000, &error);
  g_assert_no_error(error);
  ShareSmShare *shares[N_SHARES];
  guint per_home[G_N_ELEMENTS(homes)] = {0};
  for (guint i = 0; i < N_SHARES; i++) {
    g_autofree char *name = g_strdup_printf("s%03u", i);
    guint h = (i * 7) % G_N_ELEMENTS(homes); /* mixed within each thread's slice */
    shares[i] = make_share(sm, drv, name, homes[h], vips[h]);
    per_home[h]++;
  }

  run_phase(sm, shares, FALSE);
  ShareSmSnapshot snap;
  share_sm_snapshot(sm, &snap);
  g_assert_cmpuint(snap.node_share_count, ==, per_home[0]);
  for (guint h = 1; h < G_N_ELEMENTS(homes); h++)
    g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(snap.opnode_per_home, homes[h])), ==,
                     per_home[h]);
  g_assert_cmpuint(snap.opnode_share_count, ==, N_SHARES - per_home[0]);
  g_assert_cmpstr(share_gsm_to_string(snap.gsm), ==, "Failover");
  g_assert_false(snap.call_user_group);
  share_sm_snapshot_clear(&snap);
  for (guint i = 0; i < N_SHARES; i++)
    g_assert_cmpint(share_sm_share_lsm(shares[i]), ==,
                    share_sm_share_nodes_match(shares[i]) ? SHARE_LSM_ONLINE : SHARE_LSM_FAILOVER);

  run_phase(sm, shares, TRUE);
  share_sm_snapshot(sm, &snap);
  g_assert_cmpuint(snap.node_share_count, ==, 0);
  g_assert_cmpuint(snap.opnode_share_count, ==, 0);
  g_assert_cmpuint(g_hash_table_size(snap.opnode_per_home), ==, 0);
  g_assert_cmpstr(share_gsm_to_string(snap.gsm), ==, "Offline");
  g_assert_true(snap.call_user_group);
  share_sm_snapshot_clear(&snap);
  for (guint i = 0; i < N_SHARES; i++) {
    g_assert_cmpint(share_sm_share_lsm(shares[i]), ==, SHARE_LSM_OFFLINE);
    share_sm_share_free(shares[i]);
  }
  g_assert_cmpuint(journal_count(drv, "enable_share "), ==, N_SHARES * ROUNDS);
  g_assert_cmpuint(journal_count(drv, "disable_share "), ==, N_SHARES * ROUNDS);
  /* Every enable_local_counter is closed by a disable_local_counter. */
  g_assert_cmpuint(journal_count(drv, "enable_local_counter"), ==,
                   journal_count(drv, "disable_local_counter"));
  g_assert_cmpuint(journal_count(drv, "enable_transition "), ==, (N_SHARES - per_home[0]) * ROUNDS);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(scenarios); i++) {
    g_autofree char *path = g_strdup_printf("/share-sm/scenario/%s", scenarios[i].name);
    g_test_add_data_func(path, &scenarios[i], test_scenario);
  }
  g_test_add_func("/share-sm/online-request-table", test_online_request_table);
  g_test_add_func("/share-sm/update", test_update);
  g_test_add_func("/share-sm/concurrency", test_concurrency);
  return g_test_run();
}
