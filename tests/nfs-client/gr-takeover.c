/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gr-takeover: the share driver's recovery calls from the command line, for
 * test-grace-reclaim.sh (the real sd-ganesha code against a real Ganesha):
 *   gr-takeover claim SHARED_ROOT NODE VIP      NODE serves VIP (by-vip link)
 *   gr-takeover takeover SHARED_ROOT NODE VIP   link + grace("5:VIP") + claim
 * The Ganesha is the one on $DBUS_SYSTEM_BUS_ADDRESS. */
#include <stdio.h>
#include <string.h>

#include "sd-ganesha.h"

int main(int argc, char **argv)
{
  if (argc != 5 || (strcmp(argv[1], "claim") != 0 && strcmp(argv[1], "takeover") != 0)) {
    fprintf(stderr, "usage: gr-takeover claim|takeover SHARED_ROOT NODE VIP\n");
    return 2;
  }
  g_autoptr(GError) error = NULL;
  gboolean ok;
  if (strcmp(argv[1], "claim") == 0) {
    ok = sd_ganesha_recovery_claim(argv[2], argv[3], argv[4], &error);
  } else {
    g_autoptr(SdGanesha) ganesha = sd_ganesha_new(5000);
    ok = sd_ganesha_takeover(ganesha, argv[2], argv[3], argv[4], 0, &error);
  }
  if (!ok) {
    fprintf(stderr, "gr-takeover %s: %s\n", argv[1], error->message);
    return 1;
  }
  return 0;
}
