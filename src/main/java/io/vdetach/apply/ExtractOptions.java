package io.vdetach.apply;

import io.vdetach.plan.ConflictPolicy;
import io.vdetach.plan.Mode;
import java.util.List;

/**
 * @param volume only this volume (name or 1-based number), its files straight into DEST; null for all
 * @param include guest path globs to include (empty: everything); matched against "p1/etc/hosts"
 * @param exclude guest path globs to leave out
 * @param restoreOwners set uid/gid (root, or --owner)
 * @param dryRun classify and count, write nothing
 */
public record ExtractOptions(Mode mode, ConflictPolicy onConflict, String volume, List<String> include,
                             List<String> exclude, boolean restoreOwners, boolean dryRun, Progress progress) {

    public static ExtractOptions defaults() {
        return new ExtractOptions(Mode.AUTO, ConflictPolicy.RENAME, null, List.of(), List.of(), false, false, Progress.NONE);
    }
}
