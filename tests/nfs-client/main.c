/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clusres-nfs-client: NFSv4 test client that proves clients of a virtual IP do not notice a
 * failover (see nc-client.h and --help). */
#include <stdio.h>

#include "nc-client.h"
#include "nc-options.h"

int main(int argc, char **argv)
{
  NcOptions options;
  g_autoptr(GError) error = NULL;
  if (!nc_options_parse(&options, argc, argv, &error)) {
    fprintf(stderr, "clusres-nfs-client: %s\nTry 'clusres-nfs-client --help'.\n", error->message);
    nc_options_clear(&options);
    return 2;
  }
  int status = nc_client_run(&options);
  nc_options_clear(&options);
  return status;
}
