package io.vdetach.guestfs;

import io.vdetach.extent.Layer;
import java.util.List;

/**
 * One entry recovered from what a filesystem no longer uses (docs/evidence.md: "deleted",
 * "recovery"). Never mixed into the live tree: extraction writes it below {@code $Deleted/} or
 * {@code $Orphan/} of its volume.
 *
 * @param place where it goes: below {@code $Deleted/} (its original path rebuilt) or {@code $Orphan/}
 * @param path name components below that place: the original path for {@link Place#DELETED}; one
 *     component for {@link Place#ORPHAN}, the id as the filesystem's tools name it ("1234" for an
 *     inode or MFT record; FAT/exFAT: the entry's byte offset, plus "-name" when a name survives)
 * @param node its metadata as recovered
 * @param recovery how much of it can be trusted
 * @param content the data as recovered ({@code size == node.size()}), runs mapped onto the volume;
 *     null for a directory or when nothing but the name and metadata survive ({@link Recovery#NAMES_ONLY})
 * @param streams NTFS named streams recovered with it (empty elsewhere)
 */
public record Recovered(Place place, List<byte[]> path, Node node, Recovery recovery, Layer content,
                        List<NamedStream> streams) {

    public Recovered {
        if (path.isEmpty()) throw new IllegalArgumentException("a recovered entry needs a name");
        path = List.copyOf(path);
        streams = List.copyOf(streams);
    }

    /** The top directory a recovered entry goes under. */
    public enum Place {
        DELETED("$Deleted"), ORPHAN("$Orphan");

        private final String dirName;

        Place(String dirName) { this.dirName = dirName; }

        /** "$Deleted" or "$Orphan". */
        public String dirName() { return dirName; }
    }

    /** How much of a recovered entry survives, as the manifest's "recovery" says it. */
    public enum Recovery {
        /** Its metadata is intact and none of the clusters it claims is allocated now. */
        METADATA_INTACT("metadata intact"),
        /** Some cluster it claims is allocated now (to a live file or metadata): the content may be another file's. */
        CLUSTERS_POSSIBLY_REUSED("clusters possibly reused"),
        /** Only its name and metadata survive: no content. */
        NAMES_ONLY("names only");

        private final String value;

        Recovery(String value) { this.value = value; }

        /** The manifest value: "metadata intact", "clusters possibly reused", "names only". */
        public String value() { return value; }
    }
}
