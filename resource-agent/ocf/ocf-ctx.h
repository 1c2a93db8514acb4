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
 * Parses @envp into @ctx->env (resdll's own keys dll= and type= apart) and resolves the type
 * and DLL.  Errors are in OCF_EXIT_ERROR (OCF_ERR_CONFIGURED).
 */
gboolean ocf_ctx_parse_env(OcfCtx *ctx, const char *const *envp, gboolean need_instance,
                           GError **error);

/** Prints "<agent> <action> [<instance>]: <msg>" on stderr; returns @rc. */
int ocf_ctx_fail(const OcfCtx *ctx, int rc, const char *msg);

/** ocf_ctx_fail() with the OCF code of @error (OCF_EXIT_ERROR, host D-Bus error, else 1). */
int ocf_ctx_fail_error(const OcfCtx *ctx, const GError *error);

/**
 * ocf_ctx_connect_host:
 * Connects to the host of @ctx's instance with the deadline of CRM_meta_timeout less the part
 * the agent keeps to report (up to 1 s).  @if_configured: see OcfClientOptions.
 */
OcfClient *ocf_ctx_connect_host(const OcfCtx *ctx, gboolean if_configured, GError **error);
