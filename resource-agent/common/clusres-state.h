/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres-state: the names of the CLUSTER_RESOURCE_STATE values, once, for everything that
 * shows a state to an admin (the host's replies and status, the agent's exit reasons), so that
 * the same state never reads two ways.  GLib-free: the statically linked agent has it too.
 */
#pragma once

/**
 * clusres_state_name:
 * The resapi.h name of @state without its "ClusterResource" prefix ("Online",
 * "OnlinePending", "CannotComeOnlineOnThisNode", "Unknown" for ClusterResourceStateUnknown);
 * "?" for a number that is no state.
 *
 * Returns: (transfer none): a static string.
 */
const char *clusres_state_name(int state);
