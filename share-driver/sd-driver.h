/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The share driver: what the share resource (seed 004, "driver 23") calls to make shares
 * available or not.  One interface, several backends:
 *   ganesha  NFS-Ganesha over D-Bus (AddExport/RemoveExport/ShowExports, takeover grace)
 *   knfsd    the kernel NFS server via exportfs -o / -u with a stable fsid
 *   fake     in-memory, records every call (unit tests only)
 * plus the traffic gate (nftables table "clusres") behind sd_driver_allow_traffic().
 *
 * All calls are thread-safe and bounded by the driver's call timeout.  Errors are GErrors in
 * SD_DRIVER_ERROR; the caller logs them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SD_DRIVER_ERROR (sd_driver_error_quark())
GQuark sd_driver_error_quark(void);

typedef enum {
  SD_DRIVER_ERROR_FAILED,      /* the backend refused or failed */
  SD_DRIVER_ERROR_INVALID,     /* bad share definition (would inject, bad path, ...) */
  SD_DRIVER_ERROR_UNAVAILABLE, /* backend not running / not reachable */
  SD_DRIVER_ERROR_TIMEOUT,     /* a call ran past the driver's timeout */
  SD_DRIVER_ERROR_NOT_RUNNING, /* the bus answered: no server owns the name (it exports nothing) */
} SdDriverError;

/* One share as the driver sees it.  Strings are validated by sd_share_validate(). */
typedef struct {
  const char *name;    /* share_name: unique in the cluster */
  const char *path;    /* absolute directory exported */
  const char *pseudo;  /* NFSv4 pseudo path, default "/<name>" */
  const char *clients; /* client spec, default "*" */
  const char *access;  /* "rw" or "ro" */
  const char *squash;  /* root_squash | no_root_squash | all_squash | root_id_squash */
  const char *vip;     /* the virtual IP clients mount (IPv4 or IPv6 literal) */
  guint32 export_id;   /* identical on every node; part of every file handle */
} SdShare;

/** Stable export id for a share name, identical on every node (1..65535, avoiding 0 and 1). */
guint32 sd_share_default_export_id(const char *share_name);
/** Rejects anything that could inject into an export definition or a command. */
gboolean sd_share_validate(const SdShare *share, GError **error);
/**
 * Fills @out with @share and the documented defaults (pseudo "/<name>", clients "*", access
 * "rw", squash "root_squash", export id from the name).  @out borrows @share's strings; a
 * defaulted pseudo path is allocated into *@pseudo_buf (free it with g_free()).
 */
void sd_share_resolve(const SdShare *share, SdShare *out, char **pseudo_buf);
/** Validates a VIP literal (IPv4 or IPv6, no zone, no prefix). */
gboolean sd_vip_validate(const char *vip, GError **error);

typedef struct _SdDriver SdDriver;

/**
 * Creates a driver for @backend ("ganesha", "knfsd" or "fake").  @timeout_ms bounds every
 * backend call (D-Bus call, exportfs run).  Never fails for a known backend: reachability is
 * checked by the calls themselves.
 */
SdDriver *sd_driver_new(const char *backend, guint timeout_ms, GError **error);
void sd_driver_free(SdDriver *driver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SdDriver, sd_driver_free)

const char *sd_driver_backend(SdDriver *driver);

/**
 * Where this node's NFS-Ganesha keeps its recovery database on shared storage: Ganesha runs with
 * RecoveryRoot = @shared_root/@node.  With it, a takeover lets the VIP's previous server's
 * clients reclaim (see sd_ganesha_takeover), and enabling a share records that @node now serves
 * its VIP.  NULL or "" turns that off (plain takeover grace).  @shared_root must be an absolute
 * path without "..", quotes or whitespace; @node a plain host name.  Only the ganesha backend
 * uses it; the others accept and ignore it.
 */
gboolean sd_driver_set_recovery(SdDriver *driver, const char *shared_root, const char *node,
                                GError **error);

/* FIG. 6A block 64: "network packets are allowed" for the VIP (traffic gate). */
gboolean sd_driver_allow_traffic(SdDriver *driver, const char *vip, GError **error);
/* The gate closed again for the VIP (no shares on it any more on this node). */
gboolean sd_driver_block_traffic(SdDriver *driver, const char *vip, GError **error);

/* FIG. 6A block 67 / 6B block 74 and FIG. 8: the local shares counter of the driver. */
gboolean sd_driver_enable_local_counter(SdDriver *driver, GError **error);
gboolean sd_driver_disable_local_counter(SdDriver *driver, GError **error);
/* Shares enabled minus shares disabled while the local counter was enabled. */
guint sd_driver_local_shares(SdDriver *driver);

/* FIG. 6A block 68: failover functionality for a VIP that arrives on this node, from its home
 * node or back to it (Ganesha: sd_ganesha_takeover, so that the VIP's clients reclaim their
 * state during the takeover grace; grace restarted when the VIP answers here, see sd-driver.c). */
gboolean sd_driver_enable_failover(SdDriver *driver, const char *vip, GError **error);
/* FIG. 8A block 94: transition (failback) functionality.  Nothing to do for Ganesha (why in
 * sd-driver.c); the fake backend journals it. */
gboolean sd_driver_enable_transition(SdDriver *driver, const char *vip, GError **error);
/* The last share of @vip left this node: a takeover back within a lease waits for this
 * node's Ganesha to drop the clients that left with the VIP (sd_ganesha_takeover). */
void sd_driver_vip_left(SdDriver *driver, const char *vip);

/*
 * Optional, just before enable_share and outside whatever lock the caller serializes enables
 * with: writes the files enable needs (the probe file; Ganesha: the EXPORT file), so that the
 * enable itself is the backend call.  enable_share checks the file is the one it would write
 * (same EXPORT block) and writes it otherwise, so it works without this, or after it with
 * changed parameters.  No backend call; the fake backend journals nothing.
 */
gboolean sd_driver_prepare_share(SdDriver *driver, const SdShare *share, GError **error);
/* FIG. 6A block 71 / FIG. 8: make the share available / unavailable.  Both idempotent;
 * disable verifies with the export list instead of trusting the backend's answer. */
gboolean sd_driver_enable_share(SdDriver *driver, const SdShare *share, GError **error);
gboolean sd_driver_disable_share(SdDriver *driver, const SdShare *share, GError **error);

/* Monitor depth 0: is the share exported?  One export listing is shared by all shares of the
 * process and cached for @max_age_ms. */
gboolean sd_driver_share_present(SdDriver *driver, const SdShare *share, guint max_age_ms,
                                 gboolean *present, GError **error);

/* The fake backend's journal of calls ("enable_share name", ...), for unit tests. */
GPtrArray *sd_driver_fake_journal(SdDriver *driver);
/* Makes the fake backend fail the next call of @op ("enable_share", ...) with
 * SD_DRIVER_ERROR_FAILED, so callers' error paths can be tested. */
void sd_driver_fake_fail_next(SdDriver *driver, const char *op);
/* Forgets the process-wide cached export listing (tests, and after a backend restart). */
void sd_driver_invalidate_cache(void);

G_END_DECLS
