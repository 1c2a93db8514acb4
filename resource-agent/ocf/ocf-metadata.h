/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-metadata: OCF 1.1 meta-data XML (ra-api.rng) for a resource type, generated from the
 * DLL's CLUSRES_TYPE_INFO plus the parameters every clusres agent has.
 */
#pragma once

#include <clusres/resapi.h>
#include <glib.h>

/**
 * ocf_metadata_generate:
 * @agent: the agent name (the type, or "resdll")
 * @info: (nullable): the type info; NULL for resdll before a DLL is named
 * @resdll: add resdll's own parameters dll= and type=
 *
 * Returns: (transfer full): the XML document.
 */
char *ocf_metadata_generate(const char *agent, const CLUSRES_TYPE_INFO *info, gboolean resdll);

/** A millisecond duration as Pacemaker reads it: "5s", "1500ms". */
char *ocf_metadata_duration(guint64 ms);
