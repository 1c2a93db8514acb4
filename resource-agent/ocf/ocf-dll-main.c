/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres-ocf-dll: the actions of clusres-ocf that load the resource DLL (meta-data,
 * validate-all, reload-agent).  clusres-ocf execs it as `clusres-ocf-dll <agent> <action>
 * [args...]` with its environment; it is no agent of its own.
 */
#include "ocf-actions.h"
#include "ocf-dllactions.h"
#include "ocf-exit.h"

#include <stdio.h>

int main(int argc, char **argv)
{
  g_auto(GStrv) envp = g_get_environ();

  if (argc < 3) {
    fprintf(stderr, "usage: clusres-ocf-dll <type> {meta-data|validate-all|reload-agent}\n"
                    "(run by clusres-ocf; not an agent itself)\n");
    return OCF_ERR_ARGS;
  }
  int rc = ocf_dllactions_run(argv[1], argv[2], (const char *const *)envp);
  if (rc == OCF_ERR_UNIMPLEMENTED)
    ocf_actions_usage(argv[1], TRUE);
  return rc;
}
