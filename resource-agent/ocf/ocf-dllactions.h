/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-dllactions: the actions that load the resource DLL in-process (meta-data, validate-all,
 * reload-agent, which needs the property formats of the type).  They run in clusres-ocf-dll,
 * which clusres-ocf execs for them, so that the agent of every monitor stays free of dlopen and
 * libclusres-resapi and can be linked statically (ocf-actions.h).
 */
#pragma once

#include <glib.h>

/**
 * ocf_dllactions_run:
 * @agent: the resource type, or "resdll", as clusres-ocf was called
 * @action: meta-data (metadata), validate-all or reload-agent
 * @envp: the environment
 *
 * Returns: the OCF exit code (OCF_ERR_UNIMPLEMENTED for another action).
 */
int ocf_dllactions_run(const char *agent, const char *action, const char *const *envp);
