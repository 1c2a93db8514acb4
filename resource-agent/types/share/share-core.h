/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * share-core: what every instance of the share DLL shares, whichever of its two types
 * (`share`, one share per resource; `shareset`, many) it is an instance of.  One MSCS DLL may
 * implement several types; here both use one process-wide GSM (ShareSm), one driver per
 * backend and one index of the share names in use, so that the counts of seed 004 stay exact
 * whether a share is configured alone or as a member of a set.
 *
 * Functions marked "locked" are called with share_core_lock() held; the others take nothing.
 */
#pragma once

#include <clusres/resapi.h>
#include <glib.h>

#include "sd-driver.h"
#include "share-sm.h"

G_BEGIN_DECLS

/* Every driver call is bounded by this; well inside the default PendingTimeout (180 s). */
#define SHARE_CORE_DRIVER_TIMEOUT_MS 15000u
/* LooksAlive: one export listing shared by all shares of the process for this long. */
#define SHARE_CORE_LOOKS_ALIVE_CACHE_MS 2000u
/* IsAlive depth 0: fresher, still shared by shares polled together. */
#define SHARE_CORE_IS_ALIVE_CACHE_MS 500u
#define SHARE_CORE_PROBE_TIMEOUT_MS 5000u

/** Startup: the host's callbacks (the same for both types: one host loads the DLL once). */
void share_core_set_callbacks(PSET_RESOURCE_STATUS_ROUTINE set_status,
                              PLOG_EVENT_ROUTINE log_event);

void share_core_lock(void);
void share_core_unlock(void);

/** Locked.  The process-wide GSM, created for @node at the first Open (a different @node
 * later is logged through @handle and ignored: one node per process). */
ShareSm *share_core_sm(RESOURCE_HANDLE handle, const char *node);
/** Locked.  The GSM, NULL while no instance is open. */
ShareSm *share_core_sm_peek(void);
/** Locked.  The one driver of @backend ("ganesha", "knfsd", "fake"), created on first use. */
SdDriver *share_core_driver(const char *backend, GError **error);

/**
 * Locked.  Registers an open instance under its resource name; @forget frees it without
 * touching any share (a simulated host crash).  FALSE if the name is taken.
 */
gboolean share_core_add_instance(const char *name, gpointer instance, GDestroyNotify forget);
/** Locked.  TRUE if an instance of either type has the resource name @name. */
gboolean share_core_has_instance(const char *name);
/** Locked.  Drops the instance; once none is left the GSM (and, unless @keep_drivers, the
 * drivers) go too: nothing is counted then, and the next Open starts from GSM Unknown. */
void share_core_remove_instance(const char *name, gboolean keep_drivers);

/* Locked.  share_name is unique among shares and set members: two exports of one name would
 * count it twice.  Counted references: a resource's own re-read may hold a name twice. */
gboolean share_core_name_in_use(const char *share_name);
void share_core_name_ref(const char *share_name);
void share_core_name_unref(const char *share_name);

/** CLUSCTL_RESOURCE_TYPE_SHARE_SIMULATE_HOST_CRASH: forgets every instance (both types) and
 * the GSM, keeps the fake driver and its exports. */
DWORD share_core_simulate_host_crash(void);

/** LogEvent with one string insert. */
void share_core_log(RESOURCE_HANDLE handle, LOG_LEVEL level, const char *message);
/** SetResourceStatus with the next checkpoint of *@checkpoint. */
void share_core_report(RESOURCE_HANDLE handle, CLUSTER_RESOURCE_STATE state, gint *checkpoint);

/**
 * Reads @key (Parameters) into @block with @table; a value that cannot be read is logged and
 * answered ERROR_INVALID_PARAMETER (validation is the caller's).
 */
DWORD share_core_read_block(RESOURCE_HANDLE handle, HKEY key, const RESUTIL_PROPERTY_ITEM *table,
                            LPBYTE block);

/** CLUSCTL_RESOURCE_SHARE_GET_DRIVER_JOURNAL of @driver (fake backend only). */
DWORD share_core_journal(SdDriver *driver, PVOID out, DWORD out_size, LPDWORD returned);

/** "node=count" of every home node in @snap, sorted, as a MULTI_SZ (with its final '\0'). */
GString *share_core_opnode_counts(const ShareSmSnapshot *snap);

/** Adds a MULTI_SZ made of @items to @list. */
DWORD share_core_add_multi_sz(PCLUSRES_PROPLIST list, const char *name, GPtrArray *items);

G_END_DECLS
