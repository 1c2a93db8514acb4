/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nftables gate.  The script is built from a VIP that passed sd_vip_validate() (inet_pton), so
 * it can only ever hold an address literal.  Drop, not reject: clients keep retrying and resume
 * when the gate opens instead of reporting errors to applications.
 */
#include "sd-gate.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/wait.h>

#include "sd-driver.h"

#define SD_GATE_PORTS "{ 111, 2049, 20048 }"

static const char gate_base[] =
    "add table inet " SD_GATE_TABLE "\n"
    "add set inet " SD_GATE_TABLE " vips4 { type ipv4_addr; }\n"
    "add set inet " SD_GATE_TABLE " vips6 { type ipv6_addr; }\n"
    "add chain inet " SD_GATE_TABLE
    " input { type filter hook input priority -10; policy accept; }\n"
    /* flush + add keeps exactly two rules however often this runs; set elements survive */
    "flush chain inet " SD_GATE_TABLE " input\n"
    "add rule inet " SD_GATE_TABLE " input ip daddr @vips4 tcp dport " SD_GATE_PORTS " drop\n"
    "add rule inet " SD_GATE_TABLE " input ip6 daddr @vips6 tcp dport " SD_GATE_PORTS " drop\n";

char *sd_gate_script(const char *vip, gboolean block)
{
  unsigned char buf[sizeof(struct in6_addr)];
  const char *set = inet_pton(AF_INET, vip, buf) == 1 ? "vips4" : "vips6";
  GString *s = g_string_new(gate_base);

  /* nft 1.0.6 has no "destroy element": adding first makes the delete valid whether or not the
   * VIP was blocked, and both happen in one transaction. */
  g_string_append_printf(s, "add element inet " SD_GATE_TABLE " %s { %s }\n", set, vip);
  if (!block)
    g_string_append_printf(s, "delete element inet " SD_GATE_TABLE " %s { %s }\n", set, vip);
  return g_string_free(s, FALSE);
}

static gboolean run_nft(const char *script, guint timeout_ms, GError **error)
{
  g_autofree char *secs = g_strdup_printf("%.3f", MAX(timeout_ms, 1) / 1000.0);
  g_autoptr(GError) local = NULL;
  g_autofree char *err_text = NULL;

  g_autoptr(GSubprocess) proc =
      g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE,
                       &local, "timeout", "-k", "1", secs, "nft", "-f", "-", NULL);
  if (proc == NULL || !g_subprocess_communicate_utf8(proc, script, NULL, NULL, &err_text, &local)) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_UNAVAILABLE, "cannot run nft: %s",
                local->message);
    return FALSE;
  }
  int status = g_subprocess_get_status(proc);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return TRUE;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  g_set_error(error, SD_DRIVER_ERROR,
              code == 124 || code == 137 ? SD_DRIVER_ERROR_TIMEOUT
              : code == 127              ? SD_DRIVER_ERROR_UNAVAILABLE
                                         : SD_DRIVER_ERROR_FAILED,
              "nft failed (exit %d): %s", code, err_text ? g_strstrip(err_text) : "");
  return FALSE;
}

static gboolean change(const char *vip, gboolean block, guint timeout_ms, GError **error)
{
  if (!sd_vip_validate(vip, error))
    return FALSE;
  g_autofree char *script = sd_gate_script(vip, block);
  return run_nft(script, timeout_ms, error);
}

gboolean sd_gate_block(const char *vip, guint timeout_ms, GError **error)
{
  return change(vip, TRUE, timeout_ms, error);
}

gboolean sd_gate_allow(const char *vip, guint timeout_ms, GError **error)
{
  return change(vip, FALSE, timeout_ms, error);
}

gboolean sd_gate_cleanup(guint timeout_ms, GError **error)
{
  return run_nft("add table inet " SD_GATE_TABLE "\ndelete table inet " SD_GATE_TABLE "\n",
                 timeout_ms, error);
}
