/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The traffic gate: the nftables table "inet clusres", owned by this project, drops NFS
 * traffic (TCP 2049, 111, 20048) to every VIP in its sets.  A VIP is blocked while its shares
 * are being brought up and allowed once they are ("network packets are allowed", seed 004
 * FIG. 6A block 64).  Every change is one `nft -f -` transaction that also (re)creates the table
 * and its rules, so the gate is idempotent and never half-built.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SD_GATE_TABLE "clusres"

/** The nft script that blocks (@block) or allows @vip (a validated address literal). */
char *sd_gate_script(const char *vip, gboolean block);
gboolean sd_gate_block(const char *vip, guint timeout_ms, GError **error);
gboolean sd_gate_allow(const char *vip, guint timeout_ms, GError **error);
/** Deletes the whole table (all VIPs allowed again); no table is not an error. */
gboolean sd_gate_cleanup(guint timeout_ms, GError **error);

G_END_DECLS
