/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-actions: the OCF actions of clusres-ocf.  start, stop and monitor call the resource host;
 * meta-data, validate-all and reload-agent need the DLL loaded and are run by execv() of
 * clusres-ocf-dll ($CLUSRES_OCF_DLL, else <libexecdir>/clusres/clusres-ocf-dll) as
 * `clusres-ocf-dll <agent> <action> [args...]` with the same environment (ocf-dllactions.h).
 */
#pragma once

#include <glib.h>

/**
 * ocf_actions_run:
 * @agent: basename(argv[0]): the resource type, or "resdll"
 * @argv: the command line, argv[1] the action (NULL-terminated)
 * @envp: the environment
 *
 * Runs one action, printing failures once on stderr; for the DLL actions it execs
 * clusres-ocf-dll and returns only if that fails.
 * Returns: the OCF exit code.
 */
int ocf_actions_run(const char *agent, char **argv, const char *const *envp);

/** Prints the usage text of @agent on stdout (@to_stderr: on stderr). */
void ocf_actions_usage(const char *agent, gboolean to_stderr);
