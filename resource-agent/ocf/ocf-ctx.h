/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-ctx: what every action of clusres-ocf and clusres-ocf-dll shares: the agent's name and
 * action, its parsed environment, the resource type and DLL path it resolves to, and the one
 * failure message on stderr.  No DLL is loaded here (clusres-ocf links it statically).
 */
#pragma once

#include "ocf-client.h"
#include "ocf-env.h"

#include <glib.h>

#define OCF_CTX_RESDLL "resdll"

typedef struct {
  const char *agent;  /* basename(argv[0]): the type, or "resdll" */
  const char *action; /* argv[1] */
  gboolean resdll;
  OcfEnv *env;
  const char *type; /* the type passed to Startup */
  char *dll;        /* the DLL path */
  gint64 deadline;  /* monotonic: CRM_meta_timeout from the parse, less the agent's margin */
} OcfCtx;

void ocf_ctx_clear(OcfCtx *ctx);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(OcfCtx, ocf_ctx_clear)

/**
 * ocf_ctx_dll_path_for_type:
 * Returns: (transfer full): $CLUSRES_TYPES_DIR/<type>.so, or the compiled-in types directory.
 */
char *ocf_ctx_dll_path_for_type(const char *type);

/** resdll's dll=: an absolute path, or a bare name (with or without .so) in the types dir. */
char *ocf_ctx_resdll_path(const char *dll);

/**
 * ocf_ctx_parse_env:
 * @mode: OCF_ENV_STRICT (start, reload-agent, validate-all) or OCF_ENV_ADDRESS (stop, monitor)
 *
 * Parses @envp into @ctx->env (resdll's own keys dll= and type= apart).  OCF_ENV_STRICT also
 * resolves the type and DLL; errors are in OCF_EXIT_ERROR (OCF_ERR_CONFIGURED).
 * OCF_ENV_ADDRESS needs neither (stop and monitor name the instance, nothing else), prints a
 * warning on stderr for each input it ignored (OcfEnvMode), and fails with a bad
 * OCF_RESOURCE_INSTANCE as OCF_ENV_ERROR_INSTANCE, which the caller answers; other errors
 * (no OCF_RESOURCE_INSTANCE at all) are in OCF_EXIT_ERROR.
 */
gboolean ocf_ctx_parse_env(OcfCtx *ctx, const char *const *envp, gboolean need_instance,
                           OcfEnvMode mode, GError **error);

/* The OCF 1.1 exit-reason line Pacemaker shows in crm_mon (ocf_ctx_fail). */
#define OCF_CTX_EXIT_REASON_PREFIX "ocf-exit-reason:"

/**
 * Prints "<agent> <action> [<instance>]: <msg>" on stderr and, when @rc is a failure (not 0,
 * not 7), "ocf-exit-reason:<msg>" after it; returns @rc.
 */
int ocf_ctx_fail(const OcfCtx *ctx, int rc, const char *msg);

/** TRUE for an exit code Pacemaker counts as a failure: anything but 0 and 7. */
gboolean ocf_ctx_is_failure(int rc);

/** "ERROR_PATH_NOT_FOUND (3): The system cannot find the path specified." (clusres-win32). */
char *ocf_ctx_describe_status(guint32 status);

/** The OCF code of @error: its code in OCF_EXIT_ERROR, the host's D-Bus error's, else 1. */
int ocf_ctx_error_code(const GError *error);

/** ocf_ctx_fail() with the OCF code of @error (ocf_ctx_error_code()). */
int ocf_ctx_fail_error(const OcfCtx *ctx, const GError *error);

/**
 * ocf_ctx_connect_host:
 * Connects to the host of @ctx's instance (@separate: its own, else the shared one) with
 * @ctx->deadline: CRM_meta_timeout from the parse of the environment less the part the agent
 * keeps to report (up to 1 s), so that calls to two hosts share one budget.
 * @if_configured: see OcfClientOptions.
 */
OcfClient *ocf_ctx_connect_host(const OcfCtx *ctx, gboolean separate, gboolean if_configured,
                                GError **error);
