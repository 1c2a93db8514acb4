/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replays a corpus directory through LLVMFuzzerTestOneInput without libFuzzer, so the seed
 * corpus (and any crash reproducer added to it) runs as a unit test with every compiler.
 * Output is TAP, one test per file.  Seeds named valid-* must validate and bad-* must not, so
 * the corpus also pins the validator's verdicts; other files (fuzzer finds) only must not crash.
 */
#include <stdio.h>

#include <glib.h>

#include "clusres/resapi.h"
#include "fuzz-proplist.h"

static gint compare_names(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
    return 2;
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open(argv[1], 0, &error);
  if (dir == NULL) {
    printf("Bail out! %s\n", error->message);
    return 1;
  }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(dir)) != NULL)
    g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_names); /* stable order in the output */

  guint failed = 0;
  printf("1..%u\n", names->len);
  for (guint i = 0; i < names->len; i++) {
    const char *file = g_ptr_array_index(names, i);
    g_autofree char *path = g_build_filename(argv[1], file, NULL);
    g_autofree char *data = NULL;
    gsize len;
    if (!g_file_get_contents(path, &data, &len, NULL)) {
      printf("not ok %u - %s (unreadable)\n", i + 1, file);
      failed++;
      continue;
    }
    LLVMFuzzerTestOneInput((const guint8 *)data, len); /* aborts on a finding */
    DWORD verdict = ClusResPropListValidate(data, (DWORD)len);
    gboolean ok = TRUE;
    if (g_str_has_prefix(file, "valid-"))
      ok = verdict == ERROR_SUCCESS;
    else if (g_str_has_prefix(file, "bad-"))
      ok = verdict == ERROR_INVALID_DATA;
    if (!ok)
      failed++;
    printf("%s %u - %s\n", ok ? "ok" : "not ok", i + 1, file);
  }
  return failed == 0 ? 0 : 1;
}
