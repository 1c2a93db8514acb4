/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * share: the resource DLL of type "share" (ocf:clusres:share), seed 004 FIG. 4-9 on the
 * clusres Resource API.  The DLL exports only Startup; this header documents its private
 * control codes and registry layout for tools and tests.
 *
 * Registry (the resource's key, as given to Open):
 *   NodeName            written by the host before Open: this node's name
 *   Parameters\*        the OCF instance attributes (owned by the host, never deleted here)
 *   ShareEntry\*        the share's "resource entry" of FIG. 4 (Name, DiskDependency, share
 *                       properties, HomeNode), durable; written by Open (and Online, after
 *                       re-validation) in one batch only when it changes, deleted by Close
 *                       (FIG. 9) in one batch
 *   ShareState\LSM      the persisted LSM: a volatile key (run-time store, no fsync), read by
 *                       Open after a host restart for re-adoption, deleted by Close
 *
 * Environment:
 *   CLUSRES_SHARE_DRIVER  overrides the "driver" parameter (tests use "fake"); the fake backend
 *                         enables the two test control codes below.
 */
#pragma once

#include <clusres/resapi.h>

/* Resource control: the fake driver's call journal as a MULTI_SZ property "Journal" (fake
 * backend only, ERROR_INVALID_FUNCTION otherwise). */
#define CLUSCTL_RESOURCE_SHARE_GET_DRIVER_JOURNAL CLUSCTL_USER_CODE(0x1F0u, CLUS_OBJECT_RESOURCE)

/* Resource-type control: forget every instance and the global state machine without touching
 * any share, as a killed resource host would; the fake driver (and its exports) survive, so
 * that a following Open re-adopts (fake backend only). */
#define CLUSCTL_RESOURCE_TYPE_SHARE_SIMULATE_HOST_CRASH                                            \
  CLUSCTL_USER_CODE(0x1F1u, CLUS_OBJECT_RESOURCE_TYPE)

#define SHARE_ENTRY_KEY "ShareEntry"
#define SHARE_STATE_KEY "ShareState"
#define SHARE_TYPE_NAME "share"
