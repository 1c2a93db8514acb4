/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shareset: the second resource type of the share DLL, `shareset` (ocf:clusres:shareset): one
 * resource carrying many shares (`shares`: NAME=PATH entries), each a member with its own LSM
 * and count in the process-wide GSM (share-core), brought online in one pass by one worker.
 *
 * Registry (the resource's key):
 *   Parameters\*         the OCF instance attributes (the host's)
 *   ShareSetState\<NAME> each member's persisted LSM: a volatile key (run-time store), read by
 *                        Open after a host restart for re-adoption, deleted by Close
 */
#pragma once

#include <clusres/resapi.h>

#define SHARESET_TYPE_NAME "shareset"
#define SHARESET_STATE_KEY "ShareSetState"

/** The set's entry points (Startup hands this out for SHARESET_TYPE_NAME). */
PCLRES_FUNCTION_TABLE shareset_function_table(void);
