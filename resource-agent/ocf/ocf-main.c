/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres-ocf: the OCF resource agent of every clusres resource type.  Pacemaker runs it as
 * <ocf_dir>/clusres/<type>, a link whose name is the type.
 */
#include "ocf-actions.h"
#include "ocf-exit.h"

#include <string.h>

int main(int argc, char **argv)
{
  g_autofree char *agent = g_path_get_basename(argc > 0 ? argv[0] : "clusres-ocf");
  g_auto(GStrv) envp = g_get_environ();

  /* The binary under its own name is no agent: there is no type to run. */
  if (strcmp(agent, "clusres-ocf") == 0 || argc < 2) {
    gboolean asked = argc >= 2 && (strcmp(argv[1], "usage") == 0 || strcmp(argv[1], "help") == 0);
    ocf_actions_usage(agent, !asked);
    return asked ? OCF_SUCCESS : OCF_ERR_ARGS;
  }
  return ocf_actions_run(agent, argv, (const char *const *)envp);
}
