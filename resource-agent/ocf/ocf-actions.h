/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-actions: the OCF actions of clusres-ocf.  start, stop, monitor and reload-agent call the
 * resource host; meta-data and validate-all load the DLL in-process.
 */
#pragma once

#include <glib.h>

/**
 * ocf_actions_run:
 * @agent: basename(argv[0]): the resource type, or "resdll"
 * @action: argv[1]
 * @envp: the environment
 *
 * Runs one action, printing failures once on stderr.
 * Returns: the OCF exit code.
 */
int ocf_actions_run(const char *agent, const char *action, const char *const *envp);

/** Prints the usage text of @agent on stdout (@to_stderr: on stderr). */
void ocf_actions_usage(const char *agent, gboolean to_stderr);
