/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctl-commands: the clusresctl commands beside status/types: type add|remove, get, set,
 * control (what each prints is in ctl-type and ctl-props). */
#pragma once

#include <glib.h>

/* The usage lines of these commands, for the help text. */
#define CTL_COMMANDS_USAGE                                                                         \
  "  type add [--all-nodes] NAME DLL\n"                                                            \
  "           install DLL as resource type NAME on this node (or, with --all-nodes, on every\n"    \
  "           node through crmsh): ocf:clusres:NAME then has its meta-data\n"                      \
  "  type remove [--all-nodes] NAME\n"                                                             \
  "           remove type NAME (refused while a host here keeps an instance of it)\n"              \
  "  get RESOURCE [NAME...]\n"                                                                     \
  "           the private properties of RESOURCE (running on this node), and its read-only\n"      \
  "           status (Get-ClusterParameter)\n"                                                     \
  "  set RESOURCE NAME=VALUE...\n"                                                                 \
  "           SET_PRIVATE_PROPERTIES on the running instance (Set-ClusterParameter; live\n"        \
  "           on this node: Pacemaker's configuration is what the next start uses)\n"              \
  "  control RESOURCE CODE [HEX]\n"                                                                \
  "           ResourceControl CODE (name or number) with HEX as input, the answer decoded"

/* Runs the command in @argv[1] if it is one of these (*@handled TRUE) and returns its exit
 * code: 0, 1 (failed), 2 (usage), 3 (no host keeps the resource). */
int ctl_commands_run(int argc, char **argv, gboolean *handled);
